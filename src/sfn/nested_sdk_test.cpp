#include "sfn/nested_sdk.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/event_loop.h"
#include "sfn/activities.h"
#include "sfn/task_tokens.h"
#include "tasks/integrations.h"

namespace stepwise::sfn {
namespace {

const std::string kActivity = "arn:aws:states:us-east-1:123456789012:activity:work";

tasks::TaskRequest sdk_task(const std::string& action, json::value params) {
  tasks::TaskRequest r;
  r.resource = "arn:aws:states:::aws-sdk:sfn:" + action;
  r.parameters = std::move(params);
  r.state_name = action;
  r.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:worker:w1";
  return r;
}

struct Fixture {
  ManualClock clock{1700000000000};
  EventLoop loop{clock};
  IdGenerator ids{7};
  api::OperationTable table;
  SfnSdkRunner sfn{table, ids};
  std::vector<tasks::TaskOutcome> outcomes;
  tasks::TaskDone done() {
    return [this](tasks::TaskOutcome o) { outcomes.push_back(std::move(o)); };
  }
};

TEST(SfnSdk, OperationComesFromTheAction) {
  EXPECT_EQ(sfn_sdk_operation("arn:aws:states:::aws-sdk:sfn:getActivityTask"), "GetActivityTask");
  EXPECT_EQ(sfn_sdk_operation("arn:aws:states:::aws-sdk:sfn:sendTaskSuccess.waitForTaskToken"),
            "SendTaskSuccess");
  EXPECT_EQ(sfn_sdk_operation("arn:aws:states:::aws-sdk:s3:getObject"), "");
  EXPECT_EQ(sfn_sdk_operation("arn:aws:states:::aws-sdk:sfn:"), "");
}

TEST(SfnSdk, NamesAreRenamedBothWaysAndDatesBecomeIsoText) {
  Fixture f;
  json::value seen;
  f.table.add_sync("StartExecution", [&](const json::value& req, const api::RequestInfo&) {
    seen = req;
    return api::Response(json::object{{"executionArn", "arn:x"}, {"startDate", 1700000000.123}});
  });
  f.sfn.start(
      sdk_task("startExecution", json::object{{"StateMachineArn", "arn:m"},
                                              {"Input", "{\"A\":1}"},
                                              {"Tags", json::array{json::object{{"Key", "k"}}}}}),
      f.loop, f.done());
  EXPECT_TRUE(f.outcomes.empty());  // delivered through the loop
  f.loop.run();
  EXPECT_EQ(json::dump(seen),
            R"({"stateMachineArn":"arn:m","input":"{\"A\":1}","tags":[{"key":"k"}]})");
  ASSERT_EQ(f.outcomes.size(), 1u);
  ASSERT_TRUE(f.outcomes[0].succeeded);
  EXPECT_EQ(json::dump(f.outcomes[0].output),
            R"({"ExecutionArn":"arn:x","StartDate":"2023-11-14T22:13:20.123Z"})");
}

TEST(SfnSdk, ApiErrorsFailTheTaskAsTheJavaSdkReportsThem) {
  Fixture f;
  tasks::CallbackRegistry registry;
  tasks::IntegrationRegistry nothing;
  TaskTokens tokens(registry, nothing);
  f.table.add_sync("SendTaskSuccess", [&](const json::value& req, const api::RequestInfo&) {
    return tokens.send_task_success(req);
  });
  f.sfn.start(sdk_task("sendTaskSuccess", json::object{{"Output", "ParameterOutput"},
                                                       {"TaskToken", "NoSuchTaskToken"}}),
              f.loop, f.done());
  f.loop.run();
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_EQ(f.outcomes[0].error, "Sfn.InvalidTokenException");
  const std::string& cause = f.outcomes[0].cause;
  const std::string head =
      "Invalid Token: 'Invalid token' (Service: Sfn, Status Code: 400, Request ID: ";
  EXPECT_EQ(cause.substr(0, head.size()), head);
  const std::string tail = ") (SDK Attempt Count: 1)";
  EXPECT_EQ(cause.substr(cause.size() - tail.size()), tail);
}

TEST(SfnSdk, UnknownActionFailsWithTheApiAnswer) {
  Fixture f;
  f.sfn.start(sdk_task("fooBar", json::object{}), f.loop, f.done());
  f.loop.run();
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_FALSE(f.outcomes[0].succeeded);
  EXPECT_EQ(f.outcomes[0].error.rfind("Sfn.", 0), 0u);
}

// An activity worker written as a state machine: getActivityTask, then sendTaskSuccess with
// the input it received, against the same ActivityRunner and TaskTokens.
TEST(SfnSdk, WorkerMachineCallsFinishAnActivityTask) {
  Fixture f;
  tasks::CallbackRegistry registry;
  ActivityRunner activities(f.loop, registry, [](const std::string& a) { return a == kActivity; });
  tasks::IntegrationRegistry router;
  ASSERT_TRUE(router.add("activity", &activities).ok());
  TaskTokens tokens(registry, router);
  f.table.add("GetActivityTask",
              [&](json::value req, const api::RequestInfo& info, api::Reply reply) {
                activities.get_activity_task(req, info, std::move(reply));
              });
  f.table.add_sync("SendTaskSuccess", [&](const json::value& req, const api::RequestInfo&) {
    return tokens.send_task_success(req);
  });
  std::optional<tasks::TaskOutcome> main_outcome;
  tasks::TaskRequest work;
  work.resource = kActivity;
  work.parameters = json::object{{"Value1", "HelloWorld"}};
  work.task_token = std::string(64, 'c');
  tokens.start(work, f.loop, [&](tasks::TaskOutcome o) { main_outcome = std::move(o); });

  f.sfn.start(
      sdk_task("getActivityTask", json::object{{"ActivityArn", kActivity},
                                               {"WorkerName", "BASE_ID_ACTIVITY_CONSUMER"}}),
      f.loop, f.done());
  f.loop.run();
  ASSERT_EQ(f.outcomes.size(), 1u);
  ASSERT_TRUE(f.outcomes[0].succeeded);
  const auto& got = f.outcomes[0].output.as_object();
  ASSERT_TRUE(got.contains("TaskToken") && got.contains("Input"));
  f.sfn.start(sdk_task("sendTaskSuccess", json::object{{"Output", got.at("Input")},
                                                       {"TaskToken", got.at("TaskToken")}}),
              f.loop, f.done());
  f.loop.run();
  ASSERT_EQ(f.outcomes.size(), 2u);
  EXPECT_TRUE(f.outcomes[1].succeeded);
  EXPECT_EQ(json::dump(f.outcomes[1].output), "{}");
  ASSERT_TRUE(main_outcome && main_outcome->succeeded);
  EXPECT_EQ(json::dump(main_outcome->output), R"({"Value1":"HelloWorld"})");
}

// aws-sdk:sfn with .waitForTaskToken: the call's answer is the submission, the token the end.
TEST(SfnSdk, CallbackCallIsSubmittedThenWaitsForItsToken) {
  Fixture f;
  f.table.add_sync("StartExecution", [](const json::value&, const api::RequestInfo&) {
    return api::Response(json::object{{"executionArn", "arn:child"}, {"startDate", 1.5}});
  });
  tasks::CallbackRegistry registry;
  tasks::IntegrationRegistry integrations;
  ASSERT_TRUE(integrations.add("aws-sdk:sfn:*", &f.sfn).ok());
  TaskTokens tokens(registry, integrations);
  std::vector<TaskProgress> progress;
  tokens.set_progress([&](const tasks::TaskRequest&, TaskProgress p) { progress.push_back(p); });
  auto req = sdk_task("startExecution.waitForTaskToken", json::object{{"StateMachineArn", "m"}});
  req.task_token = std::string(64, 'e');
  tokens.start(req, f.loop, f.done());
  f.loop.run();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].kind, TaskProgress::Kind::kSubmitted);
  EXPECT_EQ(json::dump(progress[0].output),
            R"({"ExecutionArn":"arn:child","StartDate":"1970-01-01T00:00:01.500Z"})");
  EXPECT_TRUE(f.outcomes.empty());
  ASSERT_FALSE(tokens
                   .send_task_success(json::object{{"taskToken", *req.task_token},
                                                   {"output", R"({"from":"child"})"}})
                   .is_error());
  f.loop.run();
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_EQ(json::dump(f.outcomes[0].output), R"({"from":"child"})");
}

