// MemoryStore: the Store kept in process memory — Express executions, tests, `--store memory`.
// Nothing survives the process; everything else behaves as SqliteStore does (same ordering,
// paging and error rules, identity/input/definition fixed by an execution's first step;
// store_conformance_test.cpp runs one suite against both).
//
// Thread-safety: every method may be called from any thread; one mutex guards all state.
// commit_steps() is synchronous: it applies the steps and then calls `done` on the caller's
// thread before returning, with no lock held (so `done` may call the store again). A `done`
// that commits the next step directly therefore recurses: post the next step to a loop instead.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/store.h"

namespace stepwise::store {

class MemoryStore final : public Store {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Status put_state_machine(const StateMachineRecord& r) override;
  std::optional<StateMachineRecord> get_state_machine(const std::string& arn) override;
  Status delete_state_machine(const std::string& arn) override;
  std::vector<StateMachineRecord> list_state_machines() override;

  Status put_version(const VersionRecord& r) override;
  std::optional<VersionRecord> get_version(const std::string& arn) override;
  Status delete_version(const std::string& arn) override;
  std::vector<VersionRecord> list_versions(const std::string& state_machine_arn) override;

  Status put_alias(const AliasRecord& r) override;
  std::optional<AliasRecord> get_alias(const std::string& arn) override;
  Status delete_alias(const std::string& arn) override;
  std::vector<AliasRecord> list_aliases(const std::string& state_machine_arn) override;

  Status put_activity(const ActivityRecord& r) override;
  std::optional<ActivityRecord> get_activity(const std::string& arn) override;
  Status delete_activity(const std::string& arn) override;
  std::vector<ActivityRecord> list_activities() override;

  Status put_tags(const std::string& resource_arn, const Tags& tags) override;
  Tags get_tags(const std::string& resource_arn) override;

  void commit_steps(std::vector<StepRecord> steps, std::function<void(Status)> done) override;
  void flush() override {}

  std::optional<ExecutionRecord> get_execution(const std::string& arn) override;
  std::vector<ExecutionRecord> list_executions(const ExecutionQuery& q) override;
  std::vector<engine::HistoryEvent> history(const HistoryQuery& q) override;
  std::vector<JournalEntry> journal(const std::string& execution_arn) override;
  std::vector<ExecutionRecord> running_executions() override;
  Result<std::int64_t> purge_closed_before(Millis before_ms) override;

 private:
  // Records by ARN that list in creation order; a replace keeps the original position.
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

   private:
    std::unordered_map<std::string, std::pair<std::uint64_t, T>> by_arn_;
    std::map<std::uint64_t, std::string> order_;
    std::uint64_t next_ = 0;
  };

  struct Execution {
    ExecutionRecord row;
    std::vector<engine::HistoryEvent> events;  // ascending ids
    std::vector<JournalEntry> journal;
  };
  // ListExecutions order: newest start first, then arn descending.
  using ListKey = std::pair<Millis, std::string>;
  using ListIndex = std::set<ListKey, std::greater<>>;

  Status check_steps(const std::vector<StepRecord>& steps) const;
  void apply_step(StepRecord& step);
  void erase_execution(const std::string& arn);

  std::mutex mu_;
  Table<StateMachineRecord> machines_;
  Table<VersionRecord> versions_;
  Table<AliasRecord> aliases_;
  Table<ActivityRecord> activities_;
  std::unordered_map<std::string, Tags> tags_;
  std::unordered_map<std::string, Execution> executions_;
  std::unordered_map<std::string, ListIndex> by_machine_;  // state machine arn → its executions
};

}  // namespace stepwise::store
