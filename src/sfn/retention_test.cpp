// Retention tests: the RetentionPurger over a MemoryStore and a ManualClock, then through the
// Service (an execution closed 91 days ago is gone and its name free, one closed 89 days ago
// stays), including the background passes.
#include "sfn/retention.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "sfn/test_harness.h"
#include "store/memory_store.h"
#include "store/test_util.h"

namespace stepwise::sfn {
namespace {

using namespace std::chrono_literals;
using retention_limits::day_ms;
using testing::Harness;
using testing::kStart;

// A closed execution of machine "m" named `name` that stopped at `stop_ms`.
void put_closed(store::Store& s, const std::string& name, Millis stop_ms,
                const std::string& status = "SUCCEEDED") {
  auto row = store::execution(name, stop_ms - 1000);
  ASSERT_TRUE(store::commit(s, {store::start_step(row, 1)}).ok());
  row.status = status;
  row.stop_ms = stop_ms;
  ASSERT_TRUE(store::commit(s, {store::step(row, 2, 1, "{}")}).ok());
}

bool exists(store::Store& s, const std::string& name) {
  auto row = s.get_execution(store::execution(name, 0).arn);
  EXPECT_TRUE(row.ok());
  return row.ok() && row->has_value();
}

// Polls `done` for up to 10 s (background work; this bounds a bug).
template <typename F>
bool eventually(F done) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(RetentionPurger, PurgesOnlyExecutionsClosedLongerThanTheRetention) {
  store::MemoryStore s;
  ManualClock clock(kStart);
  put_closed(s, "old", kStart - 91 * day_ms, "FAILED");
  put_closed(s, "young", kStart - 89 * day_ms, "ABORTED");
  auto running = store::execution("running", kStart - 200 * day_ms);
  ASSERT_TRUE(store::commit(s, {store::start_step(running, 1)}).ok());
  RetentionPurger purger(s, clock, RetentionOptions{});
  auto purged = purger.purge_now();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(exists(s, "old"));
  EXPECT_TRUE(exists(s, "young"));
  EXPECT_TRUE(exists(s, "running"));
  clock.advance_by(2 * day_ms);  // "young" is now 91 days closed
  EXPECT_EQ(*purger.purge_now(), 1);
  EXPECT_FALSE(exists(s, "young"));
  EXPECT_TRUE(exists(s, "running"));
  EXPECT_EQ(purger.passes(), 2);
  EXPECT_EQ(purger.purged_total(), 2);
}

TEST(RetentionPurger, ZeroRetentionKeepsEverythingAndStartsNoThread) {
  store::MemoryStore s;
  ManualClock clock(kStart);
  put_closed(s, "ancient", kStart - 3000 * day_ms);
  RetentionPurger purger(s, clock, RetentionOptions{0, 1});
  purger.start();
  EXPECT_EQ(*purger.purge_now(), 0);
  std::this_thread::sleep_for(20ms);
  purger.stop();
  EXPECT_TRUE(exists(s, "ancient"));
  EXPECT_EQ(purger.retention_ms(), 0);
}

TEST(RetentionPurger, RetentionIsNeverShorterThanTheRedriveWindow) {
  store::MemoryStore s;
  ManualClock clock(kStart);
  put_closed(s, "redrivable", kStart - 13 * day_ms, "FAILED");
  put_closed(s, "past_window", kStart - 15 * day_ms, "FAILED");
  RetentionPurger purger(s, clock,
                         RetentionOptions{day_ms, retention_limits::purge_interval_default_ms});
  EXPECT_EQ(purger.retention_ms(), retention_limits::retention_min_ms);
  EXPECT_EQ(*purger.purge_now(), 1);
  EXPECT_TRUE(exists(s, "redrivable"));
  EXPECT_FALSE(exists(s, "past_window"));
}

TEST(RetentionPurger, BackgroundPassesRunAtStartAndEveryInterval) {
  store::MemoryStore s;
  ManualClock clock(kStart);
  put_closed(s, "first", kStart - 100 * day_ms);
  RetentionPurger purger(s, clock, RetentionOptions{retention_limits::retention_default_ms, 5});
  purger.start();
  EXPECT_TRUE(eventually([&] { return !exists(s, "first"); }));
  put_closed(s, "second", kStart - 100 * day_ms);
  EXPECT_TRUE(eventually([&] { return !exists(s, "second"); }));
  EXPECT_GE(purger.passes(), 2);
  purger.stop();
  purger.stop();  // idempotent
}

TEST(RetentionPurger, StopDoesNotWaitForTheInterval) {
  store::MemoryStore s;
  ManualClock clock(kStart);
  RetentionPurger purger(s, clock, RetentionOptions{});  // a pass, then an hour's sleep
  purger.start();
  EXPECT_TRUE(eventually([&] { return purger.passes() >= 1; }));
  auto before = std::chrono::steady_clock::now();
  purger.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
}

TEST(RetentionPurger, RetentionProblemsNameTheLimits) {
  EXPECT_EQ(retention_problem(0), "");
  EXPECT_EQ(retention_problem(retention_limits::retention_default_ms), "");
  EXPECT_EQ(retention_problem(retention_limits::retention_min_ms), "");
  EXPECT_EQ(retention_problem(retention_limits::retention_max_ms), "");
  EXPECT_NE(retention_problem(-1).find("negative"), std::string::npos);
  EXPECT_NE(retention_problem(13 * day_ms).find("at least 14 days"), std::string::npos);
  EXPECT_NE(retention_problem(retention_limits::retention_max_ms + 1).find("at most"),
            std::string::npos);
}

// --- through the Service ---

TEST(ServiceRetention, ClosedExecutionGoesAfterTheRetentionAndItsNameIsFreeAgain) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  std::string machine = h.create("m", testing::kPassMachine);
  std::string arn = h.start(machine, "daily");
  ASSERT_EQ(h.wait_closed(arn), "SUCCEEDED");
  EXPECT_EQ(
      h.fails("StartExecution", json::object{{"stateMachineArn", machine}, {"name", "daily"}}),
      "ExecutionAlreadyExists");

