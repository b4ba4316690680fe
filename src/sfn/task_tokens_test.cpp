#include "sfn/task_tokens.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/event_loop.h"

namespace stepwise::sfn {
namespace {

// A runner that records what reaches it and lets the test answer.
struct RecordingRunner final : tasks::TaskRunner {
  std::vector<tasks::TaskRequest> started;
  std::vector<tasks::TaskDone> dones;
  std::vector<tasks::TaskRequest> cancelled;
  void start(const tasks::TaskRequest& r, EventLoop&, tasks::TaskDone done) override {
    started.push_back(r);
    dones.push_back(std::move(done));
  }
  void cancel(const tasks::TaskRequest& r) override { cancelled.push_back(r); }
};

const std::string kToken(64, 'a');
const std::string kOtherToken(64, 'b');

tasks::TaskRequest token_task(const std::string& resource, const std::string& token = kToken) {
  tasks::TaskRequest r;
  r.resource = resource;
  r.parameters = json::object{{"QueueUrl", "q"}};
  r.state_name = "Wait";
  r.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:m:e";
  r.task_token = token;
  return r;
}

json::value success_request(const std::string& token, const std::string& output) {
  return json::object{{"taskToken", token}, {"output", output}};
}

struct Fixture {
  ManualClock clock{0};
  EventLoop loop{clock};
  tasks::CallbackRegistry registry;
  RecordingRunner inner;  // the runner of lambda, activities and nested executions
  tasks::IntegrationRegistry integrations;
  TaskTokens tokens{registry, integrations};
  std::optional<tasks::TaskOutcome> outcome;
  int outcomes = 0;
  std::vector<std::pair<tasks::TaskRequest, TaskProgress>> progress;

  Fixture() {
    for (const char* name :
         {"lambda:invoke", "lambda:function", "activity", "states:startExecution"}) {
      EXPECT_TRUE(integrations.add(name, &inner).ok()) << name;
    }
    tokens.set_progress([this](const tasks::TaskRequest& r, TaskProgress p) {
      progress.emplace_back(r, std::move(p));
    });
  }
  tasks::TaskDone done() {
    return [this](tasks::TaskOutcome o) {
      outcome = std::move(o);
      ++outcomes;
    };
  }
};

TEST(TaskTokens, CallbackOnUnsupportedServiceWaitsForSendTaskSuccess) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken"), f.loop, f.done());
  f.loop.run();
  EXPECT_FALSE(f.outcome.has_value());
  auto r = f.tokens.send_task_success(success_request(kToken, R"({"a":1})"));
  ASSERT_FALSE(r.is_error()) << r.error().message;
  EXPECT_TRUE(r.body().is_object() && r.body().as_object().empty());
  f.loop.run();
  ASSERT_TRUE(f.outcome && f.outcome->succeeded);
  EXPECT_EQ(json::dump(f.outcome->output), R"({"a":1})");
  EXPECT_EQ(f.tokens.live_count(), 0u);
}

TEST(TaskTokens, TokenUsedOnceIsRejectedAsTimedOut) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::sns:publish.waitForTaskToken"), f.loop, f.done());
  ASSERT_FALSE(f.tokens.send_task_success(success_request(kToken, "1")).is_error());
  f.loop.run();
  auto again = f.tokens.send_task_failure(json::object{{"taskToken", kToken}, {"error", "E"}});
  ASSERT_TRUE(again.is_error());
  EXPECT_EQ(again.error().type, "TaskTimedOut");
  EXPECT_EQ(again.error().message, "Task Timed Out: 'Provided task does not exist anymore'");
  EXPECT_EQ(f.outcomes, 1);
}

TEST(TaskTokens, TokenNotShapedLikeOursIsInvalidToken) {
  Fixture f;
  auto r = f.tokens.send_task_success(success_request("NoSuchTaskToken", "{}"));
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "InvalidToken");
  EXPECT_EQ(r.error().message, "Invalid Token: 'Invalid token'");
  EXPECT_EQ(r.error().status, 400u);
}

TEST(TaskTokens, WellFormedTokenOfNoLiveTaskIsTimedOut) {
  Fixture f;
  auto r = f.tokens.send_task_heartbeat(json::object{{"taskToken", kOtherToken}});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "TaskTimedOut");
}

TEST(TaskTokens, FailureCarriesErrorAndCause) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::events:putEvents.waitForTaskToken"), f.loop,
                 f.done());
  auto r = f.tokens.send_task_failure(
      json::object{{"taskToken", kToken}, {"error", "Boom"}, {"cause", "it broke"}});
  ASSERT_FALSE(r.is_error());
  f.loop.run();
  ASSERT_TRUE(f.outcome && !f.outcome->succeeded);
  EXPECT_EQ(f.outcome->error, "Boom");
  EXPECT_EQ(f.outcome->cause, "it broke");
  EXPECT_TRUE(f.outcome->has_cause);
}

