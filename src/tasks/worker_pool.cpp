#include "tasks/worker_pool.h"

#include "tasks/process.h"

namespace stepwise::tasks {

WorkerPool::WorkerPool(std::size_t threads_max, std::size_t queue_max)
    : threads_max_(threads_max), queue_max_(queue_max) {}

WorkerPool::~WorkerPool() {
  {
    base::MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool WorkerPool::submit(std::function<void()> job) {
  base::MutexLock lock(mu_);
  if (queue_.size() >= queue_max_) return false;
  queue_.push_back(std::move(job));
  if (idle_ == 0 && threads_.size() < threads_max_) threads_.emplace_back([this] { work(); });
  cv_.notify_one();
  return true;
}

void WorkerPool::work() {
  block_sigpipe_on_this_thread();  // jobs write into pipes and sockets whose peer may be gone
  base::MutexLock lock(mu_);
  for (;;) {
    ++idle_;
    while (!stopping_ && queue_.empty()) cv_.wait(mu_);
    --idle_;
    if (queue_.empty()) return;  // stopping, nothing left
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace stepwise::tasks
