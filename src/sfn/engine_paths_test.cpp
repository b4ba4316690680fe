// Which thread serves what: reads and Express starts answer on the calling thread, never
// queueing behind the engine loop; in-process starts are typed calls (StartRequest).
#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "sfn/executions.h"
#include "sfn/service.h"
#include "sfn/test_harness.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

using testing::Harness;
using testing::kPassMachine;
using testing::kStart;
using testing::kTaskMachine;

// Blocks the engine loop until release() (or the fixture's end): whatever still answers
// meanwhile does not ride the loop.
class BlockedLoop {
 public:
  explicit BlockedLoop(Service& svc) {
    auto entered = std::make_shared<std::promise<void>>();
    auto done = entered->get_future();
    svc.post([entered, gate = gate_.get_future().share()] {
      entered->set_value();
      gate.wait();
    });
    done.wait();
  }
  ~BlockedLoop() { release(); }
  void release() {
    if (!released_) gate_.set_value();
    released_ = true;
  }

 private:
  std::promise<void> gate_;
  bool released_ = false;
};

TEST(EnginePaths, ReadsAnswerWhileTheEngineLoopIsBlocked) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string machine = h.create("m", kPassMachine);
  const std::string arn = h.start(machine, "e1");
  ASSERT_EQ(h.wait_closed(arn), "SUCCEEDED");

  BlockedLoop blocked(h.service());
  // Each of these would time out (Harness::call waits 10 s) if it queued behind the loop.
  EXPECT_EQ(h.status(arn), "SUCCEEDED");
  json::value listed = h.ok("ListExecutions", json::object{{"stateMachineArn", machine}});
  ASSERT_TRUE(listed.is_object());
  EXPECT_EQ(listed.at("executions").as_array().size(), 1u);
  EXPECT_GE(h.event_types(arn).size(), 4u);
  json::value sm = h.ok("DescribeStateMachineForExecution", json::object{{"executionArn", arn}});
  ASSERT_TRUE(sm.is_object());
  EXPECT_EQ(sm.at("stateMachineArn").as_string(), machine);
  EXPECT_EQ(h.machine_status(machine), "ACTIVE");
  EXPECT_EQ(h.fails("DescribeExecution", json::object{{"executionArn", arn + "x"}}),
            "ExecutionDoesNotExist");
  blocked.release();
}

TEST(EnginePaths, ExpressStartSyncOfPassStatesAnswersWithoutTheEngineLoop) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string machine = h.create("x", kPassMachine, "EXPRESS");
  BlockedLoop blocked(h.service());
  json::value r = h.ok("StartSyncExecution",
                       json::object{{"stateMachineArn", machine}, {"input", R"({"a":1})"}});
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r.at("status").as_string(), "SUCCEEDED");
  EXPECT_EQ(r.at("output").as_string(), R"({"ok":1})");
  EXPECT_EQ(r.at("input").as_string(), R"({"a":1})");
  blocked.release();
}

TEST(EnginePaths, ExpressStartSyncThatCallsATaskContinuesOnTheLoop) {
  store::MemoryStore store;
  // A real clock: on a manual one the idle loop would jump to Express's five-minute limit
  // while the held call waits.
  RealClock clock;
  testing::HeldFunctions functions;
  Harness h(ServiceOptions{.clock = clock,
                           .registry_store = store,
                           .execution_store = store,
                           .integrations = tasks::local_integrations({.functions = &functions})});
  const std::string machine = h.create("xt", kTaskMachine, "EXPRESS");
  auto answer = std::async(std::launch::async, [&] {
    return h.call("StartSyncExecution", json::object{{"stateMachineArn", machine}});
  });
  functions.wait_held(1);
  functions.answer_all();
  api::Response r = answer.get();
  ASSERT_FALSE(r.is_error()) << r.error().message;
  EXPECT_EQ(r.body().at("status").as_string(), "SUCCEEDED");
}

