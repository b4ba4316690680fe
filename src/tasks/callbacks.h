// CallbackRegistry: Tasks waiting for their task token (the `.waitForTaskToken` pattern), to be
// completed by SendTaskSuccess / SendTaskFailure (and kept alive by SendTaskHeartbeat).
//
// A runner that starts a callback task registers the task's `done` under its token; the API
// completes it by token from any thread, and `done` then runs on the task's loop. A waiting
// callback is not pending work of the loop: nothing runs until someone calls back, so a manual
// clock may move on to the Task's timeout.
//
// Thread-safety: all methods may be called from any thread; `done` always runs on the loop given
// to await().
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "base/mutex.h"
#include "base/result.h"
#include "tasks/task_runner.h"

namespace stepwise::tasks {

class CallbackRegistry {
 public:
  // Takes `done` (moves from it) on success only. Fails (name "States.Runtime") when the token
  // is already waiting or too many tokens wait; `done` is then left to the caller.
  Status await(const std::string& token, EventLoop& loop, TaskDone& done);
  // Complete a waiting task. Unknown tokens: Error{"InvalidToken", "Invalid token"}, AWS's words.
  Status succeed(const std::string& token, json::value output);
  Status fail(const std::string& token, std::string error, std::string cause);
  Status fail(const std::string& token, TaskOutcome failure);  // keeps has_error / has_cause
  Status heartbeat(const std::string& token) const;
  // Removes a waiter without calling it (the task was cancelled or failed another way) and
  // returns its `done`, if it was waiting.
  std::optional<TaskDone> take(const std::string& token);
  std::size_t size() const;

 private:
  struct Waiter {
    EventLoop* loop = nullptr;
    TaskDone done;
  };
  Status complete(const std::string& token, TaskOutcome outcome);

  mutable base::Mutex mu_;
  std::map<std::string, Waiter> waiters_ GUARDED_BY(mu_);
};

}  // namespace stepwise::tasks
