// Execution logging through the whole Service: machines created with a loggingConfiguration
// run (Express with StartSyncExecution, Standard with StartExecution) and their log group's
// .jsonl file is read back after stop() (which writes out every queued line).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <thread>

#include "sfn/execution_log.h"
#include "sfn/service.h"
#include "sfn/test_harness.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using testing::kRole;
using testing::kStart;
constexpr const char* kGroupArn =
    "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/m-Logs:*";
constexpr const char* kGroupFile = "_aws_vendedlogs_states_m-Logs.jsonl";

const char* kPassMachine =
    R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":1},"End":true}}})";
const char* kFailMachine = R"({"StartAt":"P","States":{"P":{"Type":"Pass","Next":"F"},)"
                           R"("F":{"Type":"Fail","Error":"Boom","Cause":"it broke"}}})";

json::value logging(const char* level, bool include) {
  json::object o{{"level", level}, {"includeExecutionData", include}};
  if (std::string(level) != "OFF") {
    o["destinations"] = json::array{
        json::object{{"cloudWatchLogsLogGroup", json::object{{"logGroupArn", kGroupArn}}}}};
  }
  return o;
}

// What the Service needs before the base class builds it: a clock, a store, a log directory.
struct LogSetup {
  LogSetup() {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("stepwise-log-service-" + std::to_string(rd()));
  }
  ManualClock clock{kStart};
  store::MemoryStore store;
  fs::path dir;
};

// The shared harness (service/test_harness.h) logging into a fresh temporary directory.
class LogHarness : LogSetup, public testing::Harness {
 public:
  LogHarness()
      : testing::Harness([this] {
          ServiceOptions o{.clock = LogSetup::clock,
                           .registry_store = LogSetup::store,
                           .execution_store = LogSetup::store};
          o.log_dir = dir.string();
          return o;
        }()) {}
  ~LogHarness() {
    service().stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  std::string create(const char* name, const char* definition, const char* type,
                     json::value logging_configuration) {
    json::value r = ok("CreateStateMachine",
                       json::object{{"name", name},
                                    {"definition", definition},
                                    {"roleArn", kRole},
                                    {"type", type},
                                    {"loggingConfiguration", std::move(logging_configuration)}});
    return r.is_object() ? std::string(r.at("stateMachineArn").as_string()) : "";
  }
  // Express: runs to the end. Returns the execution ARN.
  std::string run_sync(const std::string& machine) {
    json::value r = ok("StartSyncExecution",
                       json::object{{"stateMachineArn", machine}, {"input", R"({"in":1})"}});
    return r.is_object() ? std::string(r.at("executionArn").as_string()) : "";
  }
  // Standard: starts and waits until it is closed.
  std::string run(const std::string& machine, const char* name) {
    json::value r =
        ok("StartExecution",
           json::object{{"stateMachineArn", machine}, {"name", name}, {"input", R"({"in":1})"}});
    if (!r.is_object()) return "";
    std::string arn(r.at("executionArn").as_string());
    run_until_closed(arn);
    return arn;
  }
  void run_until_closed(const std::string& arn) { EXPECT_NE(wait_closed(arn), "RUNNING") << arn; }
  std::vector<std::string> history_types(const std::string& arn) { return event_types(arn); }
  // Stops the Service (every queued line is written) and reads the log group's records.
  std::vector<json::object> records() {
    service().stop();
    std::vector<json::object> out;
    std::ifstream in(dir / kGroupFile);
    for (std::string line; std::getline(in, line);) {
      auto v = json::parse(line);
      EXPECT_TRUE(v && v->is_object()) << line;
      if (v && v->is_object()) out.push_back(v->get_object());
    }
    return out;
  }
  bool log_file_exists() const { return fs::exists(dir / kGroupFile); }
};

std::vector<std::string> types(const std::vector<json::object>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.emplace_back(r.at("type").as_string());
  return out;
}

TEST(ExecutionLogService, ExpressAllLogsEveryEventInAwsShape) {
  LogHarness h;
  std::string machine = h.create("m", kPassMachine, "EXPRESS", logging("ALL", true));
  std::string arn = h.run_sync(machine);
  auto records = h.records();
  EXPECT_EQ(types(records), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                                      "PassStateExited", "ExecutionSucceeded"}));
  ASSERT_EQ(records.size(), 4u);
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].at("id"), json::value(std::to_string(i + 1)));
    EXPECT_EQ(records[i].at("execution_arn"), json::value(arn));
    EXPECT_EQ(records[i].at("redrive_count"), "0");
    EXPECT_EQ(records[i].at("event_timestamp"), json::value(std::to_string(kStart)));
  }
  EXPECT_EQ(records[0].at("previous_event_id"), "0");
  const auto& started = records[0].at("details").as_object();
  EXPECT_EQ(started.at("input"), R"({"in":1})");
  EXPECT_EQ(started.at("roleArn"), kRole);
  EXPECT_EQ(records[3].at("details").at("output"), R"({"ok":1})");
}

