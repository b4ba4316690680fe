// End-to-end: activities, task tokens and nested executions through the whole Service (the
// OperationTable in-process, a MemoryStore), as a worker or a parent sees them. The clock is
// real: under a manual clock an idle service jumps to the next timer, so a Task's
// HeartbeatSeconds would pass before a worker thread could even poll.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sfn/service.h"
#include "sfn/test_harness.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

using namespace std::chrono_literals;

// The clock must exist before the Service that the base class builds.
struct RealTime {
  RealClock clock;
};

// The shared harness (service/test_harness.h) on the real clock, with activity shorthands.
class Api : RealTime, public testing::Harness {
 public:
  explicit Api(store::Store& store)
      : testing::Harness(ServiceOptions{
            .clock = RealTime::clock, .registry_store = store, .execution_store = store}) {}
  std::string machine(const std::string& name, const std::string& definition) {
    return create(name, definition.c_str());
  }
  // StartExecution with a generated name.
  std::string start(const std::string& machine, const std::string& input) {
    json::value r =
        ok("StartExecution", json::object{{"stateMachineArn", machine}, {"input", input}});
    return r.is_object() ? std::string(r.at("executionArn").as_string()) : "";
  }
  // DescribeExecution once the execution has left RUNNING.
  json::value wait_closed(const std::string& arn) {
    testing::Harness::wait_closed(arn);
    return ok("DescribeExecution", json::object{{"executionArn", arn}});
  }
  json::array history(const std::string& arn) {
    json::value h = ok("GetExecutionHistory", json::object{{"executionArn", arn}});
    return h.is_object() ? h.at("events").as_array() : json::array();
  }
  // Polls until a task comes (the queueing may trail StartExecution's answer).
  json::object take_task(const std::string& activity, const std::string& worker) {
    for (int i = 0; i < 3; ++i) {
      json::value r =
          ok("GetActivityTask", json::object{{"activityArn", activity}, {"workerName", worker}});
      if (r.is_object() && r.as_object().contains("taskToken")) return r.as_object();
    }
    ADD_FAILURE() << "no activity task";
    return {};
  }
};

bool has_event(const json::array& events, const std::string& type) {
  for (const auto& e : events) {
    if (e.at("type") == type.c_str()) return true;
  }
  return false;
}

TEST(ServiceTasks, ActivityWorkerTakesHeartbeatsAndFinishesTheTask) {
  store::MemoryStore store;
  Api api(store);
  json::value act = api.ok("CreateActivity", json::object{{"name", "work"}});
  const std::string activity(act.at("activityArn").as_string());
  const std::string m =
      api.machine("m", R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":")" + activity +
                           R"(","HeartbeatSeconds":100,"TimeoutSeconds":1000,"End":true}}})");
  const std::string exec = api.start(m, R"({"Value1":"HelloWorld"})");
  json::object task = api.take_task(activity, "worker-1");
  ASSERT_TRUE(task.contains("input"));
  EXPECT_EQ(task.at("input"), R"({"Value1":"HelloWorld"})");
  const json::value token = task.at("taskToken");
  api.ok("SendTaskHeartbeat", json::object{{"taskToken", token}});
  api.ok("SendTaskSuccess", json::object{{"taskToken", token}, {"output", R"({"done":true})"}});
  json::value d = api.wait_closed(exec);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(d.at("output"), R"({"done":true})");
  auto events = api.history(exec);
  EXPECT_TRUE(has_event(events, "ActivityScheduled"));
  EXPECT_TRUE(has_event(events, "ActivitySucceeded"));
  api::Response again =
      api.call("SendTaskSuccess", json::object{{"taskToken", token}, {"output", "{}"}});
  ASSERT_TRUE(again.is_error());
  EXPECT_EQ(again.error().type, "TaskTimedOut");
}

TEST(ServiceTasks, ActivityFailureFailsTheExecutionWithTheWorkersError) {
  store::MemoryStore store;
  Api api(store);
  json::value act = api.ok("CreateActivity", json::object{{"name", "work"}});
  const std::string activity(act.at("activityArn").as_string());
  const std::string m =
      api.machine("m", R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":")" + activity +
                           R"(","End":true}}})");
  const std::string exec = api.start(m, "{}");
  json::object task = api.take_task(activity, "w");
  api.ok("SendTaskFailure", json::object{{"taskToken", task.at("taskToken")},
                                         {"error", "Programmatic Error"},
                                         {"cause", "it broke"}});
  json::value d = api.wait_closed(exec);
  EXPECT_EQ(d.at("status"), "FAILED");
  EXPECT_EQ(d.at("error"), "Programmatic Error");
  EXPECT_EQ(d.at("cause"), "it broke");
}

