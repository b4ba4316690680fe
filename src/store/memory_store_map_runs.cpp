// MemoryStore's Map Runs: the runs of each execution and the child executions of each run,
// written with their execution's steps and erased with it. See memory_store.h.
#include "store/memory_store.h"

namespace stepwise::store {

void MemoryStore::apply_map_runs(StepRecord& step) {
  for (MapRunRecord& r : step.map_runs) {
    auto [it, inserted] = map_runs_.try_emplace(r.arn);
    if (!inserted)
      map_runs_by_execution_[it->second.execution_arn].erase({it->second.start_ms, r.arn});
    map_runs_by_execution_[r.execution_arn].insert(ListKey{r.start_ms, r.arn});
    it->second = std::move(r);
  }
  for (MapRunChild& c : step.map_run_children) {
    auto [it, inserted] = map_run_children_.try_emplace(c.arn);
    ChildIndex& index = children_by_run_[c.map_run_arn];
    if (!inserted) {
      index.erase(ChildKey{it->second.start_ms, it->second.index});
      if (!c.input) c.input = std::move(it->second.input);  // an end keeps the start's input
    }
    index[ChildKey{c.start_ms, c.index}] = c.arn;
    it->second = std::move(c);
  }
}

void MemoryStore::erase_map_runs(const std::string& execution_arn) {
  auto runs = map_runs_by_execution_.find(execution_arn);
  if (runs == map_runs_by_execution_.end()) return;
  for (const auto& key : runs->second) {
    const std::string& run = key.second;
    if (auto c = children_by_run_.find(run); c != children_by_run_.end()) {
      for (const auto& kv : c->second) map_run_children_.erase(kv.second);
      children_by_run_.erase(c);
    }
    map_runs_.erase(run);
  }
  map_runs_by_execution_.erase(runs);
}

Result<std::optional<MapRunRecord>> MemoryStore::get_map_run(const std::string& arn) {
  base::MutexLock lock(mu_);
  auto it = map_runs_.find(arn);
  if (it == map_runs_.end()) return std::optional<MapRunRecord>();
  return std::optional<MapRunRecord>(it->second);
}

Result<std::vector<MapRunRecord>> MemoryStore::list_map_runs(const std::string& execution_arn,
                                                             const std::string& after_arn,
                                                             std::size_t limit) {
  base::MutexLock lock(mu_);
  std::vector<MapRunRecord> out;
  auto idx = map_runs_by_execution_.find(execution_arn);
  if (idx == map_runs_by_execution_.end()) return out;
  auto pos = idx->second.begin();
  if (!after_arn.empty()) {
    auto after = map_runs_.find(after_arn);
    if (after == map_runs_.end() || after->second.execution_arn != execution_arn) return out;
    pos = idx->second.upper_bound(ListKey{after->second.start_ms, after_arn});
  }
  for (; pos != idx->second.end() && out.size() < limit; ++pos)
    out.push_back(map_runs_.at(pos->second));
  return out;
}

Result<std::optional<MapRunChild>> MemoryStore::get_map_run_child(const std::string& arn) {
  base::MutexLock lock(mu_);
  auto it = map_run_children_.find(arn);
  if (it == map_run_children_.end()) return std::optional<MapRunChild>();
  return std::optional<MapRunChild>(it->second);
}

Result<std::vector<MapRunChild>> MemoryStore::list_map_run_children(const MapRunChildQuery& q) {
  base::MutexLock lock(mu_);
  std::vector<MapRunChild> out;
  auto idx = children_by_run_.find(q.map_run_arn);
  if (idx == children_by_run_.end()) return out;
  auto pos = idx->second.begin();
  if (!q.after_arn.empty()) {
    auto after = map_run_children_.find(q.after_arn);
    if (after == map_run_children_.end() || after->second.map_run_arn != q.map_run_arn) return out;
    pos = idx->second.upper_bound(ChildKey{after->second.start_ms, after->second.index});
  }
  for (; pos != idx->second.end() && out.size() < q.limit; ++pos) {
    const MapRunChild& c = map_run_children_.at(pos->second);
    if (q.status.empty() || c.status == q.status) out.push_back(c);
  }
  return out;
}

}  // namespace stepwise::store
