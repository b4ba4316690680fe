// Map Run records of Distributed Maps: the run's status, settings and counts, and each child
// execution's status, dates and payloads, kept as iterations start and end and handed to the
// driver with each step (take_map_run_changes), which commits them with the step's events.
// UpdateMapRun changes a running run's MaxConcurrency and tolerated failures; a redrive of the
// parent redrives the run (map_run_redriven: interpreter_redrive.cpp says when).
//
// Only a Distributed Map that writes its own history events has a run (a Distributed Map inside
// another one's iterations writes none, as its MapRunStarted is not recorded either); Express
// executions keep none (nothing of theirs is stored).
#include <algorithm>
#include <unordered_map>

#include "base/arn.h"
#include "engine/execution_internal.h"
#include "engine/interpreter.h"
#include "json/clamp.h"

namespace stepwise::engine {

using detail::MapRunTrack;

namespace {

// JSON text of a payload, or nullopt when larger than a child's limit.
std::optional<std::string> child_payload(const json::value& v) {
  std::string text = json::dump(v);
  if (text.size() > history::map_run_child_payload_chars_max) return std::nullopt;
  return text;
}

std::string capped(const std::string& s, std::size_t max) {
  return s.size() <= max ? s : s.substr(0, max);
}

void move_count(history::MapRunCounts& c, std::int64_t n, std::int64_t history::MapRunCounts::*from,
                std::int64_t history::MapRunCounts::*to) {
  c.*from -= n;
  c.*to += n;
}

}  // namespace

void Execution::map_run_touch(MapRunTrack& t, int f) {
  if (t.dirty) return;
  t.dirty = true;
  map_runs_dirty_.push_back(f);
}

void Execution::map_run_open(int f, std::string arn) {
  if (info_.express) return;
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (fr.map_run && fr.map_run->dirty) {  // a retried Map: the last run's final record
    map_runs_out_.push_back(fr.map_run->rec);
    fr.map_run->dirty = false;
  }
  const asl::State& s = fr.cur();
  auto t = std::make_unique<MapRunTrack>();
  t->rec.arn = std::move(arn);
  t->rec.execution_arn = info_.execution_arn;
  // The child executions' machine: <machine>/<label>, in the execution's own partition.
  const auto parts = arn::parse(info_.execution_arn);
  t->rec.state_machine_arn = arn::make(
      "states", info_.region, info_.account,
      "stateMachine:" + info_.state_machine_name + "/" + (s.label.empty() ? s.name : s.label),
      parts ? parts->partition : arn::kDefaultPartition);
  t->rec.start_ms = now_;
  t->rec.max_concurrency = static_cast<std::int64_t>(fr.max_concurrency);
  t->rec.tolerated_failure_percentage = fr.tolerated_percentage.value_or(0);
  t->rec.tolerated_failure_count = fr.tolerated_count.value_or(0);
  fr.map_run = std::move(t);
  map_run_touch(*fr.map_run, f);
}

void Execution::map_run_children(int f, std::size_t items_total) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (!fr.map_run) return;
  MapRunTrack& t = *fr.map_run;
  const json::array& children = fr.items.get_array();
  const std::size_t n = children.size();
  t.state.assign(n, MapRunTrack::kPending);
  t.start_ms.assign(n, 0);
  t.items.clear();
  if (fr.cur().item_batcher) {
    t.items.reserve(n);
    for (const json::value& batch : children) {
      const json::value* items =
          batch.is_object() ? batch.as_object().if_contains("Items") : nullptr;
      t.items.push_back(items != nullptr && items->is_array()
                            ? static_cast<std::uint32_t>(items->get_array().size())
                            : 1U);
    }
  }
  t.rec.executions.total = t.rec.executions.pending = static_cast<std::int64_t>(n);
  t.rec.items.total = t.rec.items.pending = static_cast<std::int64_t>(items_total);
  map_run_touch(t, f);
}

