#include "tasks/integrations.h"

#include <gtest/gtest.h>

#include "integrations/resource.h"
#include "tasks/local_integrations.h"
#include "tasks/test_run.h"

namespace stepwise::tasks {
namespace {

using P = IntegrationPattern;

class Recording : public TaskRunner {
 public:
  explicit Recording(std::string tag) : tag_(std::move(tag)) {}
  void start(const TaskRequest& r, EventLoop& loop, TaskDone done) override {
    seen.push_back(r);
    loop.post([done, tag = tag_] { done(TaskOutcome::success(json::value(tag))); });
  }
  void cancel(const TaskRequest&) override { ++cancels; }
  std::vector<TaskRequest> seen;
  int cancels = 0;

 private:
  std::string tag_;
};

// A request as the engine sends it: the Resource resolved by the compiler's resolve().
TaskRequest request(const std::string& resource) {
  TaskRequest r;
  r.resource = resource;
  r.integration = integrations::integration_of(resource);
  return r;
}

TEST(IntegrationRegistry, ExactNamesReachTheirRunner) {
  Recording lambda("lambda"), nested("nested"), sqs("sqs");
  IntegrationRegistry registry;
  ASSERT_TRUE(registry.add("lambda:invoke", &lambda).ok());
  ASSERT_TRUE(registry.add("states:startExecution", &nested).ok());
  ASSERT_TRUE(registry.add("sqs:sendMessage", &sqs).ok());
  auto run = [&](const char* r) { return testing::run_one(registry, request(r)).output; };
  EXPECT_EQ(run("arn:aws:states:::lambda:invoke").as_string(), "lambda");
  EXPECT_EQ(run("arn:aws:states:::states:startExecution.sync:2").as_string(), "nested");
  EXPECT_EQ(run("arn:aws:states:::sqs:sendMessage").as_string(), "sqs");
  // The test integration received its call, with the pattern resolved at compile.
  ASSERT_EQ(sqs.seen.size(), 1u);
  EXPECT_EQ(sqs.seen[0].integration.name(), "sqs:sendMessage");
  EXPECT_EQ(nested.seen[0].integration.pattern, P::kSync2);
}

TEST(IntegrationRegistry, FunctionAndActivityArnsAreTheirOwnIntegrations) {
  Recording function("function"), activity("activity");
  IntegrationRegistry registry;
  ASSERT_TRUE(registry.add("lambda:function", &function).ok());
  ASSERT_TRUE(registry.add("activity", &activity).ok());
  EXPECT_EQ(testing::run_one(registry, request("arn:aws:lambda:us-east-1:1:function:f:prod"))
                .output.as_string(),
            "function");
  EXPECT_EQ(testing::run_one(registry, request("arn:aws:states:us-east-1:1:activity:a"))
                .output.as_string(),
            "activity");
  // lambda:invoke is another integration: not registered here.
  EXPECT_EQ(testing::run_one(registry, request("arn:aws:states:::lambda:invoke")).error,
            "States.Runtime");
}

TEST(IntegrationRegistry, AwsSdkWildcardServesEveryActionOfItsServiceOnly) {
  Recording sfn("sfn");
  IntegrationRegistry registry;
  ASSERT_TRUE(registry.add("aws-sdk:sfn:*", &sfn).ok());
  auto run = [&](const char* r) { return testing::run_one(registry, request(r)); };
  EXPECT_EQ(run("arn:aws:states:::aws-sdk:sfn:startExecution").output.as_string(), "sfn");
  EXPECT_EQ(run("arn:aws:states:::aws-sdk:sfn:sendTaskSuccess.waitForTaskToken").output.as_string(),
            "sfn");
  auto s3 = run("arn:aws:states:::aws-sdk:s3:getObject");
  EXPECT_EQ(s3.error, "States.Runtime");
  EXPECT_NE(s3.cause.find("aws-sdk:*"), std::string::npos) << s3.cause;
}

TEST(IntegrationRegistry, OnlyTheRegisteredPatternsAreServed) {
  Recording jobs("jobs");
  IntegrationRegistry registry;
  ASSERT_TRUE(registry.add("ecs:runTask", &jobs, Patterns{P::kRequestResponse, P::kSync}).ok());
  TaskRequest callback = request("arn:aws:states:::ecs:runTask.waitForTaskToken");
  EXPECT_EQ(registry.runner_for(callback), nullptr);
  auto o = testing::run_one(registry, callback);
  EXPECT_EQ(o.error, "States.Runtime");
  EXPECT_NE(o.cause.find("'.waitForTaskToken'"), std::string::npos) << o.cause;
  EXPECT_EQ(registry.runner_for(request("arn:aws:states:::ecs:runTask.sync")), &jobs);
}

TEST(IntegrationRegistry, RegistrationRefusesWhatTheCatalogLacks) {
  Recording r("r");
  IntegrationRegistry registry;
  EXPECT_EQ(registry.add("dynamodb:query", &r).error().name, "InvalidArgument");
  EXPECT_FALSE(registry.add("http:invoke", &r, Patterns{P::kSync}).ok());  // AWS has no .sync
  EXPECT_FALSE(registry.add("aws-sdk:*", &r).ok());                        // name a service
  EXPECT_FALSE(registry.add("lambda:invoke", nullptr).ok());
  ASSERT_TRUE(registry.add("lambda:invoke", &r).ok());
  EXPECT_FALSE(registry.add("lambda:invoke", &r).ok());  // twice
  ASSERT_TRUE(registry.add("aws-sdk:sfn:*", &r).ok());
  EXPECT_FALSE(registry.add("aws-sdk:sfn:*", &r).ok());
}

TEST(IntegrationRegistry, UnknownResourceFailsAtRunTimeWithAwsWording) {
  IntegrationRegistry registry;
  auto o = testing::run_one(registry, request("arn:aws:states:::dynamodb"));
  EXPECT_EQ(o.error, "States.Runtime");
  EXPECT_NE(o.cause.find("is not recognized"), std::string::npos);
  // Known to AWS but no runner: the machine was accepted, the task fails naming it.
  auto sqs = testing::run_one(registry, request("arn:aws:states:::sqs:sendMessage"));
  EXPECT_EQ(sqs.error, "States.Runtime");
  EXPECT_NE(sqs.cause.find("arn:aws:states:::sqs:sendMessage"), std::string::npos);
}

TEST(IntegrationRegistry, HandMadeRequestIsResolvedFromItsText) {
  Recording lambda("lambda");
  IntegrationRegistry registry;
  ASSERT_TRUE(registry.add("lambda:invoke", &lambda).ok());
  TaskRequest r;
  r.resource = "arn:aws:states:::lambda:invoke";  // no integration set
  EXPECT_EQ(testing::run_one(registry, r).output.as_string(), "lambda");
}

TEST(IntegrationRegistry, CancelReachesTheRegisteredRunner) {
  Recording lambda("lambda");
  IntegrationRegistry registry;
  ASSERT_TRUE(registry.add("lambda:invoke", &lambda).ok());
  registry.cancel(request("arn:aws:states:::lambda:invoke"));
  registry.cancel(request("arn:aws:states:::sqs:sendMessage"));
  EXPECT_EQ(lambda.cancels, 1);
}

TEST(LocalIntegrations, JobsServeRequestResponseAndSyncButNoCallback) {
  Recording functions("f"), http("h"), jobs("j");
  IntegrationRegistry registry;
  ASSERT_TRUE(
      register_local_integrations(registry, {.functions = &functions, .http = &http, .jobs = &jobs})
          .ok());
  EXPECT_EQ(registry.runner_for(request("arn:aws:states:::glue:startJobRun.sync")), &jobs);
  EXPECT_EQ(registry.runner_for(request("arn:aws:states:::ecs:runTask.waitForTaskToken")), nullptr);
  EXPECT_EQ(registry.runner_for(request("arn:aws:states:::lambda:invoke.waitForTaskToken")),
            &functions);
  EXPECT_EQ(registry.runner_for(request("arn:aws:lambda:us-east-1:1:function:f")), &functions);
  EXPECT_EQ(registry.runner_for(request("arn:aws:states:::http:invoke")), &http);
}

}  // namespace
}  // namespace stepwise::tasks
