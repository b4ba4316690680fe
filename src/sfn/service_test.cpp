// Service tests: the execution operations driven through the OperationTable in-process (no
// HTTP), over a MemoryStore and a ManualClock, with a scripted Lambda runner.
#include "sfn/service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "api/server.h"
#include "sfn/test_harness.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

using namespace std::chrono_literals;

// Lambda stand-in. kEcho answers at once with the task's parameters; kHold keeps every call
// until the test answers it (so an execution stays RUNNING as long as the test wants).
class ScriptedFunctions final : public tasks::TaskRunner {
 public:
  enum class Mode { kEcho, kHold };
  explicit ScriptedFunctions(Mode mode) : mode_(mode) {}

  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override {
    std::lock_guard lock(mu_);
    ++calls_;
    if (mode_ == Mode::kEcho) {
      done(tasks::TaskOutcome::success(request.parameters));
      return;
    }
    held_.push_back(Held{&loop, std::move(done), request.parameters});
  }

  // Answers the oldest held call (from the test thread: the answer goes through the loop).
  bool answer(tasks::TaskOutcome outcome) {
    std::lock_guard lock(mu_);
    if (held_.empty()) return false;
    Held h = std::move(held_.front());
    held_.pop_front();
    h.loop->post([done = std::move(h.done), outcome = std::move(outcome)]() mutable {
      done(std::move(outcome));
    });
    return true;
  }
  std::size_t held() {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  struct Held {
    EventLoop* loop;
    tasks::TaskDone done;
    json::value parameters;
  };
  Mode mode_;
  std::mutex mu_;
  std::deque<Held> held_;
  int calls_ = 0;
};

using testing::kRole;
using testing::kStart;
constexpr const char* kPrefix = "arn:aws:states:us-east-1:123456789012:";

const char* kPassMachine =
    R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":1},"End":true}}})";
const char* kTaskMachine =
    R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Next":"P"},"P":{"Type":"Pass","End":true}}})";

// The clock must exist before the Service that the base class builds.
struct OwnClock {
  ManualClock clock{kStart};
};

// The shared harness (service/test_harness.h) on its own manual clock, with a mock config.
class Harness : OwnClock, public testing::Harness {
 public:
  explicit Harness(store::Store& store, ScriptedFunctions* functions = nullptr,
                   std::optional<tasks::MockConfig> mocks = std::nullopt)
      : testing::Harness([&] {
          ServiceOptions o{
              .clock = OwnClock::clock, .registry_store = store, .execution_store = store};
          o.integrations = tasks::local_integrations({.functions = functions});
          o.mock_config = std::move(mocks);
          return o;
        }()) {}
  json::value describe(const std::string& arn) {
    return ok("DescribeExecution", json::object{{"executionArn", arn}});
  }
  // DescribeExecution once the execution has left RUNNING.
  json::value wait_closed(const std::string& arn) {
    testing::Harness::wait_closed(arn);
    return describe(arn);
  }
};

void expect_error(const api::Response& r, const std::string& type, const std::string& message) {
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, type);
  EXPECT_EQ(r.error().message, message);
}

