// ExecutionLogger: filtering and AWS's record shape (engine side), the queue and the writer
// thread (file side).
#include "sfn/execution_log.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <utility>

namespace stepwise::sfn {

namespace {

// The string at o[key], or "" when absent or not a string.
std::string_view string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string_view(v->get_string().data(), v->get_string().size());
}

// The log group ARN of the first destination, or "" when there is none.
std::string_view first_log_group_arn(const json::object& config) {
  const json::value* dests = config.if_contains("destinations");
  if (dests == nullptr || !dests->is_array() || dests->get_array().empty()) return {};
  const json::object* dest = dests->get_array()[0].if_object();
  if (dest == nullptr) return {};
  const json::value* group = dest->if_contains("cloudWatchLogsLogGroup");
  if (group == nullptr || !group->is_object()) return {};
  return string_at(group->get_object(), "logGroupArn");
}

// Fields whose values are the execution's data: dropped when includeExecutionData is false.
constexpr std::string_view kDataKeys[] = {"input",
                                          "inputDetails",
                                          "output",
                                          "outputDetails",
                                          "parameters",
                                          "assignedVariables",
                                          "assignedVariablesDetails"};

bool is_data_key(std::string_view key) {
  for (std::string_view k : kDataKeys)
    if (k == key) return true;
  return false;
}

// Cuts s to at most `bytes` without splitting a UTF-8 sequence.
void truncate_utf8(std::string& s, std::size_t bytes) {
  if (s.size() <= bytes) return;
  std::size_t cut = bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
}

// AWS truncates an input/output above log_limits::payload_bytes_max and says so in its *Details.
void truncate_payloads(json::object& details) {
  for (const char* key : {"input", "output"}) {
    json::value* v = details.if_contains(key);
    if (v == nullptr || !v->is_string() || v->get_string().size() <= log_limits::payload_bytes_max)
      continue;
    std::string text(v->get_string().data(), v->get_string().size());
    truncate_utf8(text, log_limits::payload_bytes_max);
    *v = json::string(text);
    details[std::string(key) + "Details"] = json::object{{"truncated", true}};
  }
}

// Payload bytes an event holds (what the queue's byte bound counts); top-level strings only.
std::size_t payload_size(const engine::HistoryEvent& e) {
  std::size_t n = 64;
  for (const auto& kv : e.details)
    if (kv.value().is_string()) n += kv.value().get_string().size();
  return n;
}

}  // namespace

// ---------------------------------------------------------------------------- configuration

