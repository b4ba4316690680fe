// No waiting on what cannot answer. A Task on an activity that does not exist (never created,
// or deleted before the execution reached it) fails the execution at once, as AWS records it:
// ExecutionFailed right after the state's Entered event, States.Runtime (never caught), "The
// activity <arn> does not exist."; replay after a restart gives the same answer even when the
// activity was created since. A nested execution of a machine that is gone fails its Task at
// once with the SDK's error; a token of a closed execution is TaskTimedOut, after a restart too.
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
         activity +
         R"(","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},)"
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
            "id #2). The activity " +
                activity + " does not exist.");
}

TEST(CannotAnswer, ADeletedActivityFailsTheExecutionAtOnce) {
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

TEST(CannotAnswer, AnActivityThatExistsIsScheduled) {
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

TEST(CannotAnswer, RedriveAfterCreatingItSchedulesAndARestartReplaysTheSame) {
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

TEST(CannotAnswer, AnActivityDeletedWhileItsTaskWaitsDoesNotBreakTheReplay) {
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

TEST(CannotAnswer, ANestedExecutionOfADeletedMachineFailsAtOnce) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string child =
      h.create("child", R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})");
  h.ok("DeleteStateMachine", json::object{{"stateMachineArn", child}});
  const std::string parent = R"({"StartAt":"T","States":{"T":{"Type":"Task",)"
                             R"("Resource":"arn:aws:states:::states:startExecution.sync",)"
                             R"("Parameters":{"StateMachineArn":")" +
                             child + R"("},"End":true}}})";
  const std::string execution = h.start(h.create("parent", parent.c_str()), "e");
  EXPECT_EQ(h.wait_closed(execution), "FAILED");
  json::value d = h.ok("DescribeExecution", json::object{{"executionArn", execution}});
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d.at("error"), "StepFunctions.StateMachineDoesNotExistException");
  const std::string cause(d.at("cause").as_string());
  EXPECT_EQ(cause.rfind("State Machine Does Not Exist: '" + child + "'", 0), 0u) << cause;
  const std::vector<std::string> want = {"ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                                         "TaskStarted",      "TaskFailed",       "ExecutionFailed"};
  EXPECT_EQ(h.event_types(execution), want);  // never submitted
}

// The task token a waiting Task was given, read from its TaskScheduled parameters.
std::string scheduled_token(Harness& h, const std::string& execution) {
  json::value hist = h.ok("GetExecutionHistory", json::object{{"executionArn", execution}});
  if (!hist.is_object()) return "";
  for (const auto& e : hist.at("events").as_array()) {
    if (e.at("type") != "TaskScheduled") continue;
    auto params = json::parse(
        std::string_view(e.at("taskScheduledEventDetails").at("parameters").as_string()));
    if (params.ok()) return std::string(params->at("Token").as_string());
  }
  return "";
}

TEST(CannotAnswer, ATokenOfAStoppedExecutionIsTimedOutAfterARestartToo) {
  store::TempDir dir;
  ManualClock clock(kStart);
  std::string token;
  const char* waits = R"({"StartAt":"W","States":{"W":{"Type":"Task",)"
                      R"("Resource":"arn:aws:states:::events:putEvents.waitForTaskToken",)"
                      R"("Parameters":{"Token.$":"$$.Task.Token"},"End":true}}})";
  auto success = [&](Harness& h) {
    return h.fails("SendTaskSuccess", json::object{{"taskToken", token}, {"output", "{}"}});
  };
  {
    auto store = store::open_test_store(dir.path());
    ASSERT_TRUE(store);
    Harness h(*store, clock);
    const std::string execution = h.start(h.create("m", waits), "e");
    token = scheduled_token(h, execution);
    ASSERT_EQ(token.size(), 64u);
    h.ok("StopExecution", json::object{{"executionArn", execution}});
    EXPECT_EQ(h.wait_closed(execution), "ABORTED");
    EXPECT_EQ(success(h), "TaskTimedOut");
    h.service().stop();
  }
  auto store = store::open_test_store(dir.path());
  ASSERT_TRUE(store);
  Harness after(*store, clock);
  EXPECT_EQ(success(after), "TaskTimedOut");
  EXPECT_EQ(after.fails("SendTaskFailure", json::object{{"taskToken", token}}), "TaskTimedOut");
}

}  // namespace
}  // namespace stepwise::sfn
