// RetentionPurger: deletes closed executions (row, history, journal) once they are older than the
// retention period — AWS keeps a closed Standard execution 90 days, then it is gone
// (DescribeExecution answers ExecutionDoesNotExist and its name may be used again).
//
// Why a thread of its own: a purge can delete millions of rows; on the engine thread it would
// stall every execution. The store deletes in chunks (SqliteStore: 500 executions per
// transaction), so commits of running executions slip in between. Passes run once at start()
// and then every `purge_interval_ms` of real time; "now" (what is old) comes from the injected
// Clock, so a ManualClock test or `--fast-time` sees its own time.
//
// What is purged is what the store calls closed (SUCCEEDED, FAILED, TIMED_OUT, ABORTED; never
// RUNNING or PENDING_REDRIVE). Express executions are never stored, so there is nothing of theirs
// to purge. The retention is never shorter than the redrive window (14 days): an execution that
// may still be redriven is never deleted under a redrive in flight.
//
// Thread-safety: start()/stop() from the owning thread; purge_now() and the counters from any
// thread. Passes never overlap.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/result.h"
#include "sfn/service_log.h"
#include "store/store.h"

namespace stepwise::sfn {

namespace retention_limits {
inline constexpr Millis day_ms = 24LL * 60 * 60 * 1000;
// AWS: closed executions are kept 90 days.
inline constexpr Millis retention_default_ms = 90 * day_ms;
// AWS: a closed execution can be redriven for 14 days; it must still exist then.
inline constexpr Millis retention_min_ms = 14 * day_ms;
// About a century: far beyond any use, and `now - retention` cannot underflow.
inline constexpr Millis retention_max_ms = 36500 * day_ms;
inline constexpr Millis purge_interval_default_ms = 60 * 60 * 1000;
// A shorter interval would only spin (tests use purge_now()).
inline constexpr Millis purge_interval_min_ms = 1;
}  // namespace retention_limits

struct RetentionOptions {
  // How long a closed execution is kept. 0: forever (nothing is purged). Any other value below
  // retention_min_ms counts as retention_min_ms; above retention_max_ms as retention_max_ms.
  Millis retention_ms = retention_limits::retention_default_ms;
  Millis purge_interval_ms = retention_limits::purge_interval_default_ms;
  ServiceLog log = {};  // where a failed pass is reported (null: nowhere)
};

// Why a retention asked for on the command line is refused ("" when it is fine): 0 (forever)
// or within [retention_min_ms, retention_max_ms].
std::string retention_problem(Millis retention_ms);

class RetentionPurger {
 public:
  RetentionPurger(store::ExecutionStore& store, Clock& clock, RetentionOptions options);
  ~RetentionPurger();  // stop()s
  RetentionPurger(const RetentionPurger&) = delete;
  RetentionPurger& operator=(const RetentionPurger&) = delete;

  // Starts the thread: a pass at once, then one every purge interval. No-op when retention is
  // forever or already started.
  void start();
  // Wakes and joins the thread. A pass in progress finishes first (the store's purge is not
  // interruptible; it commits chunk by chunk). Idempotent.
  void stop();

  // One pass now, on the caller's thread: how many executions it purged (0 when retention is
  // forever), or the store's Error.
  Result<std::int64_t> purge_now();

  // The effective retention (after clamping; 0: forever).
  Millis retention_ms() const { return retention_ms_; }
  std::int64_t passes() const { return passes_.load(); }
  std::int64_t purged_total() const { return purged_total_.load(); }

 private:
  void run();

  store::ExecutionStore& store_;
  Clock& clock_;
  const Millis retention_ms_;
  const Millis interval_ms_;
  const ServiceLog log_;
  base::Mutex pass_mu_;  // one pass at a time
  base::Mutex mu_;
  base::CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
  std::atomic<std::int64_t> passes_{0};
  std::atomic<std::int64_t> purged_total_{0};
};

}  // namespace stepwise::sfn
