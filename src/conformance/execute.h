// Running a case's execution in-process: the definition compiled with asl::compile, the case's
// Lambda functions registered as local command functions (python3 handlers from
// tests/conformance/handlers), names and ARNs taken from `names_used_when_traced` so that the
// recorded placeholders line up, and a ManualClock so that Wait states and retries take no time.
//
// Thread-safety: execute_case may run on several threads at once (each call builds its own clock,
// loop, ids and runners).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/result.h"
#include "conformance/case.h"
#include "conformance/check.h"
#include "tasks/functions.h"

namespace stepwise::conformance {

struct RunnerConfig {
  std::string handlers_dir;     // holds <basename of handler_file> for each Lambda function
  std::string python = "python3";
  Millis clock_start_ms = 0;    // where each case's ManualClock starts (the caller reads the time)
  std::string dump_actual_dir;  // when set: <dir>/<case>.json gets what the execution did, in
                                // compare.py's ACTUAL.json shape (for debugging and cross-checks)
  // api_error cases: a fresh Dispatcher (over a fresh, empty service) per case. Unset: those
  // cases are skipped, except TestState's, which call teststate::test_state directly.
  std::function<std::unique_ptr<api::Dispatcher>()> dispatcher_factory;
};

// Errors: the definition did not compile ("InvalidDefinition"), the input is not JSON, a handler
// is missing, or the engine refused to run.
Result<ActualExecution> execute_case(const Case& c, const RunnerConfig& config);

// Registers the case's `resources.lambda_functions` as local command functions.
Status register_functions(const Case& c, const RunnerConfig& config, tasks::FunctionRunner& runner);

}  // namespace stepwise::conformance
