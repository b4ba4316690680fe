// MemoryStore: maps under one mutex. See memory_store.h.
#include "store/memory_store.h"

#include <algorithm>

#include "store/errors.h"

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

// --- registry ---

Status MemoryStore::put_state_machine(const StateMachineRecord& r) {
  std::lock_guard lock(mu_);
  machines_.put(r.arn, r);
  return ok_status();
}

std::optional<StateMachineRecord> MemoryStore::get_state_machine(const std::string& arn) {
  std::lock_guard lock(mu_);
  return machines_.get(arn);
}

Status MemoryStore::delete_state_machine(const std::string& arn) {
  std::lock_guard lock(mu_);
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

std::vector<StateMachineRecord> MemoryStore::list_state_machines() {
  std::lock_guard lock(mu_);
  std::vector<StateMachineRecord> out;
  machines_.for_each([&](const StateMachineRecord& r) { out.push_back(r); });
  return out;
}

Status MemoryStore::put_version(const VersionRecord& r) {
  std::lock_guard lock(mu_);
  versions_.put(r.arn, r);
  return ok_status();
}

std::optional<VersionRecord> MemoryStore::get_version(const std::string& arn) {
  std::lock_guard lock(mu_);
  return versions_.get(arn);
}

Status MemoryStore::delete_version(const std::string& arn) {
  std::lock_guard lock(mu_);
  versions_.erase(arn);
  tags_.erase(arn);
  return ok_status();
}

std::vector<VersionRecord> MemoryStore::list_versions(const std::string& state_machine_arn) {
  std::lock_guard lock(mu_);
  std::vector<VersionRecord> out;
  versions_.for_each([&](const VersionRecord& v) {
    if (v.state_machine_arn == state_machine_arn) out.push_back(v);
  });
  std::stable_sort(out.begin(), out.end(),
                   [](const VersionRecord& a, const VersionRecord& b) { return a.version > b.version; });
  return out;
}

Status MemoryStore::put_alias(const AliasRecord& r) {
  std::lock_guard lock(mu_);
  aliases_.put(r.arn, r);
  return ok_status();
}

std::optional<AliasRecord> MemoryStore::get_alias(const std::string& arn) {
  std::lock_guard lock(mu_);
  return aliases_.get(arn);
}

Status MemoryStore::delete_alias(const std::string& arn) {
  std::lock_guard lock(mu_);
  aliases_.erase(arn);
  tags_.erase(arn);
  return ok_status();
}

std::vector<AliasRecord> MemoryStore::list_aliases(const std::string& state_machine_arn) {
  std::lock_guard lock(mu_);
  std::vector<AliasRecord> out;
  aliases_.for_each([&](const AliasRecord& a) {
    if (a.state_machine_arn == state_machine_arn) out.push_back(a);
  });
  return out;
}

Status MemoryStore::put_activity(const ActivityRecord& r) {
  std::lock_guard lock(mu_);
  activities_.put(r.arn, r);
  return ok_status();
}

std::optional<ActivityRecord> MemoryStore::get_activity(const std::string& arn) {
  std::lock_guard lock(mu_);
  return activities_.get(arn);
}

Status MemoryStore::delete_activity(const std::string& arn) {
  std::lock_guard lock(mu_);
  activities_.erase(arn);
  tags_.erase(arn);
  return ok_status();
}

std::vector<ActivityRecord> MemoryStore::list_activities() {
  std::lock_guard lock(mu_);
  std::vector<ActivityRecord> out;
  activities_.for_each([&](const ActivityRecord& r) { out.push_back(r); });
  return out;
}

Status MemoryStore::put_tags(const std::string& resource_arn, const Tags& tags) {
  std::lock_guard lock(mu_);
  if (tags.empty()) {
    tags_.erase(resource_arn);
  } else {
    tags_[resource_arn] = tags;
  }
  return ok_status();
}

Tags MemoryStore::get_tags(const std::string& resource_arn) {
  std::lock_guard lock(mu_);
  auto it = tags_.find(resource_arn);
  return it == tags_.end() ? Tags{} : it->second;
}

// --- executions ---

// A call is all or nothing: every history event id must be new for its execution (ids only grow;
// a replayed step committed twice would otherwise duplicate history).
Status MemoryStore::check_steps(const std::vector<StepRecord>& steps) const {
  std::unordered_map<std::string, std::int64_t> last_id;
  for (const auto& step : steps) {
    const std::string& arn = step.execution.arn;
    auto [it, inserted] = last_id.try_emplace(arn, 0);
    if (inserted) {
      auto ex = executions_.find(arn);
      if (ex != executions_.end() && !ex->second.events.empty()) it->second = ex->second.events.back().id;
    }
    for (const auto& e : step.events) {
      if (e.id <= it->second) {
        return Error{errors::conflict, "history event " + std::to_string(e.id) + " of " + arn +
                                           " is already stored (ids must grow)"};
      }
      it->second = e.id;
    }
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
    ExecutionRecord& next = step.execution;
    next.state_machine_arn = std::move(ex.row.state_machine_arn);
    next.start_ms = ex.row.start_ms;
    next.input = std::move(ex.row.input);
    next.definition = std::move(ex.row.definition);
    ex.row = std::move(next);
  }
  for (auto& e : step.events) ex.events.push_back(std::move(e));
  if (step.has_journal) {
    const auto seq = static_cast<std::int64_t>(ex.journal.size()) + 1;
    ex.journal.push_back(JournalEntry{seq, std::move(step.journal)});
  }
}

void MemoryStore::commit_steps(std::vector<StepRecord> steps, std::function<void(Status)> done) {
  Status status = ok_status();
  {
    std::lock_guard lock(mu_);
    status = check_steps(steps);
    if (status.ok()) {
      for (auto& step : steps) apply_step(step);
    }
  }
  if (done) done(std::move(status));
}

std::optional<ExecutionRecord> MemoryStore::get_execution(const std::string& arn) {
  std::lock_guard lock(mu_);
  auto it = executions_.find(arn);
  if (it == executions_.end()) return std::nullopt;
  return it->second.row;
}

std::vector<ExecutionRecord> MemoryStore::list_executions(const ExecutionQuery& q) {
  std::lock_guard lock(mu_);
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

std::vector<engine::HistoryEvent> MemoryStore::history(const HistoryQuery& q) {
  std::lock_guard lock(mu_);
  std::vector<engine::HistoryEvent> out;
  auto it = executions_.find(q.execution_arn);
  if (it == executions_.end()) return out;
  const auto& events = it->second.events;
  auto by_id = [](const engine::HistoryEvent& e, std::int64_t id) { return e.id < id; };
  if (!q.reverse) {
    auto pos = std::lower_bound(events.begin(), events.end(), q.after_id + 1, by_id);
    for (; pos != events.end() && out.size() < q.limit; ++pos) out.push_back(*pos);
    return out;
  }
  auto end = q.after_id == 0 ? events.end() : std::lower_bound(events.begin(), events.end(), q.after_id, by_id);
  for (auto pos = end; pos != events.begin() && out.size() < q.limit;) out.push_back(*--pos);
  return out;
}

std::vector<JournalEntry> MemoryStore::journal(const std::string& execution_arn) {
  std::lock_guard lock(mu_);
  auto it = executions_.find(execution_arn);
  if (it == executions_.end()) return {};
  return it->second.journal;
}

std::vector<ExecutionRecord> MemoryStore::running_executions() {
  std::lock_guard lock(mu_);
  std::vector<ExecutionRecord> out;
  for (const auto& [arn, ex] : executions_) {
    if (ex.row.status == "RUNNING") out.push_back(ex.row);
  }
  std::sort(out.begin(), out.end(), [](const ExecutionRecord& a, const ExecutionRecord& b) {
    return std::tie(a.start_ms, a.arn) < std::tie(b.start_ms, b.arn);
  });
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
  executions_.erase(it);
}

Result<std::int64_t> MemoryStore::purge_closed_before(Millis before_ms) {
  std::lock_guard lock(mu_);
  std::vector<std::string> doomed;
  for (const auto& [arn, ex] : executions_) {
    if (is_closed(ex.row) && ex.row.stop_ms > 0 && ex.row.stop_ms < before_ms) doomed.push_back(arn);
  }
  for (const auto& arn : doomed) erase_execution(arn);
  return static_cast<std::int64_t>(doomed.size());
}

}  // namespace stepwise::store
