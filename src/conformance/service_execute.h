// Execution cases that need the Step Functions API itself (activities, `.waitForTaskToken`
// callbacks, nested executions, aws-sdk:sfn calls), run through a CaseService as the recorded
// test drove AWS: CreateStateMachine for each nested target (`resources.state_machines`) and for
// the case's machine (named as `names_used_when_traced` says, so that ARNs line up with the
// recording), CreateActivity for each activity, StartExecution of the case's execution and of
// each activity's worker machines (with `worker_execution_input`); then time is let run, the
// runner waits for the execution's end and reads it back with DescribeExecution and
// GetExecutionHistory.
//
// Thread-safety: each call builds its own CaseService; safe from several threads at once.
#pragma once

#include <string>

#include "base/result.h"
#include "conformance/case.h"
#include "conformance/check.h"
#include "conformance/execute.h"

namespace stepwise::conformance {

// Real time one service case may take to finish once its clock runs (below the suite's
// case_seconds_max, so a stuck case fails alone instead of stopping the run).
inline constexpr int service_case_seconds_max = 90;
// Machines (nested targets plus workers) and activities one case may create.
inline constexpr std::size_t service_case_resources_max = 64;
// GetExecutionHistory pages read (1000 events each: the 25,000-event history quota fits).
inline constexpr int history_pages_max = 30;

// True when the case's `requires` names something only the API offers (activity, nested_sfn,
// task_token, aws_sdk_sfn).
bool needs_service(const Case& c);

// Errors: a setup call failed, the execution did not end in time, or a read-back failed.
Result<ActualExecution> execute_case_with_service(const Case& c, const RunnerConfig& config);

}  // namespace stepwise::conformance
