// EventLoop: a single-threaded loop of ready callbacks and timers, driven by an injected Clock.
//
// Why: the engine is pure; something has to deliver task results and fire Wait/retry/timeout
// timers. With a ManualClock an idle loop jumps straight to its next timer, so a workflow that
// waits a year finishes in microseconds in tests and under `--fast-time`.
//
// Thread-safety: post() may be called from any thread (task runners finishing on worker threads);
// run() and schedule() belong to the loop's own thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"

namespace stepwise {

class EventLoop {
 public:
  using Fn = std::function<void()>;
  using TimerId = std::uint64_t;

  explicit EventLoop(Clock& clock) : clock_(clock) {}
  // Waits for post() calls still returning on other threads (see posting_).
  ~EventLoop();

  Clock& clock() { return clock_; }
  // Queue fn to run soon; callable from any thread.
  void post(Fn fn);
  // Run fn when the clock reaches due_ms. Loop thread only.
  TimerId schedule_at(Millis due_ms, Fn fn);
  void cancel(TimerId id);
  // Work keeps the loop alive while something outside (a worker thread) may still post().
  void add_pending_work() { ++external_pending_; }
  void done_pending_work() {
    post([this] { --external_pending_; });
  }
  // A server's loop lives until stop(): with keep-alive on, an idle run() waits for posts
  // instead of returning. Unlike add_pending_work() it does not hold a manual clock back, so
  // under --fast-time an idle server still jumps straight to its next timer. Set before run().
  void set_keep_alive(bool on) { keep_alive_ = on; }
  // Runs until there is nothing ready, no timer and no pending outside work, or stop().
  void run();
  void stop();
  bool has_timers() const { return !timers_.empty(); }
  std::size_t timer_count() const { return timers_.size(); }

  // How late timers fired (real clocks only): the benchmarks read it. Loop thread only.
  struct TimerStats {
    // Bucket i counts timers fired at most kBounds[i] ms late (and more than the bound before);
    // the last bucket, past every bound.
    static constexpr std::array<Millis, 8> kBounds = {0, 1, 5, 10, 20, 50, 100, 1000};
    std::array<std::uint64_t, kBounds.size() + 1> buckets{};
    std::uint64_t fired = 0;
    Millis max_late_ms = 0;
    void record(Millis late_ms);
  };
  const TimerStats& timer_stats() const { return timer_stats_; }
  void reset_timer_stats() { timer_stats_ = {}; }

  // Timers fired in one loop turn before the ready queue gets its turn again.
  static constexpr std::size_t timer_batch_max = 1024;

 private:
  bool run_ready();
  bool fire_due_timers();

  Clock& clock_;
  base::Mutex mu_;
  base::CondVar cv_;
  std::vector<Fn> ready_ GUARDED_BY(mu_);
  // An emptied batch kept for its capacity, so a loop turn does not allocate (loop thread only).
  std::vector<Fn> spare_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::multimap<std::pair<Millis, TimerId>, Fn> timers_;
  std::map<TimerId, std::pair<Millis, TimerId>> timer_index_;
  TimerId next_timer_ = 1;
  TimerStats timer_stats_;
  std::int64_t external_pending_ = 0;
  bool keep_alive_ = false;
  // post() calls in progress. The post that ends the last pending work lets run() return and the
  // owner destroy the loop while the posting thread is still unlocking mu_; the destructor waits
  // for this to drop to zero, the poster's very last touch of the loop.
  std::atomic<int> posting_{0};
};

}  // namespace stepwise
