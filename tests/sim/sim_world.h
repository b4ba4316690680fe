// The world around the simulated server (tests/sim): what outlives a crash. A clock that the
// simulation can jump and hold, fake Lambda functions whose answers are fixed by the seed, and
// the store the server writes through, which fails, tears or crashes on the fault plan's word.
//
// How faults keep runs comparable: a crash takes no simulated time, tasks answer at an absolute
// time fixed by their idempotency key (first dispatch + a seeded delay, never earlier than
// "now" when sent again), and clock jumps happen at the same moments of simulated time in the
// faulted run and its reference. So a recovered execution must end exactly as the reference,
// only its history may hold more Started events (the visible re-dispatches of docs/STORE.md).
//
// Thread-safety: the simulation runs on one thread; SqliteStore's writer thread only calls the
// commit callbacks, which the store wrapper waits for (flush) before going on.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/event_loop.h"
#include "base/random.h"
#include "store/store.h"
#include "tasks/task_runner.h"

namespace stepwise::sim {

// A manual clock with scheduled jumps and a hold. A jump (at, by): once the clock passes `at`
// it lands at `at + by` at least, so timers due in between fire late, together, in due order.
// before_advance may refuse a move (the simulation crashes the server there instead).
class SimClock final : public Clock {
 public:
  explicit SimClock(Millis start_ms) : now_(start_ms) {}
  Millis now_ms() const override { return now_.load(std::memory_order_relaxed); }
  bool is_manual() const override { return true; }
  void advance_to(Millis t) override;
  void add_jump(Millis at, Millis by) { jumps_.emplace(at, by); }
  std::function<bool()> before_advance;  // false: stay (the loop is being stopped)
  std::int64_t jumps_taken = 0;

 private:
  std::atomic<Millis> now_;
  std::multimap<Millis, Millis> jumps_;  // at -> by, not yet passed
};

// What the simulation injects, and how often (per mille, per opportunity).
struct FaultRates {
  int commit_error = 0;      // a commit fails (Store.IoError); the server restarts soon after
  int crash_before = 0;      // the server dies as it sends a commit: nothing written
  int crash_after = 0;       // it dies once the commit is written, before hearing back (torn)
  int crash_idle = 0;        // it dies while waiting for the next timer
  int duplicate_answer = 0;  // a function answers twice
  int late_answer = 0;       // a function answers again long after (the task closed)
  int crashes_max = 0;       // crashes (of any kind) in one run at most
};

// Counts of what happened in a run (reported, and summed over a budget of seeds).
struct FaultCounts {
  std::int64_t commits = 0;
  std::int64_t commit_errors = 0;
  std::int64_t crashes_before = 0;
  std::int64_t crashes_after = 0;
  std::int64_t crashes_idle = 0;
  std::int64_t duplicate_answers = 0;
  std::int64_t late_answers = 0;
  std::int64_t calls = 0;
  std::int64_t restarts = 0;
  // Executions RUNNING in the store at a restart (rebuilt by recovery), and how many distinct
  // executions that was: the executions the faults reached.
  std::int64_t recovered = 0;
  std::int64_t executions_hit = 0;
  void add(const FaultCounts& o);
};

// Draws the fault decisions of one run from its own stream (none at all when rates are 0).
class FaultPlan {
 public:
  FaultPlan(std::uint64_t seed, FaultRates rates) : rng_(seed), rates_(rates) {}
  bool draw(int per_mille) {
    return per_mille > 0 && static_cast<int>(rng_.next() % 1000) < per_mille;
  }
  bool may_crash() const { return crashes_ < rates_.crashes_max; }
  void crashed() { ++crashes_; }
  const FaultRates& rates() const { return rates_; }
  std::uint64_t next() { return rng_.next(); }

 private:
  SplitMix64 rng_;
  FaultRates rates_;
  int crashes_ = 0;
};

// Lambda stand-ins. A call's fate — its delay and its success or error — is a pure function of
// the run's seed and the call's idempotency key, and its answer comes at the first dispatch's
// time plus that delay, so a call sent again after a crash answers as the first one would have.
class Functions final : public tasks::TaskRunner {
 public:
  Functions(std::uint64_t seed, SimClock& clock, FaultPlan* faults, FaultCounts& counts)
      : seed_(seed), clock_(clock), faults_(faults), counts_(counts) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  bool redispatch_has_effects(const tasks::TaskRequest& request) const override;
  // A new server (its loop) starts: the answers queued for the old one are gone with it.
  void new_life() { due_.clear(); }