void Execution::map_run_child_started(int f, std::size_t index, const json::value& input) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (!fr.map_run || index >= fr.map_run->state.size()) return;
  MapRunTrack& t = *fr.map_run;
  using C = history::MapRunCounts;
  const std::int64_t k = t.items.empty() ? 1 : t.items[index];
  if (t.state[index] == MapRunTrack::kPending) {
    move_count(t.rec.executions, 1, &C::pending, &C::running);
    move_count(t.rec.items, k, &C::pending, &C::running);
  } else if (t.state[index] != MapRunTrack::kRunning) {  // started again (a redrive)
    auto from = t.state[index] == MapRunTrack::kSucceeded        ? &C::succeeded
                : t.state[index] == MapRunTrack::kFailed         ? &C::failed
                : t.state[index] == MapRunTrack::kPendingRedrive ? &C::pending_redrive
                                                                 : &C::aborted;
    move_count(t.rec.executions, 1, from, &C::running);
    move_count(t.rec.items, k, from, &C::running);
  }
  t.state[index] = MapRunTrack::kRunning;
  t.start_ms[index] = now_;
  history::MapRunChild c;
  c.map_run_arn = t.rec.arn;
  c.index = static_cast<std::int64_t>(index);
  c.name = history::map_run_child_name(t.rec.arn, c.index);
  c.arn = history::map_run_child_arn(t.rec.arn, c.index);
  c.input = child_payload(input);
  c.start_ms = now_;
  map_run_children_out_.push_back(std::move(c));
  map_run_touch(t, f);
}

void Execution::map_run_child_ended(int f, std::size_t index, const json::value* output,
                                    const Failure* failure, bool aborted) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (!fr.map_run || index >= fr.map_run->state.size()) return;
  MapRunTrack& t = *fr.map_run;
  if (t.state[index] != MapRunTrack::kRunning) return;
  using C = history::MapRunCounts;
  const std::int64_t k = t.items.empty() ? 1 : t.items[index];
  const bool ok = failure == nullptr && !aborted;
  auto to = ok ? &C::succeeded : aborted ? &C::aborted : &C::failed;
  move_count(t.rec.executions, 1, &C::running, to);
  move_count(t.rec.items, k, &C::running, to);
  t.state[index] = ok        ? MapRunTrack::kSucceeded
                   : aborted ? MapRunTrack::kAborted
                             : MapRunTrack::kFailed;
  history::MapRunChild c;
  c.map_run_arn = t.rec.arn;
  c.index = static_cast<std::int64_t>(index);
  c.name = history::map_run_child_name(t.rec.arn, c.index);
  c.arn = history::map_run_child_arn(t.rec.arn, c.index);
  c.status = ok ? "SUCCEEDED" : aborted ? "ABORTED" : "FAILED";
  if (ok && output != nullptr) c.output = child_payload(*output);
  if (failure != nullptr && !aborted) {
    if (failure->has_error)
      c.error = capped(failure->error, history::map_run_child_error_chars_max);
    if (failure->has_cause)
      c.cause = capped(failure->cause, history::map_run_child_cause_chars_max);
  }
  c.start_ms = t.start_ms[index];
  c.stop_ms = now_;
  map_run_children_out_.push_back(std::move(c));
  map_run_touch(t, f);
}

void Execution::map_run_close(int f, const char* status) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (!fr.map_run || fr.map_run->rec.status != "RUNNING") return;
  MapRunTrack& t = *fr.map_run;
  for (std::size_t i = 0; i < t.state.size(); ++i) {
    if (t.state[i] == MapRunTrack::kRunning) map_run_child_ended(f, i, nullptr, nullptr, true);
  }
  t.rec.status = status;
  t.rec.stop_ms = now_;
  if (t.rec.status == "SUCCEEDED" && fr.cur().result_writer) {
    t.rec.executions.results_written = t.rec.executions.succeeded + t.rec.executions.failed;
    t.rec.items.results_written = t.rec.items.succeeded + t.rec.items.failed;
  }
  map_run_touch(t, f);
}

