// The checks of one case against what Stepwise did: status, output, error and cause, the history
// events, a StartSyncExecution response, validation diagnostics. compare.check_execution's rules,
// with the history compared in full (types and details) and `localstack_skip_verify_paths` soft.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "conformance/case.h"
#include "json/json.h"

namespace stepwise::conformance {

// What one execution did, in API terms.
struct ActualExecution {
  std::string status;  // SUCCEEDED, FAILED, TIMED_OUT, ABORTED
  std::optional<json::value> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  json::array events;      // GetExecutionHistory events (timestamps are ignored)
  std::string input_text;  // the execution input as JSON text
  std::string execution_arn;
  std::string execution_name;
  std::string state_machine_arn;
  Millis start_ms = 0;
  Millis stop_ms = 0;
  // Service cases: the first post_calls assert that failed (service_calls.h), and notes.
  std::optional<std::string> post_failure;
  std::vector<std::string> post_notes;
};

// The outcome of the checks: the first hard difference (empty when all hard checks pass), and
// the differences found only at soft paths (for --verbose).
struct CheckReport {
  std::optional<std::string> failure;
  std::vector<std::string> soft;
};

// Histories longer than this are compared by event types only: matching details as a multiset
// is quadratic, and no recorded case comes near it.
inline constexpr std::size_t history_detail_events_max = 3000;

CheckReport check_execution(const Case& c, const ActualExecution& actual);
CheckReport check_sync_execution(const Case& c, const ActualExecution& actual);
// `response`: {"result": "OK"|"FAIL", "diagnostics": [...], "truncated": false}.
CheckReport check_validation(const Case& c, const json::value& response);
// `message`: CreateStateMachine's InvalidDefinition message, or nullopt when it was accepted.
CheckReport check_create_error(const Case& c, const std::optional<std::string>& error_code,
                               const std::optional<std::string>& message);
// An API answer (TestState's, ...) against `expected.response`, normalised as compare.py does.
CheckReport check_api_response(const Case& c, const json::value& response);
// An api_error case: the call's error code and message (both nullopt when the call succeeded).
CheckReport check_api_error(const Case& c, const std::optional<std::string>& error_code,
                            const std::optional<std::string>& message);

}  // namespace stepwise::conformance
