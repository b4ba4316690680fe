// HomeForwarder: runner calls of a shard carried to the home loop and back (see the header).
#include "sfn/home_forwarder.h"

#include <utility>

namespace stepwise::sfn {

HomeForwarder::~HomeForwarder() {
  // Calls still in flight at shutdown: their pending work goes with the loop.
  for (auto& [id, call] : calls_) call->settled = true;
}

void HomeForwarder::settle(Call& call) {
  if (call.settled) return;
  call.settled = true;
  shard_.done_pending_work();
}

void HomeForwarder::start(const tasks::TaskRequest& request, EventLoop& loop,
                          tasks::TaskDone done) {
  (void)loop;  // always the shard's
  if (tasks::TaskRunner* direct = inner_.any_loop_runner(request)) {
    // A thread-safe in-process call (a built-in service): made here, answered on this loop.
    direct->start(request, shard_, std::move(done));
    return;
  }
  auto call = std::make_shared<Call>();
  call->done = std::move(done);
  if (!request.task_id.empty()) calls_[request.task_id] = call;
  shard_.add_pending_work();
  auto req = std::make_shared<const tasks::TaskRequest>(request);
  home_.post([this, call, req] {
    inner_.start(*req, home_, [this, call, req](tasks::TaskOutcome o) {
      shard_.post([this, call, req, o = std::move(o)]() mutable {
        if (call->settled) return;  // cancelled meanwhile
        settle(*call);
        if (auto it = calls_.find(req->task_id); it != calls_.end() && it->second == call)
          calls_.erase(it);
        tasks::TaskDone d = std::move(call->done);
        d(std::move(o));
      });
    });
  });
}

void HomeForwarder::cancel(const tasks::TaskRequest& request) {
  if (tasks::TaskRunner* direct = inner_.any_loop_runner(request)) {
    direct->cancel(request);  // started here (start above): cancelled here
    return;
  }
  if (auto it = calls_.find(request.task_id); it != calls_.end()) {
    settle(*it->second);
    calls_.erase(it);
  }
  auto req = std::make_shared<const tasks::TaskRequest>(request);
  home_.post([this, req] { inner_.cancel(*req); });
}

}  // namespace stepwise::sfn
