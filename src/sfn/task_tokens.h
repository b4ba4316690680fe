// TaskTokens: the task-token side of the Service — SendTaskSuccess, SendTaskFailure and
// SendTaskHeartbeat for every task that waits for its token (activities and `.waitForTaskToken`
// callbacks of any integration), and the TaskRunner in front of the IntegrationRegistry that
// makes `.waitForTaskToken` work on integrations that do not wait by themselves.
//
// How a token task runs. The engine gives a Task a token ($$.Task.Token) when its resource ends
// in `.waitForTaskToken`, `.sync` or `.sync:2`, or is an activity. TaskTokens sits between the
// engine and the registry:
//   - activities go on to their runner, which parks the task's `done` in the CallbackRegistry
//     itself (ActivityRunner, at once);
//   - `.sync` tasks (AWS gives them a token: "optionally Task states using the job run pattern"
//     report with SendTaskSuccess/Failure) are parked here too, then their integration's
//     runner runs the job: its end answers the task unless a token answer came first;
//   - every other `.waitForTaskToken` (lambda:invoke, states:startExecution, sqs, sns, events,
//     aws-sdk, ...) is parked here, then the runner registered for its integration and pattern
//     is started (lambda: a plain lambda:invoke): a failure to start fails the task at once,
//     a success becomes TaskProgress::kSubmitted (the TaskSubmitted event, as AWS writes it once
//     the call returns) and the task goes on waiting. An integration Stepwise does not run (no
//     runner registered) is simply waited on: whoever learns the token (it is in the
//     TaskScheduled parameters) answers it.
// SendTask* then complete the parked `done` through the registry (it runs on the task's loop).
//
// Token answers follow AWS: a token never issued, or not shaped like one, is InvalidToken
// ("Invalid Token: 'Invalid token'"); a token whose task already closed (answered, timed out,
// cancelled) is TaskTimedOut ("Task Timed Out: 'Provided task does not exist anymore'") — so a
// token used once is rejected afterwards; non-JSON output is InvalidOutput; `error` over 256
// and `cause` over 32,768 characters are ValidationException with AWS's wording.
//
// API for the Service (core):
//   TaskTokens tokens(callbacks, integrations);      // callbacks shared with FunctionRunner
//   tokens.set_progress(sink);                        // kHeartbeat → StepEvent::kHeartbeat,
//                                                     // kSubmitted → StepEvent::kTaskSubmitted,
//                                                     // kStarted   → (see activities.h)
//   engine driver: tokens.start(request, loop, done) / tokens.cancel(request)
//   operations:    tokens.send_task_success(req) / send_task_failure(req) /
//   send_task_heartbeat(req)
// After a restart the re-issued tasks come through start() again with the same tokens (replay
// reproduces them), so tokens stay valid across restarts. A re-issued `.waitForTaskToken` task
// whose call had already returned (Resume::kSubmitted: TaskSubmitted is in its history) is only
// parked again: its integration is not called a second time.
//
// Thread-safety: none. Everything (start, cancel, done, SendTask*) runs on the Service's engine
// thread. The CallbackRegistry itself is thread-safe; `done` is posted to the task's loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/dispatcher.h"
#include "json/json.h"
#include "tasks/callbacks.h"
#include "tasks/integrations.h"
#include "tasks/task_runner.h"