// A worker task stopped while its GetActivityTask is held must not swallow the next task.
TEST(SfnSdk, CancelledPollIsSkippedByTheActivityQueue) {
  Fixture f;
  tasks::CallbackRegistry registry;
  ActivityRunner activities(f.loop, registry, [](const std::string& a) { return a == kActivity; });
  f.table.add("GetActivityTask",
              [&](json::value req, const api::RequestInfo& info, api::Reply reply) {
                activities.get_activity_task(req, info, std::move(reply));
              });
  auto poll = sdk_task("getActivityTask", json::object{{"ActivityArn", kActivity}});
  poll.task_id = "worker#1";
  f.sfn.start(poll, f.loop, f.done());
  EXPECT_EQ(f.sfn.in_flight(), 1u);
  f.sfn.cancel(poll);
  EXPECT_EQ(f.sfn.in_flight(), 0u);
  api::RequestInfo live;
  std::optional<api::Response> second;
  activities.get_activity_task(json::object{{"activityArn", kActivity}}, live,
                               [&](api::Response r) { second = std::move(r); });
  tasks::TaskRequest work;
  work.resource = kActivity;
  work.parameters = json::object{};
  work.task_token = std::string(64, 'd');
  activities.start(work, f.loop, [](tasks::TaskOutcome) {});
  ASSERT_TRUE(second && !second->is_error());
  EXPECT_EQ(second->body().as_object().at("taskToken").as_string(), std::string(64, 'd'));
  f.loop.run();
  EXPECT_TRUE(f.outcomes.empty());  // the cancelled call never answers its task
}

}  // namespace
}  // namespace stepwise::sfn