TEST(TaskTokens, FailureWithoutCauseHasNoCause) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken"), f.loop, f.done());
  ASSERT_FALSE(f.tokens.send_task_failure(json::object{{"taskToken", kToken}}).is_error());
  EXPECT_FALSE(f.outcome.has_value());  // delivered on the loop, not inside the operation
  f.loop.run();
  ASSERT_TRUE(f.outcome && !f.outcome->succeeded);
  EXPECT_FALSE(f.outcome->has_cause);
  EXPECT_FALSE(f.outcome->has_error);  // neither field: AWS's {"Error": null, "Cause": null}
}

TEST(TaskTokens, FailureWithErrorOnlyHasAnError) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken"), f.loop, f.done());
  ASSERT_FALSE(
      f.tokens.send_task_failure(json::object{{"taskToken", kToken}, {"error", "E"}}).is_error());
  f.loop.run();
  ASSERT_TRUE(f.outcome && !f.outcome->succeeded);
  EXPECT_TRUE(f.outcome->has_error);
  EXPECT_EQ(f.outcome->error, "E");
  EXPECT_FALSE(f.outcome->has_cause);
}

TEST(TaskTokens, ErrorAndCauseLengthsFollowAwsLimits) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken"), f.loop, f.done());
  auto long_error = f.tokens.send_task_failure(
      json::object{{"taskToken", kToken}, {"error", std::string(257, 'e')}});
  ASSERT_TRUE(long_error.is_error());
  EXPECT_EQ(long_error.error().type, "ValidationException");
  EXPECT_EQ(long_error.error().message,
            "1 validation error detected: Value '" + std::string(257, 'e') +
                "' at 'error' failed to satisfy constraint: Member must have length less than "
                "or equal to 256");
  auto long_cause = f.tokens.send_task_failure(
      json::object{{"taskToken", kToken}, {"cause", std::string(32769, 'c')}});
  ASSERT_TRUE(long_cause.is_error());
  EXPECT_NE(long_cause.error().message.find("at 'cause'"), std::string::npos);
  // Limits themselves are fine, and the refused calls did not use the token up.
  auto at_limits = f.tokens.send_task_failure(json::object{
      {"taskToken", kToken}, {"error", std::string(256, 'e')}, {"cause", std::string(32768, 'c')}});
  EXPECT_FALSE(at_limits.is_error());
}

TEST(TaskTokens, NonJsonOutputIsInvalidOutputAndKeepsTheTaskWaiting) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken"), f.loop, f.done());
  auto r = f.tokens.send_task_success(success_request(kToken, "{not json"));
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "InvalidOutput");
  EXPECT_FALSE(f.tokens.send_task_success(success_request(kToken, "\"ok\"")).is_error());
}

TEST(TaskTokens, MissingFieldsAreValidationErrors) {
  Fixture f;
  auto no_token = f.tokens.send_task_heartbeat(json::object{});
  ASSERT_TRUE(no_token.is_error());
  EXPECT_EQ(no_token.error().type, "ValidationException");
  EXPECT_EQ(no_token.error().message,
            "1 validation error detected: Value null at 'taskToken' failed to satisfy "
            "constraint: Member must not be null");
  auto no_output = f.tokens.send_task_success(json::object{{"taskToken", kToken}});
  ASSERT_TRUE(no_output.is_error());
  EXPECT_NE(no_output.error().message.find("'output'"), std::string::npos);
}

TEST(TaskTokens, HeartbeatReportsProgressForTheLiveTask) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken"), f.loop, f.done());
  ASSERT_FALSE(f.tokens.send_task_heartbeat(json::object{{"taskToken", kToken}}).is_error());
  ASSERT_EQ(f.progress.size(), 1u);
  EXPECT_EQ(f.progress[0].second.kind, TaskProgress::Kind::kHeartbeat);
  EXPECT_EQ(f.progress[0].first.state_name, "Wait");
  EXPECT_TRUE(f.progress[0].first.parameters.is_null());  // identity only
  EXPECT_FALSE(f.outcome.has_value());
}

TEST(TaskTokens, NestedCallbackStartsTheChildThenWaits) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::states:startExecution.waitForTaskToken"), f.loop,
                 f.done());
  ASSERT_EQ(f.inner.started.size(), 1u);
  f.inner.dones[0](tasks::TaskOutcome::success(json::object{{"ExecutionArn", "child"}}));
  ASSERT_EQ(f.progress.size(), 1u);
  EXPECT_EQ(f.progress[0].second.kind, TaskProgress::Kind::kSubmitted);
  EXPECT_EQ(json::dump(f.progress[0].second.output), R"({"ExecutionArn":"child"})");
  f.loop.run();
  EXPECT_FALSE(f.outcome.has_value());
  ASSERT_FALSE(f.tokens.send_task_success(success_request(kToken, "[1]")).is_error());
  f.loop.run();
  ASSERT_TRUE(f.outcome && f.outcome->succeeded);
  EXPECT_EQ(json::dump(f.outcome->output), "[1]");
}

