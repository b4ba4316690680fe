#include "tasks/callbacks.h"

#include <gtest/gtest.h>

#include <thread>

#include "base/clock.h"
#include "base/event_loop.h"
#include "tasks/functions.h"

namespace stepwise::tasks {
namespace {

TEST(Callbacks, SucceedDeliversOnTheLoop) {
  ManualClock clock(0);
  EventLoop loop(clock);
  CallbackRegistry registry;
  std::optional<TaskOutcome> got;
  TaskDone done = [&](TaskOutcome o) { got = std::move(o); };
  ASSERT_TRUE(registry.await("tok", loop, done).ok());
  EXPECT_TRUE(registry.heartbeat("tok").ok());
  std::thread api([&] { EXPECT_TRUE(registry.succeed("tok", json::value(5)).ok()); });
  api.join();
  EXPECT_FALSE(got.has_value());  // not before the loop runs it
  loop.run();
  ASSERT_TRUE(got && got->succeeded);
  EXPECT_EQ(got->output.as_int64(), 5);
  EXPECT_EQ(registry.size(), 0u);
}

TEST(Callbacks, UnknownOrFinishedTokensAreInvalid) {
  ManualClock clock(0);
  EventLoop loop(clock);
  CallbackRegistry registry;
  auto st = registry.fail("nope", "E", "c");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().name, "InvalidToken");
  TaskDone done = [](TaskOutcome) {};
  ASSERT_TRUE(registry.await("t", loop, done).ok());
  ASSERT_TRUE(registry.fail("t", "E", "c").ok());
  EXPECT_FALSE(registry.succeed("t", json::value()).ok());
  loop.run();
}

TEST(Callbacks, DuplicateTokenLeavesDoneWithTheCaller) {
  ManualClock clock(0);
  EventLoop loop(clock);
  CallbackRegistry registry;
  TaskDone first = [](TaskOutcome) {};
  TaskDone second = [](TaskOutcome) {};
  ASSERT_TRUE(registry.await("t", loop, first).ok());
  EXPECT_FALSE(registry.await("t", loop, second).ok());
  EXPECT_TRUE(static_cast<bool>(second));
  EXPECT_TRUE(registry.take("t").has_value());
  EXPECT_FALSE(registry.take("t").has_value());
}

TaskRequest callback_request(const std::string& name) {
  TaskRequest r;
  r.resource = "arn:aws:states:::lambda:invoke.waitForTaskToken";
  r.parameters = json::object{{"FunctionName", name}, {"Payload", json::object{{"k", 1}}}};
  r.execution_arn = "arn:aws:states:us-east-1:111111111111:execution:sm:run";
  r.state_name = "S";
  r.task_token = "token-1";
  return r;
}

TEST(Callbacks, InvokeWaitForTaskTokenWaitsForTheCallback) {
  FunctionSpec s;
  s.name = "notify";
  s.argv = {"cat"};
  CallbackRegistry registry;
  FunctionRunner runner;
  runner.set_callbacks(&registry);
  ASSERT_TRUE(runner.add(s).ok());
  ManualClock clock(0);
  EventLoop loop(clock);
  std::optional<TaskOutcome> got;
  runner.start(callback_request("notify"), loop, [&](TaskOutcome o) { got = std::move(o); });
  loop.run();  // the function ran; the task still waits
  EXPECT_FALSE(got.has_value());
  ASSERT_TRUE(registry.succeed("token-1", json::value("called back")).ok());
  loop.run();
  ASSERT_TRUE(got && got->succeeded);
  EXPECT_EQ(got->output.as_string(), "called back");
}

TEST(Callbacks, InvokeWaitForTaskTokenFailsAtOnceWhenTheFunctionFails) {
  FunctionSpec s;
  s.name = "broken";
  s.argv = {"/bin/sh", "-c", "printf '{\"errorType\":\"Bad\",\"errorMessage\":\"x\"}'; exit 1"};
  CallbackRegistry registry;
  FunctionRunner runner;
  runner.set_callbacks(&registry);
  ASSERT_TRUE(runner.add(s).ok());
  ManualClock clock(0);
  EventLoop loop(clock);
  std::optional<TaskOutcome> got;
  runner.start(callback_request("broken"), loop, [&](TaskOutcome o) { got = std::move(o); });
  loop.run();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->error, "Bad");
  EXPECT_EQ(registry.size(), 0u);
}

TEST(Callbacks, InvokeWaitForTaskTokenWithoutRegistryFailsClearly) {
  FunctionSpec s;
  s.name = "notify";
  s.argv = {"cat"};
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(s).ok());
  ManualClock clock(0);
  EventLoop loop(clock);
  std::optional<TaskOutcome> got;
  runner.start(callback_request("notify"), loop, [&](TaskOutcome o) { got = std::move(o); });
  loop.run();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->error, "States.Runtime");
}

}  // namespace
}  // namespace stepwise::tasks
