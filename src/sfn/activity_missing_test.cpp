// A Task on an activity that does not exist (never created, or deleted before the execution
// reached it) fails the execution at once, as AWS records it: ExecutionFailed right after the
// state's Entered event, States.Runtime (never caught), "The activity <arn> does not exist.".
// Replay after a restart gives the same answer even when the activity was created since.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sfn/test_harness.h"
#include "store/memory_store.h"
#include "store/sqlite/test_store.h"
#include "store/test_util.h"

namespace stepwise::sfn {
namespace {

using testing::Harness;
using testing::kStart;

std::string activity_machine(const std::string& activity) {
  return R"({"StartAt":"ActivityTask","States":{"ActivityTask":{"Type":"Task","Resource":")" +
         activity + R"(","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},)"
                    R"("Caught":{"Type":"Pass","End":true}}})";
}

std::string create_activity(Harness& h, const std::string& name) {
  json::value a = h.ok("CreateActivity", json::object{{"name", name}});
  return a.is_object() ? std::string(a.at("activityArn").as_string()) : "";
}

const std::vector<std::string> kFailedAtOnce = {"ExecutionStarted", "TaskStateEntered",
                                                "ExecutionFailed"};

void expect_missing(Harness& h, const std::string& execution, const std::string& activity) {
  json::value d = h.ok("DescribeExecution", json::object{{"executionArn", execution}});
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d.at("error"), "States.Runtime");
  EXPECT_EQ(std::string(d.at("cause").as_string()),
            "An error occurred while executing the state 'ActivityTask' (entered at the event "
            "id #2). The activity " + activity + " does not exist.");
}

TEST(ActivityMissing, ADeletedActivityFailsTheExecutionAtOnce) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string activity = create_activity(h, "work");
  const std::string definition = activity_machine(activity);
  const std::string machine = h.create("m", definition.c_str());
  h.ok("DeleteActivity", json::object{{"activityArn", activity}});
  const std::string execution = h.start(machine, "e");
  EXPECT_EQ(h.wait_closed(execution), "FAILED");
  EXPECT_EQ(h.event_types(execution), kFailedAtOnce);  // not caught, nothing scheduled
  expect_missing(h, execution, activity);
}

TEST(ActivityMissing, AnActivityThatExistsIsScheduled) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string activity = create_activity(h, "work");
  const std::string definition = activity_machine(activity);
  const std::string execution = h.start(h.create("m", definition.c_str()), "e");
  json::value task = h.ok("GetActivityTask", json::object{{"activityArn", activity}});
  ASSERT_TRUE(task.is_object());
  EXPECT_TRUE(task.as_object().contains("taskToken"));
  EXPECT_EQ(h.status(execution), "RUNNING");
}

TEST(ActivityMissing, RedriveAfterCreatingItSchedulesAndARestartReplaysTheSame) {
  store::TempDir dir;
  ManualClock clock(kStart);
  std::string activity, execution;
  {
    auto store = store::open_test_store(dir.path());
    ASSERT_TRUE(store);
    Harness h(*store, clock);
    activity = create_activity(h, "work");
    const std::string definition = activity_machine(activity);
    const std::string machine = h.create("m", definition.c_str());
    h.ok("DeleteActivity", json::object{{"activityArn", activity}});
    execution = h.start(machine, "e");
    ASSERT_EQ(h.wait_closed(execution), "FAILED");
    clock.advance_by(1000);
    EXPECT_EQ(create_activity(h, "work"), activity);  // the same ARN, created after the failure
    h.ok("RedriveExecution", json::object{{"executionArn", execution}});
    EXPECT_EQ(h.status(execution), "RUNNING");
    std::vector<std::string> types = h.event_types(execution);
    ASSERT_FALSE(types.empty());
    EXPECT_EQ(types.back(), "ActivityScheduled");
    h.service().stop();
  }
  // The replay finds the activity missing in the first run (it was created after it) and
  // present in the redriven one, as they ran: the execution is resumed, still waiting.
  auto store = store::open_test_store(dir.path());
  ASSERT_TRUE(store);
  Harness after(*store, clock);
  EXPECT_EQ(after.resumed(), 1u);
  EXPECT_EQ(after.status(execution), "RUNNING");
  json::value task = after.ok("GetActivityTask", json::object{{"activityArn", activity}});
  ASSERT_TRUE(task.is_object());
  EXPECT_TRUE(task.as_object().contains("taskToken"));
}

TEST(ActivityMissing, AnActivityDeletedWhileItsTaskWaitsDoesNotBreakTheReplay) {
  store::TempDir dir;
  ManualClock clock(kStart);
  std::string execution;
  {
    auto store = store::open_test_store(dir.path());
    ASSERT_TRUE(store);
    Harness h(*store, clock);
    const std::string activity = create_activity(h, "work");
    const std::string definition = activity_machine(activity);
    execution = h.start(h.create("m", definition.c_str()), "e");
    h.ok("DeleteActivity", json::object{{"activityArn", activity}});
    h.service().stop();
  }
  auto store = store::open_test_store(dir.path());
  ASSERT_TRUE(store);
  Harness after(*store, clock);
  EXPECT_EQ(after.resumed(), 1u);  // scheduled when it existed: the replay agrees
  EXPECT_EQ(after.status(execution), "RUNNING");
}

}  // namespace
}  // namespace stepwise::sfn
