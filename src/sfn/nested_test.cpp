#include "sfn/nested.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/event_loop.h"

namespace stepwise::sfn {
namespace {

const std::string kMachine = "arn:aws:states:us-east-1:123456789012:stateMachine:child";
const std::string kParent = "arn:aws:states:us-east-1:123456789012:execution:parent:p1";

// A starter that records starts and stops; the test closes children by hand.
struct FakeStarter final : ExecutionStarter {
  std::vector<StartRequest> starts;
  std::vector<ChildClosed> closers;
  std::vector<std::string> stopped;
  std::optional<Error> refuse;
  std::optional<store::ExecutionRecord> already_closed;  // re-attach to a closed child

  Result<StartedChild> start_child(const StartRequest& child, ChildClosed on_close) override {
    if (refuse) return *refuse;
    starts.push_back(child);
    if (already_closed && on_close) on_close(*already_closed);
    closers.push_back(std::move(on_close));
    return StartedChild{"arn:aws:states:us-east-1:123456789012:execution:child:" + *child.name,
                        1700000000123};
  }
  void stop_child(const std::string& arn) override { stopped.push_back(arn); }
};

tasks::TaskRequest start_task(const std::string& suffix, json::value input) {
  tasks::TaskRequest r;
  r.resource = "arn:aws:states:::states:startExecution" + suffix;
  json::object p{{"StateMachineArn", kMachine}, {"Name", "TestStartTarget"}};
  p["Input"] = std::move(input);
  r.parameters = std::move(p);
  r.state_name = "StartExecution";
  r.execution_arn = kParent;
  r.task_id = kParent + "#3";
  return r;
}

store::ExecutionRecord closed_child(const std::string& status) {
  store::ExecutionRecord c;
  c.arn = "arn:aws:states:us-east-1:123456789012:execution:child:TestStartTarget";
  c.name = "TestStartTarget";
  c.state_machine_arn = kMachine;
  c.status = status;
  c.input = "{}";
  c.start_ms = 1700000000123;
  c.stop_ms = 1700000000456;
  if (status == "SUCCEEDED") c.output = R"({"Arg1":"argument1"})";
  return c;
}

struct Fixture {
  ManualClock clock{0};
  EventLoop loop{clock};
  IdGenerator ids{42};
  FakeStarter starter;
  NestedRunner nested{starter, ids};
  std::vector<tasks::TaskOutcome> outcomes;
  std::vector<TaskProgress> progress;

  Fixture() {
    nested.set_progress(
        [this](const tasks::TaskRequest&, TaskProgress p) { progress.push_back(std::move(p)); });
  }
  tasks::TaskDone done() {
    return [this](tasks::TaskOutcome o) { outcomes.push_back(std::move(o)); };
  }
};

TEST(Nested, PlainStartAnswersWithTheStartResponse) {
  Fixture f;
  f.nested.start(start_task("", nullptr), f.loop, f.done());
  ASSERT_EQ(f.starter.starts.size(), 1u);
  const StartRequest& c = f.starter.starts[0];
  EXPECT_EQ(c.state_machine_arn, kMachine);
  EXPECT_EQ(c.name, "TestStartTarget");
  EXPECT_EQ(c.input, "{}");  // a null Input starts the child with {}
  EXPECT_EQ(c.parent_arn, kParent);
  EXPECT_FALSE(f.starter.closers[0]);  // nothing waits for the child
  ASSERT_EQ(f.outcomes.size(), 1u);
  ASSERT_TRUE(f.outcomes[0].succeeded);
  const auto& o = f.outcomes[0].output.as_object();
  EXPECT_EQ(o.at("ExecutionArn").as_string(),
            "arn:aws:states:us-east-1:123456789012:execution:child:TestStartTarget");
  EXPECT_EQ(o.at("StartDate").as_int64(), 1700000000123);
  EXPECT_EQ(o.at("SdkHttpMetadata").at("HttpStatusCode").as_int64(), 200);
  EXPECT_EQ(o.at("SdkResponseMetadata").at("RequestId").as_string(),
            o.at("SdkHttpMetadata").at("HttpHeaders").at("x-amzn-RequestId").as_string());
  EXPECT_TRUE(f.progress.empty());
}

TEST(Nested, SyncReportsSubmissionThenAnswersWithOutputAsText) {
  Fixture f;
  f.nested.start(start_task(".sync", nullptr), f.loop, f.done());
  ASSERT_EQ(f.progress.size(), 1u);
  EXPECT_EQ(f.progress[0].kind, TaskProgress::Kind::kSubmitted);
  EXPECT_TRUE(f.progress[0].output.as_object().contains("ExecutionArn"));
  EXPECT_TRUE(f.outcomes.empty());
  EXPECT_EQ(f.nested.waiting(), 1u);
  f.starter.closers[0](closed_child("SUCCEEDED"));
  ASSERT_EQ(f.outcomes.size(), 1u);
  ASSERT_TRUE(f.outcomes[0].succeeded);
  EXPECT_EQ(
      json::dump(f.outcomes[0].output),
      R"({"ExecutionArn":"arn:aws:states:us-east-1:123456789012:execution:child:TestStartTarget",)"
      R"("Input":"{}","InputDetails":{"Included":true},"Name":"TestStartTarget",)"
      R"("Output":"{\"Arg1\":\"argument1\"}","OutputDetails":{"Included":true},)"
      R"("StartDate":1700000000123,"StateMachineArn":")" +
          kMachine + R"(","Status":"SUCCEEDED","StopDate":1700000000456})");
  EXPECT_EQ(f.nested.waiting(), 0u);
}

