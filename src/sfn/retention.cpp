// RetentionPurger: the background purge of closed executions (see retention.h).
#include "sfn/retention.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>

namespace stepwise::sfn {

namespace {

Millis effective_retention(Millis wanted) {
  if (wanted <= 0) return 0;
  return std::clamp(wanted, retention_limits::retention_min_ms, retention_limits::retention_max_ms);
}

}  // namespace

std::string retention_problem(Millis retention_ms) {
  using namespace retention_limits;
  if (retention_ms == 0) return "";
  if (retention_ms < 0) return "the retention must not be negative (0 keeps executions forever)";
  if (retention_ms < retention_min_ms)
    return "the retention must be at least 14 days, the time a closed execution can be redriven "
           "(0 keeps executions forever)";
  if (retention_ms > retention_max_ms) return "the retention must be at most 36500 days";
  return "";
}

RetentionPurger::RetentionPurger(store::ExecutionStore& store, Clock& clock,
                                 RetentionOptions options)
    : store_(store),
      clock_(clock),
      retention_ms_(effective_retention(options.retention_ms)),
      interval_ms_(std::max(options.purge_interval_ms, retention_limits::purge_interval_min_ms)),
      log_(std::move(options.log)) {}

RetentionPurger::~RetentionPurger() { stop(); }

void RetentionPurger::start() {
  if (retention_ms_ == 0 || thread_.joinable()) return;
  {
    base::MutexLock lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void RetentionPurger::stop() {
  {
    base::MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::int64_t> RetentionPurger::purge_now() {
  if (retention_ms_ == 0) return std::int64_t{0};
  base::MutexLock lock(pass_mu_);
  Result<std::int64_t> purged = Error{"Store.IoError", "not run"};
  try {
    purged = store_.purge_closed_before(clock_.now_ms() - retention_ms_);
  } catch (const std::exception& e) {
    // A store is not supposed to throw; if one does, the purge thread must not die of it.
    purged = Error{"InternalFailure", e.what()};
  }
  ++passes_;
  if (purged.ok()) purged_total_ += *purged;
  return purged;
}

void RetentionPurger::run() {
  base::MutexLock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto purged = purge_now();
    if (!purged.ok()) {
      // Nothing is lost by failing: the next pass tries again.
      report(log_, "stepwise: retention purge failed (" + purged.error().name + ": " +
                       purged.error().cause + "); retrying in " +
                       std::to_string(interval_ms_ / 1000) + " s");
    }
    lock.lock();
    const auto deadline = base::CondVar::deadline_in(std::chrono::milliseconds(interval_ms_));
    while (!stopping_ && wake_.wait_until(mu_, deadline)) {
    }
  }
}

}  // namespace stepwise::sfn
