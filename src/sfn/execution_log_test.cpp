// ExecutionLogger tests: level filtering, AWS's record shape, includeExecutionData, file names
// and the writer thread (in a fresh temporary directory per test).
#include "sfn/execution_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace stepwise::sfn {
namespace {

namespace fs = std::filesystem;

engine::HistoryEvent event(std::int64_t id, std::int64_t prev, const char* type, const char* key,
                           json::object details) {
  engine::HistoryEvent e;
  e.id = id;
  e.previous_event_id = prev;
  e.timestamp = 1713959670680 + id;
  e.type = type;
  e.details_key = key;
  e.details = std::move(details);
  return e;
}

engine::HistoryEvent entered(std::int64_t id) {
  return event(id, id - 1, "PassStateEntered", "stateEnteredEventDetails",
               {{"input", "{\"a\":1}"}, {"inputDetails", {{"truncated", false}}}, {"name", "P"}});
}

engine::HistoryEvent failed(std::int64_t id) {
  return event(id, id - 1, "ExecutionFailed", "executionFailedEventDetails",
               {{"error", "E"}, {"cause", "C"}});
}

json::value config(const char* level, bool include,
                   const char* arn = "arn:aws:logs:us-east-1:123456789012:log-group:grp:*") {
  return json::object{
      {"level", level},
      {"includeExecutionData", include},
      {"destinations",
       json::array{json::object{{"cloudWatchLogsLogGroup", json::object{{"logGroupArn", arn}}}}}}};
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("stepwise-log-test-" + std::to_string(rd()));
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(ExecutionLog, RecordHasAwsShapeWithStringScalars) {
  const std::string line = format_log_record(entered(2), "arn:x", 0, true);
  EXPECT_EQ(line,
            R"({"id":"2","type":"PassStateEntered","details":{"input":"{\"a\":1}",)"
            R"("inputDetails":{"truncated":false},"name":"P"},"previous_event_id":"1",)"
            R"("event_timestamp":"1713959670682","execution_arn":"arn:x","redrive_count":"0"})");
}

TEST(ExecutionLog, ExitedRecordWritesTheStateNameFirstAsAwsDoes) {
  auto e = event(3, 2, "PassStateExited", "stateExitedEventDetails",
                 {{"output", "{}"}, {"outputDetails", {{"truncated", false}}}, {"name", "P"}});
  const std::string line = format_log_record(e, "arn:x", 0, true);
  EXPECT_NE(
      line.find(R"("details":{"name":"P","output":"{}","outputDetails":{"truncated":false}})"),
      std::string::npos)
      << line;
}

TEST(ExecutionLog, RecordCarriesRedriveCount) {
  const std::string line = format_log_record(failed(9), "arn:x", 3, true);
  EXPECT_NE(line.find(R"("redrive_count":"3")"), std::string::npos);
}

TEST(ExecutionLog, WithoutExecutionDataDropsPayloadsKeepsErrorAndName) {
  EXPECT_EQ(format_log_record(entered(2), "arn:x", 0, false),
            R"({"id":"2","type":"PassStateEntered","details":{"name":"P"},"previous_event_id":"1",)"
            R"("event_timestamp":"1713959670682","execution_arn":"arn:x","redrive_count":"0"})");
  auto scheduled = event(3, 2, "TaskScheduled", "taskScheduledEventDetails",
                         {{"parameters", "{\"k\":2}"}, {"resource", "invoke"}});
  const std::string s = format_log_record(scheduled, "arn:x", 0, false);
  EXPECT_EQ(s.find("parameters"), std::string::npos);
  EXPECT_NE(s.find(R"("resource":"invoke")"), std::string::npos);
  const std::string f = format_log_record(failed(4), "arn:x", 0, false);
  EXPECT_NE(f.find(R"("details":{"error":"E","cause":"C"})"), std::string::npos);
}

TEST(ExecutionLog, PayloadAboveLimitIsTruncatedAndMarked) {
  std::string big(log_limits::payload_bytes_max + 10, 'x');
  big[log_limits::payload_bytes_max - 1] = '\xC3';  // a 2-byte sequence across the cut
  big[log_limits::payload_bytes_max] = '\xA9';
  auto e = event(5, 4, "PassStateExited", "stateExitedEventDetails",
                 {{"name", "P"}, {"output", big}, {"outputDetails", {{"truncated", false}}}});
  auto record = json::parse(format_log_record(e, "arn:x", 0, true)).value();
  const auto& d = record.at("details").get_object();
  EXPECT_EQ(d.at("output").get_string().size(), log_limits::payload_bytes_max - 1);
  EXPECT_TRUE(d.at("outputDetails").at("truncated").get_bool());
}

TEST(ExecutionLog, LevelsFollowAwsTable) {
  for (const char* t : {"ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}) {
    EXPECT_TRUE(level_logs(LogLevel::kFatal, t)) << t;
    EXPECT_TRUE(level_logs(LogLevel::kError, t)) << t;
  }
  for (const char* t : {"FailStateEntered", "TaskFailed", "TaskTimedOut", "TaskStateAborted",
                        "MapIterationFailed", "LambdaFunctionScheduleFailed", "TaskSubmitFailed",
                        "WaitStateAborted", "ParallelStateFailed"}) {
    EXPECT_TRUE(level_logs(LogLevel::kError, t)) << t;
    EXPECT_FALSE(level_logs(LogLevel::kFatal, t)) << t;
  }
  for (const char* t :
       {"ExecutionStarted", "ExecutionSucceeded", "TaskSucceeded", "PassStateEntered",
        "ChoiceStateExited", "MapStateStarted", "ExecutionRedriven"}) {
    EXPECT_FALSE(level_logs(LogLevel::kError, t)) << t;
    EXPECT_TRUE(level_logs(LogLevel::kAll, t)) << t;
  }
  EXPECT_FALSE(level_logs(LogLevel::kOff, "ExecutionFailed"));
}

TEST(ExecutionLog, ConfigurationOffOrWithoutDestinationLogsNothing) {
  EXPECT_FALSE(parse_logging_configuration(config("OFF", true)));
  EXPECT_FALSE(parse_logging_configuration(json::object{{"level", "ALL"}}));
  EXPECT_FALSE(parse_logging_configuration(json::value(nullptr)));
  EXPECT_FALSE(parse_logging_configuration(json::object{{"level", 3}}));
  auto s = parse_logging_configuration(config("ERROR", true));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->level, LogLevel::kError);
  EXPECT_TRUE(s->include_execution_data);
  EXPECT_EQ(s->file_name, "grp.jsonl");
}

TEST(ExecutionLog, FileNameCannotLeaveTheDirectory) {
  EXPECT_EQ(log_file_name("arn:aws:logs:us-east-1:1:log-group:/aws/vendedlogs/states/x:*"),
            "_aws_vendedlogs_states_x.jsonl");
  EXPECT_EQ(log_file_name("arn:aws:logs:us-east-1:1:log-group:../../etc:*"), "_.._.._etc.jsonl");
  EXPECT_EQ(log_file_name("arn:aws:logs:us-east-1:1:log-group:..:*"), "_...jsonl");
  EXPECT_EQ(log_file_name("arn:aws:logs:us-east-1:1:log-group:a#b c"), "a_b_c.jsonl");
  EXPECT_EQ(log_file_name(""), "_.jsonl");
  EXPECT_EQ(log_file_name(std::string(1000, 'a')).size(), log_limits::file_name_chars_max + 6);
}

TEST(ExecutionLog, WriterAppendsFilteredLinesPerLogGroup) {
  TempDir dir;
  ExecutionLogger logger(dir.path().string());
  auto all = std::make_shared<const LogSettings>(*parse_logging_configuration(config("ALL", true)));
  auto fatal = std::make_shared<const LogSettings>(*parse_logging_configuration(
      config("FATAL", false, "arn:aws:logs:us-east-1:1:log-group:other:*")));
  std::vector<engine::HistoryEvent> batch{entered(2), failed(3)};
  logger.log_copy(fatal, "arn:e1", 0, batch);
  logger.log(all, "arn:e1", 0, batch);
  logger.flush();
  auto grp = read_lines(dir.path() / "grp.jsonl");
  ASSERT_EQ(grp.size(), 2u);
  EXPECT_NE(grp[0].find(R"("type":"PassStateEntered")"), std::string::npos);
  EXPECT_NE(grp[1].find(R"("type":"ExecutionFailed")"), std::string::npos);
  auto other = read_lines(dir.path() / "other.jsonl");
  ASSERT_EQ(other.size(), 1u);
  EXPECT_NE(other[0].find(R"("details":{"error":"E","cause":"C"})"), std::string::npos);
  EXPECT_EQ(logger.dropped(), 0u);
}

TEST(ExecutionLog, FullQueueDropsAndCounts) {
  TempDir dir;
  ExecutionLogger logger(dir.path().string());
  auto all = std::make_shared<const LogSettings>(*parse_logging_configuration(config("ALL", true)));
  // One batch larger than the queue can ever hold is dropped whole, without blocking.
  std::vector<engine::HistoryEvent> huge(log_limits::queue_events_max + 1, entered(2));
  logger.log(all, "arn:e", 0, huge);
  std::vector<engine::HistoryEvent> small{entered(2)};
  logger.log(all, "arn:e", 0, small);
  logger.flush();
  EXPECT_EQ(logger.dropped(), log_limits::queue_events_max + 1);
  EXPECT_EQ(read_lines(dir.path() / "grp.jsonl").size(), 1u);
}

TEST(ExecutionLog, UnwritableDirectoryCountsDrops) {
  TempDir dir;
  fs::create_directories(dir.path());
  std::ofstream(dir.path() / "file") << "x";
  ExecutionLogger logger((dir.path() / "file" / "sub").string());  // a file in the way
  auto all = std::make_shared<const LogSettings>(*parse_logging_configuration(config("ALL", true)));
  std::vector<engine::HistoryEvent> batch{entered(2), entered(3)};
  logger.log(all, "arn:e", 0, batch);
  logger.flush();
  EXPECT_EQ(logger.dropped(), 2u);
}

}  // namespace
}  // namespace stepwise::sfn