TEST(EnginePaths, StartSyncRequestErrorsKeepTheirShapeOnTheCallingThread) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string machine = h.create("x", kPassMachine, "EXPRESS");
  EXPECT_EQ(h.fails("StartSyncExecution",
                    json::object{{"stateMachineArn", machine}, {"input", "{not json"}}),
            "InvalidExecutionInput");
  EXPECT_EQ(h.fails("StartSyncExecution", json::object{{"stateMachineArn", 5}}),
            "SerializationException");
  EXPECT_EQ(h.fails("StartSyncExecution", json::object{{"stateMachineArn", machine + "nope"}}),
            "StateMachineDoesNotExist");
}

TEST(EnginePaths, StartRequestDecodesTheBodyOnceWithTypeChecks) {
  auto ok = start_request(json::object{
      {"stateMachineArn", "arn:m"}, {"name", "n"}, {"input", "{}"}, {"traceHeader", "Root=1"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->state_machine_arn, "arn:m");
  EXPECT_EQ(ok->name, "n");
  EXPECT_EQ(ok->input, "{}");
  EXPECT_EQ(ok->trace_header, "Root=1");
  EXPECT_TRUE(ok->parent_arn.empty());
  auto absent = start_request(json::object{});
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->state_machine_arn || absent->name || absent->input);
  EXPECT_FALSE(start_request(json::object{{"name", 3}}).ok());
}

TEST(EnginePaths, ATypedInProcessStartRunsTheChildWithItsParentAndTraceHeader) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string machine = h.create("m", kPassMachine);
  auto closed = std::make_shared<std::promise<store::ExecutionRecord>>();
  auto started = std::make_shared<std::promise<Result<StartedChild>>>();
  h.service().post([&, closed, started] {
    StartRequest r;
    r.state_machine_arn = machine;
    r.name = "child-1";
    r.input = R"({"x":1})";
    r.trace_header = "Root=1-abc";
    r.parent_arn = "arn:aws:states:us-east-1:123456789012:execution:p:p1";
    started->set_value(h.service().executions().start_child(
        r, [closed](const store::ExecutionRecord& rec) { closed->set_value(rec); }));
  });
  Result<StartedChild> s = started->get_future().get();
  ASSERT_TRUE(s.ok()) << s.error().cause;
  EXPECT_TRUE(s->execution_arn.ends_with(":execution:m:child-1"));
  store::ExecutionRecord rec = closed->get_future().get();
  EXPECT_EQ(rec.status, "SUCCEEDED");
  EXPECT_EQ(rec.parent_arn, "arn:aws:states:us-east-1:123456789012:execution:p:p1");
  EXPECT_EQ(rec.trace_header, "Root=1-abc");
  json::value d = h.ok("DescribeExecution", json::object{{"executionArn", s->execution_arn}});
  EXPECT_EQ(d.at("traceHeader").as_string(), "Root=1-abc");
  EXPECT_EQ(d.at("input").as_string(), R"({"x":1})");
}

TEST(EnginePaths, ATypedStartGetsTheApiErrorsOfStartExecution) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string machine = h.create("m", kPassMachine);
  auto errors = std::make_shared<std::promise<std::vector<std::string>>>();
  h.service().post([&, errors] {
    std::vector<std::string> names;
    Executions& ex = h.service().executions();
    StartRequest none;  // no state machine ARN
    names.push_back(ex.start_child(none, nullptr).error().name);
    StartRequest bad_input;
    bad_input.state_machine_arn = machine;
    bad_input.name = "c";
    bad_input.input = "{";
    names.push_back(ex.start_child(bad_input, nullptr).error().name);
    StartRequest bad_name;
    bad_name.state_machine_arn = machine;
    bad_name.name = "has space";
    names.push_back(ex.start_child(bad_name, nullptr).error().name);
    errors->set_value(std::move(names));
  });
  std::vector<std::string> names = errors->get_future().get();
  EXPECT_EQ(names, (std::vector<std::string>{"ValidationException", "InvalidExecutionInput",
                                             "InvalidName"}));
}

}  // namespace
}  // namespace stepwise::sfn
