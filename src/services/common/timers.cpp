#include "services/common/timers.h"

#include <chrono>

namespace stepwise::services {

ThreadTimers::ThreadTimers() : thread_([this] { run(); }) {}

ThreadTimers::~ThreadTimers() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Timers::Id ThreadTimers::after(Millis delay_ms, Fn fn) {
  std::lock_guard lock(mu_);
  const Id id = next_++;
  const Millis due = monotonic_ms() + (delay_ms > 0 ? delay_ms : 0);
  due_.emplace(std::pair{due, id}, std::move(fn));
  index_.emplace(id, due);
  wake_.notify_one();
  return id;
}

void ThreadTimers::cancel(Id id) {
  std::lock_guard lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return;
  due_.erase({it->second, id});
  index_.erase(it);
}

void ThreadTimers::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto first = due_.begin();
    const Millis wait = first->first.first - monotonic_ms();
    if (wait > 0) {
      wake_.wait_for(lock, std::chrono::milliseconds(wait));
      continue;
    }
    Fn fn = std::move(first->second);
    index_.erase(first->first.second);
    due_.erase(first);
    lock.unlock();
    fn();
    lock.lock();
  }
}

Timers::Id ManualTimers::after(Millis delay_ms, Fn fn) {
  std::lock_guard lock(mu_);
  const Id id = next_++;
  const Millis due = now_ + (delay_ms > 0 ? delay_ms : 0);
  due_.emplace(std::pair{due, id}, std::move(fn));
  index_.emplace(id, due);
  return id;
}

void ManualTimers::cancel(Id id) {
  std::lock_guard lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return;
  due_.erase({it->second, id});
  index_.erase(it);
}

void ManualTimers::advance(Millis ms) {
  std::unique_lock lock(mu_);
  const Millis target = now_ + ms;
  while (!due_.empty() && due_.begin()->first.first <= target) {
    auto first = due_.begin();
    const Millis at = first->first.first;
    Fn fn = std::move(first->second);
    index_.erase(first->first.second);
    due_.erase(first);
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
  std::lock_guard lock(mu_);
  return due_.size();
}

}  // namespace stepwise::services
