// The store invariants (store/invariants.h): each rule catches what it names, and a store in
// refuse mode turns a violation into an error that writes nothing.
#include "store/invariants.h"

#include <gtest/gtest.h>

#include "base/invariant.h"
#include "store/memory_store.h"
#include "store/test_util.h"

namespace stepwise::store {
namespace {

using invariants::PriorRow;
using invariants::step_violation;

TEST(StoreInvariants, AChainedStepHolds) {
  auto row = execution("a", 1);
  EXPECT_EQ(step_violation(nullptr, start_step(row, 3)), "");
  PriorRow before{"RUNNING", 3, 0};
  EXPECT_EQ(step_violation(&before, step(row, 4, 2, "{}")), "");
}

TEST(StoreInvariants, AGapInTheHistoryIsAViolation) {
  auto row = execution("a", 1);
  PriorRow before{"RUNNING", 3, 0};
  EXPECT_NE(step_violation(&before, step(row, 5, 1, "{}")).find("where 4 comes next"),
            std::string::npos);
  auto s = step(row, 4, 3, "{}");
  s.events[1].id = 9;
  EXPECT_NE(step_violation(&before, s), "");
  s = step(row, 4, 1, "{}");
  s.events[0].previous_event_id = 4;  // an event after itself
  EXPECT_NE(step_violation(&before, s).find("follows event 4"), std::string::npos);
  s = step(row, 4, 1, "{}");
  s.execution.history_count = 7;
  EXPECT_NE(step_violation(&before, s).find("history_count 7"), std::string::npos);
}

TEST(StoreInvariants, AnIdAlreadyStoredIsLeftToTheStoreAsAConflict) {
  auto row = execution("a", 1);
  PriorRow before{"RUNNING", 3, 0};
  EXPECT_EQ(step_violation(&before, step(row, 3, 1, "{}")), "");
}

TEST(StoreInvariants, AClosedRowChangesOnlyByARedrive) {
  auto row = execution("a", 1);
  row.status = "SUCCEEDED";
  row.stop_ms = row.start_ms + 5;
  PriorRow failed{"FAILED", 3, 0};
  EXPECT_NE(step_violation(&failed, step(row, 4, 1, "{}")).find("without a redrive"),
            std::string::npos);
  row.status = "RUNNING";
  EXPECT_NE(step_violation(&failed, step(row, 4, 1, "{}")), "");  // no redrive counted
  row.redrive_count = 1;
  EXPECT_EQ(step_violation(&failed, step(row, 4, 1, "{}")), "");
  PriorRow fewer{"RUNNING", 5, 0};
  EXPECT_NE(step_violation(&fewer, step(row, 4, 0, "{}")).find("shrinks"), std::string::npos);
}

TEST(StoreInvariants, RowsAreChecked) {
  auto row = execution("a", 100);
  EXPECT_EQ(invariants::row_violation(row), "");
  row.status = "DONE";
  EXPECT_NE(invariants::row_violation(row).find("unknown status"), std::string::npos);
  row.status = "ABORTED";
  row.wake_ms = 10;
  EXPECT_NE(invariants::row_violation(row).find("due to wake"), std::string::npos);
  row.wake_ms = 0;
  row.stop_ms = 50;
  EXPECT_NE(invariants::row_violation(row).find("before it started"), std::string::npos);
}

TEST(StoreInvariants, HistoryPagesAreConsecutiveInTheirDirection) {
  std::vector<history::HistoryEvent> page{event(3), event(4), event(5)};
  EXPECT_EQ(invariants::history_violation(page, false), "");
  EXPECT_NE(invariants::history_violation(page, true), "");
  std::reverse(page.begin(), page.end());
  EXPECT_EQ(invariants::history_violation(page, true), "");
  page = {event(1), event(3)};
  EXPECT_NE(invariants::history_violation(page, false), "");
}

// Release builds refuse: the commit fails with Store.InvariantViolated and nothing of it is
// written (test binaries otherwise crash, tests/support/invariants_crash.cpp).
TEST(StoreInvariants, RefuseModeFailsTheCommitAndWritesNothing) {
  set_invariant_mode(InvariantMode::refuse);
  MemoryStore s;
  auto row = execution("a", 1);
  ASSERT_TRUE(commit(s, {start_step(row, 2)}).ok());
  Status st = commit(s, {step(row, 4, 1, "{}")});  // event 3 skipped
  set_invariant_mode(InvariantMode::crash);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().name, "Store.InvariantViolated");
  EXPECT_EQ(ok_value(s.get_execution(row.arn))->history_count, 2);
}

TEST(StoreInvariantsDeathTest, TestsCrashOnAViolation) {
  MemoryStore s;
  auto row = execution("a", 1);
  ASSERT_TRUE(commit(s, {start_step(row, 2)}).ok());
  EXPECT_DEATH((void)commit(s, {step(row, 4, 1, "{}")}), "invariant violated");
}

}  // namespace
}  // namespace stepwise::store
