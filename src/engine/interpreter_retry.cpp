// Retry and Catch: what a state's failure does next (another attempt after a back-off, a
// catcher's state, or the frame's failure).
#include "engine/interpreter.h"

#include <algorithm>
#include <cmath>

#include "base/limits.h"
#include "engine/execution_internal.h"

namespace stepwise::engine {

using asl::PathField;
using asl::State;
using asl::StateType;
using detail::error_matches;
using detail::error_output;
using json::object;
using json::value;

// ---------------------------------------------------------------------------- retry / catch

bool Execution::state_failed(int f, Failure failure, bool from_children) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  detail::cap_cause(failure.cause);
  const State& s = fr.cur();
  const bool handles =
      s.type == StateType::kTask || s.type == StateType::kParallel || s.type == StateType::kMap;
  if (failure.evaluation && !from_children) {
    evaluation_failed_event(f, failure);
    // A Map or Parallel that fails before (or after) its children still writes its Failed event.
    from_children = s.type == StateType::kMap || s.type == StateType::kParallel;
  }
  if (handles && failure.error != "States.Runtime") {
    for (std::size_t i = 0; i < s.retry.size(); ++i) {
      const asl::Retrier& r = s.retry[i];
      if (!error_matches(r.error_equals, failure.error)) continue;
      if (fr.retry_counts[i] >= r.max_attempts) break;
      double delay = static_cast<double>(r.interval_seconds) *
                     std::pow(r.backoff_rate, static_cast<double>(fr.retry_counts[i]));
      if (r.max_delay_seconds) delay = std::min(delay, static_cast<double>(*r.max_delay_seconds));
      delay = std::min(delay, static_cast<double>(limits::seconds_max));
      auto delay_ms = static_cast<Millis>(std::llround(delay * 1000.0));
      if (r.jitter_full && delay_ms > 0 && random_) {
        delay_ms = static_cast<Millis>(random_() % static_cast<std::uint64_t>(delay_ms + 1));
      }
      ++fr.retry_counts[i];
      ++fr.retry_count;
      start_timer(f, OpKind::kRetry, now_ + delay_ms);
      return false;
    }
  }
  if (from_children && !fr.silent) {
    emit(f, s.type == StateType::kMap ? "MapStateFailed" : "ParallelStateFailed", "", object());
  }
  if (handles && failure.error != "States.Runtime") {
    for (const auto& c : s.catchers) {
      if (!error_matches(c.error_equals, failure.error)) continue;
      value err = error_output(failure.error, failure.cause, failure.has_cause, failure.has_error);
      if (!fr.assigned.empty()) fr.assigned.clear();
      if (s.jsonata) return jsonata_catch(f, c, std::move(err));
      if (c.assign) {
        if (auto bad = apply_assign(f, *c.assign, err)) {
          frame_failed(f, std::move(*bad));
          return false;
        }
      }
      value out;
      switch (c.result_path.kind) {
        case PathField::Kind::kDefault:
          out = std::move(err);
          break;
        case PathField::Kind::kNull:
          out = std::move(fr.input);
          break;
        case PathField::Kind::kPath: {
          out = std::move(fr.input);
          Status st = c.result_path.path.assign(out, std::move(err));
          if (!st) {
            frame_failed(f, runtime_failure(fr, st.error().cause));
            return false;
          }
          break;
        }
      }
      return transition_out(f, std::move(out), c.next);
    }
  }
  if (s.type == StateType::kTask && fr.parent >= 0 && !fr.silent) {
    // A branch or iteration that fails on a Task records the state as aborted; the event does
    // not move the causal chain (AWS links the parent's next event to the failure itself).
    std::int64_t keep = fr.last_event;
    emit(f, "TaskStateAborted", "", object());
    fr.last_event = keep;
  }
  frame_failed(f, std::move(failure));
  return false;
}

}  // namespace stepwise::engine