 private:
  struct Answer {
    std::shared_ptr<tasks::TaskDone> done;
    tasks::TaskOutcome outcome;
  };
  // Answers due at one millisecond go out in the order of their calls' names, not of their
  // dispatch: after a recovery the calls go out again in another order than the first time.
  void answer_at(EventLoop& loop, Millis due, const std::string& call, Answer a);
  std::uint64_t seed_;
  SimClock& clock_;
  FaultPlan* faults_;  // null: the reference run, no faults
  FaultCounts& counts_;
  std::map<std::string, Millis> first_dispatch_;              // by idempotency key
  std::map<Millis, std::multimap<std::string, Answer>> due_;  // this life's answers by due time
};

// The ExecutionStore the server writes through: forwards to the real store and, on the fault
// plan's word, fails a commit, or crashes the server before or after the commit is written.
// After a crash it writes nothing and calls back nothing (the process is gone). Commits are
// waited for (flush), so a SqliteStore behaves as deterministically as a MemoryStore.
class SimStore final : public store::ExecutionStore {
 public:
  SimStore(store::Store& inner, FaultPlan* faults, FaultCounts& counts)
      : inner_(&inner), faults_(faults), counts_(counts) {}
  // A new server over a (re)opened store.
  void reset(store::Store& inner, EventLoop& loop);
  bool dead() const { return dead_; }
  // Set when a commit failed: the simulation restarts the server before time moves on.
  bool restart_wanted() const { return restart_wanted_; }
  // Every store error a commit reported that was not injected (an invariant violation...).
  const std::vector<std::string>& unexpected() const { return unexpected_; }
  // Dies now (a crash between steps).
  void crash();

  Result<std::int64_t> claim_shard(std::int64_t shard, const std::string& node) override {
    return inner_->claim_shard(shard, node);
  }
  void commit_steps(const store::Fence& fence, std::vector<store::StepRecord> steps,
                    std::function<void(Status)> done) override;
  void flush() override { inner_->flush(); }
  Result<std::optional<store::ExecutionRecord>> get_execution(const std::string& arn) override {
    return inner_->get_execution(arn);
  }
  Result<std::vector<store::ExecutionRecord>> list_executions(
      const store::ExecutionQuery& q) override {
    return inner_->list_executions(q);
  }
  Result<std::vector<history::HistoryEvent>> history(const store::HistoryQuery& q) override {
    return inner_->history(q);
  }
  Result<std::vector<store::JournalEntry>> journal(const std::string& arn, std::int64_t after,
                                                   std::size_t limit) override {
    return inner_->journal(arn, after, limit);
  }
  Result<std::vector<store::RunningExecution>> running_index(const store::RunningKey& after,
                                                             std::size_t limit) override {
    return inner_->running_index(after, limit);
  }
  Result<std::optional<store::MapRunRecord>> get_map_run(const std::string& arn) override {
    return inner_->get_map_run(arn);
  }
  Result<std::vector<store::MapRunRecord>> list_map_runs(const std::string& execution_arn,
                                                         const std::string& after_arn,
                                                         std::size_t limit) override {
    return inner_->list_map_runs(execution_arn, after_arn, limit);
  }
  Result<std::optional<store::MapRunChild>> get_map_run_child(const std::string& arn) override {
    return inner_->get_map_run_child(arn);
  }
  Result<std::vector<store::MapRunChild>> list_map_run_children(
      const store::MapRunChildQuery& q) override {
    return inner_->list_map_run_children(q);
  }
  Result<std::int64_t> purge_closed_before(Millis t) override {
    return inner_->purge_closed_before(t);
  }

 private:
  store::Store* inner_;
  EventLoop* loop_ = nullptr;
  FaultPlan* faults_;
  FaultCounts& counts_;
  bool dead_ = false;
  bool restart_wanted_ = false;
  std::vector<std::string> unexpected_;
};

}  // namespace stepwise::sim
