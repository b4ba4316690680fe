// The shapes of Lambda as Step Functions sees them: the event bytes an invocation sends, how
// response bytes become a result, the Invoke response of `lambda:invoke`, and how a function
// error becomes a Task failure (error = errorType, cause = the error object as Lambda's Python
// runtime prints it for a function ARN, compact for lambda:invoke, as AWS recorded them).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "json/json.h"
#include "tasks/task_runner.h"

namespace stepwise::tasks {

// Python's json.dumps(v) with default settings: ", " and ": " separators, keys in their order,
// non-ASCII escaped as \uXXXX, floats as Python's repr. The layout of the Python runtime's errors.
std::string python_json_dumps(const json::value& v);

// The event lambda:invoke sends for its Payload parameter (`payload` is null when absent): a
// missing or null Payload sends {}; a string holding JSON text is sent as that text; any other
// string is sent JSON-quoted; other values as JSON.
std::string invoke_event_bytes(const json::value* payload);

// Lambda's response bytes as a Step Functions value: the JSON they hold, or, when they are not
// JSON (a function returning raw bytes), the text itself as a string.
json::value payload_from_bytes(std::string_view bytes);

struct InvokeMeta {
  std::string executed_version = "$LATEST";
  std::string request_id;                   // a UUID
  std::string trace_id;                     // X-Amzn-Trace-Id value
  std::string http_date;                    // RFC 7231 date, e.g. "Wed, 25 Nov 2026 12:00:00 GMT"
  std::size_t payload_bytes = 0;            // Content-Length
  const std::string* log_result = nullptr;  // base64 log tail when LogType is "Tail"
};

// Lambda's Invoke response as Step Functions returns it from lambda:invoke.
json::value invoke_response(json::value payload, const InvokeMeta& meta);

// A function error: `payload` is the function's error response text. errorType names the error;
// without one the error is Lambda.Unknown, as AWS reports it. The cause is the payload text
// itself for a Lambda function ARN (AWS passes the runtime's bytes through: the Python runtime's
// json.dumps layout), and the payload re-serialised compactly for lambda:invoke (AWS re-encodes
// it: {"errorMessage":"...","errorType":"...",...}).
enum class CauseLayout { verbatim, compact };
TaskOutcome function_error_outcome(std::string_view payload, CauseLayout layout);

// The error object Lambda's Python runtime reports for an unhandled exception, built from the
// traceback a Python function printed on stderr before it exited: {"errorMessage", "errorType"
// (the exception class's name), "requestId", "stackTrace" (one "  File ..., line N, in f\n
// code\n" entry per frame)} in the runtime's json.dumps layout. The last traceback on stderr
// wins (a chained exception prints the original first). nullopt when stderr holds no traceback.
std::optional<std::string> python_exception_error(std::string_view stderr_text,
                                                  const std::string& request_id);

// A failure produced by the Lambda service rather than the function's code (Runtime.ExitError,
// Sandbox.Timedout, ...): error = type, cause = {"errorType":...,"errorMessage":...} compact.
TaskOutcome service_error_outcome(const std::string& type, const std::string& message);

// The failure for a result above the 256 KiB payload quota. `resource` is the Task's Resource
// for a function ARN and the service name ("lambda") for an optimised integration.
TaskOutcome data_limit_outcome(const std::string& resource);

// Base64 (standard alphabet, padded), for LogResult.
std::string base64_encode(std::string_view bytes);

// RFC 7231 date of a Unix time in milliseconds.
std::string http_date(std::int64_t unix_ms);

}  // namespace stepwise::tasks