TEST(Service, StartExecutionRunsToSuccessAndDescribesIt) {
  store::MemoryStore store;
  Harness h(store);
  std::string machine = h.create("m", kPassMachine);
  std::string arn = h.start(machine, "e1", R"({"a": 1})");
  EXPECT_EQ(arn, std::string(kPrefix) + "execution:m:e1");
  json::value d = h.wait_closed(arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(d.at("output"), R"({"ok":1})");
  EXPECT_EQ(d.at("input"), R"({"a": 1})");
  EXPECT_EQ(d.at("name"), "e1");
  EXPECT_EQ(d.at("stateMachineArn"), json::value(machine));
  EXPECT_EQ(d.at("redriveStatus"), "NOT_REDRIVABLE");
  EXPECT_EQ(d.at("redriveStatusReason"), "Execution is SUCCEEDED and cannot be redriven");
  EXPECT_TRUE(d.as_object().contains("stopDate"));
  EXPECT_EQ(h.event_types(arn),
            (std::vector<std::string>{"ExecutionStarted", "PassStateEntered", "PassStateExited",
                                      "ExecutionSucceeded"}));
}

TEST(Service, StartExecutionGeneratesANameWhenNoneIsGiven) {
  store::MemoryStore store;
  Harness h(store);
  std::string machine = h.create("m", kPassMachine);
  json::value r = h.ok("StartExecution", json::object{{"stateMachineArn", machine}});
  ASSERT_TRUE(r.is_object());
  std::string arn(r.at("executionArn").as_string());
  EXPECT_EQ(arn.rfind(std::string(kPrefix) + "execution:m:", 0), 0u);
  EXPECT_TRUE(r.at("startDate").is_number());
}

TEST(Service, SameNameAndInputWhileRunningIsTheSameStartOtherwiseAlreadyExists) {
  store::MemoryStore store;
  ScriptedFunctions fns(ScriptedFunctions::Mode::kHold);
  Harness h(store, &fns);
  std::string machine = h.create("m", kTaskMachine);
  std::string arn = h.start(machine, "e", R"({"x":1})");
  EXPECT_EQ(h.start(machine, "e", R"({"x":1})"), arn);
  expect_error(
      h.call("StartExecution",
             json::object{{"stateMachineArn", machine}, {"name", "e"}, {"input", R"({"x":2})"}}),
      "ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
  // Closed: even the same input is refused.
  while (fns.held() == 0) std::this_thread::sleep_for(1ms);
  fns.answer(tasks::TaskOutcome::success(json::object{{"r", 1}}));
  EXPECT_EQ(h.wait_closed(arn).at("status"), "SUCCEEDED");
  expect_error(
      h.call("StartExecution",
             json::object{{"stateMachineArn", machine}, {"name", "e"}, {"input", R"({"x":1})"}}),
      "ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
}

TEST(Service, StartExecutionRejectsBadInputNamesAndMachines) {
  store::MemoryStore store;
  Harness h(store);
  std::string machine = h.create("m", kPassMachine);
  expect_error(h.call("StartExecution",
                      json::object{{"stateMachineArn", machine}, {"input", "not some json"}}),
               "InvalidExecutionInput",
               "Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting "
               "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')'");
  expect_error(
      h.call("StartExecution", json::object{{"stateMachineArn", machine}, {"name", "a b"}}),
      "InvalidName", "Invalid Name: 'a b'");
  expect_error(h.call("StartExecution", json::object{{"stateMachineArn", machine + "x"}}),
               "StateMachineDoesNotExist", "State Machine Does Not Exist: '" + machine + "x'");
  expect_error(h.call("StartExecution", json::object{{"stateMachineArn", "nope"}}), "InvalidArn",
               "Invalid Arn: 'Invalid ARN prefix: nope'");
  api::Response big =
      h.call("StartExecution", json::object{{"stateMachineArn", machine},
                                            {"input", "\"" + std::string(256 * 1024, 'a') + "\""}});
  ASSERT_TRUE(big.is_error());
  EXPECT_EQ(big.error().type, "ValidationException");
}

TEST(Service, StartSyncExecutionAnswersWithTheResultForExpressOnly) {
  store::MemoryStore store;
  Harness h(store);
  std::string standard = h.create("s", kPassMachine);
  std::string express = h.create("x", kPassMachine, "EXPRESS");
  expect_error(h.call("StartSyncExecution", json::object{{"stateMachineArn", standard}}),
               "StateMachineTypeNotSupported",
               "This operation is not supported by this type of state machine");
  json::value r =
      h.ok("StartSyncExecution", json::object{{"stateMachineArn", express}, {"name", "run1"}});
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r.at("status"), "SUCCEEDED");
  EXPECT_EQ(r.at("output"), R"({"ok":1})");
  EXPECT_EQ(r.at("name"), "run1");
  EXPECT_EQ(r.at("billingDetails").at("billedMemoryUsedInMB"), 64);
  std::string arn(r.at("executionArn").as_string());
  EXPECT_EQ(arn.rfind(std::string(kPrefix) + "express:x:run1:", 0), 0u);
  // AWS keeps no Express execution to describe, list or stop.
  expect_error(h.call("DescribeExecution", json::object{{"executionArn", arn}}), "InvalidArn",
               "Invalid Arn: 'Resource type not valid in this context: express'");
  expect_error(h.call("ListExecutions", json::object{{"stateMachineArn", express}}),
               "StateMachineTypeNotSupported",
               "This operation is not supported by this type of state machine");
}

TEST(Service, StopExecutionAbortsARunningExecution) {
  store::MemoryStore store;
  ScriptedFunctions fns(ScriptedFunctions::Mode::kHold);
  Harness h(store, &fns);
  std::string machine = h.create("m", kTaskMachine);
  std::string arn = h.start(machine, "e");
  json::value r =
      h.ok("StopExecution",
           json::object{{"executionArn", arn}, {"error", "Stopped.ByTest"}, {"cause", "enough"}});
  EXPECT_TRUE(r.at("stopDate").is_number());
  json::value d = h.describe(arn);
  EXPECT_EQ(d.at("status"), "ABORTED");
  EXPECT_EQ(d.at("error"), "Stopped.ByTest");
  EXPECT_EQ(d.at("cause"), "enough");
  EXPECT_EQ(d.at("redriveStatus"), "REDRIVABLE");
  EXPECT_EQ(h.event_types(arn).back(), "ExecutionAborted");
  // A late task answer changes nothing.
  while (fns.held() == 0) std::this_thread::sleep_for(1ms);
  fns.answer(tasks::TaskOutcome::success(json::object{}));
  EXPECT_EQ(h.describe(arn).at("status"), "ABORTED");
  expect_error(h.call("StopExecution", json::object{{"executionArn", arn + "x"}}),
               "ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "x'");
}

TEST(Service, WaitStatesCompleteAtOnceOnAManualClock) {
  store::MemoryStore store;
  Harness h(store);
  std::string machine =
      h.create("w", R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}})");
  std::string arn = h.start(machine, "e");
  json::value d = h.wait_closed(arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_GE(json::as_double(d.at("stopDate")) - json::as_double(d.at("startDate")), 3600.0);
}

TEST(Service, ListExecutionsFiltersAndPages) {
  store::MemoryStore store;
  ScriptedFunctions fns(ScriptedFunctions::Mode::kHold);
  Harness h(store, &fns);
  std::string machine = h.create("m", kTaskMachine);
  std::vector<std::string> arns;
  for (int i = 0; i < 5; ++i) arns.push_back(h.start(machine, "e" + std::to_string(i)));
  while (fns.held() < 5) std::this_thread::sleep_for(1ms);
  fns.answer(tasks::TaskOutcome::success(json::object{}));  // e0 finishes
  h.wait_closed(arns[0]);
  json::value running = h.ok(
      "ListExecutions", json::object{{"stateMachineArn", machine}, {"statusFilter", "RUNNING"}});
  EXPECT_EQ(running.at("executions").as_array().size(), 4u);
  std::vector<std::string> seen;
  json::object request{{"stateMachineArn", machine}, {"maxResults", 2}};
  for (int page = 0; page < 5; ++page) {
    json::value r = h.ok("ListExecutions", request);
    for (const auto& e : r.at("executions").as_array())
      seen.emplace_back(e.at("executionArn").as_string());
    if (!r.as_object().contains("nextToken")) break;
    request["nextToken"] = r.at("nextToken");
  }
  std::vector<std::string> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> expected = arns;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sorted, expected);
  expect_error(
      h.call("ListExecutions", json::object{{"stateMachineArn", machine}, {"maxResults", 1001}}),
      "ValidationException",
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
      "constraint: Member must have value less than or equal to 1000");
  expect_error(h.call("ListExecutions",
                      json::object{{"stateMachineArn", machine}, {"statusFilter", "succeeded"}}),
               "ValidationException",
               "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to "
               "satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, "
               "PENDING_REDRIVE, ABORTED, FAILED, RUNNING]");
}

TEST(Service, GetExecutionHistoryPagesReversesAndStripsData) {
  store::MemoryStore store;
  Harness h(store);
  std::string machine = h.create("m", kPassMachine);
  std::string arn = h.start(machine, "e", R"({"in":1})");
  h.wait_closed(arn);
  json::value first =
      h.ok("GetExecutionHistory", json::object{{"executionArn", arn}, {"maxResults", 3}});
  ASSERT_EQ(first.at("events").as_array().size(), 3u);
  ASSERT_TRUE(first.as_object().contains("nextToken"));
  json::value rest = h.ok(
      "GetExecutionHistory",
      json::object{{"executionArn", arn}, {"maxResults", 3}, {"nextToken", first.at("nextToken")}});
  ASSERT_EQ(rest.at("events").as_array().size(), 1u);
  EXPECT_EQ(rest.at("events").as_array()[0].at("id"), 4);
  EXPECT_FALSE(rest.as_object().contains("nextToken"));
  json::value reversed =
      h.ok("GetExecutionHistory", json::object{{"executionArn", arn}, {"reverseOrder", true}});
  EXPECT_EQ(reversed.at("events").as_array()[0].at("type"), "ExecutionSucceeded");
  json::value bare = h.ok("GetExecutionHistory",
                          json::object{{"executionArn", arn}, {"includeExecutionData", false}});
  const json::value& started = bare.at("events").as_array()[0];
  EXPECT_FALSE(started.at("executionStartedEventDetails").as_object().contains("input"));
  expect_error(h.call("GetExecutionHistory", json::object{{"executionArn", "bad"}}), "InvalidArn",
               "Invalid Arn: 'Invalid ARN prefix: bad'");
  // GetExecutionHistory's nextToken is a PageToken (1..1024), not ListExecutions' 3096.
  const std::string long_token(1025, 'x');
  expect_error(
      h.call("GetExecutionHistory", json::object{{"executionArn", arn}, {"nextToken", long_token}}),
      "ValidationException",
      "1 validation error detected: Value '" + long_token +
          "' at 'nextToken' failed to satisfy constraint: Member must have length less than or "
          "equal to 1024");
  expect_error(
      h.call("GetExecutionHistory", json::object{{"executionArn", arn}, {"nextToken", "garbage"}}),
      "InvalidToken", "Invalid Token: 'Invalid token'");
}

TEST(Service, MockTestCaseRunsItsResponses) {
  auto mocks = tasks::parse_mock_config(R"({
    "StateMachines": {"m": {"TestCases": {"Happy": {"T": "R"}}}},
    "MockedResponses": {"R": {"0": {"Return": {"mocked": true}}}}})");
  ASSERT_TRUE(mocks.ok()) << mocks.error().cause;
  store::MemoryStore store;
  ScriptedFunctions fns(ScriptedFunctions::Mode::kHold);
  Harness h(store, &fns, std::move(*mocks));
  std::string machine = h.create("m", kTaskMachine);
  std::string arn = h.start(machine + "#Happy", "e");
  EXPECT_EQ(arn, std::string(kPrefix) + "execution:m:e");
  json::value d = h.wait_closed(arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(d.at("output"), R"({"mocked":true})");
  EXPECT_EQ(fns.calls(), 0);
  api::Response unknown =
      h.call("StartExecution", json::object{{"stateMachineArn", machine + "#Nope"}});
  EXPECT_TRUE(unknown.is_error());
}

TEST(Service, RecoveryFinishesExecutionsStartedBeforeARestart) {
  store::MemoryStore store;
  std::vector<std::string> arns;
  {
    ScriptedFunctions held(ScriptedFunctions::Mode::kHold);
    Harness before(store, &held);
    std::string machine = before.create("m", kTaskMachine);
    for (int i = 0; i < 3; ++i) arns.push_back(before.start(machine, "e" + std::to_string(i)));
    while (held.held() < 3) std::this_thread::sleep_for(1ms);
    EXPECT_EQ(before.describe(arns[0]).at("status"), "RUNNING");
    before.service().stop();  // the "crash": nothing answered, rows stay RUNNING
  }
  ScriptedFunctions echo(ScriptedFunctions::Mode::kEcho);
  Harness after(store, &echo);
  EXPECT_EQ(after.resumed(), 3u);
  for (const std::string& arn : arns) {
    json::value d = after.wait_closed(arn);
    EXPECT_EQ(d.at("status"), "SUCCEEDED");
    // The history has no gap and no duplicate across the restart.
    json::value events = after.ok("GetExecutionHistory", json::object{{"executionArn", arn}});
    std::int64_t expected_id = 1;
    for (const auto& e : events.at("events").as_array()) EXPECT_EQ(e.at("id"), expected_id++);
    EXPECT_EQ(after.event_types(arn).back(), "ExecutionSucceeded");
  }
  EXPECT_EQ(echo.calls(), 3);
}

TEST(Service, RecoveryReplaysCommittedStepsBeforeResuming) {
  // Two tasks in a row: the first answered before the restart, the second after. The replay
  // must rebuild the first answer from the journal, not call the function again.
  const char* two_tasks =
      R"({"StartAt":"A","States":{
        "A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","ResultPath":"$.a","Next":"B"},
        "B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","ResultPath":"$.b","End":true}}})";
  store::MemoryStore store;
  std::string arn;
  {
    ScriptedFunctions held(ScriptedFunctions::Mode::kHold);
    Harness before(store, &held);
    std::string machine = before.create("m", two_tasks);
    arn = before.start(machine, "e", R"({"n":1})");
    while (held.held() < 1) std::this_thread::sleep_for(1ms);
    held.answer(tasks::TaskOutcome::success(json::object{{"first", true}}));
    while (held.held() < 1) std::this_thread::sleep_for(1ms);
    before.service().stop();
  }
  ScriptedFunctions echo(ScriptedFunctions::Mode::kEcho);
  Harness after(store, &echo);
  EXPECT_EQ(after.resumed(), 1u);
  json::value d = after.wait_closed(arn);
  ASSERT_EQ(d.at("status"), "SUCCEEDED");
  auto out = json::parse(std::string(d.at("output").as_string()));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->at("a"), (json::object{{"first", true}}));
  EXPECT_EQ(echo.calls(), 1);
}