  clock.advance_by(89 * day_ms);
  ASSERT_TRUE(h.service().purge_expired_executions().ok());
  EXPECT_EQ(h.status(arn), "SUCCEEDED");

  clock.advance_by(2 * day_ms);
  auto purged = h.service().purge_expired_executions();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(h.status(arn), "ExecutionDoesNotExist");
  json::value listed = h.ok("ListExecutions", json::object{{"stateMachineArn", machine}});
  EXPECT_TRUE(listed.at("executions").as_array().empty());
  EXPECT_EQ(h.fails("GetExecutionHistory", json::object{{"executionArn", arn}}),
            "ExecutionDoesNotExist");
  // The name may be used again: the same ARN, a new execution.
  EXPECT_EQ(h.start(machine, "daily"), arn);
  EXPECT_EQ(h.wait_closed(arn), "SUCCEEDED");
}

TEST(ServiceRetention, RunningExecutionsAreNeverPurged) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  testing::HeldFunctions fns;
  Harness h(store, clock, &fns);
  std::string machine = h.create("m", testing::kTaskMachine);
  std::string arn = h.start(machine, "long");
  fns.wait_held(1);
  clock.advance_by(200 * day_ms);
  EXPECT_EQ(*h.service().purge_expired_executions(), 0);
  EXPECT_EQ(h.status(arn), "RUNNING");
  fns.answer_all();
  EXPECT_EQ(h.wait_closed(arn), "SUCCEEDED");
}

TEST(ServiceRetention, StartPurgesInTheBackgroundAndEveryInterval) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  put_closed(store, "expired", kStart - 91 * day_ms);
  put_closed(store, "kept", kStart - 89 * day_ms);
  Harness h(store, clock, nullptr, retention_limits::retention_default_ms, /*interval=*/5);
  EXPECT_TRUE(eventually([&] { return !exists(store, "expired"); }));
  EXPECT_TRUE(exists(store, "kept"));
  clock.advance_by(2 * day_ms);  // the next pass finds "kept" expired too
  EXPECT_TRUE(eventually([&] { return !exists(store, "kept"); }));
  h.service().stop();
}

}  // namespace
}  // namespace stepwise::sfn
