// WorkerPool: a small pool of threads for blocking task work (processes, HTTP calls), so the
// event loop never blocks. Threads are started on demand up to `threads_max`; jobs wait in a
// queue of at most `queue_max` entries (submit() refuses beyond it, so a flood cannot exhaust
// memory).
//
// Thread-safety: submit() from any thread. The destructor lets the queued jobs run (callers
// cancel their calls first, so those jobs end at once) and joins the threads: every job runs
// exactly once, so every pending-work mark a job releases is released.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace stepwise::tasks {

class WorkerPool {
 public:
  WorkerPool(std::size_t threads_max, std::size_t queue_max);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a job; false when the queue is full.
  bool submit(std::function<void()> job) EXCLUDES(mu_);

 private:
  void work() EXCLUDES(mu_);

  const std::size_t threads_max_;
  const std::size_t queue_max_;
  base::Mutex mu_;
  base::CondVar cv_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  std::vector<std::thread> threads_ GUARDED_BY(mu_);
  std::size_t idle_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
};

}  // namespace stepwise::tasks