TEST(Service, RedriveExecutionRerunsTheFailedState) {
  store::MemoryStore store;
  ScriptedFunctions fns(ScriptedFunctions::Mode::kHold);
  Harness h(store, &fns);
  std::string machine = h.create("m", kTaskMachine);
  std::string arn = h.start(machine, "e");
  while (fns.held() < 1) std::this_thread::sleep_for(1ms);
  fns.answer(tasks::TaskOutcome::failure("Boom", "first try"));
  ASSERT_EQ(h.wait_closed(arn).at("status"), "FAILED");
  json::value r = h.ok("RedriveExecution", json::object{{"executionArn", arn}});
  EXPECT_TRUE(r.at("redriveDate").is_number());
  while (fns.held() < 1) std::this_thread::sleep_for(1ms);
  fns.answer(tasks::TaskOutcome::success(json::object{{"second", 1}}));
  json::value d = h.wait_closed(arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(d.at("redriveCount"), 1);
  expect_error(h.call("RedriveExecution", json::object{{"executionArn", arn}}),
               "ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven");
}

TEST(Service, DescribeStateMachineForExecutionShowsTheDefinitionItRan) {
  store::MemoryStore store;
  Harness h(store);
  std::string machine = h.create("m", kPassMachine);
  std::string arn = h.start(machine, "e");
  h.wait_closed(arn);
  json::value d = h.ok("DescribeStateMachineForExecution", json::object{{"executionArn", arn}});
  EXPECT_EQ(d.at("definition"), kPassMachine);
  EXPECT_EQ(d.at("name"), "m");
  EXPECT_EQ(d.at("roleArn"), kRole);
}

TEST(Service, NestedSyncExecutionAnswersWithTheChildOutput) {
  store::MemoryStore store;
  Harness h(store);
  std::string child = h.create("child", kPassMachine);
  std::string parent_def = std::string(R"({"StartAt":"Run","States":{"Run":{"Type":"Task",)") +
                           R"("Resource":"arn:aws:states:::states:startExecution.sync:2",)" +
                           R"("Parameters":{"StateMachineArn":")" + child +
                           R"(","Input":{"x":1}},)" + R"("OutputPath":"$.Output","End":true}}})";
  std::string parent = h.create("parent", parent_def.c_str());
  std::string arn = h.start(parent, "p");
  json::value d = h.wait_closed(arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(d.at("output"), R"({"ok":1})");
  json::value children = h.ok("ListExecutions", json::object{{"stateMachineArn", child}});
  EXPECT_EQ(children.at("executions").as_array().size(), 1u);
}

