#include "tasks/callbacks.h"

#include "tasks/task_limits.h"

namespace stepwise::tasks {

Status CallbackRegistry::await(const std::string& token, EventLoop& loop, TaskDone& done) {
  base::MutexLock lock(mu_);
  if (waiters_.size() >= limits::callbacks_waiting_max)
    return Error{"States.Runtime", "too many tasks are waiting for a task token"};
  if (waiters_.count(token)) return Error{"States.Runtime", "the task token is already waiting"};
  waiters_.emplace(token, Waiter{&loop, std::move(done)});
  return ok_status();
}

Status CallbackRegistry::complete(const std::string& token, TaskOutcome outcome) {
  Waiter w;
  {
    base::MutexLock lock(mu_);
    auto it = waiters_.find(token);
    if (it == waiters_.end()) return Error{"InvalidToken", "Invalid token"};
    w = std::move(it->second);
    waiters_.erase(it);
  }
  w.loop->post([done = std::move(w.done), outcome = std::move(outcome)]() mutable {
    done(std::move(outcome));
  });
  return ok_status();
}

Status CallbackRegistry::succeed(const std::string& token, json::value output) {
  return complete(token, TaskOutcome::success(std::move(output)));
}

Status CallbackRegistry::fail(const std::string& token, std::string error, std::string cause) {
  return complete(token, TaskOutcome::failure(std::move(error), std::move(cause)));
}

Status CallbackRegistry::fail(const std::string& token, TaskOutcome failure) {
  failure.succeeded = false;
  return complete(token, std::move(failure));
}

Status CallbackRegistry::heartbeat(const std::string& token) const {
  base::MutexLock lock(mu_);
  if (!waiters_.count(token)) return Error{"InvalidToken", "Invalid token"};
  return ok_status();
}

std::optional<TaskDone> CallbackRegistry::take(const std::string& token) {
  base::MutexLock lock(mu_);
  auto it = waiters_.find(token);
  if (it == waiters_.end()) return std::nullopt;
  TaskDone done = std::move(it->second.done);
  waiters_.erase(it);
  return done;
}

std::size_t CallbackRegistry::size() const {
  base::MutexLock lock(mu_);
  return waiters_.size();
}

}  // namespace stepwise::tasks
