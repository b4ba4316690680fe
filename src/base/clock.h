// Clock: where Stepwise reads the time. Real time in production, a manual clock in tests so that
// Wait states, retry intervals, timeouts and schedules complete instantly and deterministically.
//
// Only src/base and src/app may read the system clock; everything else receives a Clock.
// Thread-safety: both implementations are safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace stepwise {

// Milliseconds since the Unix epoch: AWS timestamps have millisecond precision.
using Millis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now_ms() const = 0;
  // True when time only moves when told to (tests, --fast-time): an idle event loop may then
  // jump straight to its next timer instead of sleeping.
  virtual bool is_manual() const { return false; }
  virtual void advance_to(Millis t) { (void)t; }
};

// Milliseconds of a monotonic clock (never jumps; its zero is arbitrary): for deadlines on real
// outside work (a process's timeout, a cached token's expiry), which no test clock can speed up.
// The one place outside this folder may read it instead of std::chrono's clocks.
Millis monotonic_ms();

class RealClock final : public Clock {
 public:
  Millis now_ms() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start_ms) : now_(start_ms) {}
  Millis now_ms() const override { return now_.load(std::memory_order_relaxed); }
  bool is_manual() const override { return true; }
  // Never moves backwards: a timer firing "late" keeps time monotonic.
  void advance_to(Millis t) override;
  void advance_by(Millis d) { advance_to(now_ms() + d); }

 private:
  std::atomic<Millis> now_;
};

// RFC 3339 / ISO-8601 text as AWS writes it in the context object: 2024-01-02T03:04:05.678Z.
std::string format_iso8601_ms(Millis t);
// Parses RFC 3339 timestamps (uppercase T, Z or numeric offset, optional fraction).
// Returns false on anything else: AWS's Wait and Timestamp* comparisons reject such text.
bool parse_rfc3339(const std::string& text, Millis* out_ms);

}  // namespace stepwise
