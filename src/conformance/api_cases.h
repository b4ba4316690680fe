// The API cases of the corpus: kind `test_state` (the TestState API, called in-process through
// teststate::test_state) and kind `api_error` (setup calls, then one operation that must fail,
// replayed through an api::Dispatcher from the runner's factory; without a factory, TestState's
// own errors go straight to teststate::test_state, the others are skipped). Parameters that
// boto3, the recording client, refuses before sending are refused here the same way.
//
// Thread-safety: each call builds its own clock, ids, runners and dispatcher; safe from several
// threads at once.
#pragma once

#include <string>

#include "conformance/case.h"
#include "conformance/check.h"
#include "conformance/execute.h"

namespace stepwise::conformance {

// How long one replayed API call may take before the case fails (a reply that never comes).
inline constexpr int api_call_seconds_max = 60;

// One call through the dispatcher, waiting (at most api_call_seconds_max) for its reply.
Result<api::Response> call_operation(api::Dispatcher& d, const std::string& operation,
                                     json::value request);

// "stepfunctions.create_state_machine" -> "CreateStateMachine".
std::string operation_name(const std::string& recorded);

// Why an api_error case cannot run with this configuration ("" when it can).
std::string api_error_skip_reason(const Case& c, const RunnerConfig& config);

CheckReport run_test_state_case(const Case& c, const RunnerConfig& config);
CheckReport run_api_error_case(const Case& c, const RunnerConfig& config);

}  // namespace stepwise::conformance