TEST(ExecutionLogService, StandardAllMatchesItsHistory) {
  LogHarness h;
  std::string machine = h.create("m", kFailMachine, "STANDARD", logging("ALL", true));
  std::string arn = h.run(machine, "e1");
  std::vector<std::string> history = h.history_types(arn);
  auto records = h.records();
  EXPECT_EQ(types(records), history);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().at("details").at("cause"), "it broke");
}

TEST(ExecutionLogService, ErrorLevelWithoutExecutionDataKeepsFailuresOnly) {
  LogHarness h;
  std::string machine = h.create("m", kFailMachine, "STANDARD", logging("ERROR", false));
  h.run(machine, "e1");
  auto records = h.records();
  EXPECT_EQ(types(records), (std::vector<std::string>{"FailStateEntered", "ExecutionFailed"}));
  ASSERT_EQ(records.size(), 2u);
  const auto& entered = records[0].at("details").as_object();
  EXPECT_EQ(entered.at("name"), "F");
  EXPECT_FALSE(entered.contains("input"));
  EXPECT_FALSE(entered.contains("inputDetails"));
  EXPECT_EQ(records[1].at("details").at("error"), "Boom");
}

TEST(ExecutionLogService, FatalLevelLogsOnlyTheExecutionsEnd) {
  LogHarness h;
  std::string express = h.create("x", kFailMachine, "EXPRESS", logging("FATAL", true));
  std::string standard = h.create("s", kPassMachine, "STANDARD", logging("FATAL", true));
  h.run_sync(express);
  h.run(standard, "e1");  // succeeds: nothing at FATAL
  auto records = h.records();
  EXPECT_EQ(types(records), (std::vector<std::string>{"ExecutionFailed"}));
}

TEST(ExecutionLogService, RedrivenExecutionLogsWithItsRedriveCount) {
  LogHarness h;
  std::string machine = h.create("m", kFailMachine, "STANDARD", logging("ALL", false));
  std::string arn = h.run(machine, "e1");
  h.ok("RedriveExecution", json::object{{"executionArn", arn}});
  h.run_until_closed(arn);
  std::vector<std::string> history = h.history_types(arn);
  auto records = h.records();
  std::vector<std::string> redriven;
  std::size_t first_redriven = records.size();
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].at("redrive_count") == "1") {
      if (first_redriven == records.size()) first_redriven = i;
      redriven.emplace_back(records[i].at("type").as_string());
    } else {
      EXPECT_EQ(records[i].at("redrive_count"), "0");
    }
  }
  ASSERT_LT(first_redriven, records.size());
  EXPECT_EQ(records[first_redriven].at("type"), "ExecutionRedriven");
  EXPECT_EQ(redriven.back(), "ExecutionFailed");
  EXPECT_EQ(types(records), history);
}

TEST(ExecutionLogService, ExecutionThatSleptThroughAWaitLogsEachEventOnce) {
  // A 60 s Wait makes the execution dormant (rebuilt from its journal when due): the replayed
  // events are not logged again, the new ones are.
  LogHarness h;
  std::string machine =
      h.create("m",
               R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"Next":"P"},)"
               R"("P":{"Type":"Pass","End":true}}})",
               "STANDARD", logging("ALL", true));
  std::string arn = h.run(machine, "e1");
  std::vector<std::string> history = h.history_types(arn);
  auto records = h.records();
  EXPECT_EQ(types(records), history);
  EXPECT_EQ(history.size(), 6u);
}

TEST(ExecutionLogService, ExpressLoopingInsideOneStepLogsAtMostTheStepBound) {
  // An endless Pass loop runs inside the start's step until TimeoutSeconds (the manual clock
  // charges each transition): the events it builds, and so the log, stop at the bound.
  LogHarness h;
  std::string machine =
      h.create("m",
               R"({"TimeoutSeconds":5,"StartAt":"A","States":{"A":{"Type":"Pass","Next":"C"},)"
               R"("C":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,)"
               R"("Next":"D"}],"Default":"A"},"D":{"Type":"Succeed"}}})",
               "EXPRESS", logging("ALL", false));
  json::value r = h.ok("StartSyncExecution", json::object{{"stateMachineArn", machine}});
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r.at("status"), "TIMED_OUT");
  auto records = h.records();
  EXPECT_EQ(records.size(), log_limits::step_events_max);
}

TEST(ExecutionLogService, OffWritesNoFile) {
  LogHarness h;
  std::string express = h.create("x", kPassMachine, "EXPRESS", logging("OFF", true));
  std::string standard = h.create("s", kFailMachine, "STANDARD", logging("OFF", true));
  std::string plain = h.create("p", kPassMachine, "EXPRESS", json::object{});
  h.run_sync(express);
  h.run_sync(plain);
  h.run(standard, "e1");
  EXPECT_TRUE(h.records().empty());
  EXPECT_FALSE(h.log_file_exists());
}

}  // namespace
}  // namespace stepwise::sfn
