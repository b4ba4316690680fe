// ServiceLog: where the Step Functions service reports what only an operator can act on — a
// step that could not be committed, an execution that cannot be resumed, a replay that
// disagrees with the store, a failed retention purge, dropped execution-log records.
//
// Injected (ServiceOptions::log) rather than written to std::cerr: the app sends it to stderr
// (app/stderr_log.h), tests capture it, and nothing in src/sfn owns a global stream. A null
// sink drops the messages.
//
// Thread-safety: the sink may be called from any thread (engine loops, the retention thread,
// the execution log's writer), one whole message per call.
#pragma once

#include <functional>
#include <string>

namespace stepwise::sfn {

// One message, without a trailing newline, starting "stepwise: ".
using ServiceLog = std::function<void(const std::string& message)>;

inline void report(const ServiceLog& log, const std::string& message) {
  if (log) log(message);
}

}  // namespace stepwise::sfn
