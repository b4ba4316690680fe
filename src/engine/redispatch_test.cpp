// Recovery's side of the interpreter: idempotency keys on task requests, the visible
// re-dispatch of a task (kTaskRedispatched) and the task phases recovery reads (task_phase()).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "asl/compile.h"
#include "engine/interpreter.h"

namespace stepwise::engine {
namespace {

constexpr Millis kStart = 1700000000000;
const char* kArn = "arn:aws:states:us-east-1:123456789012:execution:sm:exec";

ExecutionInfo info() {
  ExecutionInfo i;
  i.execution_arn = kArn;
  i.execution_name = "exec";
  i.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:sm";
  i.state_machine_name = "sm";
  i.region = "us-east-1";
  i.account = "123456789012";
  return i;
}

std::unique_ptr<Execution> make(const std::string& definition) {
  auto m = asl::compile_text(definition);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().cause);
  std::uint64_t s = 7;
  return std::make_unique<Execution>(*m, info(), [s]() mutable { return s += 0x9E3779B9; });
}

// The task commands the last step issued (and clears the commands).
std::vector<Command> tasks_issued(Execution& ex) {
  std::vector<Command> out;
  for (auto& c : ex.commands())
    if (c.kind == Command::Kind::kInvokeTask) out.push_back(c);
  ex.commands().clear();
  return out;
}

StepEvent event(StepEvent::Kind kind, std::uint64_t id, json::value output = nullptr) {
  StepEvent e;
  e.kind = kind;
  e.id = id;
  e.output = std::move(output);
  return e;
}

std::vector<HistoryEvent> take_history(Execution& ex) {
  std::vector<HistoryEvent> h = std::move(ex.history());
  ex.history().clear();
  return h;
}

const char* kLambda = R"({"StartAt":"Call","States":{"Call":{"Type":"Task",
  "Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
  "Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":1}],"End":true}}})";

TEST(Redispatch, IdempotencyKeyNamesExecutionStateEntryAndAttempt) {
  auto ex = make(kLambda);
  ex->start(json::object{{"x", 1}}, kStart);
  auto first = tasks_issued(*ex);
  ASSERT_EQ(first.size(), 1u);
  // Events: 1 ExecutionStarted, 2 TaskStateEntered, 3 Scheduled, 4 Started.
  EXPECT_EQ(first[0].request->idempotency_key, std::string(kArn) + ":2:0");
  StepEvent failed = event(StepEvent::Kind::kTaskFailed, first[0].id);
  failed.error = "Boom";
  ex->handle(failed, kStart + 10);
  ex->commands().clear();
  ex->handle(event(StepEvent::Kind::kTimerFired, ex->outstanding().at(0).id), kStart + 1010);
  auto retry = tasks_issued(*ex);
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].request->idempotency_key, std::string(kArn) + ":2:1");
}

