// ExecutionStarter: starting an execution from inside the process — a typed call, not an API
// request built as JSON and decoded again. Nested executions (states:startExecution Tasks) use
// it now; events, schedules and Distributed Map child runs are the next callers.
//
// A StartRequest is what StartExecution's request says, already typed: the API handler builds
// it from the JSON body once (sfn::start_request), an in-process caller fills it directly, and
// both go through the same checks (Executions::prepare_start) in AWS's order and wording.
//
// Thread-safety: a StartRequest is a plain value. ExecutionStarter's calls and the `on_close`
// callbacks run on the engine loop that owns the caller (see executions.h).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace stepwise::sfn {

struct StartRequest {
  // A machine, version or alias ARN; "<machine arn>#<test case>" runs that mock test case.
  // Absent: the API's "Member must not be null".
  std::optional<std::string> state_machine_arn;
  std::optional<std::string> name;   // absent: a generated UUID
  std::optional<std::string> input;  // JSON text exactly as sent; absent: "{}"
  std::string trace_header;          // "" when not given
  // The execution whose Task starts this one (ExecutionRecord::parent_arn); "" from the API.
  std::string parent_arn;
};

// StartExecution's request body as a StartRequest: only the fields' JSON types are checked here
// (a wrong type is the API's SerializationException); prepare_start checks the values.
Result<StartRequest> start_request(const json::value& body);

struct StartedChild {
  std::string execution_arn;
  Millis start_ms = 0;
};

// The child's row once it closed (status SUCCEEDED, FAILED, TIMED_OUT or ABORTED).
using ChildClosed = std::function<void(const store::ExecutionRecord& child)>;

class ExecutionStarter {
 public:
  virtual ~ExecutionStarter() = default;
  // StartExecution on behalf of a Task. Errors carry the API error type as name
  // (StateMachineDoesNotExist, ExecutionAlreadyExists, InvalidArn, InvalidName,
  // InvalidExecutionInput, ExecutionLimitExceeded, StateMachineDeleting, ValidationException)
  // and its message as cause. `on_close` (null for plain/callback starts) must be called once,
  // on the caller's engine loop, after the child closes. Re-attach rule, for Tasks re-issued
  // after a restart: a child with the same name, input and parent_arn that already exists —
  // running or closed — is answered as started (on_close then called as soon as it is closed)
  // instead of ExecutionAlreadyExists.
  virtual Result<StartedChild> start_child(const StartRequest& child, ChildClosed on_close) = 0;
  // StopExecution of a child its parent no longer waits for (no error, no cause).
  virtual void stop_child(const std::string& execution_arn) = 0;
};

}  // namespace stepwise::sfn
