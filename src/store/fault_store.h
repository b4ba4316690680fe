// FaultStore: a Store that forwards to another one and fails on demand — every read, every
// registry write, or every commit — with Store.IoError, the way a disk or a network database
// fails. Tests use it to check that callers answer a store failure as a server error
// (InternalFailure), never as "does not exist". Header-only test aid.
//
// Thread-safety: the flags are atomics; the rest is the wrapped store's.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/errors.h"
#include "store/store.h"

namespace stepwise::store {

class FaultStore final : public Store {
 public:
  explicit FaultStore(Store& inner) : inner_(inner) {}

  std::atomic<bool> fail_reads{false};
  std::atomic<bool> fail_writes{false};   // registry writes
  std::atomic<bool> fail_commits{false};  // commit_steps and claim_shard

  static Error io_error() { return Error{errors::io_error, "injected: disk I/O error"}; }

  // --- RegistryStore ---
  Status put_state_machine(const StateMachineRecord& r) override {
    return write([&] { return inner_.put_state_machine(r); });
  }
  Result<std::optional<StateMachineRecord>> get_state_machine(const std::string& a) override {
    return read([&] { return inner_.get_state_machine(a); });
  }
  Status delete_state_machine(const std::string& a) override {
    return write([&] { return inner_.delete_state_machine(a); });
  }
  Result<Page<StateMachineRecord>> list_state_machines(const PageQuery& q) override {
    return read([&] { return inner_.list_state_machines(q); });
  }
  Result<VersionRecord> publish_version(VersionRecord v) override {
    if (fail_writes) return io_error();
    return inner_.publish_version(std::move(v));
  }
  Result<std::optional<VersionRecord>> get_version(const std::string& a) override {
    return read([&] { return inner_.get_version(a); });
  }
  Status delete_version(const std::string& a) override {
    return write([&] { return inner_.delete_version(a); });
  }
  Result<Page<VersionRecord>> list_versions(const std::string& m, const PageQuery& q) override {
    return read([&] { return inner_.list_versions(m, q); });
  }
  Status create_alias(const AliasRecord& r) override {
    return write([&] { return inner_.create_alias(r); });
  }
  Status update_alias(const AliasRecord& r, Millis expected) override {
    return write([&] { return inner_.update_alias(r, expected); });
  }
  Result<std::optional<AliasRecord>> get_alias(const std::string& a) override {
    return read([&] { return inner_.get_alias(a); });
  }
  Status delete_alias(const std::string& a) override {
    return write([&] { return inner_.delete_alias(a); });
  }
  Result<Page<AliasRecord>> list_aliases(const std::string& m, const PageQuery& q) override {
    return read([&] { return inner_.list_aliases(m, q); });
  }
  Status put_activity(const ActivityRecord& r) override {
    return write([&] { return inner_.put_activity(r); });
  }
  Result<std::optional<ActivityRecord>> get_activity(const std::string& a) override {
    return read([&] { return inner_.get_activity(a); });
  }
  Status delete_activity(const std::string& a) override {
    return write([&] { return inner_.delete_activity(a); });
  }
  Result<Page<ActivityRecord>> list_activities(const PageQuery& q) override {
    return read([&] { return inner_.list_activities(q); });
  }
  Status put_tags(const std::string& a, const Tags& t) override {
    return write([&] { return inner_.put_tags(a, t); });
  }
  Result<Tags> get_tags(const std::string& a) override {
    return read([&] { return inner_.get_tags(a); });
  }

  // --- ExecutionStore ---
  Result<std::int64_t> claim_shard(std::int64_t shard, const std::string& node) override {
    if (fail_commits) return io_error();
    return inner_.claim_shard(shard, node);
  }
  void commit_steps(const Fence& f, std::vector<StepRecord> s,
                    std::function<void(Status)> done) override {
    if (fail_commits) {
      if (done) done(io_error());
      return;
    }
    inner_.commit_steps(f, std::move(s), std::move(done));
  }
  void flush() override { inner_.flush(); }
  Result<std::optional<ExecutionRecord>> get_execution(const std::string& a) override {
    return read([&] { return inner_.get_execution(a); });
  }
  Result<std::vector<ExecutionRecord>> list_executions(const ExecutionQuery& q) override {
    return read([&] { return inner_.list_executions(q); });
  }
  Result<std::vector<history::HistoryEvent>> history(const HistoryQuery& q) override {
    return read([&] { return inner_.history(q); });
  }
  Result<std::vector<JournalEntry>> journal(const std::string& a, std::int64_t after,
                                            std::size_t limit) override {
    return read([&] { return inner_.journal(a, after, limit); });
  }
  Result<std::vector<RunningExecution>> running_index(const RunningKey& after,
                                                      std::size_t limit) override {
    return read([&] { return inner_.running_index(after, limit); });
  }
  Result<std::optional<MapRunRecord>> get_map_run(const std::string& a) override {
    return read([&] { return inner_.get_map_run(a); });
  }
  Result<std::vector<MapRunRecord>> list_map_runs(const std::string& a, const std::string& after,
                                                  std::size_t limit) override {
    return read([&] { return inner_.list_map_runs(a, after, limit); });
  }
  Result<std::optional<MapRunChild>> get_map_run_child(const std::string& a) override {
    return read([&] { return inner_.get_map_run_child(a); });
  }
  Result<std::vector<MapRunChild>> list_map_run_children(const MapRunChildQuery& q) override {
    return read([&] { return inner_.list_map_run_children(q); });
  }
  Result<std::int64_t> purge_closed_before(Millis t) override {
    return read([&] { return inner_.purge_closed_before(t); });
  }

 private:
  template <typename Fn>
  auto read(Fn fn) -> decltype(fn()) {
    if (fail_reads) return io_error();
    return fn();
  }
  template <typename Fn>
  Status write(Fn fn) {
    if (fail_writes) return io_error();
    return fn();
  }

  Store& inner_;
};

}  // namespace stepwise::store
