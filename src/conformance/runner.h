// run_case: one conformance case, start to verdict. Dispatches on the case's kind (execution,
// execution_sync, validate_definition, create_error, test_state, api_error). Execution cases that
// need the API (activities, callbacks, nested executions, aws-sdk:sfn) run through the config's
// case service (service_execute.h); other kinds, and cases that need something Stepwise does not
// offer (external AWS services, TestState mocks), are skipped with the reason.
//
// Thread-safety: run_case may run on several threads at once.
#pragma once

#include <string>
#include <vector>

#include "conformance/case.h"
#include "conformance/execute.h"

namespace stepwise::conformance {

enum class Verdict { passed, failed, skipped };

struct CaseResult {
  std::string name;
  std::string category;
  std::string kind;
  Verdict verdict = Verdict::skipped;
  std::string detail;             // the first difference (failed) or the reason (skipped)
  std::vector<std::string> soft;  // differences only at soft paths
};

// Why this case cannot run here ("" when it can): an unsupported kind or requirement.
std::string skip_reason(const Case& c);

CaseResult run_case(const Case& c, const RunnerConfig& config);

}  // namespace stepwise::conformance
