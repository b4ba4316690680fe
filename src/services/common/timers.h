// Timers: one-shot callbacks after a delay, for what a built-in service waits on without a
// thread per waiter (an SQS long poll's end, a delayed message becoming visible to a waiting
// poll). ThreadTimers serves every timer of a service from one thread; ManualTimers fires them
// when a test advances it, so long-poll tests are fast and deterministic.
//
// Delays are real time in ThreadTimers even when the service's Clock is manual (--fast-time):
// a long poll waits for other clients, who live in real time.
//
// Thread-safety: after() and cancel() from any thread; callbacks run on the timer thread
// (ManualTimers: on the thread calling advance()), never under the timers' lock, so they may
// call after()/cancel(). cancel() of a timer whose callback already started does nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "base/clock.h"
#include "base/mutex.h"

namespace stepwise::services {

class Timers {
 public:
  using Fn = std::function<void()>;
  using Id = std::uint64_t;
  virtual ~Timers() = default;
  virtual Id after(Millis delay_ms, Fn fn) = 0;
  virtual void cancel(Id id) = 0;
};

// The due callbacks of a Timers implementation, by (due, id); not thread-safe (the owner locks).
class TimerQueue {
 public:
  Timers::Id add(Millis due, Timers::Fn fn);
  void cancel(Timers::Id id);
  bool empty() const { return due_.empty(); }
  std::size_t size() const { return due_.size(); }
  Millis first_due() const { return due_.begin()->first.first; }
  Timers::Fn pop_first();

 private:
  std::map<std::pair<Millis, Timers::Id>, Timers::Fn> due_;
  std::map<Timers::Id, Millis> index_;
  Timers::Id next_ = 1;
};

class ThreadTimers final : public Timers {
 public:
  ThreadTimers();
  ~ThreadTimers() override;  // drops pending timers without running them
  Id after(Millis delay_ms, Fn fn) override;
  void cancel(Id id) override;

 private:
  void run();
  base::Mutex mu_;
  base::CondVar wake_;
  TimerQueue queue_ GUARDED_BY(mu_);  // monotonic due times
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Test timers: time moves only in advance(); with a clock given, it moves with them.
class ManualTimers final : public Timers {
 public:
  explicit ManualTimers(ManualClock* clock = nullptr) : clock_(clock) {}
  Id after(Millis delay_ms, Fn fn) override;
  void cancel(Id id) override;
  // Moves time forward by ms, firing every timer due on the way, in due order.
  void advance(Millis ms);
  std::size_t pending() const;

 private:
  ManualClock* clock_;
  mutable base::Mutex mu_;
  Millis now_ GUARDED_BY(mu_) = 0;
  TimerQueue queue_ GUARDED_BY(mu_);
};

}  // namespace stepwise::services