std::string log_file_name(std::string_view arn) {
  std::string_view name = arn;
  constexpr std::string_view marker = ":log-group:";
  if (auto at = arn.find(marker); at != std::string_view::npos) {
    name = arn.substr(at + marker.size());
    if (name.ends_with(":*")) name.remove_suffix(2);
  }
  std::string out;
  out.reserve(std::min(name.size(), log_limits::file_name_chars_max) + 6);
  for (char c : name) {
    if (out.size() >= log_limits::file_name_chars_max) break;
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    out.push_back(keep ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out + ".jsonl";
}

std::optional<LogSettings> parse_logging_configuration(const json::value& config) {
  const json::object* o = config.if_object();
  if (o == nullptr) return std::nullopt;
  const std::string_view level = string_at(*o, "level");
  LogSettings s;
  if (level == "ALL") {
    s.level = LogLevel::kAll;
  } else if (level == "ERROR") {
    s.level = LogLevel::kError;
  } else if (level == "FATAL") {
    s.level = LogLevel::kFatal;
  } else {
    return std::nullopt;  // OFF, absent or unknown
  }
  const std::string_view arn = first_log_group_arn(*o);
  if (arn.empty()) return std::nullopt;
  const json::value* include = o->if_contains("includeExecutionData");
  s.include_execution_data = include != nullptr && include->is_bool() && include->get_bool();
  s.file_name = log_file_name(arn);
  return s;
}

bool level_logs(LogLevel level, std::string_view type) {
  switch (level) {
    case LogLevel::kOff:
      return false;
    case LogLevel::kAll:
      return true;
    case LogLevel::kError:
      return type == "FailStateEntered" || type.ends_with("Failed") || type.ends_with("Aborted") ||
             type.ends_with("TimedOut");
    case LogLevel::kFatal:
      return type == "ExecutionFailed" || type == "ExecutionAborted" || type == "ExecutionTimedOut";
  }
  return false;
}

// ---------------------------------------------------------------------------- record shape

namespace {

bool has_oversized_payload(const json::object& details) {
  for (const char* key : {"input", "output"}) {
    const json::value* v = details.if_contains(key);
    if (v != nullptr && v->is_string() && v->get_string().size() > log_limits::payload_bytes_max)
      return true;
  }
  return false;
}

void append_member(std::string_view key, const json::value& v, bool& first, std::string& out) {
  if (!first) out.push_back(',');
  first = false;
  out += json::quote(key);
  out.push_back(':');
  json::dump_to(v, out);
}

// The details object, written straight from the event's (the writer thread's hot path: no copy
// of the payloads). AWS writes a state's name first in its *Exited events.
void append_details(const json::object& details, bool include_execution_data, bool name_first,
                    std::string& out) {
  out.push_back('{');
  bool first = true;
  const json::value* name = name_first ? details.if_contains("name") : nullptr;
  if (name != nullptr) append_member("name", *name, first, out);
  for (const auto& kv : details) {
    if (name != nullptr && kv.key() == "name") continue;
    if (!include_execution_data && is_data_key(kv.key())) continue;
    append_member(kv.key(), kv.value(), first, out);
  }
  out.push_back('}');
}

void append_string_member(const char* key, std::string_view value, std::string& out) {
  out += ",\"";
  out += key;
  out += "\":";
  out += json::quote(value);
}

}  // namespace

std::string format_log_record(const engine::HistoryEvent& e, std::string_view execution_arn,
                              std::int64_t redrive_count, bool include_execution_data) {
  std::string out;
  out.reserve(256 + execution_arn.size());
  out += "{\"id\":\"" + std::to_string(e.id) + "\"";
  append_string_member("type", e.type, out);
  out += ",\"details\":";
  const bool name_first = e.type.ends_with("StateExited");
  if (include_execution_data && has_oversized_payload(e.details)) {
    json::object copy = e.details;  // rare: only then is the event copied
    truncate_payloads(copy);
    append_details(copy, true, name_first, out);
  } else {
    append_details(e.details, include_execution_data, name_first, out);
  }
  append_string_member("previous_event_id", std::to_string(e.previous_event_id), out);
  append_string_member("event_timestamp", std::to_string(e.timestamp), out);
  append_string_member("execution_arn", execution_arn, out);
  append_string_member("redrive_count", std::to_string(redrive_count), out);
  out.push_back('}');
  return out;
}

// ---------------------------------------------------------------------------- engine side

ExecutionLogger::ExecutionLogger(std::string dir, ServiceLog log)
    : dir_(std::move(dir)), log_(std::move(log)) {
  writer_ = std::thread([this] { run(); });
}

ExecutionLogger::~ExecutionLogger() {
  {
    base::MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void ExecutionLogger::log(const std::shared_ptr<const LogSettings>& settings,
                          const std::string& execution_arn, std::int64_t redrive_count,
                          std::vector<engine::HistoryEvent>& events) {
  if (!settings || settings->level == LogLevel::kOff || events.empty()) return;
  Batch b;
  if (settings->level == LogLevel::kAll) {
    b.events = std::move(events);
  } else {
    for (auto& e : events)
      if (level_logs(settings->level, e.type)) b.events.push_back(std::move(e));
    if (b.events.empty()) return;  // the common case at ERROR/FATAL: nothing to copy or queue
  }
  b.settings = settings;
  b.execution_arn = execution_arn;
  b.redrive_count = redrive_count;
  enqueue(std::move(b));
}

void ExecutionLogger::log_copy(const std::shared_ptr<const LogSettings>& settings,
                               const std::string& execution_arn, std::int64_t redrive_count,
                               const std::vector<engine::HistoryEvent>& events) {
  if (!settings || settings->level == LogLevel::kOff || events.empty()) return;
  std::vector<engine::HistoryEvent> taken;
  for (const auto& e : events)
    if (level_logs(settings->level, e.type)) taken.push_back(e);
  log(settings, execution_arn, redrive_count, taken);
}

void ExecutionLogger::enqueue(Batch b) {
  if (b.events.empty()) return;
  for (const auto& e : b.events) b.payload_bytes += payload_size(e);
  const std::size_t n = b.events.size();
  {
    base::MutexLock lock(mu_);
    if (queued_events_ + n > log_limits::queue_events_max ||
        queued_bytes_ + b.payload_bytes > log_limits::queue_payload_bytes_max) {
      dropped_ += n;  // reported by the writer thread: the engine thread never prints
      return;
    }
    queued_events_ += n;
    queued_bytes_ += b.payload_bytes;
    ++enqueued_;
    queue_.push_back(std::move(b));
  }
  wake_.notify_one();
}

void ExecutionLogger::flush() {
  base::MutexLock lock(mu_);
  const std::uint64_t target = enqueued_;
  wake_.notify_one();
  while (written_ < target) progress_.wait(mu_);
}

// ---------------------------------------------------------------------------- writer thread

void ExecutionLogger::run() {
  std::string line;
  base::MutexLock lock(mu_);
  for (;;) {
    // Wakes at least every second so dropped records are reported even when nothing is queued.
    const auto deadline = base::CondVar::deadline_in(std::chrono::seconds(1));
    while (!stop_ && queue_.empty() && wake_.wait_until(mu_, deadline)) {
    }
    std::deque<Batch> work;
    work.swap(queue_);
    queued_events_ = 0;
    queued_bytes_ = 0;
    const bool stopping = stop_;
    lock.unlock();
    for (const Batch& b : work) write(b, line);
    for (auto& [name, f] : files_) std::fflush(f);
    report(stopping);
    lock.lock();
    written_ += work.size();
    progress_.notify_all();
    if (stopping && queue_.empty()) break;
  }
  lock.unlock();
  close_files();
}

void ExecutionLogger::write(const Batch& b, std::string& line) {
  std::FILE* f = file(b.settings->file_name);
  if (f == nullptr) {
    dropped_ += b.events.size();
    return;
  }
  for (const auto& e : b.events) {
    try {
      line = format_log_record(e, b.execution_arn, b.redrive_count,
                               b.settings->include_execution_data);
    } catch (const std::exception& ex) {  // allocation failure: drop the record, keep going
      last_error_ = ex.what();
      ++dropped_;
      continue;
    }
    line.push_back('\n');
    if (std::fwrite(line.data(), 1, line.size(), f) != line.size()) {
      last_error_ = b.settings->file_name + ": " + std::strerror(errno);
      ++dropped_;
    }
  }
}

std::FILE* ExecutionLogger::file(const std::string& name) {
  if (auto it = files_.find(name); it != files_.end()) return it->second;
  if (!dir_ready_) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) {
      last_error_ = "cannot create " + dir_ + ": " + ec.message();
      return nullptr;
    }
    dir_ready_ = true;
  }
  if (files_.size() >= log_limits::open_files_max) close_files();
  const std::string path = (std::filesystem::path(dir_) / name).string();
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (f == nullptr) {
    last_error_ = "cannot open " + path + ": " + std::strerror(errno);
    dir_ready_ = false;  // the directory may have been removed: try to create it again
    return nullptr;
  }
  files_.emplace(name, f);
  return f;
}

void ExecutionLogger::close_files() {
  for (auto& [name, f] : files_) std::fclose(f);
  files_.clear();
}

void ExecutionLogger::report(bool force) {
  const std::uint64_t dropped = dropped_.load();
  if (dropped == reported_drops_) return;
  const auto now = std::chrono::steady_clock::now();  // tidy: allow rate of a warning
  const bool due = last_report_ == std::chrono::steady_clock::time_point{} ||
                   now - last_report_ >= std::chrono::seconds(log_limits::report_interval_seconds);
  if (!due && !force) return;
  std::string message = "stepwise: execution log: " + std::to_string(dropped - reported_drops_) +
                        " record(s) dropped (queue full or write failed)";
  if (!last_error_.empty()) message += "; last error: " + last_error_;
  sfn::report(log_, message);
  reported_drops_ = dropped;
  last_error_.clear();
  last_report_ = now;
}

}  // namespace stepwise::sfn
