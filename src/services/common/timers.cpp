#include "services/common/timers.h"

#include <chrono>

namespace stepwise::services {

Timers::Id TimerQueue::add(Millis due, Timers::Fn fn) {
  const Timers::Id id = next_++;
  due_.emplace(std::pair{due, id}, std::move(fn));
  index_.emplace(id, due);
  return id;
}

void TimerQueue::cancel(Timers::Id id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  due_.erase({it->second, id});
  index_.erase(it);
}

Timers::Fn TimerQueue::pop_first() {
  auto first = due_.begin();
  Timers::Fn fn = std::move(first->second);
  index_.erase(first->first.second);
  due_.erase(first);
  return fn;
}

ThreadTimers::ThreadTimers() : thread_([this] { run(); }) {}

ThreadTimers::~ThreadTimers() {
  {
    base::MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Timers::Id ThreadTimers::after(Millis delay_ms, Fn fn) {
  base::MutexLock lock(mu_);
  const Id id = queue_.add(monotonic_ms() + (delay_ms > 0 ? delay_ms : 0), std::move(fn));
  wake_.notify_one();
  return id;
}

void ThreadTimers::cancel(Id id) {
  base::MutexLock lock(mu_);
  queue_.cancel(id);
}

void ThreadTimers::run() {
  base::MutexLock lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      wake_.wait(mu_);
      continue;
    }
    const Millis wait = queue_.first_due() - monotonic_ms();
    if (wait > 0) {
      wake_.wait_for(mu_, std::chrono::milliseconds(wait));
      continue;
    }
    Fn fn = queue_.pop_first();
    lock.unlock();
    fn();
    lock.lock();
  }
}

Timers::Id ManualTimers::after(Millis delay_ms, Fn fn) {
  base::MutexLock lock(mu_);
  return queue_.add(now_ + (delay_ms > 0 ? delay_ms : 0), std::move(fn));
}

void ManualTimers::cancel(Id id) {
  base::MutexLock lock(mu_);
  queue_.cancel(id);
}

void ManualTimers::advance(Millis ms) {
  base::MutexLock lock(mu_);
  const Millis target = now_ + ms;
  while (!queue_.empty() && queue_.first_due() <= target) {
    const Millis at = queue_.first_due();
    Fn fn = queue_.pop_first();
    if (at > now_) {
      if (clock_) clock_->advance_by(at - now_);
      now_ = at;
    }
    lock.unlock();
    fn();
    lock.lock();
  }
  if (clock_) clock_->advance_by(target - now_);
  now_ = target;
}

std::size_t ManualTimers::pending() const {
  base::MutexLock lock(mu_);
  return queue_.size();
}

}  // namespace stepwise::services
