// NestedRunner: Task states on `arn:aws:states:::states:startExecution` — plain (request-
// response), `.sync`, `.sync:2` and `.waitForTaskToken` — starting child executions through an
// ExecutionStarter (sfn/starter.h) the Service implements.
//
// Answers, in AWS's shapes (learned from the recorded `nested_sfn` cases):
//   - plain: {ExecutionArn, SdkHttpMetadata, SdkResponseMetadata, StartDate} at once;
//   - `.sync` / `.sync:2`: the same object as TaskProgress::kSubmitted (the TaskSubmitted event),
//     then, when the child closes, {ExecutionArn, Input, InputDetails, Name, Output,
//     OutputDetails, StartDate, StateMachineArn, Status, StopDate} — Input and Output as JSON
//     *text* for `.sync`, as JSON for `.sync:2`. A child that fails, times out or is aborted
//     fails the task with States.TaskFailed and a cause that is that object (without Output,
//     with the child's Error and Cause when it has them) as JSON text;
//   - `.waitForTaskToken`: like plain (TaskTokens, in front, parks the task and turns this
//     answer into TaskSubmitted; the child answers with SendTaskSuccess/Failure).
// Dates are epoch milliseconds (the Java SDK's serialisation AWS uses). A start the API refuses
// fails the task with `StepFunctions.<Type>Exception` and the SDK's cause text, e.g.
// "State Machine Does Not Exist: '…' (Service: AWSStepFunctions; Status Code: 400; Error Code:
// StateMachineDoesNotExist; Request ID: …; Proxy: null)".
//
// The child's input is the task's `Input` (an object is serialised, a string used as written,
// null or missing gives "{}"). AWS links a child to its parent when that input carries
// `"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"`: the field stays in the
// child's input (so the child sees it in $$.Execution.Input), nothing is injected.
// cancel() (parent stopped, timed out, or its branch failed) stops a `.sync` child.
//
// API for the Service (core): implement ExecutionStarter, then
//   NestedRunner nested(starter, ids);  nested.set_progress(sink);
//   integrations.add("states:startExecution", &nested);  // every pattern
//
// Thread-safety: none; start/cancel and the ExecutionStarter's callbacks on the engine thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "base/ids.h"
#include "base/result.h"
#include "json/json.h"
#include "sfn/starter.h"
#include "sfn/task_tokens.h"
#include "store/store.h"
#include "tasks/task_runner.h"

namespace stepwise::sfn {

class NestedRunner final : public tasks::TaskRunner {
 public:
  NestedRunner(ExecutionStarter& starter, IdGenerator& ids);
  NestedRunner(const NestedRunner&) = delete;
  NestedRunner& operator=(const NestedRunner&) = delete;

  void set_progress(ProgressSink sink) { progress_ = std::move(sink); }

  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  void cancel(const tasks::TaskRequest& request) override;
  // Re-issued after a restart, a startExecution finds its child (named after the call) live or
  // closed instead of starting it twice.
  bool redispatch_has_effects(const tasks::TaskRequest&) const override { return false; }

  std::size_t waiting() const { return waiting_.size(); }

 private:
  enum class Pattern { kRequestResponse, kSync, kSync2, kCallback, kUnknown };
  struct Waiting {
    std::shared_ptr<const tasks::TaskRequest> identity;
    tasks::TaskDone done;
    Pattern pattern = Pattern::kSync;
    std::string key;
    std::string child_arn;
  };
  static Pattern pattern_of(const std::string& resource);
  void child_closed(std::uint64_t call, const store::ExecutionRecord& child);
  // The start call's answer as the SDK shows it (also the TaskSubmitted output).
  json::object start_answer(const StartedChild& started);
  std::string child_name(const tasks::TaskRequest& request);

  ExecutionStarter& starter_;
  IdGenerator& ids_;
  ProgressSink progress_;
  std::unordered_map<std::uint64_t, Waiting> waiting_;     // .sync calls, by call id
  std::unordered_map<std::string, std::uint64_t> by_key_;  // cancel key → call id
  std::uint64_t next_call_ = 1;
};

// The cancel key of a request: task_id, else execution + state + attempt (task_runner.h).
std::string task_key(const tasks::TaskRequest& request);

// An API error as the Java SDK inside Step Functions reports it to a Task:
// name "StepFunctions.<Type>Exception" (Type already ending in Exception kept as is) and the
// cause "<message> (Service: AWSStepFunctions; Status Code: 400; Error Code: <Type>; Request
// ID: <id>; Proxy: null)".
tasks::TaskOutcome sdk_failure(const Error& api_error, const std::string& request_id);

}  // namespace stepwise::sfn
