// The invariants of what an ExecutionStore holds, checked by both stores on every write and
// every read (docs/ARCHITECTURE.md, "Handle or crash"). Each check returns "" when it holds, or
// what broke; the store hands a violation to invariant_violated() (base/invariant.h), which
// crashes in tests and debug builds and refuses the write or read in release.
//
//  - A row's status is one AWS knows; a closed row (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) is
//    dormant (wake_ms 0) and stopped no earlier than it started.
//  - Transitions: RUNNING may become anything (the first step may already end the execution);
//    a closed row changes only by a redrive (RUNNING again, redrive_count one higher); counts
//    never shrink.
//  - The history's id chain (STANDARD; Express keeps no history): a step's events have ids
//    following the row's previous history_count one by one (an id already stored is the
//    store's Store.Conflict, not a violation), each after its causal predecessor
//    (0 <= previousEventId < id), and the row's history_count is the last id; a page read back
//    is consecutive in its direction.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "history/event.h"
#include "store/store.h"

namespace stepwise::store::invariants {

// What a store knew of the row before a step (nothing for the first step of an execution).
struct PriorRow {
  std::string status;
  std::int64_t history_count = 0;
  std::int64_t redrive_count = 0;
};

// A row as written or read.
std::string row_violation(const ExecutionRecord& r);

// One step against the row before it (nullptr: the step creates the execution).
std::string step_violation(const PriorRow* before, const StepRecord& step);

// A page of history as read back (ascending ids, or descending when `reverse`).
std::string history_violation(const std::vector<history::HistoryEvent>& events, bool reverse);

bool is_closed_status(const std::string& status);

}  // namespace stepwise::store::invariants
