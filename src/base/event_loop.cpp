#include "base/event_loop.h"

#include <chrono>
#include <thread>

namespace stepwise {

EventLoop::~EventLoop() {
  while (posting_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
}

void EventLoop::post(Fn fn) {
  posting_.fetch_add(1, std::memory_order_relaxed);
  {
    // Notify under the lock: once mu_ is released run() may return and the loop be destroyed.
    base::MutexLock lock(mu_);
    ready_.push_back(std::move(fn));
    cv_.notify_one();
  }
  posting_.fetch_sub(1, std::memory_order_release);
}

EventLoop::TimerId EventLoop::schedule_at(Millis due_ms, Fn fn) {
  TimerId id = next_timer_++;
  auto key = std::make_pair(due_ms, id);
  timers_.emplace(key, std::move(fn));
  timer_index_.emplace(id, key);
  return id;
}

void EventLoop::cancel(TimerId id) {
  auto it = timer_index_.find(id);
  if (it == timer_index_.end()) return;
  timers_.erase(it->second);
  timer_index_.erase(it);
}

void EventLoop::stop() {
  {
    base::MutexLock lock(mu_);
    stopped_ = true;
  }
  cv_.notify_one();
}

bool EventLoop::run_ready() {
  // The batch is a local (a callback may post, or even run a nested loop), but its buffer is
  // recycled through spare_: swapping vectors moves buffers, so steady state allocates nothing.
  std::vector<Fn> batch;
  batch.swap(spare_);
  {
    base::MutexLock lock(mu_);
    batch.swap(ready_);
  }
  for (auto& fn : batch) fn();
  const bool ran = !batch.empty();
  batch.clear();
  if (batch.capacity() > spare_.capacity()) spare_.swap(batch);
  return ran;
}

void EventLoop::TimerStats::record(Millis late_ms) {
  ++fired;
  if (late_ms > max_late_ms) max_late_ms = late_ms;
  std::size_t b = 0;
  while (b + 1 < kBounds.size() && late_ms > kBounds[b]) ++b;
  if (late_ms > kBounds.back()) b = kBounds.size();
  ++buckets[b];
}

bool EventLoop::fire_due_timers() {
  // Due timers fire even while posts keep arriving (a busy server answers commits all the
  // time): at most a batch per turn, so neither side starves the other.
  std::size_t fired = 0;
  while (!timers_.empty() && fired < timer_batch_max) {
    auto it = timers_.begin();
    const Millis due = it->first.first;
    if (due > clock_.now_ms()) break;
    if (!clock_.is_manual()) timer_stats_.record(clock_.now_ms() - due);
    Fn fn = std::move(it->second);
    timer_index_.erase(it->first.second);
    timers_.erase(it);
    fn();
    ++fired;
  }
  return fired > 0;
}

void EventLoop::run() {
  for (;;) {
    {
      base::MutexLock lock(mu_);
      if (stopped_) return;
    }
    const bool ran = run_ready();
    if (fire_due_timers() || ran) continue;
    if (!timers_.empty()) {
      // A manual clock jumps to the next timer only when nothing outside is in flight: while a
      // task runs in another thread or process, virtual time flows at real speed, so a task
      // timeout still races its task fairly.
      const Millis due = timers_.begin()->first.first;
      if (clock_.is_manual() && due > clock_.now_ms() && external_pending_ <= 0) {
        clock_.advance_to(due);
        continue;
      }
    }
    base::MutexLock lock(mu_);
    if (stopped_) return;
    if (!ready_.empty()) continue;
    if (timers_.empty()) {
      if (external_pending_ <= 0 && !keep_alive_) return;
      while (!stopped_ && ready_.empty()) cv_.wait(mu_);
    } else {
      Millis wait_ms = timers_.begin()->first.first - clock_.now_ms();
      auto real_start = std::chrono::steady_clock::now();
      // One wait, not a loop: a spurious wake-up only means one more turn of the outer loop.
      if (!stopped_ && ready_.empty())
        cv_.wait_for(mu_, std::chrono::milliseconds(wait_ms > 0 ? wait_ms : 0));
      if (clock_.is_manual()) {
        auto real_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - real_start)
                           .count();
        clock_.advance_to(clock_.now_ms() + real_ms);
      }
    }
  }
}

}  // namespace stepwise