std::vector<std::size_t> Execution::map_run_redriven(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  std::vector<std::size_t> redo;
  if (!fr.map_run) return redo;
  MapRunTrack& t = *fr.map_run;
  using C = history::MapRunCounts;
  for (std::size_t i = 0; i < t.state.size(); ++i) {
    const auto st = t.state[i];
    if (st == MapRunTrack::kPendingRedrive) {  // not reached by the last redrive
      redo.push_back(i);
      continue;
    }
    if (st != MapRunTrack::kFailed && st != MapRunTrack::kAborted) continue;
    const std::int64_t k = t.items.empty() ? 1 : t.items[i];
    auto from = st == MapRunTrack::kFailed ? &C::failed : &C::aborted;
    move_count(t.rec.executions, 1, from, &C::pending_redrive);
    move_count(t.rec.items, k, from, &C::pending_redrive);
    t.state[i] = MapRunTrack::kPendingRedrive;
    redo.push_back(i);
  }
  t.rec.status = "RUNNING";
  t.rec.stop_ms = 0;
  ++t.rec.redrive_count;
  t.rec.redrive_ms = now_;
  t.rec.executions.results_written = 0;
  t.rec.items.results_written = 0;
  map_run_touch(t, f);
  return redo;
}

void Execution::update_map_run(const json::value& update) {
  const json::object* o = update.if_object();
  const json::value* arn = o != nullptr ? o->if_contains("mapRunArn") : nullptr;
  if (arn == nullptr || !arn->is_string()) return;
  for (std::size_t i = 0; i < frames_.size(); ++i) {
    Frame& fr = *frames_[i];
    if (!fr.map_run || fr.done || fr.map_run->rec.arn != arn->get_string() ||
        fr.map_run->rec.status != "RUNNING")
      continue;
    MapRunTrack& t = *fr.map_run;
    if (const json::value* v = o->if_contains("maxConcurrency");
        v != nullptr && json::is_number(*v)) {
      fr.max_concurrency =
          static_cast<std::size_t>(std::max<std::int64_t>(0, json::as_int64_clamped(*v)));
      t.rec.max_concurrency = static_cast<std::int64_t>(fr.max_concurrency);
    }
    if (const json::value* v = o->if_contains("toleratedFailurePercentage");
        v != nullptr && json::is_number(*v)) {
      fr.tolerated_percentage = json::as_double(*v);
      t.rec.tolerated_failure_percentage = *fr.tolerated_percentage;
    }
    if (const json::value* v = o->if_contains("toleratedFailureCount");
        v != nullptr && json::is_number(*v)) {
      fr.tolerated_count = json::as_int64_clamped(*v);
      t.rec.tolerated_failure_count = *fr.tolerated_count;
    }
    map_run_touch(t, static_cast<int>(i));
    if (!t.state.empty()) start_map_iterations(static_cast<int>(i));  // a higher limit
    run_queue();
    return;
  }
}

void Execution::take_map_run_changes(std::vector<history::MapRunRecord>& runs,
                                     std::vector<history::MapRunChild>& children) {
  runs = std::move(map_runs_out_);
  map_runs_out_.clear();
  for (int f : map_runs_dirty_) {
    Frame& fr = *frames_[static_cast<std::size_t>(f)];
    if (!fr.map_run || !fr.map_run->dirty) continue;
    runs.push_back(fr.map_run->rec);
    fr.map_run->dirty = false;
  }
  map_runs_dirty_.clear();
  children.clear();
  children.reserve(map_run_children_out_.size());
  // A child that started and ended in this step: one record, with its start's input.
  std::unordered_map<std::string_view, std::size_t> at;
  // Keys view the arns in `children`, which never reallocates (reserved) nor changes an arn.
  for (history::MapRunChild& c : map_run_children_out_) {
    auto it = at.find(c.arn);
    if (it == at.end()) {
      children.push_back(std::move(c));
      at.emplace(children.back().arn, children.size() - 1);
      continue;
    }
    history::MapRunChild& earlier = children[it->second];
    if (c.input) earlier.input = std::move(c.input);
    earlier.status = std::move(c.status);
    earlier.output = std::move(c.output);
    earlier.error = std::move(c.error);
    earlier.cause = std::move(c.cause);
    earlier.start_ms = c.start_ms;
    earlier.stop_ms = c.stop_ms;
  }
  map_run_children_out_.clear();
}

}  // namespace stepwise::engine
