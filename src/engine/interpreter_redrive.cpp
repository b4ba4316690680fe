// Redrive: an execution that failed, timed out or was stopped runs again from where it
// ended (RedriveExecution), its succeeded branches and iterations kept.
#include "engine/interpreter.h"

#include <algorithm>

#include "engine/execution_internal.h"

namespace stepwise::engine {

using asl::State;
using asl::StateType;
using detail::redrives_max;
using json::object;

// ---------------------------------------------------------------------------- redrive

bool Execution::redrive(Millis now_ms) {
  if (!(status_ == "FAILED" || status_ == "TIMED_OUT" || status_ == "ABORTED") || info_.express ||
      !history_on() || frames_.empty() || redrive_count_ >= redrives_max) {
    return false;
  }
  try {
    now_ = std::max(now_, now_ms);
    ++redrive_count_;
    redrive_ms_ = now_;
    status_.clear();
    output_.reset();
    error_.reset();
    cause_.reset();
    emit_prev(next_event_id_ - 1, "ExecutionRedriven", "executionRedrivenEventDetails",
              object{{"redriveCount", redrive_count_}});
    arm_execution_timeout();
    redrive_frame(0);
    run_queue();
  } catch (const std::exception& e) {
    finish_execution("FAILED", std::nullopt, std::string("States.Runtime"),
                     std::string("Internal error while running the execution: ") + e.what());
  }
  return true;
}

// Frame f ended without reaching its end: its current state runs again with the input it was
// entered with, unless it is a Parallel or inline Map whose branches can resume.
void Execution::redrive_frame(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  fr.done = false;
  fr.task_op = 0;
  fr.timer_ops.clear();
  fr.sent_request.reset();
  fr.map_context.reset();  // $$.Execution.RedriveCount changed
  if (!fr.entered_input.empty()) {
    auto parsed = json::parse(fr.entered_input);
    if (parsed) fr.input = std::move(*parsed);
  }
  fr.input_text = std::move(fr.entered_input);
  fr.entered_input.clear();
  if (fr.parent >= 0) {
    const Frame& p = *frames_[static_cast<std::size_t>(fr.parent)];
    fr.parent_activation = p.activation;
    fr.last_event = p.last_event;
  } else {
    fr.last_event = next_event_id_ - 1;
  }
  enter_state(f, fr.state);
  if (!redrive_children(f)) ready_.push_back(f);
}

// A Parallel or inline Map that failed (or was stopped) while its children ran: the children
// that did not succeed run again, the others keep their results. False when the state must
// start over instead (it failed before or after its children).
bool Execution::redrive_children(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const bool is_map = s.type == StateType::kMap;
  if (is_map && s.distributed) return redrive_map_run(f);
  if ((!is_map && s.type != StateType::kParallel) || fr.children.empty() || fr.pending == 0 ||
      fr.results.empty()) {
    return false;
  }
  const std::vector<int> children = fr.children;
  for (int c : children) {
    if (frames_[static_cast<std::size_t>(c)]->parent_activation + 1 != fr.activation) return false;
  }
  if (is_map) {
    emit(f, "MapStateStarted", "mapStateStartedEventDetails", [&] {
      object d;
      if (history_on()) d["length"] = static_cast<std::int64_t>(fr.results.size());
      return d;
    }());
  } else {
    emit(f, "ParallelStateStarted", "", object());
  }
  fr.pending = 0;
  fr.running = 0;
  fr.failed = 0;
  fr.map_cursor = fr.last_event;
  for (int c : children) {
    Frame& cf = *frames_[static_cast<std::size_t>(c)];
    if (cf.succeeded) continue;
    ++fr.pending;
    if (is_map) {
      ++fr.running;
      std::int64_t id =
          emit_prev(fr.map_cursor, "MapIterationStarted", "mapIterationStartedEventDetails", [&] {
            object d;
            if (history_on()) {
              d["index"] = static_cast<std::int64_t>(cf.index);
              d["name"] = s.name;
            }
            return d;
          }());
      fr.last_event = id;
    }
    redrive_frame(c);
  }
  if (is_map) fr.pending += fr.results.size() - std::min(fr.next_item, fr.results.size());
  if (is_map) start_map_iterations(f);
  return true;
}

// A Distributed Map whose Map Run failed (or was stopped) while its children ran: the same run
// (its ARN, items and settings) is redriven, as AWS does: MapRunRedriven, the run's
// redriveCount and redriveDate, and its failed, timed-out and aborted children (tolerated
// failures too) run again from their start with their item, before the items never started;
// the children that succeeded keep their results. Stepwise keeps no history inside a child, so
// a child starts over rather than resuming (as AWS reruns Express children). False when the
// state must start over with a new run: the run never started its children, or it failed after
// they all succeeded (its ResultWriter), or it is a nested run that keeps no record.
bool Execution::redrive_map_run(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  if (fr.silent || !fr.map_run || fr.map_run->state.empty() ||
      fr.map_run->state.size() != fr.results.size() || fr.pending == 0) {
    return false;
  }
  const std::size_t n = fr.results.size();
  // The run's record says which children succeeded (their results are kept in fr.results);
  // the others start in new frames, so the old ones are no longer this Map's.
  fr.children.clear();
  emit(f, "MapStateStarted", "mapStateStartedEventDetails", [&] {
    object d;
    if (history_on()) d["length"] = static_cast<std::int64_t>(s.item_reader ? 0 : n);
    return d;
  }());
  fr.redo_items = map_run_redriven(f);
  fr.redo_next = 0;
  emit(f, "MapRunRedriven", "mapRunRedrivenEventDetails", [&] {
    object d;
    if (history_on()) {
      d["mapRunArn"] = fr.map_run->rec.arn;
      d["redriveCount"] = fr.map_run->rec.redrive_count;
    }
    return d;
  }());
  fr.pending = fr.redo_items.size() + (n - std::min(fr.next_item, n));
  fr.running = 0;
  fr.failed = 0;
  fr.map_cursor = fr.last_event;
  start_map_iterations(f);
  return true;
}

}  // namespace stepwise::engine