namespace stepwise::sfn {

namespace token_limits {
// AWS: SendTaskFailure `error` and `cause` lengths; taskToken length (API schema).
inline constexpr std::size_t task_error_chars_max = 256;
inline constexpr std::size_t task_cause_chars_max = 32768;
inline constexpr std::size_t task_token_chars_max = 2048;
// AWS: SendTaskSuccess `output` (the 256 KiB payload quota).
inline constexpr std::size_t task_output_bytes_max = 256 * 1024;
// Closed tokens remembered so that a reused one answers TaskTimedOut (oldest forgotten first;
// tokens in the engine's own format are recognised without this memory, see well_formed).
inline constexpr std::size_t closed_tokens_max = 100000;
}  // namespace token_limits

// What a runner tells the Service about a task between start() and `done`, so the engine writes
// the events AWS writes meanwhile and keeps the heartbeat timer right.
struct TaskProgress {
  enum class Kind {
    kStarted,    // an activity worker took the task: ActivityStarted {workerName}
    kSubmitted,  // the integration accepted the call (.sync / .waitForTaskToken): TaskSubmitted
    kHeartbeat,  // SendTaskHeartbeat: restart the HeartbeatSeconds timer
  };
  Kind kind = Kind::kHeartbeat;
  std::optional<std::string> worker_name;  // kStarted; nullopt: the worker gave none
  json::value output;                      // kSubmitted: the integration's answer
};

// Called on the engine thread with the request given to start() (parameters may be dropped).
using ProgressSink = std::function<void(const tasks::TaskRequest&, TaskProgress)>;

// "1 validation error detected: Value '<v>' at '<field>' failed to satisfy constraint: <c>"
// (value null: "Value null at ..."), AWS's ValidationException wording.
api::ApiError validation_error(std::string_view field, const std::string* value,
                               std::string_view constraint);

// True for a token in the format the engine issues (64 hex digits).
bool token_shaped(std::string_view token);

class TaskTokens final : public tasks::TaskRunner {
 public:
  // `integrations` runs every task (token or not); a `.waitForTaskToken` task is parked here
  // and then its integration's runner for that pattern is called (none registered: the task
  // only waits for its token).
  TaskTokens(tasks::CallbackRegistry& registry, tasks::IntegrationRegistry& integrations);
  TaskTokens(const TaskTokens&) = delete;
  TaskTokens& operator=(const TaskTokens&) = delete;

  void set_progress(ProgressSink sink) { progress_ = std::move(sink); }
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  void cancel(const tasks::TaskRequest& request) override;
  // What the runner that makes the call says (an integration Stepwise does not run: none).
  bool redispatch_has_effects(const tasks::TaskRequest& request) const override;
  // A task without a token passes straight to its integration: that runner's answer. A token
  // task is tracked here (live_, the callback registry): null, so it stays on the home loop.
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest& request) override;

  // The operations; `request` is the API's JSON object. Answer {} or AWS's error.
  api::Response send_task_success(const json::value& request);
  api::Response send_task_failure(const json::value& request);
  api::Response send_task_heartbeat(const json::value& request);

  std::size_t live_count() const { return live_.size(); }
  // The tasks waiting for their token (identity only, no parameters), at most `max` of them.
  std::vector<const tasks::TaskRequest*> waiting(std::size_t max) const;

 private:
  // kSyncWithToken: a `.sync` task (AWS gives it a token too): parked under its token and run
  // by its integration; whichever answers first — the job's end or SendTaskSuccess/Failure —
  // ends the task (a job still running then is left to finish, as AWS leaves it).
  enum class Route { kInner, kParkThenInvoke, kParkThenIntegrations, kSyncWithToken };
  static Route route_of(const tasks::TaskRequest& request);
  // The runner that makes a parked task's call (nullptr: nothing to call).
  tasks::TaskRunner* caller_of(const tasks::TaskRequest& request) const;
  void park_and_run(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done,
                    tasks::TaskRunner* runner);
  void integration_answered(const std::string& token, tasks::TaskOutcome outcome);
  // Ends the token's life: forgotten as live, remembered as closed.
  void close(const std::string& token);
  // Resolves a token for an operation: nullopt when it may be answered, else AWS's error.
  std::optional<api::ApiError> check_token(const json::value& request, std::string* token) const;

  tasks::CallbackRegistry& registry_;
  tasks::TaskRunner& inner_;  // integrations_, as the TaskRunner every task goes through
  tasks::IntegrationRegistry& integrations_;
  ProgressSink progress_;
  // A task with a token, between start and done/cancel.
  struct Live {
    tasks::TaskRequest request;  // without its parameters: identity for the progress sink
    EventLoop* loop = nullptr;   // where its `done` runs
  };
  std::unordered_map<std::string, Live> live_;
  std::unordered_set<std::string> closed_;
  std::deque<std::string> closed_order_;  // for forgetting the oldest
};

}  // namespace stepwise::sfn
