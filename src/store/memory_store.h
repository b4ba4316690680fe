// MemoryStore: both store interfaces kept in process memory — Express executions, tests,
// `--store memory`. Nothing survives the process; everything else behaves as SqliteStore does
// (same ordering, paging, fencing and error rules, identity/input/definition fixed by an
// execution's first step; store_conformance_test.cpp runs one suite against both).
//
// Thread-safety: every method may be called from any thread; one mutex guards all state.
// commit_steps() is synchronous: it applies the steps and then calls `done` on the caller's
// thread before returning, with no lock held (so `done` may call the store again). A `done`
// that commits the next step directly therefore recurses: post the next step to a loop instead.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "store/store.h"

namespace stepwise::store {

class MemoryStore final : public Store {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Status put_state_machine(const StateMachineRecord& r) override;
  Result<std::optional<StateMachineRecord>> get_state_machine(const std::string& arn) override;
  Status delete_state_machine(const std::string& arn) override;
  Result<Page<StateMachineRecord>> list_state_machines(const PageQuery& page) override;

  Result<VersionRecord> publish_version(VersionRecord v) override;
  Result<std::optional<VersionRecord>> get_version(const std::string& arn) override;
  Status delete_version(const std::string& arn) override;
  Result<Page<VersionRecord>> list_versions(const std::string& state_machine_arn,
                                            const PageQuery& page) override;

  Status create_alias(const AliasRecord& r) override;
  Status update_alias(const AliasRecord& r, Millis expected_updated_ms) override;
  Result<std::optional<AliasRecord>> get_alias(const std::string& arn) override;
  Status delete_alias(const std::string& arn) override;
  Result<Page<AliasRecord>> list_aliases(const std::string& state_machine_arn,
                                         const PageQuery& page) override;

  Status put_activity(const ActivityRecord& r) override;
  Result<std::optional<ActivityRecord>> get_activity(const std::string& arn) override;
  Status delete_activity(const std::string& arn) override;
  Result<Page<ActivityRecord>> list_activities(const PageQuery& page) override;

  Status put_tags(const std::string& resource_arn, const Tags& tags) override;
  Result<Tags> get_tags(const std::string& resource_arn) override;

  Result<std::int64_t> claim_shard(std::int64_t shard, const std::string& node) override;
  void commit_steps(const Fence& fence, std::vector<StepRecord> steps,
                    std::function<void(Status)> done) override;
  void flush() override {}

  Result<std::optional<ExecutionRecord>> get_execution(const std::string& arn) override;
  Result<std::vector<ExecutionRecord>> list_executions(const ExecutionQuery& q) override;
  Result<std::vector<history::HistoryEvent>> history(const HistoryQuery& q) override;
  Result<std::vector<JournalEntry>> journal(const std::string& execution_arn,
                                            std::int64_t after_seq, std::size_t limit) override;
  Result<std::vector<RunningExecution>> running_index(const RunningKey& after,
                                                      std::size_t limit) override;
  Result<std::optional<MapRunRecord>> get_map_run(const std::string& arn) override;
  Result<std::vector<MapRunRecord>> list_map_runs(const std::string& execution_arn,
                                                  const std::string& after_arn,
                                                  std::size_t limit) override;
  Result<std::optional<MapRunChild>> get_map_run_child(const std::string& arn) override;
  Result<std::vector<MapRunChild>> list_map_run_children(const MapRunChildQuery& q) override;
  Result<std::int64_t> purge_closed_before(Millis before_ms) override;

 private:
  // Records by ARN that list in creation order; a replace keeps the original position. A page
  // token is the creation sequence number of the last record returned.
  template <typename T>
  class Table {
   public:
    void put(const std::string& arn, const T& r);
    std::optional<T> get(const std::string& arn) const;
    void erase(const std::string& arn);
    template <typename Fn>
    void for_each(Fn fn) const {
      for (const auto& [seq, arn] : order_) fn(by_arn_.at(arn).second);
    }
    // Records passing `keep`, in creation order, one page of them.
    template <typename Keep>
    Result<Page<T>> page(const PageQuery& q, Keep keep) const;

   private:
    std::unordered_map<std::string, std::pair<std::uint64_t, T>> by_arn_;
    std::map<std::uint64_t, std::string> order_;
    std::uint64_t next_ = 1;
  };

  struct Execution {
    ExecutionRecord row;
    std::vector<history::HistoryEvent> events;  // ascending ids
    std::vector<JournalEntry> journal;
  };
  // ListExecutions order: newest start first, then arn descending.
  using ListKey = std::pair<Millis, std::string>;
  using ListIndex = std::set<ListKey, std::greater<>>;

  // Map Runs (memory_store_map_runs.cpp): newest first, as the listings answer.
  using ChildKey = std::pair<Millis, std::int64_t>;  // start_ms, index
  using ChildIndex = std::map<ChildKey, std::string, std::greater<>>;
  void apply_map_runs(StepRecord& step) REQUIRES(mu_);
  void erase_map_runs(const std::string& execution_arn) REQUIRES(mu_);

  Status check_fence(const Fence& fence) const REQUIRES(mu_);
  Status check_steps(const std::vector<StepRecord>& steps) const REQUIRES(mu_);
  void apply_step(StepRecord& step) REQUIRES(mu_);
  void erase_execution(const std::string& arn) REQUIRES(mu_);

  base::Mutex mu_;
  Table<StateMachineRecord> machines_ GUARDED_BY(mu_);
  Table<VersionRecord> versions_ GUARDED_BY(mu_);
  Table<AliasRecord> aliases_ GUARDED_BY(mu_);
  Table<ActivityRecord> activities_ GUARDED_BY(mu_);
  std::unordered_map<std::string, Tags> tags_ GUARDED_BY(mu_);
  std::unordered_map<std::string, Execution> executions_ GUARDED_BY(mu_);
  // state machine arn → its executions
  std::unordered_map<std::string, ListIndex> by_machine_ GUARDED_BY(mu_);
  // RUNNING executions by (start, arn)
  std::set<std::pair<Millis, std::string>> running_ GUARDED_BY(mu_);
  std::map<std::int64_t, std::int64_t> shard_epochs_ GUARDED_BY(mu_);  // shard → newest epoch
  std::unordered_map<std::string, MapRunRecord> map_runs_ GUARDED_BY(mu_);
  // execution → its runs
  std::unordered_map<std::string, ListIndex> map_runs_by_execution_ GUARDED_BY(mu_);
  std::unordered_map<std::string, MapRunChild> map_run_children_ GUARDED_BY(mu_);
  std::unordered_map<std::string, ChildIndex> children_by_run_ GUARDED_BY(mu_);  // run → children
};

}  // namespace stepwise::store
