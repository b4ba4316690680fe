// Running a case's execution in-process: the definition compiled with asl::compile, the case's
// Lambda functions registered as local command functions (python3 handlers from
// tests/conformance/handlers), names and ARNs taken from `names_used_when_traced` so that the
// recorded placeholders line up, and a ManualClock so that Wait states and retries take no time.
//
// Thread-safety: execute_case may run on several threads at once (each call builds its own clock,
// loop, ids and runners).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/result.h"
#include "conformance/case.h"
#include "conformance/check.h"
#include "tasks/functions.h"

namespace stepwise::conformance {

// A Service for one execution case that needs the API (activities, callbacks, nested
// executions, aws-sdk:sfn): its operations, over a manual clock that stands still until
// release_clock(), so that the case's machines, workers and execution all start at one instant
// and no timer fires before every party is in place. Thread-safety: as api::Dispatcher.
class CaseService : public api::Dispatcher {
 public:
  // Lets time run (a manual clock jumping to each next timer when the service is idle).
  virtual void release_clock() = 0;
  // While held (a count), the released clock does not jump ahead: a background worker acting
  // in real time gets to act before the timers it races fire.
  virtual void hold_clock() {}
  virtual void unhold_clock() {}
  // Moves the released clock `by` ahead (when not held): the time a recorded test spent
  // polling passes for the services too (an unacknowledged message becomes visible again).
  virtual void advance_clock(Millis by) { (void)by; }
  // The JSON-level operations of a built-in AWS service ("sqs"), or null when not built in.
  virtual api::Dispatcher* builtin(std::string_view service) {
    (void)service;
    return nullptr;
  }
  // The names of the built-in services it offers.
  virtual std::vector<std::string> builtin_names() const { return {}; }
};

struct CaseServiceOptions {
  Millis clock_start_ms = 0;
  std::uint64_t id_seed = 1;  // deterministic ids: a rerun generates the same names
  // Registers the case's Lambda functions with the service's function runner.
  std::function<Status(tasks::FunctionRunner&)> functions;
};

struct RunnerConfig {
  std::string handlers_dir;  // holds <basename of handler_file> for each Lambda function
  std::string python = "python3";
  Millis clock_start_ms = 0;    // where each case's ManualClock starts (the caller reads the time)
  std::string dump_actual_dir;  // when set: <dir>/<case>.json gets what the execution did, in
                                // compare.py's ACTUAL.json shape (for debugging and cross-checks)
  // Execution cases also run a second time, rebuilt from their journal after every step
  // (engine::RunOptions::replay_every_step), and must write the same history (`--replay`).
  bool replay_every_step = false;
  // api_error cases: a fresh Dispatcher (over a fresh, empty service) per case. Unset: those
  // cases are skipped, except TestState's, which call teststate::test_state directly.
  std::function<std::unique_ptr<api::Dispatcher>()> dispatcher_factory;
  // Execution cases that need the API (see service_execute.h). Unset: those cases are skipped.
  std::function<Result<std::unique_ptr<CaseService>>(const CaseServiceOptions&)>
      case_service_factory;
  // The AWS services the case service builds in ("sqs"): a case needing another is skipped.
  std::vector<std::string> builtin_services;
};

// Errors: the definition did not compile ("InvalidDefinition"), the input is not JSON, a handler
// is missing, or the engine refused to run.
Result<ActualExecution> execute_case(const Case& c, const RunnerConfig& config);

// The case's input (`input`, else `input_raw` parsed, else {}), and the text the recorded test
// sent: Python's json.dumps of the value, or `input_raw` itself.
Result<json::value> case_input(const Case& c);
std::string case_input_text(const Case& c, const json::value& input);

// Registers the case's `resources.lambda_functions` as local command functions.
Status register_functions(const Case& c, const RunnerConfig& config, tasks::FunctionRunner& runner);

}  // namespace stepwise::conformance