TEST(Nested, Sync2AnswersWithOutputAsJson) {
  Fixture f;
  f.nested.start(start_task(".sync:2", nullptr), f.loop, f.done());
  f.starter.closers[0](closed_child("SUCCEEDED"));
  ASSERT_EQ(f.outcomes.size(), 1u);
  const auto& o = f.outcomes[0].output.as_object();
  EXPECT_EQ(json::dump(o.at("Output")), R"({"Arg1":"argument1"})");
  EXPECT_TRUE(o.at("Input").is_object());
}

TEST(Nested, FailedChildFailsTheTaskWithItsDescription) {
  Fixture f;
  f.nested.start(start_task(".sync", nullptr), f.loop, f.done());
  auto child = closed_child("FAILED");
  child.error = "SomeFailure";
  child.cause = "This state machines raises a 'SomeFailure' failure.";
  f.starter.closers[0](child);
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_FALSE(f.outcomes[0].succeeded);
  EXPECT_EQ(f.outcomes[0].error, "States.TaskFailed");
  auto cause = json::parse(f.outcomes[0].cause);
  ASSERT_TRUE(cause.ok());
  const auto& c = cause->as_object();
  EXPECT_EQ(c.at("Error").as_string(), "SomeFailure");
  EXPECT_EQ(c.at("Cause").as_string(), *child.cause);
  EXPECT_EQ(c.at("Status").as_string(), "FAILED");
  EXPECT_EQ(c.at("Input").as_string(), "{}");
  EXPECT_FALSE(c.contains("Output"));
}

TEST(Nested, ChildFailingWithoutCauseLeavesCauseOut) {
  Fixture f;
  f.nested.start(start_task(".sync", json::object{{"Payload", nullptr}}), f.loop, f.done());
  EXPECT_EQ(f.starter.starts[0].input, R"({"Payload":null})");
  auto child = closed_child("FAILED");
  child.input = R"({"Payload":null})";
  child.error = "States.Timeout";
  f.starter.closers[0](child);
  auto cause = json::parse(f.outcomes.at(0).cause);
  ASSERT_TRUE(cause.ok());
  EXPECT_FALSE(cause->as_object().contains("Cause"));
  EXPECT_EQ(cause->as_object().at("Error").as_string(), "States.Timeout");
  EXPECT_EQ(cause->as_object().at("Input").as_string(), R"({"Payload":null})");
}

TEST(Nested, RefusedStartFailsAsTheSdkReportsIt) {
  Fixture f;
  const std::string arn = kMachine + "NoSuchArn";
  f.starter.refuse =
      Error{"StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'"};
  f.nested.start(start_task("", nullptr), f.loop, f.done());
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_EQ(f.outcomes[0].error, "StepFunctions.StateMachineDoesNotExistException");
  const std::string& cause = f.outcomes[0].cause;
  const std::string head = "State Machine Does Not Exist: '" + arn +
                           "' (Service: AWSStepFunctions; Status Code: 400; Error Code: "
                           "StateMachineDoesNotExist; Request ID: ";
  EXPECT_EQ(cause.substr(0, head.size()), head);
  EXPECT_EQ(cause.substr(cause.size() - 14), "; Proxy: null)");
}

