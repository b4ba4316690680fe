// TestState: AWS Step Functions' TestState API, one state run in isolation.
//
// The request is the API's JSON body (definition, roleArn, input, inspectionLevel, revealSecrets,
// variables, stateName, mock, context, stateConfiguration). The state runs in the real engine
// (engine::run_execution) inside a small machine built around it, so its semantics are the
// engine's; TestState's own rules (mocks, Retry reported as RETRIABLE instead of retried, Catch
// reported as CAUGHT_ERROR with the catcher's Next, inspection data) are applied around it.
// The answer is the API's response body; an Error's name is the AWS `__type`
// (ValidationException, InvalidDefinition, InvalidExecutionInput) and its cause the message.
//
// Thread-safety: test_state may run on several threads at once; the runner in the options must
// tolerate that (each call builds its own clock and event loop).
#pragma once

#include "base/clock.h"
#include "base/ids.h"
#include "base/result.h"
#include "json/json.h"
#include "tasks/task_runner.h"

namespace stepwise::teststate {

struct TestStateOptions {
  const Clock* clock = nullptr;        // required: where the run's manual clock starts
  IdGenerator* ids = nullptr;          // required: execution and state machine names
  tasks::TaskRunner* tasks = nullptr;  // runs a Task that is not mocked; null: such Tasks fail
  std::string region = "us-east-1";
  std::string account = "123456789012";
};

Result<json::value> test_state(const json::value& request, const TestStateOptions& options);

}  // namespace stepwise::teststate