TEST(TaskTokens, IntegrationThatFailsToStartFailsTheTaskAtOnce) {
  Fixture f;
  ASSERT_TRUE(f.integrations.add("sqs:sendMessage", &f.inner).ok());
  f.tokens.start(token_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken"), f.loop, f.done());
  ASSERT_EQ(f.inner.started.size(), 1u);
  f.inner.dones[0](tasks::TaskOutcome::failure("SQS.QueueDoesNotExist", "no queue"));
  ASSERT_TRUE(f.outcome && !f.outcome->succeeded);
  EXPECT_EQ(f.outcome->error, "SQS.QueueDoesNotExist");
  auto late = f.tokens.send_task_success(success_request(kToken, "{}"));
  ASSERT_TRUE(late.is_error());
  EXPECT_EQ(late.error().type, "TaskTimedOut");
  EXPECT_EQ(f.registry.size(), 0u);
}

TEST(TaskTokens, CancelDropsTheWaiterWithoutAnswering) {
  Fixture f;
  auto req = token_task("arn:aws:states:::states:startExecution.waitForTaskToken");
  f.tokens.start(req, f.loop, f.done());
  f.tokens.cancel(req);
  EXPECT_EQ(f.registry.size(), 0u);
  EXPECT_EQ(f.inner.cancelled.size(), 1u);
  auto r = f.tokens.send_task_success(success_request(kToken, "{}"));
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "TaskTimedOut");
  f.loop.run();
  EXPECT_EQ(f.outcomes, 0);
}

TEST(TaskTokens, ActivitiesGoToTheirRunnerUnparked) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:us-east-1:123456789012:activity:work"), f.loop,
                 f.done());
  EXPECT_EQ(f.inner.started.size(), 1u);
  EXPECT_EQ(f.registry.size(), 0u);  // the runner parks it itself
  // Its done still closes the token.
  f.inner.dones[0](tasks::TaskOutcome::success(json::value(1)));
  EXPECT_EQ(f.outcomes, 1);
  auto r = f.tokens.send_task_heartbeat(json::object{{"taskToken", kToken}});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "TaskTimedOut");
}

TEST(TaskTokens, LambdaCallbackIsParkedThenInvokedAndItsAnswerIsTheSubmission) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::lambda:invoke.waitForTaskToken"), f.loop, f.done());
  EXPECT_EQ(f.registry.size(), 1u);  // parked before the function runs: it may call back at once
  ASSERT_EQ(f.inner.started.size(), 1u);
  EXPECT_EQ(f.inner.started[0].resource, "arn:aws:states:::lambda:invoke");
  EXPECT_EQ(f.inner.started[0].task_token, kToken);  // in the payload it is the function's
  f.inner.dones[0](tasks::TaskOutcome::success(json::object{{"StatusCode", 200}}));
  ASSERT_EQ(f.progress.size(), 1u);
  EXPECT_EQ(f.progress[0].second.kind, TaskProgress::Kind::kSubmitted);
  EXPECT_EQ(json::dump(f.progress[0].second.output), R"({"StatusCode":200})");
  EXPECT_FALSE(f.outcome.has_value());  // the task waits for its token
  ASSERT_FALSE(f.tokens.send_task_success(success_request(kToken, "7")).is_error());
  f.loop.run();
  ASSERT_TRUE(f.outcome && f.outcome->succeeded);
  EXPECT_EQ(json::dump(f.outcome->output), "7");
}

TEST(TaskTokens, LambdaCallbackWhoseInvocationFailsFailsAtOnce) {
  Fixture f;
  f.tokens.start(token_task("arn:aws:states:::lambda:invoke.waitForTaskToken"), f.loop, f.done());
  ASSERT_EQ(f.inner.started.size(), 1u);
  f.inner.dones[0](tasks::TaskOutcome::failure("Lambda.ResourceNotFoundException", "gone"));
  f.loop.run();
  ASSERT_TRUE(f.outcome.has_value());
  EXPECT_EQ(f.outcome->error, "Lambda.ResourceNotFoundException");
  EXPECT_TRUE(f.progress.empty());
  EXPECT_EQ(f.registry.size(), 0u);
}

TEST(TaskTokens, ResumedAfterItsSubmissionOnlyWaitsForTheToken) {
  Fixture f;
  tasks::TaskRequest r = token_task("arn:aws:states:::lambda:invoke.waitForTaskToken");
  r.resume = tasks::TaskRequest::Resume::kSubmitted;
  f.tokens.start(r, f.loop, f.done());
  EXPECT_TRUE(f.inner.started.empty());  // the function is not invoked a second time
  EXPECT_EQ(f.registry.size(), 1u);
  ASSERT_FALSE(f.tokens.send_task_success(success_request(kToken, "1")).is_error());
  f.loop.run();
  ASSERT_TRUE(f.outcome && f.outcome->succeeded);
}