TEST(Service, ActivityTaskGoesToAPollingWorkerAndBack) {
  store::MemoryStore store;
  Harness h(store);
  json::value act = h.ok("CreateActivity", json::object{{"name", "work"}});
  ASSERT_TRUE(act.is_object());
  std::string activity(act.at("activityArn").as_string());
  std::string def = R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":")" + activity +
                    R"(","End":true}}})";
  std::string machine = h.create("m", def.c_str());
  std::string arn = h.start(machine, "e", R"({"job":7})");
  json::value task = h.ok("GetActivityTask", json::object{{"activityArn", activity}});
  ASSERT_TRUE(task.is_object() && task.as_object().contains("taskToken"));
  EXPECT_EQ(task.at("input"), R"({"job":7})");
  h.ok("SendTaskSuccess",
       json::object{{"taskToken", task.at("taskToken")}, {"output", R"({"done":true})"}});
  json::value d = h.wait_closed(arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(d.at("output"), R"({"done":true})");
}

TEST(Service, TestStateIsServed) {
  store::MemoryStore store;
  Harness h(store);
  json::value r =
      h.ok("TestState", json::object{{"definition", R"({"Type":"Pass","Result":1,"End":true})"},
                                     {"roleArn", kRole},
                                     {"input", "{}"}});
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r.at("status"), "SUCCEEDED");
  EXPECT_EQ(r.at("output"), "1");
}

