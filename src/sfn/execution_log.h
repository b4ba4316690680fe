// ExecutionLogger: a state machine's execution log (loggingConfiguration), written as JSON lines
// to one file per CloudWatch Logs log group instead of to CloudWatch Logs.
//
// AWS sends the history events of an execution (Standard and Express) to the log group named in
// loggingConfiguration.destinations, filtered by `level` (ALL, ERROR, FATAL; OFF sends nothing)
// and stripped of input/output when `includeExecutionData` is false. Each record is one JSON
// object in AWS's log shape:
//   {"id":"3","type":"PassStateExited","details":{...},"previous_event_id":"2",
//    "event_timestamp":"1713959670680","execution_arn":"arn:...","redrive_count":"0"}
// (every scalar of the envelope is a string, as CloudWatch shows it). Stepwise appends each
// record as one line to `<log dir>/<log group name, sanitised>.jsonl` (see log_file_name()).
//
// Why a writer thread: the engine thread must never wait on a disk. log() only filters and moves
// the events into a bounded queue; formatting and writing happen on the writer thread. When the
// queue is full the batch is dropped and counted (AWS delivers logs on a best-effort basis too);
// the count goes to stderr at most once a minute.
//
// Thread-safety: log() and flush() may be called from any thread (the Service calls log() from
// its engine thread); the files are only touched by the writer thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/limits.h"
#include "base/mutex.h"
#include "engine/history.h"
#include "json/json.h"
#include "sfn/service_log.h"

namespace stepwise::sfn {

namespace log_limits {
// History events waiting for the writer thread; one more batch is dropped (and counted).
inline constexpr std::size_t queue_events_max = 100'000;
// Estimated bytes of the payloads (input/output) waiting for the writer thread: the event count
// alone would let 100,000 events of 256 KiB each take 25 GB of memory.
inline constexpr std::size_t queue_payload_bytes_max = 64 * 1024 * 1024;
// AWS: "If escaped input or escaped output sent to CloudWatch Logs exceeds 248KB, it will be
// truncated" (and inputDetails/outputDetails say truncated: true).
inline constexpr std::size_t payload_bytes_max = 248 * 1024;
// Characters of the file name made from a log group name: AWS allows 512-character log group
// names, most file systems 255-byte file names (".jsonl" is added).
inline constexpr std::size_t file_name_chars_max = 200;
// Events a logged Express execution builds in one step (engine::ExecutionInfo): a Pass loop
// runs inside one step until Express's 5 minutes are up, and must not fill memory meanwhile.
// The same bound as Standard's history quota; the step's later events are not logged.
inline constexpr std::size_t step_events_max = stepwise::limits::history_events_max;
// Log files held open at once; beyond it they are all closed and reopened on demand.
inline constexpr std::size_t open_files_max = 64;
// Seconds between two stderr reports of dropped records or write errors.
inline constexpr std::int64_t report_interval_seconds = 60;
}  // namespace log_limits

enum class LogLevel { kOff, kAll, kError, kFatal };

// What one execution logs: read once from its machine's (or version's) loggingConfiguration.
struct LogSettings {
  LogLevel level = LogLevel::kOff;
  bool include_execution_data = false;
  std::string file_name;  // "<sanitised log group>.jsonl", relative to the log dir
};

// The settings for a loggingConfiguration as the Registry stores it ({"level", "includeExecution
// Data", "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn"}}]}); nullopt when it logs
// nothing (level OFF or absent, no destination, not an object). Never throws.
std::optional<LogSettings> parse_logging_configuration(const json::value& config);

// The file name of a log group ARN `arn:aws:logs:<region>:<account>:log-group:<name>:*`: the
// name with every character other than A-Z a-z 0-9 . - _ replaced by '_' (so '/' never makes a
// folder and ".." cannot climb out of the log dir), a leading '.' made '_', cut to
// file_name_chars_max, plus ".jsonl": "/aws/vendedlogs/states/x" gives
// "_aws_vendedlogs_states_x.jsonl". A value that is not a log-group ARN is sanitised whole.
std::string log_file_name(std::string_view log_group_arn);

// True when `level` logs events of this type (AWS's table: ERROR adds every *Failed, *Aborted,
// *TimedOut event and FailStateEntered to FATAL's ExecutionFailed/Aborted/TimedOut).
bool level_logs(LogLevel level, std::string_view event_type);

// One record in AWS's log shape (no newline). include_execution_data false drops input, output,
// parameters and assigned variables (and their *Details); error, cause and names stay.
std::string format_log_record(const engine::HistoryEvent& event, std::string_view execution_arn,
                              std::int64_t redrive_count, bool include_execution_data);

class ExecutionLogger {
 public:
  // `dir` is created on the first write (and its parents).
  // `log` hears of dropped records (null: nobody does).
  explicit ExecutionLogger(std::string dir, ServiceLog log = {});
  ~ExecutionLogger();  // writes what is queued, then stops the writer thread
  ExecutionLogger(const ExecutionLogger&) = delete;
  ExecutionLogger& operator=(const ExecutionLogger&) = delete;

  // Queues the events of one step that `settings` logs. `events` is left holding only what was
  // not taken (moved-from events when everything was taken): callers pass a batch they no
  // longer need, so ALL moves instead of copying. Never blocks on I/O.
  void log(const std::shared_ptr<const LogSettings>& settings, const std::string& execution_arn,
           std::int64_t redrive_count, std::vector<engine::HistoryEvent>& events);
  // As log(), copying the events that pass the level (for a batch the caller still needs).
  void log_copy(const std::shared_ptr<const LogSettings>& settings,
                const std::string& execution_arn, std::int64_t redrive_count,
                const std::vector<engine::HistoryEvent>& events);

  // Blocks until every record queued before the call is written and flushed to its file.
  void flush();
  // Events dropped so far because the queue was full or a file could not be written.
  std::uint64_t dropped() const { return dropped_.load(); }
  const std::string& dir() const { return dir_; }

 private:
  struct Batch {
    std::shared_ptr<const LogSettings> settings;
    std::string execution_arn;
    std::int64_t redrive_count = 0;
    std::vector<engine::HistoryEvent> events;
    std::size_t payload_bytes = 0;
  };
  void enqueue(Batch batch);
  void run();
  void write(const Batch& batch, std::string& line);
  std::FILE* file(const std::string& name);
  void close_files();
  void report(bool force);

  const std::string dir_;
  base::Mutex mu_;
  base::CondVar wake_;      // writer: work or stop
  base::CondVar progress_;  // flush(): a drain finished
  std::deque<Batch> queue_ GUARDED_BY(mu_);
  std::size_t queued_events_ GUARDED_BY(mu_) = 0;
  std::size_t queued_bytes_ GUARDED_BY(mu_) = 0;
  std::uint64_t enqueued_ GUARDED_BY(mu_) = 0;  // batches ever queued
  std::uint64_t written_ GUARDED_BY(mu_) = 0;   // batches ever written
  bool stop_ GUARDED_BY(mu_) = false;
  std::atomic<std::uint64_t> dropped_{0};

  // Writer thread only.
  std::map<std::string, std::FILE*> files_;
  bool dir_ready_ = false;
  std::uint64_t reported_drops_ = 0;
  std::string last_error_;
  const ServiceLog log_;
  std::chrono::steady_clock::time_point last_report_{};
  std::thread writer_;  // last: starts once everything above exists
};

}  // namespace stepwise::sfn