TEST(ServiceTasks, CallbackOnAnUnsupportedServiceWaitsForItsToken) {
  store::MemoryStore store;
  Api api(store);
  const std::string m = api.machine(
      "cb",
      R"({"StartAt":"Q","States":{"Q":{"Type":"Task",)"
      R"("Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",)"
      R"("Parameters":{"QueueUrl":"q","MessageBody":{"Token.$":"$$.Task.Token"}},"End":true}}})");
  const std::string exec = api.start(m, "{}");
  // The token reaches whoever answers through the scheduled parameters.
  std::string token;
  for (int i = 0; i < 1000 && token.empty(); ++i) {
    for (const auto& e : api.history(exec)) {
      if (e.at("type") != "TaskScheduled") continue;
      auto params = json::parse(e.at("taskScheduledEventDetails").at("parameters").as_string());
      ASSERT_TRUE(params.ok());
      token = std::string(params->at("MessageBody").at("Token").as_string());
    }
    if (token.empty()) std::this_thread::sleep_for(1ms);
  }
  ASSERT_FALSE(token.empty());
  api.ok("SendTaskSuccess", json::object{{"taskToken", token}, {"output", R"({"answer":42})"}});
  json::value d = api.wait_closed(exec);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(d.at("output"), R"({"answer":42})");
}

TEST(ServiceTasks, NestedSync2WaitsForTheChildAndReturnsItsOutputAsJson) {
  store::MemoryStore store;
  Api api(store);
  const std::string child = api.machine(
      "child",
      R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"Arg1":"argument1"},"End":true}}})");
  const std::string parent =
      api.machine("parent", R"({"StartAt":"S","States":{"S":{"Type":"Task",)"
                            R"("Resource":"arn:aws:states:::states:startExecution.sync:2",)"
                            R"("Parameters":{"StateMachineArn":")" +
                                child + R"(","Input":{"n":1},"Name":"kid"},"End":true}}})");
  const std::string exec = api.start(parent, "{}");
  json::value d = api.wait_closed(exec);
  ASSERT_EQ(d.at("status"), "SUCCEEDED") << json::dump(d);
  auto out = json::parse(d.at("output").as_string());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(json::dump(out->at("Output")), R"({"Arg1":"argument1"})");
  EXPECT_EQ(json::dump(out->at("Input")), R"({"n":1})");
  EXPECT_EQ(out->at("Status"), "SUCCEEDED");
  EXPECT_EQ(out->at("Name"), "kid");
  std::vector<std::string> task_events;
  for (const auto& e : api.history(exec)) {
    std::string type(e.at("type").as_string());
    if (type.rfind("Task", 0) == 0 && type.find("State") == std::string::npos) {
      task_events.push_back(type);
    }
  }
  EXPECT_EQ(task_events, (std::vector<std::string>{"TaskScheduled", "TaskStarted", "TaskSubmitted",
                                                   "TaskSucceeded"}));
}

TEST(ServiceTasks, NestedSyncChildFailureFailsTheParentWithTaskFailed) {
  store::MemoryStore store;
  Api api(store);
  const std::string child = api.machine(
      "child",
      R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"SomeFailure","Cause":"why"}}})");
  const std::string parent =
      api.machine("parent", R"({"StartAt":"S","States":{"S":{"Type":"Task",)"
                            R"("Resource":"arn:aws:states:::states:startExecution.sync",)"
                            R"("Parameters":{"StateMachineArn":")" +
                                child + R"("},"End":true}}})");
  const std::string exec = api.start(parent, "{}");
  json::value d = api.wait_closed(exec);
  EXPECT_EQ(d.at("status"), "FAILED");
  EXPECT_EQ(d.at("error"), "States.TaskFailed");
  auto cause = json::parse(d.at("cause").as_string());
  ASSERT_TRUE(cause.ok());
  EXPECT_EQ(cause->at("Error"), "SomeFailure");
  EXPECT_EQ(cause->at("Cause"), "why");
  EXPECT_EQ(cause->at("Status"), "FAILED");
}

}  // namespace
}  // namespace stepwise::sfn
