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

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "base/clock.h"

namespace stepwise::services {

class Timers {
 public:
  using Fn = std::function<void()>;
  using Id = std::uint64_t;
  virtual ~Timers() = default;
  virtual Id after(Millis delay_ms, Fn fn) = 0;
  virtual void cancel(Id id) = 0;
};

class ThreadTimers final : public Timers {
 public:
  ThreadTimers();
  ~ThreadTimers() override;  // drops pending timers without running them
  Id after(Millis delay_ms, Fn fn) override;
  void cancel(Id id) override;

 private:
  void run();
  std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::pair<Millis, Id>, Fn> due_;  // guarded by mu_: (monotonic due, id) → fn
  std::map<Id, Millis> index_;                // guarded by mu_
  Id next_ = 1;                               // guarded by mu_
  bool stop_ = false;                         // guarded by mu_
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
  mutable std::mutex mu_;
  Millis now_ = 0;
  std::map<std::pair<Millis, Id>, Fn> due_;
  std::map<Id, Millis> index_;
  Id next_ = 1;
};

}  // namespace stepwise::services
