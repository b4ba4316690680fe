// Named limits of the task runners (base/limits.h style: unit last). Local functions are hostile
// input too: a command may print forever, never exit, or flood a worker's pipe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stepwise::tasks::limits {

// AWS Lambda: synchronous invocation response payload (6 MB). Reading stops there: a function that
// prints more is killed, and the task fails as AWS fails an oversized response.
inline constexpr std::size_t function_output_bytes_max = 6 * 1024 * 1024;
// The stderr of one call kept (its last bytes): the call's log, and where a Python traceback is
// read from for the cause (which AWS caps at 32,768 characters). Lambda's LogType=Tail returns
// only the last 4 KB of it (function_runner.cpp).
inline constexpr std::size_t function_log_tail_bytes_max = 32 * 1024;
// Function timeout when the config gives none, and the most a config may ask for (Lambda: 900 s).
inline constexpr std::int64_t function_timeout_ms_default = 60 * 1000;
inline constexpr std::int64_t function_timeout_ms_max = 900 * 1000;
// Threads running local function calls at once; further calls wait in a queue of bounded size
// (beyond it a call fails as Lambda throttles: Lambda.TooManyRequestsException).
inline constexpr std::size_t function_threads_max = 32;
inline constexpr std::size_t function_queue_max = 10000;
// Functions in one config file; argv/env entries of one function.
inline constexpr std::size_t functions_max = 10000;
inline constexpr std::size_t function_argv_max = 1024;
inline constexpr std::size_t function_env_max = 1024;
// Lines a worker may print with another request's id before its answer (stale replies).
inline constexpr std::size_t worker_stray_lines_max = 1000;
// How often a waiting call checks for cancellation (bounded reaction time, no busy loop).
inline constexpr std::int64_t poll_slice_ms = 20;
// Mock config: test cases x states x ranges, and the highest invocation index a range may name.
inline constexpr std::size_t mock_entries_max = 100000;
inline constexpr std::int64_t mock_invocation_index_max = 1000000;
// Mock invocation counters kept (one per execution x state); the oldest executions are forgotten.
inline constexpr std::size_t mock_counters_max = 100000;

// Worker processes one function may run at once (`concurrency`).
inline constexpr std::size_t function_concurrency_max = 64;
// Connections and jobs in one config file; key/value parameters of one connection section.
inline constexpr std::size_t connections_max = 10000;
inline constexpr std::size_t jobs_max = 10000;
// `endpoints:` entries in a config (one per service; a few services exist).
inline constexpr std::size_t endpoints_max = 64;
inline constexpr std::size_t connection_parameters_max = 1024;

// HTTP tasks: AWS's HTTP Task gives up on a call after 60 s (States.Http.Socket); response bodies
// are read up to the 256 KiB payload quota plus room for headers, and the rest refused.
inline constexpr std::int64_t http_timeout_ms_default = 60 * 1000;
inline constexpr std::size_t http_response_bytes_max = 256 * 1024;
inline constexpr std::size_t http_header_bytes_max = 64 * 1024;
// Threads performing HTTP calls at once (HTTP tasks, URL functions, OAuth token requests), and
// calls that may wait for one.
inline constexpr std::size_t http_threads_max = 16;
inline constexpr std::size_t http_queue_max = 10000;
// OAuth tokens are cached per connection this long unless the token endpoint says less.
inline constexpr std::int64_t oauth_token_ttl_ms_default = 5 * 60 * 1000;

// Jobs (.sync service integrations run as local commands): default and largest run time (AWS
// Batch and Glue allow days; a local stand-in is capped at one week), output kept, jobs at once.
inline constexpr std::int64_t job_timeout_ms_default = 24LL * 60 * 60 * 1000;
inline constexpr std::int64_t job_timeout_ms_max = 7LL * 24 * 60 * 60 * 1000;
inline constexpr std::size_t job_output_bytes_max = 256 * 1024;
inline constexpr std::size_t job_threads_max = 16;
inline constexpr std::size_t job_queue_max = 10000;

// Tasks waiting for their task token at once (.waitForTaskToken), across executions.
inline constexpr std::size_t callbacks_waiting_max = 1000000;

}  // namespace stepwise::tasks::limits
