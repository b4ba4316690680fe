// Shard: one engine loop, its thread, and the live executions it owns — their steps, timers,
// dormant set and journal commits. The Service runs N of them (`stepwise serve --shards N`); an
// execution belongs to the shard its ARN hashes to (shard_of), so each shard's hot path takes no
// lock: only its own thread touches its executions.
//
// Shard 0 is the home shard: besides its share of executions it runs what must stay in one
// place — Registry writes, activity queues, task tokens and the task runners (other shards reach
// them through a HomeForwarder, home_forwarder.h). Cross-shard calls are posts to the owner's
// loop: a start by ARN hash, StopExecution and RedriveExecution by ARN hash, a parent's nested
// child started or stopped on its own shard (sharded_starter.h), a runner's progress report to
// the task's execution.
//
// Transferable ownership: a shard is an id and what hashes to it. start() recovers only the
// RUNNING executions whose ARN maps to this id; drain() lets them go (they stay RUNNING in the
// store); so the same shard can be started on another node later: claim() takes a new epoch of
// the shard in the store, and the commits of a node that held it before are refused.
//
// Thread-safety: start(), drain() and stop() from the owning thread; loop().post() from any;
// executions() on the shard's loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "base/clock.h"
#include "base/event_loop.h"
#include "base/ids.h"
#include "sfn/executions.h"

namespace stepwise::sfn {

namespace shard_limits {
inline constexpr int shards_max = 256;
}

// The shard that owns an execution ARN (FNV-1a, stable across builds and restarts).
int shard_of(std::string_view execution_arn, int shard_count);

class Shard {
 public:
  struct Options {
    int id = 0;
    int count = 1;
    Clock& clock;
    store::ExecutionStore& store;
    SharedRegistry& registry;
    const tasks::MockConfig* mocks = nullptr;
    std::uint64_t id_seed = 0;  // 0: unpredictable; else this shard's ids derive from it
  };
  explicit Shard(const Options& options);
  ~Shard();  // stop()s
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Makes the executions, with the runner their tasks go to (the home stack, or a forwarder to
  // it). Once, before start().
  Executions& make_executions(tasks::TaskRunner& runner);

  int id() const { return id_; }
  EventLoop& loop() { return loop_; }
  Executions& executions() { return *executions_; }
  IdGenerator& ids() { return ids_; }
  bool owns(std::string_view execution_arn) const { return shard_of(execution_arn, count_) == id_; }

  // Claims this shard in the store for `node` (store.h, "Fencing"): a new epoch, which every
  // commit of its executions carries from then on, so a node that claims it later fences this
  // one out. After make_executions(), before start_thread(). An Error leaves the commits
  // under epoch 0 (refused once anyone has claimed the shard); the Service then does not
  // recover the shard's executions.
  Status claim(const std::string& node);

  // Queues the recovery of this shard's RUNNING executions on its loop; `done` (on the loop)
  // gets how many resumed. Post every shard's recovery before any runs (start_thread), so
  // cross-shard posts of the recovery (a parent re-attaching to its child) queue behind it.
  void queue_recovery(std::function<void(std::size_t)> done);
  void start_thread();
  // Lets go of every live execution (they stay RUNNING in the store); `also` runs first on the
  // loop (the home shard closes activity polls). Blocks until done.
  void drain(std::function<void()> also = {});
  // Stops the loop and joins its thread. Idempotent.
  void stop();

 private:
  const int id_;
  const int count_;
  store::ExecutionStore& store_;
  SharedRegistry& registry_;
  const tasks::MockConfig* mocks_;
  EventLoop loop_;
  IdGenerator ids_;
  std::unique_ptr<Executions> executions_;
  std::thread thread_;
};

}  // namespace stepwise::sfn
