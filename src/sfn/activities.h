// ActivityRunner: Task states on `arn:aws:states:REGION:ACCOUNT:activity:NAME`, and the
// GetActivityTask long poll that hands their work to workers.
//
// start() queues the task on its activity (FIFO) and parks its `done` in the CallbackRegistry
// under the task token at once, so SendTaskSuccess/Failure/Heartbeat (TaskTokens) finish it
// whenever the worker answers. GetActivityTask answers at once when a task is queued; otherwise
// it holds the Reply — no thread, one timer — until a task arrives (the longest-waiting poller
// gets it: a FIFO of pollers per activity) or the poll times out (`{}`, as AWS answers after
// its ~60 s). A poller whose client closed the connection (RequestInfo::client_gone) is skipped,
// so a task is never handed to nobody. Handing a task out reports TaskProgress::kStarted with
// the worker's name (AWS writes ActivityStarted then, not when the task is scheduled).
//
// Queued entries whose task ended (timeout, stop, answered before being taken) are dropped
// lazily, when they reach the front of the queue. A Task on an activity that does not exist
// never gets here: the engine fails it when it would schedule it (ExecutionInfo::
// activity_exists); `exists` answers GetActivityTask's ActivityDoesNotExist.
//
// API for the Service (core):
//   ActivityRunner activities(loop, registry, [&](const std::string& arn) {
//     return registry_of_machines.activity(arn).has_value(); });
//   activities.set_progress(sink);                 // kStarted → ActivityStarted {workerName}
//   integrations.add("activity", &activities);
//   operation GetActivityTask: activities.get_activity_task(request, info, reply)
//     (call on the engine thread; `reply` is called now or later on that thread)
//   after a restart, an activity task whose ActivityStarted is already in the history is
//     re-issued with resume_started() instead of start(): its worker still holds the token, so
//     it must not be handed out again.
//   shutdown: activities.close_polls() answers every held poll with {}.
//
// Thread-safety: none; every call on the loop's (the Service engine's) thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/dispatcher.h"
#include "base/event_loop.h"
#include "json/json.h"
#include "sfn/task_tokens.h"
#include "tasks/callbacks.h"
#include "tasks/task_runner.h"

namespace stepwise::sfn {

namespace activity_limits {
// AWS: pollers held at once per activity ARN (quota 1,000), and across all activities.
inline constexpr std::size_t activity_polls_per_activity_max = 1000;
inline constexpr std::size_t activity_polls_max = 100000;
// Tasks queued (not yet taken by a worker) per activity and across all activities.
inline constexpr std::size_t activity_queued_per_activity_max = 100000;
inline constexpr std::size_t activity_queued_max = 1000000;
// How long GetActivityTask holds a poll before answering {} (AWS: up to 60 s; clients read
// with a 65-70 s timeout, so 55 s leaves room for slow networks).
inline constexpr std::int64_t activity_poll_ms = 55 * 1000;
// AWS: GetActivityTask workerName length.
inline constexpr std::size_t activity_worker_name_chars_max = 80;
}  // namespace activity_limits

class ActivityRunner final : public tasks::TaskRunner {
 public:
  using ActivityExists = std::function<bool(const std::string& activity_arn)>;

  ActivityRunner(EventLoop& loop, tasks::CallbackRegistry& registry, ActivityExists exists);
  ~ActivityRunner() override;
  ActivityRunner(const ActivityRunner&) = delete;
  ActivityRunner& operator=(const ActivityRunner&) = delete;

  void set_progress(ProgressSink sink) { progress_ = std::move(sink); }

  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  void cancel(const tasks::TaskRequest& request) override;
  // Re-parks a task a worker had already taken before a restart (not queued again).
  // start() does this itself for a request marked Resume::kTaken (recovery).
  void resume_started(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done);
  // The token stays valid across a restart and a queued task is only queued again: re-issuing
  // an activity task never repeats anything.
  bool redispatch_has_effects(const tasks::TaskRequest&) const override { return false; }

  // GetActivityTask {activityArn, workerName?}: {"taskToken", "input"} or {} after the poll
  // time; errors ActivityDoesNotExist, InvalidArn, ValidationException,
  // ActivityWorkerLimitExceeded.
  void get_activity_task(const json::value& request, const api::RequestInfo& info,
                         api::Reply reply);
  // Answers every held poll with {} (shutdown, tests).
  void close_polls();

  std::size_t queued(const std::string& activity_arn) const;
  std::size_t polls(const std::string& activity_arn) const;

 private:
  struct Queued {
    std::string token;
    std::string input;  // the task's parameters as JSON text, as the worker receives them
    std::shared_ptr<const tasks::TaskRequest> request;  // identity for the progress sink
  };
  struct Poll {
    std::uint64_t id = 0;
    std::optional<std::string> worker_name;
    std::shared_ptr<const std::atomic<bool>> client_gone;
    api::Reply reply;
    EventLoop::TimerId timer = 0;
  };
  struct Activity {
    std::deque<Queued> tasks;
    std::deque<Poll> polls;
  };

  // AWS's error for a GetActivityTask request that cannot be served, or nullopt.
  std::optional<api::ApiError> check_poll(const std::string* arn, const std::string* worker) const;
  // The first queued task still waiting for its token (drops the ended ones), or nullptr.
  Queued* front_task(Activity& a);
  // The first poll whose client is still there (answers and drops the gone ones), or nullptr.
  Poll* front_poll(Activity& a);
  void hand_out(Activity& a);
  void answer(Poll& poll, Queued task);
  void poll_timed_out(const std::string& activity_arn, std::uint64_t poll_id);
  void prune_gone_polls(Activity& a);
  void forget_if_idle(const std::string& activity_arn);

  EventLoop& loop_;
  tasks::CallbackRegistry& registry_;
  ActivityExists exists_;
  ProgressSink progress_;
  std::unordered_map<std::string, Activity> activities_;
  std::unordered_map<std::string, std::string> activity_of_token_;  // queued tokens
  std::size_t queued_total_ = 0;
  std::size_t polls_total_ = 0;
  std::uint64_t next_poll_ = 1;
};

}  // namespace stepwise::sfn
