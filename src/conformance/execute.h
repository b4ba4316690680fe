// Running a case's execution in-process: the definition compiled with asl::compile, the case's
// Lambda functions registered as local command functions (python3 handlers from
// tests/conformance/handlers), names and ARNs taken from `names_used_when_traced` so that the
// recorded placeholders line up, and a ManualClock so that Wait states and retries take no time.
//
// Thread-safety: execute_case may run on several threads at once (each call builds its own clock,
// loop, ids and runners).
#pragma once

#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "conformance/case.h"
#include "conformance/check.h"

namespace stepwise::conformance {

struct RunnerConfig {
  std::string handlers_dir;     // holds <basename of handler_file> for each Lambda function
  std::string python = "python3";
  Millis clock_start_ms = 0;    // where each case's ManualClock starts (the caller reads the time)
  std::string dump_actual_dir;  // when set: <dir>/<case>.json gets what the execution did, in
                                // compare.py's ACTUAL.json shape (for debugging and cross-checks)
};

// Errors: the definition did not compile ("InvalidDefinition"), the input is not JSON, a handler
// is missing, or the engine refused to run.
Result<ActualExecution> execute_case(const Case& c, const RunnerConfig& config);

}  // namespace stepwise::conformance
