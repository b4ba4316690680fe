#include "store/invariants.h"

namespace stepwise::store::invariants {
namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

bool known_status(const std::string& s) {
  return s == "RUNNING" || s == "PENDING_REDRIVE" || is_closed_status(s);
}

}  // namespace

bool is_closed_status(const std::string& s) {
  return s == "SUCCEEDED" || s == "FAILED" || s == "TIMED_OUT" || s == "ABORTED";
}

std::string row_violation(const ExecutionRecord& r) {
  if (!known_status(r.status)) return r.arn + ": unknown status '" + r.status + "'";
  if (r.history_count < 0 || r.redrive_count < 0)
    return r.arn + ": negative count (history " + num(r.history_count) + ", redrives " +
           num(r.redrive_count) + ")";
  if (is_closed_status(r.status)) {
    if (r.wake_ms != 0) return r.arn + ": closed (" + r.status + ") but due to wake";
    if (r.stop_ms != 0 && r.stop_ms < r.start_ms)
      return r.arn + ": stopped at " + num(r.stop_ms) + " before it started at " + num(r.start_ms);
  }
  return "";
}

std::string step_violation(const PriorRow* before, const StepRecord& step) {
  const ExecutionRecord& r = step.execution;
  if (auto v = row_violation(r); !v.empty()) return v;
  if (before != nullptr) {
    if (r.history_count < before->history_count)
      return r.arn + ": history_count shrinks from " + num(before->history_count) + " to " +
             num(r.history_count);
    if (r.redrive_count < before->redrive_count) return r.arn + ": redrive_count shrinks";
    if (is_closed_status(before->status) && r.status != before->status) {
      if (r.status != "RUNNING" || r.redrive_count != before->redrive_count + 1)
        return r.arn + ": closed " + before->status + " becomes " + r.status + " without a redrive";
    }
  }
  if (r.type != "STANDARD" || step.events.empty()) return "";
  // An event id the row already holds is a conflict the store reports itself (Store.Conflict:
  // a replay that rebuilt other events); a gap, or ids out of order, is a bug.
  // Without a row before, the start of the chain is not checked: a row purged under a running
  // execution is written again from its next step (SqliteStore's remembered-row path).
  const std::int64_t next = before != nullptr ? before->history_count + 1 : 0;
  if (before != nullptr && step.events.front().id > next)
    return r.arn + ": history event " + num(step.events.front().id) + " where " + num(next) +
           " comes next (" + step.events.front().type + ")";
  std::int64_t expected = step.events.front().id;
  for (const auto& e : step.events) {
    if (e.id != expected)
      return r.arn + ": history event " + num(e.id) + " where " + num(expected) + " comes next (" +
             e.type + ")";
    if (e.previous_event_id < 0 || e.previous_event_id >= e.id)
      return r.arn + ": event " + num(e.id) + " follows event " + num(e.previous_event_id);
    ++expected;
  }
  if (r.history_count != expected - 1)
    return r.arn + ": history_count " + num(r.history_count) + " but the last event is " +
           num(expected - 1);
  return "";
}

std::string history_violation(const std::vector<history::HistoryEvent>& events, bool reverse) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (e.id < 1 || e.previous_event_id < 0 || e.previous_event_id >= e.id)
      return "event " + num(e.id) + " follows event " + num(e.previous_event_id);
    if (i > 0 && e.id != events[i - 1].id + (reverse ? -1 : 1))
      return "event " + num(e.id) + " read after event " + num(events[i - 1].id);
  }
  return "";
}

}  // namespace stepwise::store::invariants