TEST(Service, RecoveryReattachesAParentToItsNestedChild) {
  store::MemoryStore store;
  std::string parent_arn;
  std::string parent_def;
  {
    ScriptedFunctions held(ScriptedFunctions::Mode::kHold);
    Harness before(store, &held);
    std::string child = before.create("child", kTaskMachine);
    parent_def = std::string(R"({"StartAt":"Run","States":{"Run":{"Type":"Task",)") +
                 R"("Resource":"arn:aws:states:::states:startExecution.sync:2",)" +
                 R"("Parameters":{"StateMachineArn":")" + child + R"(","Input":{"x":1}},)" +
                 R"("OutputPath":"$.Output","End":true}}})";
    std::string parent = before.create("parent", parent_def.c_str());
    parent_arn = before.start(parent, "p");
    while (held.held() < 1) std::this_thread::sleep_for(1ms);  // the child waits on its task
    before.service().stop();
  }
  ScriptedFunctions echo(ScriptedFunctions::Mode::kEcho);
  Harness after(store, &echo);
  EXPECT_EQ(after.resumed(), 2u);
  json::value d = after.wait_closed(parent_arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(d.at("output"), R"({"x":1})");
}

TEST(Service, ThroughTheRealServerStartSyncExecutionAnswersOnASyncHost) {
  namespace http = boost::beast::http;
  using tcp = boost::asio::ip::tcp;
  store::MemoryStore store;
  ManualClock clock(kStart);
  Service service(
      ServiceOptions{.clock = clock, .registry_store = store, .execution_store = store});
  api::OperationTable table;
  service.add_operations(table);
  service.start();
  boost::asio::io_context io;
  api::ServerOptions options;
  options.port = 0;  // ephemeral
  api::Server server(io, options, table);
  ASSERT_TRUE(server.start().ok());
  std::thread io_thread([&io] { io.run(); });

  auto post = [&](const std::string& op, const json::value& body) {
    boost::asio::io_context client_io;
    tcp::socket socket(client_io);
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port()));
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, "sync-127.0.0.1");  // the prefix every client adds
    req.set(http::field::content_type, "application/x-amz-json-1.0");
    req.set("X-Amz-Target", "AWSStepFunctions." + op);
    req.body() = json::dump(body);
    req.prepare_payload();
    http::write(socket, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return std::make_pair(res.result_int(), json::parse(res.body()).value());
  };
  auto created = post(
      "CreateStateMachine",
      json::object{
          {"name", "x"}, {"definition", kPassMachine}, {"roleArn", kRole}, {"type", "EXPRESS"}});
  ASSERT_EQ(created.first, 200u);
  auto sync = post("StartSyncExecution",
                   json::object{{"stateMachineArn", created.second.at("stateMachineArn")}});
  EXPECT_EQ(sync.first, 200u);
  EXPECT_EQ(sync.second.at("status"), "SUCCEEDED");
  EXPECT_EQ(sync.second.at("output"), R"({"ok":1})");
  auto missing = post("DescribeExecution", json::object{{"executionArn", "nope"}});
  EXPECT_EQ(missing.first, 400u);
  EXPECT_EQ(missing.second.at("__type"), "InvalidArn");

  server.stop(std::chrono::milliseconds(100));
  io.stop();
  io_thread.join();
  service.stop();
}

}  // namespace
}  // namespace stepwise::sfn