TEST(TaskTokens, RedispatchHasEffectsAsTheCallingRunnerSays) {
  Fixture f;  // RecordingRunner keeps TaskRunner's default: effects
  EXPECT_TRUE(f.tokens.redispatch_has_effects(
      token_task("arn:aws:states:::lambda:invoke.waitForTaskToken")));
  tasks::TaskRequest no_token;  // passes through to its registered runner
  no_token.resource = "arn:aws:states:::lambda:invoke";
  EXPECT_TRUE(f.tokens.redispatch_has_effects(no_token));
  // An integration Stepwise does not run has nothing to repeat: only the token wait.
  EXPECT_FALSE(f.tokens.redispatch_has_effects(
      token_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken")));
  RecordingRunner sqs;
  ASSERT_TRUE(f.integrations.add("sqs:sendMessage", &sqs).ok());
  EXPECT_TRUE(f.tokens.redispatch_has_effects(
      token_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken")));
}

TEST(TaskTokens, TasksWithoutTokenPassThrough) {
  Fixture f;
  tasks::TaskRequest r;
  r.resource = "arn:aws:states:::states:startExecution.sync";
  f.tokens.start(r, f.loop, f.done());
  ASSERT_EQ(f.inner.started.size(), 1u);
  f.inner.dones[0](tasks::TaskOutcome::success(json::value("x")));
  ASSERT_TRUE(f.outcome && f.outcome->succeeded);
  EXPECT_EQ(f.tokens.live_count(), 0u);
}

TEST(TaskTokens, TokenShapeIsSixtyFourLowercaseHexDigits) {
  EXPECT_TRUE(token_shaped(std::string(64, 'f')));
  EXPECT_FALSE(token_shaped(std::string(63, 'f')));
  EXPECT_FALSE(token_shaped(std::string(64, 'F')));
  EXPECT_FALSE(token_shaped("NoSuchTaskToken"));
}

}  // namespace
}  // namespace stepwise::sfn

namespace stepwise::sfn {
namespace {

constexpr const char* kSyncChild = "arn:aws:states:::states:startExecution.sync";

TEST(TaskTokensSync, ASyncTaskRunsItsJobAndAnswersToItsToken) {
  Fixture f;
  f.tokens.start(token_task(kSyncChild), f.loop, f.done());
  ASSERT_EQ(f.inner.started.size(), 1u);  // the job runs at once
  auto r = f.tokens.send_task_success(success_request(kToken, R"("from the worker")"));
  ASSERT_FALSE(r.is_error()) << r.error().message;
  f.loop.run();
  ASSERT_TRUE(f.outcome && f.outcome->succeeded);
  EXPECT_EQ(f.outcome->output, "from the worker");
  // The job's own end afterwards changes nothing, and the token is closed.
  f.inner.dones[0](tasks::TaskOutcome::success(json::object{{"Status", "SUCCEEDED"}}));
  f.loop.run();
  EXPECT_EQ(f.outcomes, 1);
  EXPECT_EQ(f.tokens.send_task_success(success_request(kToken, "1")).error().type, "TaskTimedOut");
}

TEST(TaskTokensSync, TheJobsEndAnswersFirstAndClosesTheToken) {
  Fixture f;
  f.tokens.start(token_task(kSyncChild), f.loop, f.done());
  ASSERT_EQ(f.inner.dones.size(), 1u);
  f.inner.dones[0](tasks::TaskOutcome::failure("States.TaskFailed", "child failed"));
  f.loop.run();
  ASSERT_TRUE(f.outcome && !f.outcome->succeeded);
  EXPECT_EQ(f.outcome->error, "States.TaskFailed");
  EXPECT_EQ(f.tokens.send_task_failure(json::object{{"taskToken", kToken}}).error().type,
            "TaskTimedOut");
  EXPECT_EQ(f.tokens.live_count(), 0u);
}

TEST(TaskTokensSync, HeartbeatsReachASyncTaskAndCancelStopsItsJob) {
  Fixture f;
  f.tokens.start(token_task(kSyncChild), f.loop, f.done());
  ASSERT_FALSE(f.tokens.send_task_heartbeat(json::object{{"taskToken", kToken}}).is_error());
  f.tokens.cancel(token_task(kSyncChild));
  EXPECT_EQ(f.inner.cancelled.size(), 1u);
  EXPECT_EQ(f.tokens.send_task_heartbeat(json::object{{"taskToken", kToken}}).error().type,
            "TaskTimedOut");
}

}  // namespace
}  // namespace stepwise::sfn