TEST(Redispatch, EachMapIterationHasItsOwnKey) {
  auto ex = make(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
    "ItemProcessor":{"StartAt":"Call","States":{"Call":{"Type":"Task",
      "Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}}}})");
  ex->start(json::array{1, 2, 3}, kStart);
  auto calls = tasks_issued(*ex);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_NE(calls[0].request->idempotency_key, calls[1].request->idempotency_key);
  EXPECT_NE(calls[1].request->idempotency_key, calls[2].request->idempotency_key);
  // The same key for the same call when the execution is rebuilt (replay).
  auto again = make(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
    "ItemProcessor":{"StartAt":"Call","States":{"Call":{"Type":"Task",
      "Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}}}})");
  again->start(json::array{1, 2, 3}, kStart);
  auto out = again->outstanding();
  ASSERT_EQ(out.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(out[i].request->idempotency_key, calls[i].request->idempotency_key);
}

TEST(Redispatch, LambdaStartedAgainChainsToItsScheduledEvent) {
  auto ex = make(kLambda);
  ex->start(json::object{}, kStart);
  auto calls = tasks_issued(*ex);
  take_history(*ex);
  ex->handle(event(StepEvent::Kind::kTaskRedispatched, calls[0].id), kStart + 5);
  auto h = take_history(*ex);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].type, "LambdaFunctionStarted");
  EXPECT_EQ(h[0].id, 5);
  EXPECT_EQ(h[0].previous_event_id, 3);  // LambdaFunctionScheduled
  EXPECT_TRUE(ex->commands().empty());   // the task stays in flight; nothing new is issued
  EXPECT_TRUE(ex->task_pending(calls[0].id));
  ex->handle(event(StepEvent::Kind::kTaskSucceeded, calls[0].id, json::object{{"y", 1}}),
             kStart + 9);
  h = take_history(*ex);
  ASSERT_GE(h.size(), 1u);
  EXPECT_EQ(h[0].type, "LambdaFunctionSucceeded");
  EXPECT_EQ(h[0].previous_event_id, 5);  // after the latest Started
  EXPECT_EQ(ex->status(), "SUCCEEDED");
}

TEST(Redispatch, ServiceTaskWritesTaskStartedWithItsResource) {
  auto ex = make(R"({"StartAt":"Get","States":{"Get":{"Type":"Task",
    "Resource":"arn:aws:states:::http:invoke","Parameters":{"ApiEndpoint":"https://x",
    "Method":"GET","Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:1:connection/c"}},
    "End":true}}})");
  ex->start(json::object{}, kStart);
  auto calls = tasks_issued(*ex);
  ASSERT_EQ(calls.size(), 1u);
  take_history(*ex);
  ex->handle(event(StepEvent::Kind::kTaskRedispatched, calls[0].id), kStart + 5);
  ex->handle(event(StepEvent::Kind::kTaskRedispatched, calls[0].id), kStart + 6);
  auto h = take_history(*ex);
  ASSERT_EQ(h.size(), 2u);
  for (const auto& e : h) {
    EXPECT_EQ(e.type, "TaskStarted");
    EXPECT_EQ(e.previous_event_id, 3);  // TaskScheduled, each time
    EXPECT_EQ(json::dump(e.details), R"({"resourceType":"http","resource":"invoke"})");
  }
  EXPECT_EQ(h[1].id, h[0].id + 1);
}

TEST(Redispatch, StaleRedispatchWritesNothing) {
  auto ex = make(kLambda);
  ex->start(json::object{}, kStart);
  auto calls = tasks_issued(*ex);
  ex->handle(event(StepEvent::Kind::kTaskSucceeded, calls[0].id, 1), kStart + 1);
  take_history(*ex);
  ex->handle(event(StepEvent::Kind::kTaskRedispatched, calls[0].id), kStart + 2);
  EXPECT_TRUE(ex->history().empty());
}

TEST(Redispatch, TaskPhaseFollowsSubmissionAndWorkerStart) {
  auto cb = make(R"({"StartAt":"Ask","States":{"Ask":{"Type":"Task",
    "Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters":{"FunctionName":"f","Payload":{"t.$":"$$.Task.Token"}},"End":true}}})");
  cb->start(json::object{}, kStart);
  auto calls = tasks_issued(*cb);
  ASSERT_EQ(calls.size(), 1u);
  using Phase = Execution::TaskPhase;
  EXPECT_EQ(cb->task_phase(calls[0].id), Phase::kDispatched);
  cb->handle(event(StepEvent::Kind::kTaskSubmitted, calls[0].id, json::object{{"StatusCode", 200}}),
             kStart + 1);
  EXPECT_EQ(cb->task_phase(calls[0].id), Phase::kSubmitted);
  cb->handle(event(StepEvent::Kind::kTaskSucceeded, calls[0].id, 1), kStart + 2);
  EXPECT_EQ(cb->task_phase(calls[0].id), Phase::kNone);

  auto act = make(R"({"StartAt":"Work","States":{"Work":{"Type":"Task",
    "Resource":"arn:aws:states:us-east-1:123456789012:activity:a","End":true}}})");
  act->start(json::object{}, kStart);
  calls = tasks_issued(*act);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(act->task_phase(calls[0].id), Phase::kDispatched);
  act->handle(event(StepEvent::Kind::kTaskStarted, calls[0].id, "worker-1"), kStart + 1);
  EXPECT_EQ(act->task_phase(calls[0].id), Phase::kTaken);
  // An activity is never re-dispatched visibly: nothing is written for it.
  take_history(*act);
  act->handle(event(StepEvent::Kind::kTaskRedispatched, calls[0].id), kStart + 2);
  EXPECT_TRUE(act->history().empty());
}

TEST(Redispatch, ReplayOfARedispatchRebuildsTheSameEvents) {
  // Recovery replays the journal entry of a re-dispatch: the rebuilt execution must count the
  // same events, so the next step's ids follow on without a gap or a duplicate.
  auto live = make(kLambda);
  live->start(json::object{}, kStart);
  auto calls = tasks_issued(*live);
  live->handle(event(StepEvent::Kind::kTaskRedispatched, calls[0].id), kStart + 5);
  auto replayed = make(kLambda);
  replayed->start(json::object{}, kStart);
  replayed->handle(event(StepEvent::Kind::kTaskRedispatched, calls[0].id), kStart + 5);
  EXPECT_EQ(replayed->event_count(), live->event_count());
  ASSERT_EQ(replayed->history().size(), live->history().size());
  for (std::size_t i = 0; i < live->history().size(); ++i)
    EXPECT_EQ(json::dump(replayed->history()[i].to_json()),
              json::dump(live->history()[i].to_json()));
}

}  // namespace
}  // namespace stepwise::engine
