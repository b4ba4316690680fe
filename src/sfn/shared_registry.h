// SharedRegistry: the Registry behind one mutex, so that every engine loop and the I/O threads
// can read it (resolve a machine for StartExecution, answer DescribeStateMachine or
// ListExecutions) while writes (CreateStateMachine, DeleteStateMachine, running counts) still
// happen one at a time.
//
// Why a mutex and not a loop: a resolve is a cache lookup of an immutable compiled machine
// (shared_ptr<const asl::StateMachine>) — tens of nanoseconds under an uncontended lock —
// while a hop to an owner loop would cost microseconds and queue reads behind steps. What a
// resolve returns is a snapshot: the compiled machine stays valid however the machine changes
// later.
//
// Thread-safety: every member may be called from any thread. The Registry it wraps must not be
// used directly while this exists (its IdGenerator included: give it one of its own).
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "sfn/registry.h"

namespace stepwise::sfn {

class SharedRegistry {
 public:
  explicit SharedRegistry(Registry& registry) : r_(registry), place_(registry.place()) {}
  SharedRegistry(const SharedRegistry&) = delete;
  SharedRegistry& operator=(const SharedRegistry&) = delete;

  // The Registry's operations, each taking the lock for its whole call.
  std::vector<std::pair<std::string, SyncOperation>> operations() {
    std::vector<std::pair<std::string, SyncOperation>> out;
    std::vector<std::pair<std::string, SyncOperation>> ops;
    {
      base::MutexLock lock(mu_);  // the table is built once, at startup: uncontended
      ops = r_.operations();
    }
    for (auto& [name, op] : ops) {
      out.emplace_back(name, [this, op = std::move(op)](const json::value& request) {
        base::MutexLock lock(mu_);
        return op(request);
      });
    }
    return out;
  }
  Result<ResolvedMachine> resolve(const std::string& arn) {
    base::MutexLock lock(mu_);
    return r_.resolve(arn);
  }
  Result<std::shared_ptr<const asl::StateMachine>> compiled(const std::string& definition) {
    base::MutexLock lock(mu_);
    return r_.compiled(definition);
  }
  Result<std::optional<store::ActivityRecord>> activity(const std::string& arn) {
    base::MutexLock lock(mu_);
    return r_.activity(arn);
  }
  // RUNNING executions of a machine changed by `delta` on one engine loop: the Registry sees
  // the sum over every loop (engine shards each count their own).
  void add_running(const std::string& state_machine_arn, std::int64_t delta) {
    base::MutexLock lock(mu_);
    std::int64_t& n = running_[state_machine_arn];
    n += delta;
    r_.set_running_count(state_machine_arn, n);
    if (n <= 0) running_.erase(state_machine_arn);
  }
  bool deleting(const std::string& state_machine_arn) {
    base::MutexLock lock(mu_);
    return r_.deleting(state_machine_arn);
  }
  json::value logging_configuration(const std::string& state_machine_arn,
                                    const std::string& version_arn) {
    base::MutexLock lock(mu_);
    return r_.logging_configuration(state_machine_arn, version_arn);
  }
  void resume_deletes() {
    base::MutexLock lock(mu_);
    r_.resume_deletes();
  }
  // Immutable after construction: no lock.
  const Place& place() const { return place_; }

 private:
  Registry& r_ GUARDED_BY(mu_);
  const Place& place_;
  base::Mutex mu_;
  std::unordered_map<std::string, std::int64_t> running_ GUARDED_BY(mu_);
};

}  // namespace stepwise::sfn
