// HomeForwarder: a TaskRunner made for one loop, used from an engine shard's loop. Every
// start() and cancel() is posted to the home loop, where the real runner (the TaskTokens in
// front of the Router: functions, HTTP, jobs, activities, nested starts, aws-sdk) runs as it
// always has; its answer is posted back to the shard's loop.
//
// Why forward instead of making every runner thread-safe: runners keep per-loop state (token
// tables, activity queues, worker pools, nested waits) and assume one loop thread. Keeping them
// on the home shard means SendTaskSuccess, GetActivityTask and the runners' own bookkeeping stay
// single-threaded; a shard pays two loop hops per task, which is small next to any outside call.
// A shard's pure steps (Pass, Choice, Map, timers, commits) never come here.
//
// Runners that may run on any loop (TaskRunner::any_loop_runner: the built-in services'
// integrations, which are thread-safe) are started on the shard's loop directly, with no hop.
//
// Manual clocks: a forwarded call counts as pending work on the shard's loop until its answer is
// delivered or the task is cancelled, so --fast-time does not jump past a call in flight.
//
// Thread-safety: start() and cancel() on the shard's loop thread (one HomeForwarder per shard);
// the inner runner is only touched on the home loop.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "base/event_loop.h"
#include "tasks/task_runner.h"

namespace stepwise::sfn {

class HomeForwarder final : public tasks::TaskRunner {
 public:
  HomeForwarder(EventLoop& shard, EventLoop& home, tasks::TaskRunner& inner)
      : shard_(shard), home_(home), inner_(inner) {}
  ~HomeForwarder() override;
  HomeForwarder(const HomeForwarder&) = delete;
  HomeForwarder& operator=(const HomeForwarder&) = delete;

  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  void cancel(const tasks::TaskRequest& request) override;
  // A pure question about the request: asked of the inner runner directly.
  bool redispatch_has_effects(const tasks::TaskRequest& request) const override {
    return inner_.redispatch_has_effects(request);
  }
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest& request) override {
    return inner_.any_loop_runner(request);
  }

 private:
  struct Call {
    tasks::TaskDone done;
    bool settled = false;  // answered or cancelled (shard loop only)
  };
  // Ends a call once (shard loop): its pending work is released.
  void settle(Call& call);

  EventLoop& shard_;
  EventLoop& home_;
  tasks::TaskRunner& inner_;
  std::unordered_map<std::string, std::shared_ptr<Call>> calls_;  // by task_id (shard loop)
};

}  // namespace stepwise::sfn
