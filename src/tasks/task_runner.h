// TaskRunner: how a Task state reaches the outside world.
//
// The engine turns a Task state into a TaskRequest (the resource ARN and the effective
// parameters) and hands it to a runner; the runner answers once, through `done`, with the task's
// result or its error. Runners: local functions (command, worker process, HTTP), the mock config
// of Step Functions Local, activities, nested executions, HTTP tasks, jobs.
//
// Thread-safety: start() and `done` run on the event loop's thread. A runner whose work finishes
// later on another thread (or in another process) brackets it with loop.add_pending_work() /
// loop.done_pending_work() and delivers `done` through loop.post(); that is also how a manual
// clock knows not to jump ahead while a task is really running. A runner must call `done`
// exactly once, unless cancel() was called first (then it may skip calling it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/event_loop.h"
#include "integrations/integration.h"
#include "json/json.h"

namespace stepwise::tasks {

struct TaskRequest {
  std::string resource;  // the Task's Resource ARN, as written
  // The Resource resolved by the compiler (integration + pattern): runners and the registry
  // read it instead of classifying `resource` again. Unresolved in a request made by hand;
  // tasks::integration_of() (tasks/integrations.h) resolves such a one.
  integrations::Integration integration;
  json::value parameters;  // effective input after InputPath/Parameters (or Arguments)
  std::string state_name;
  std::string execution_arn;
  std::string execution_name;
  std::string state_machine_arn;
  std::string state_machine_name;
  std::int64_t attempt = 0;               // 0 on the first attempt, +1 for every retry
  std::optional<std::string> task_token;  // .waitForTaskToken, .sync(:2) and activities
  std::optional<std::int64_t> timeout_seconds;
  std::optional<std::int64_t> heartbeat_seconds;
  json::value credentials;  // the Task's Credentials after evaluation, or null
  // Identifies this one call for cancel(): unique among the calls in flight (for instance
  // "<execution arn>#<event id>"). When empty, cancel() matches execution_arn + state_name +
  // attempt, which cannot tell apart the iterations of an inline Map.
  std::string task_id;
  // The same on every dispatch of one attempt of one state entry, and on no other:
  // "<execution arn>:<event id of the state's ...StateEntered event>:<attempt>" (a state of a
  // Distributed Map's child run, which writes no events, uses "<execution arn>:c<call id>:
  // <attempt>", the call id being unique in the execution and the same on every replay).
  // Local functions and jobs receive it (docs/FUNCTIONS.md) so that a call re-sent after a
  // crash can be recognised and not acted on twice.
  std::string idempotency_key;
  // Set only when a task is re-issued after a restart and its history already shows that the
  // call got somewhere: the runner must then not call again, only wait again for the answer.
  //  kTaken: an activity worker took the task (ActivityStarted): the worker still holds it.
  //  kSubmitted: the `.waitForTaskToken` call went out and returned (TaskSubmitted).
  enum class Resume { kNone, kTaken, kSubmitted };
  Resume resume = Resume::kNone;
};

struct TaskOutcome {
  bool succeeded = false;
  json::value output;     // the result when succeeded (Lambda: see below)
  std::string error;      // error name when failed, e.g. "Lambda.Unknown", "CustomError"
  std::string cause;      // cause text when failed (often JSON text)
  bool has_cause = true;  // false when the failure carries no cause at all
  // false when the failure carries no error name at all (SendTaskFailure without `error`):
  // AWS then writes no error in the history and shows "Error": null in the error output.
  bool has_error = true;

  static TaskOutcome success(json::value v) {
    TaskOutcome o;
    o.succeeded = true;
    o.output = std::move(v);
    return o;
  }
  static TaskOutcome failure(std::string error, std::string cause) {
    TaskOutcome o;
    o.error = std::move(error);
    o.cause = std::move(cause);
    return o;
  }
};

using TaskDone = std::function<void(TaskOutcome)>;

// Where a runner of local processes (functions, jobs) sends the stderr tail of one call: the
// call's log. `name` is the function or job, `call_id` the request or job id.
using LogSink = std::function<void(const std::string& name, const std::string& call_id,
                                   const std::string& text)>;

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  // Starts the task. A runner that does not know the resource answers through `done` with the
  // failure AWS would give. Work that takes time must not block the loop: run it on a thread (or
  // in another process) and call `done` later, or schedule it on `loop`.
  virtual void start(const TaskRequest& request, EventLoop& loop, TaskDone done) = 0;
  // The execution no longer wants the result (timeout, stop, branch failure). Best effort.
  virtual void cancel(const TaskRequest& request) { (void)request; }
  // Recovery: true when dispatching `request` again after a crash may repeat an effect outside
  // (a function, an HTTP call, a job, an API call), so the re-dispatch must be journalled and
  // shown in the history (the task's Started event again) before the call goes out. False for
  // runners that pick up where they were without calling anything twice (activities: the token
  // stays valid; nested executions: the child is found live; mocks). Assume effects by default.
  virtual bool redispatch_has_effects(const TaskRequest& request) const {
    (void)request;
    return true;
  }
  // The runner that serves `request` when it may be started (and cancelled) from any loop's
  // thread, concurrently, answering on the loop it is given; else null (the default). A
  // forwarder to another loop (sfn::HomeForwarder) starts such a runner on its own loop
  // instead of hopping to the runner's home and back: an in-process call to a built-in
  // service, itself thread-safe, then costs no loop hop and no copy of the request. Only a
  // runner that keeps no per-loop state says yes; a wrapper (a registry, the task tokens)
  // answers for what it would route the request to.
  virtual TaskRunner* any_loop_runner(const TaskRequest& request) {
    (void)request;
    return nullptr;
  }
};

}  // namespace stepwise::tasks