TEST(Nested, SdkFailureKeepsTypesAlreadyNamedException) {
  auto o = sdk_failure(Error{"ValidationException", "bad"}, "rid");
  EXPECT_EQ(o.error, "StepFunctions.ValidationException");
  EXPECT_EQ(o.cause,
            "bad (Service: AWSStepFunctions; Status Code: 400; Error Code: ValidationException; "
            "Request ID: rid; Proxy: null)");
}

TEST(Nested, RefusedSyncStartLeavesNothingWaiting) {
  Fixture f;
  f.starter.refuse = Error{"ExecutionAlreadyExists", "Execution Already Exists: 'x'"};
  f.nested.start(start_task(".sync", nullptr), f.loop, f.done());
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_EQ(f.outcomes[0].error, "StepFunctions.ExecutionAlreadyExistsException");
  EXPECT_EQ(f.nested.waiting(), 0u);
  EXPECT_TRUE(f.progress.empty());
}

TEST(Nested, CancelStopsTheSyncChildAndIgnoresItsLateEnd) {
  Fixture f;
  auto req = start_task(".sync:2", nullptr);
  f.nested.start(req, f.loop, f.done());
  f.nested.cancel(req);
  ASSERT_EQ(f.starter.stopped.size(), 1u);
  EXPECT_EQ(f.starter.stopped[0],
            "arn:aws:states:us-east-1:123456789012:execution:child:TestStartTarget");
  f.starter.closers[0](closed_child("ABORTED"));
  EXPECT_TRUE(f.outcomes.empty());
  EXPECT_EQ(f.nested.waiting(), 0u);
}

TEST(Nested, InputIsSerialisedOrUsedAsWritten) {
  Fixture f;
  json::object in{{"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID", kParent}, {"n", 1}};
  f.nested.start(start_task("", in), f.loop, f.done());
  f.nested.start(start_task("", json::value(R"({"raw": true})")), f.loop, f.done());
  ASSERT_EQ(f.starter.starts.size(), 2u);
  EXPECT_EQ(f.starter.starts[0].input,
            R"({"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":")" + kParent + R"(","n":1})");
  EXPECT_EQ(f.starter.starts[1].input, R"({"raw": true})");
}

TEST(Nested, MissingNameGetsAGeneratedOne) {
  Fixture f;
  auto req = start_task("", nullptr);
  req.parameters.as_object().erase("Name");
  f.nested.start(req, f.loop, f.done());
  ASSERT_EQ(f.starter.starts.size(), 1u);
  EXPECT_EQ(f.starter.starts[0].name.value_or("").size(), 36u);  // a UUID
}

TEST(Nested, MissingStateMachineArnFailsAsValidation) {
  Fixture f;
  auto req = start_task(".sync", nullptr);
  req.parameters.as_object().erase("StateMachineArn");
  f.nested.start(req, f.loop, f.done());
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_EQ(f.outcomes[0].error, "StepFunctions.ValidationException");
  EXPECT_TRUE(f.starter.starts.empty());
}

TEST(Nested, ReattachedChildThatAlreadyClosedAnswersOnce) {
  Fixture f;
  f.starter.already_closed = closed_child("SUCCEEDED");
  f.nested.start(start_task(".sync", nullptr), f.loop, f.done());
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_TRUE(f.outcomes[0].succeeded);
  EXPECT_TRUE(f.progress.empty());
  EXPECT_EQ(f.nested.waiting(), 0u);
}

TEST(Nested, CallbackPatternAnswersTheStartForTaskTokensToWaitOn) {
  Fixture f;
  auto req = start_task(".waitForTaskToken", json::object{{"token", std::string(64, 'a')}});
  req.task_token = std::string(64, 'a');
  f.nested.start(req, f.loop, f.done());
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_TRUE(f.outcomes[0].succeeded);
  EXPECT_TRUE(f.outcomes[0].output.as_object().contains("ExecutionArn"));
  EXPECT_FALSE(f.starter.closers[0]);
}

}  // namespace
}  // namespace stepwise::sfn
