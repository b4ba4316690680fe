// MemoryStore: maps under one mutex. See memory_store.h.
#include "store/memory_store.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "base/invariant.h"
#include "store/errors.h"
#include "store/invariants.h"
#include "store/paging.h"

namespace stepwise::store {

namespace {

// Statuses after which an execution never changes again (unless redriven).
bool is_closed(const ExecutionRecord& r) {
  return r.status != "RUNNING" && r.status != "PENDING_REDRIVE";
}

bool matches(const ExecutionRecord& r, const ExecutionQuery& q) {
  return (q.version_arn.empty() || r.version_arn == q.version_arn) &&
         (q.alias_arn.empty() || r.alias_arn == q.alias_arn) &&
         (q.status.empty() || r.status == q.status);
}

}  // namespace

template <typename T>
void MemoryStore::Table<T>::put(const std::string& arn, const T& r) {
  auto it = by_arn_.find(arn);
  if (it != by_arn_.end()) {
    it->second.second = r;
    return;
  }
  by_arn_.emplace(arn, std::make_pair(next_, r));
  order_.emplace(next_++, arn);
}

template <typename T>
std::optional<T> MemoryStore::Table<T>::get(const std::string& arn) const {
  auto it = by_arn_.find(arn);
  if (it == by_arn_.end()) return std::nullopt;
  return it->second.second;
}

template <typename T>
void MemoryStore::Table<T>::erase(const std::string& arn) {
  auto it = by_arn_.find(arn);
  if (it == by_arn_.end()) return;
  order_.erase(it->second.first);
  by_arn_.erase(it);
}

template <typename T>
template <typename Keep>
Result<Page<T>> MemoryStore::Table<T>::page(const PageQuery& q, Keep keep) const {
  auto after = parse_page_token(q.token, 0);
  if (!after.ok()) return std::move(after).error();
  const std::size_t limit = std::max<std::size_t>(q.limit, 1);
  Page<T> out;
  std::uint64_t last = 0;  // the creation number of the last item returned
  for (auto pos = order_.upper_bound(static_cast<std::uint64_t>(*after)); pos != order_.end();
       ++pos) {
    const T& r = by_arn_.at(pos->second).second;
    if (!keep(r)) continue;
    if (out.items.size() == limit) {
      out.next_token = std::to_string(last);
      break;
    }
    out.items.push_back(r);
    last = pos->first;
  }
  return out;
}

// --- registry ---

Status MemoryStore::put_state_machine(const StateMachineRecord& r) {
  base::MutexLock lock(mu_);
  StateMachineRecord row = r;
  if (auto old = machines_.get(r.arn))
    row.next_version = std::max(row.next_version, old->next_version);
  machines_.put(r.arn, row);
  return ok_status();
}

Result<std::optional<StateMachineRecord>> MemoryStore::get_state_machine(const std::string& arn) {
  base::MutexLock lock(mu_);
  return machines_.get(arn);
}

Status MemoryStore::delete_state_machine(const std::string& arn) {
  base::MutexLock lock(mu_);
  std::vector<std::string> doomed;
  versions_.for_each([&](const VersionRecord& v) {
    if (v.state_machine_arn == arn) doomed.push_back(v.arn);
  });
  for (const auto& v : doomed) versions_.erase(v);
  for (const auto& v : doomed) tags_.erase(v);
  doomed.clear();
  aliases_.for_each([&](const AliasRecord& a) {
    if (a.state_machine_arn == arn) doomed.push_back(a.arn);
  });
  for (const auto& a : doomed) aliases_.erase(a);
  for (const auto& a : doomed) tags_.erase(a);
  machines_.erase(arn);
  tags_.erase(arn);
  return ok_status();
}

Result<Page<StateMachineRecord>> MemoryStore::list_state_machines(const PageQuery& page) {
  base::MutexLock lock(mu_);
  return machines_.page(page, [](const StateMachineRecord&) { return true; });
}

Result<VersionRecord> MemoryStore::publish_version(VersionRecord v) {
  base::MutexLock lock(mu_);
  auto machine = machines_.get(v.state_machine_arn);
  if (!machine) return Error{errors::not_found, "no state machine " + v.state_machine_arn};
  v.version = machine->next_version;
  v.arn = machine->arn + ":" + std::to_string(v.version);
  machine->next_version += 1;
  machines_.put(machine->arn, *machine);
  versions_.put(v.arn, v);
  return v;
}

Result<std::optional<VersionRecord>> MemoryStore::get_version(const std::string& arn) {
  base::MutexLock lock(mu_);
  return versions_.get(arn);
}

Status MemoryStore::delete_version(const std::string& arn) {
  base::MutexLock lock(mu_);
  versions_.erase(arn);
  tags_.erase(arn);
  return ok_status();
}

// Newest first; the token is the last version number returned.
Result<Page<VersionRecord>> MemoryStore::list_versions(const std::string& state_machine_arn,
                                                       const PageQuery& page) {
  auto before = parse_page_token(page.token, std::numeric_limits<std::int64_t>::max());
  if (!before.ok()) return std::move(before).error();
  base::MutexLock lock(mu_);
  std::vector<VersionRecord> all;
  versions_.for_each([&](const VersionRecord& v) {
    if (v.state_machine_arn == state_machine_arn && v.version < *before) all.push_back(v);
  });
  std::stable_sort(all.begin(), all.end(), [](const VersionRecord& a, const VersionRecord& b) {
    return a.version > b.version;
  });
  Page<VersionRecord> out;
  if (const std::size_t limit = std::max<std::size_t>(page.limit, 1); all.size() > limit) {
    all.resize(limit);
    out.next_token = std::to_string(all.back().version);
  }
  out.items = std::move(all);
  return out;
}

Status MemoryStore::create_alias(const AliasRecord& r) {
  base::MutexLock lock(mu_);
  if (aliases_.get(r.arn)) return Error{errors::condition_failed, "the alias " + r.arn + " exists"};
  aliases_.put(r.arn, r);
  return ok_status();
}

Status MemoryStore::update_alias(const AliasRecord& r, Millis expected_updated_ms) {
  base::MutexLock lock(mu_);
  auto old = aliases_.get(r.arn);
  if (!old || old->updated_ms != expected_updated_ms) {
    return Error{errors::condition_failed, "the alias " + r.arn + " changed since it was read"};
  }
  aliases_.put(r.arn, r);
  return ok_status();
}

Result<std::optional<AliasRecord>> MemoryStore::get_alias(const std::string& arn) {
  base::MutexLock lock(mu_);
  return aliases_.get(arn);
}

Status MemoryStore::delete_alias(const std::string& arn) {
  base::MutexLock lock(mu_);
  aliases_.erase(arn);
  tags_.erase(arn);
  return ok_status();
}

Result<Page<AliasRecord>> MemoryStore::list_aliases(const std::string& state_machine_arn,
                                                    const PageQuery& page) {
  base::MutexLock lock(mu_);
  return aliases_.page(
      page, [&](const AliasRecord& a) { return a.state_machine_arn == state_machine_arn; });
}

Status MemoryStore::put_activity(const ActivityRecord& r) {
  base::MutexLock lock(mu_);
  activities_.put(r.arn, r);
  return ok_status();
}

Result<std::optional<ActivityRecord>> MemoryStore::get_activity(const std::string& arn) {
  base::MutexLock lock(mu_);
  return activities_.get(arn);
}

Status MemoryStore::delete_activity(const std::string& arn) {
  base::MutexLock lock(mu_);
  activities_.erase(arn);
  tags_.erase(arn);
  return ok_status();
}

Result<Page<ActivityRecord>> MemoryStore::list_activities(const PageQuery& page) {
  base::MutexLock lock(mu_);
  return activities_.page(page, [](const ActivityRecord&) { return true; });
}

Status MemoryStore::put_tags(const std::string& resource_arn, const Tags& tags) {
  base::MutexLock lock(mu_);
  if (tags.empty()) {
    tags_.erase(resource_arn);
  } else {
    tags_[resource_arn] = tags;
  }
  return ok_status();
}

Result<Tags> MemoryStore::get_tags(const std::string& resource_arn) {
  base::MutexLock lock(mu_);
  auto it = tags_.find(resource_arn);
  return it == tags_.end() ? Tags{} : it->second;
}

// --- executions ---

Result<std::int64_t> MemoryStore::claim_shard(std::int64_t shard, const std::string&) {
  base::MutexLock lock(mu_);
  return ++shard_epochs_[shard];
}

Status MemoryStore::check_fence(const Fence& fence) const {
  auto it = shard_epochs_.find(fence.shard);
  const std::int64_t newest = it == shard_epochs_.end() ? 0 : it->second;
  if (fence.epoch == newest) return ok_status();
  return Error{errors::fenced, "shard " + std::to_string(fence.shard) + " epoch " +
                                   std::to_string(fence.epoch) + " is not the newest (" +
                                   std::to_string(newest) + "): another node owns the shard"};
}

// A call is all or nothing: every history event id must be new for its execution (ids only grow;
// a replayed step committed twice would otherwise duplicate history).
Status MemoryStore::check_steps(const std::vector<StepRecord>& steps) const {
  std::unordered_map<std::string, std::int64_t> last_id;
  // The row before each step: stored, or left by an earlier step of this batch.
  std::unordered_map<std::string, invariants::PriorRow> prior;
  for (const auto& step : steps) {
    const std::string& arn = step.execution.arn;
    auto [it, inserted] = last_id.try_emplace(arn, 0);
    const auto ex = executions_.find(arn);
    if (inserted) {
      if (ex != executions_.end() && !ex->second.events.empty())
        it->second = ex->second.events.back().id;
    }
    for (const auto& e : step.events) {
      if (e.id <= it->second) {
        return Error{errors::conflict, "history event " + std::to_string(e.id) + " of " + arn +
                                           " is already stored (ids must grow)"};
      }
      it->second = e.id;
    }
    auto p = prior.find(arn);
    if (p == prior.end() && ex != executions_.end()) {
      const ExecutionRecord& row = ex->second.row;
      p = prior.emplace(arn, invariants::PriorRow{row.status, row.history_count, row.redrive_count})
              .first;
    }
    if (auto v = invariants::step_violation(p == prior.end() ? nullptr : &p->second, step);
        !v.empty())
      return invariant_violated("MemoryStore::commit_steps", v);
    const ExecutionRecord& r = step.execution;
    prior[arn] = invariants::PriorRow{r.status, r.history_count, r.redrive_count};
  }
  return ok_status();
}

void MemoryStore::apply_step(StepRecord& step) {
  const std::string arn = step.execution.arn;
  auto [it, inserted] = executions_.try_emplace(arn);
  Execution& ex = it->second;
  if (inserted) {
    ex.row = std::move(step.execution);
    by_machine_[ex.row.state_machine_arn].insert(ListKey{ex.row.start_ms, arn});
  } else {
    // As SqliteStore: identity, input and definition are fixed by the first step.
    if (ex.row.status == "RUNNING") running_.erase({ex.row.start_ms, arn});
    ExecutionRecord& next = step.execution;
    next.state_machine_arn = std::move(ex.row.state_machine_arn);
    next.start_ms = ex.row.start_ms;
    next.input = std::move(ex.row.input);
    next.definition = std::move(ex.row.definition);
    ex.row = std::move(next);
  }
  if (ex.row.status == "RUNNING") running_.insert({ex.row.start_ms, arn});
  for (auto& e : step.events) ex.events.push_back(std::move(e));
  if (step.has_journal) {
    const auto seq = static_cast<std::int64_t>(ex.journal.size()) + 1;
    ex.journal.push_back(JournalEntry{seq, std::move(step.journal)});
  }
  apply_map_runs(step);
}

void MemoryStore::commit_steps(const Fence& fence, std::vector<StepRecord> steps,
                               std::function<void(Status)> done) {
  Status status = ok_status();
  {
    base::MutexLock lock(mu_);
    status = check_fence(fence);
    if (status.ok()) status = check_steps(steps);
    if (status.ok()) {
      for (auto& step : steps) apply_step(step);
    }
  }
  if (done) done(std::move(status));
}

Result<std::optional<ExecutionRecord>> MemoryStore::get_execution(const std::string& arn) {
  base::MutexLock lock(mu_);
  auto it = executions_.find(arn);
  if (it == executions_.end()) return std::optional<ExecutionRecord>();
  if (auto v = invariants::row_violation(it->second.row); !v.empty())
    return invariant_violated("MemoryStore::get_execution", v);
  return std::optional<ExecutionRecord>(it->second.row);
}

Result<std::vector<ExecutionRecord>> MemoryStore::list_executions(const ExecutionQuery& q) {
  base::MutexLock lock(mu_);
  std::vector<ExecutionRecord> out;
  auto idx = by_machine_.find(q.state_machine_arn);
  if (idx == by_machine_.end()) return out;
  auto pos = idx->second.begin();
  if (!q.after_arn.empty()) {
    auto after = executions_.find(q.after_arn);
    if (after == executions_.end()) return out;  // unknown cursor: nothing follows it
    pos = idx->second.upper_bound(ListKey{after->second.row.start_ms, q.after_arn});
  }
  for (; pos != idx->second.end() && out.size() < q.limit; ++pos) {
    const ExecutionRecord& r = executions_.at(pos->second).row;
    if (matches(r, q)) out.push_back(r);
  }
  return out;
}

Result<std::vector<history::HistoryEvent>> MemoryStore::history(const HistoryQuery& q) {
  base::MutexLock lock(mu_);
  std::vector<history::HistoryEvent> out;
  auto it = executions_.find(q.execution_arn);
  if (it == executions_.end()) return out;
  const auto& events = it->second.events;
  auto by_id = [](const history::HistoryEvent& e, std::int64_t id) { return e.id < id; };
  if (!q.reverse) {
    auto pos = std::lower_bound(events.begin(), events.end(), q.after_id + 1, by_id);
    for (; pos != events.end() && out.size() < q.limit; ++pos) out.push_back(*pos);
  } else {
    auto end = q.after_id == 0 ? events.end()
                               : std::lower_bound(events.begin(), events.end(), q.after_id, by_id);
    for (auto pos = end; pos != events.begin() && out.size() < q.limit;) out.push_back(*--pos);
  }
  if (auto v = invariants::history_violation(out, q.reverse); !v.empty())
    return invariant_violated("MemoryStore::history", q.execution_arn + ": " + v);
  return out;
}

Result<std::vector<JournalEntry>> MemoryStore::journal(const std::string& execution_arn,
                                                       std::int64_t after_seq, std::size_t limit) {
  base::MutexLock lock(mu_);
  std::vector<JournalEntry> out;
  auto it = executions_.find(execution_arn);
  if (it == executions_.end()) return out;
  for (const JournalEntry& e : it->second.journal) {  // seq = position + 1
    if (out.size() == limit) break;
    if (e.seq > after_seq) out.push_back(e);
  }
  return out;
}

Result<std::vector<RunningExecution>> MemoryStore::running_index(const RunningKey& after,
                                                                 std::size_t limit) {
  base::MutexLock lock(mu_);
  std::vector<RunningExecution> out;
  auto pos = running_.upper_bound({after.start_ms, after.arn});
  for (; pos != running_.end() && out.size() < limit; ++pos) {
    const ExecutionRecord& r = executions_.at(pos->second).row;
    out.push_back({r.arn, r.state_machine_arn, r.type, r.wake_ms, r.start_ms});
  }
  return out;
}

void MemoryStore::erase_execution(const std::string& arn) {
  auto it = executions_.find(arn);
  if (it == executions_.end()) return;
  auto idx = by_machine_.find(it->second.row.state_machine_arn);
  if (idx != by_machine_.end()) {
    idx->second.erase(ListKey{it->second.row.start_ms, arn});
    if (idx->second.empty()) by_machine_.erase(idx);
  }
  running_.erase({it->second.row.start_ms, arn});
  executions_.erase(it);
  erase_map_runs(arn);
}

Result<std::int64_t> MemoryStore::purge_closed_before(Millis before_ms) {
  base::MutexLock lock(mu_);
  std::vector<std::string> doomed;
  for (const auto& [arn, ex] : executions_) {
    if (is_closed(ex.row) && ex.row.stop_ms > 0 && ex.row.stop_ms < before_ms)
      doomed.push_back(arn);
  }
  for (const auto& arn : doomed) erase_execution(arn);
  return static_cast<std::int64_t>(doomed.size());
}

}  // namespace stepwise::store
