#include "tasks/router.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/event_loop.h"

namespace stepwise::tasks {
namespace {

class Fixed : public TaskRunner {
 public:
  explicit Fixed(std::string tag) : tag_(std::move(tag)) {}
  void start(const TaskRequest&, EventLoop& loop, TaskDone done) override {
    loop.post([done, tag = tag_] { done(TaskOutcome::success(json::value(tag))); });
  }
  void cancel(const TaskRequest&) override { ++cancels; }
  int cancels = 0;

 private:
  std::string tag_;
};

TaskOutcome run(Router& router, const std::string& resource) {
  ManualClock clock(0);
  EventLoop loop(clock);
  TaskRequest r;
  r.resource = resource;
  TaskOutcome out = TaskOutcome::failure("none", "");
  router.start(r, loop, [&](TaskOutcome o) { out = std::move(o); });
  loop.run();
  return out;
}

TEST(Router, ClassifiesResources) {
  EXPECT_EQ(resource_kind("arn:aws:lambda:us-east-1:1:function:f"), ResourceKind::lambda);
  EXPECT_EQ(resource_kind("arn:aws:states:::lambda:invoke"), ResourceKind::lambda);
  EXPECT_EQ(resource_kind("arn:aws:states:us-east-1:1:activity:a"), ResourceKind::activity);
  EXPECT_EQ(resource_kind("arn:aws:states:::states:startExecution.sync:2"),
            ResourceKind::nested_execution);
  EXPECT_EQ(resource_kind("arn:aws:states:::http:invoke"), ResourceKind::http);
  EXPECT_EQ(resource_kind("arn:aws:states:::aws-sdk:s3:getObject"), ResourceKind::aws_sdk);
  EXPECT_EQ(resource_kind("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            ResourceKind::service);
  EXPECT_EQ(resource_kind("arn:aws:states:::batch:submitJob.sync"), ResourceKind::job);
  EXPECT_EQ(resource_kind("arn:aws:states:::ecs:runTask"), ResourceKind::job);
  EXPECT_EQ(resource_kind("arn:aws:states:::ecs:runTask.waitForTaskToken"), ResourceKind::service);
  EXPECT_EQ(resource_kind("arn:aws:states:::nothing"), ResourceKind::unknown);
  EXPECT_EQ(resource_kind("hello"), ResourceKind::unknown);
}

TEST(Router, DispatchesByKind) {
  Fixed lambda("lambda"), sdk("sdk");
  Router router;
  router.route(ResourceKind::lambda, &lambda);
  router.route(ResourceKind::aws_sdk, &sdk);
  EXPECT_EQ(run(router, "arn:aws:states:::lambda:invoke").output.as_string(), "lambda");
  EXPECT_EQ(run(router, "arn:aws:states:::aws-sdk:s3:getObject").output.as_string(), "sdk");
}

TEST(Router, UnroutedResourceFailsWithStatesRuntimeNamingIt) {
  Router router;
  auto o = run(router, "arn:aws:states:::sqs:sendMessage");
  EXPECT_EQ(o.error, "States.Runtime");
  EXPECT_NE(o.cause.find("arn:aws:states:::sqs:sendMessage"), std::string::npos);
  auto unknown = run(router, "arn:aws:states:::dynamodb");
  EXPECT_NE(unknown.cause.find("is not recognized"), std::string::npos);
}

TEST(Router, CancelReachesTheRunnerOfTheKind) {
  Fixed lambda("lambda");
  Router router;
  router.route(ResourceKind::lambda, &lambda);
  TaskRequest r;
  r.resource = "arn:aws:states:::lambda:invoke";
  router.cancel(r);
  r.resource = "arn:aws:states:::sqs:sendMessage";
  router.cancel(r);
  EXPECT_EQ(lambda.cancels, 1);
}

}  // namespace
}  // namespace stepwise::tasks
