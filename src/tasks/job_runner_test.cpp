#include "tasks/job_runner.h"
#include "tasks/test_run.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <optional>

#include "base/clock.h"
#include "base/event_loop.h"

namespace stepwise::tasks {
namespace {

const char* kExec = "arn:aws:states:us-west-2:222222222222:execution:sm:run";

JobSpec job(const std::string& name, const std::string& script) {
  JobSpec j;
  j.name = name;
  j.argv = {"/bin/sh", "-c", script};
  j.timeout_ms = 5000;
  return j;
}

TaskRequest job_request(const std::string& resource, const std::string& params) {
  TaskRequest r;
  r.resource = resource;
  r.parameters = json::parse(params).value();
  r.execution_arn = kExec;
  r.state_name = "Job";
  r.task_id = "exec#1";
  return r;
}

using testing::run_one;

TEST(JobRunner, RecognisesTheJobIntegrations) {
  EXPECT_TRUE(is_job_resource("arn:aws:states:::batch:submitJob.sync"));
  EXPECT_TRUE(is_job_resource("arn:aws:states:::ecs:runTask"));
  EXPECT_TRUE(is_job_resource("arn:aws:states:::glue:startJobRun.sync"));
  EXPECT_TRUE(is_job_resource("arn:aws:states:::sagemaker:createTrainingJob.sync"));
  EXPECT_TRUE(is_job_resource("arn:aws:states:::elasticmapreduce:addStep.sync"));
  EXPECT_FALSE(is_job_resource("arn:aws:states:::batch:submitJob.sync:2"));
  EXPECT_FALSE(is_job_resource("arn:aws:states:::sqs:sendMessage"));
}

TEST(JobRunner, BatchSyncSucceedsWithTheDescribedJob) {
  JobRunner runner;
  runner.add(job("report", "cat > /dev/null; echo '{\"Tags\":{\"from\":\"job\"}}'"));
  auto o = run_one(runner, job_request("arn:aws:states:::batch:submitJob.sync",
                                       R"({"JobName":"nightly","JobQueue":"q",
                                           "JobDefinition":"arn:aws:batch:us-west-2:2:job-definition/report:7"})"));
  ASSERT_TRUE(o.succeeded) << o.error << " " << o.cause;
  const auto& r = o.output.get_object();
  EXPECT_EQ(r.at("Status").get_string(), "SUCCEEDED");
  EXPECT_EQ(r.at("JobName").get_string(), "nightly");
  EXPECT_EQ(r.at("JobQueue").get_string(), "q");
  EXPECT_EQ(json::dump(r.at("Container").at("ExitCode")), "0");
  EXPECT_EQ(std::string(r.at("JobArn").get_string())
                .rfind("arn:aws:batch:us-west-2:222222222222:job/", 0),
            0u);
  EXPECT_EQ(json::dump(r.at("Tags")), R"({"from":"job"})");  // the command's printed fields
}

TEST(JobRunner, CommandReadsTheParametersOnStdin) {
  JobRunner runner;
  runner.add(
      job("etl", "read line; case \"$line\" in *'\"--day\":\"mon\"'*) exit 0;; *) exit 3;; esac"));
  auto o = run_one(runner, job_request("arn:aws:states:::glue:startJobRun.sync",
                                       R"({"JobName":"etl","Arguments":{"--day":"mon"}})"));
  ASSERT_TRUE(o.succeeded) << o.cause;
  EXPECT_EQ(o.output.at("JobRunState").get_string(), "SUCCEEDED");
  EXPECT_EQ(std::string(o.output.at("Id").get_string()).rfind("jr_", 0), 0u);
}

TEST(JobRunner, NonZeroExitFailsWithTheFailedJobAsCause) {
  JobRunner runner;
  runner.add(job("report", "exit 4"));
  auto o =
      run_one(runner, job_request("arn:aws:states:::batch:submitJob.sync",
                                  R"({"JobName":"n","JobDefinition":"report","JobQueue":"q"})"));
  ASSERT_FALSE(o.succeeded);
  EXPECT_EQ(o.error, "States.TaskFailed");
  auto cause = json::parse(o.cause);
  ASSERT_TRUE(cause.ok());
  EXPECT_EQ(cause->at("Status").get_string(), "FAILED");
  EXPECT_EQ(cause->at("StatusReason").get_string(), "Essential container in task exited");
  EXPECT_EQ(json::dump(cause->at("Container").at("ExitCode")), "4");
}

TEST(JobRunner, EachServiceFailsInItsOwnShape) {
  JobRunner runner;
  runner.add(job("train", "exit 1"));
  auto sm = run_one(runner, job_request("arn:aws:states:::sagemaker:createTrainingJob.sync",
                                        R"({"TrainingJobName":"train"})"));
  EXPECT_EQ(json::parse(sm.cause)->at("TrainingJobStatus").get_string(), "Failed");
  auto emr = run_one(runner, job_request("arn:aws:states:::elasticmapreduce:addStep.sync",
                                         R"({"ClusterId":"j-1","Step":{"Name":"train"}})"));
  EXPECT_EQ(json::parse(emr.cause)->at("Step").at("Status").at("State").get_string(), "FAILED");
  auto ecs = run_one(
      runner, job_request("arn:aws:states:::ecs:runTask.sync", R"({"TaskDefinition":"train:3"})"));
  EXPECT_EQ(json::parse(ecs.cause)->at("StopCode").get_string(), "EssentialContainerExited");
}

TEST(JobRunner, WithoutSyncAnswersAtOnceWithTheSubmitResponse) {
  JobRunner runner;
  runner.add(job("report", "sleep 5"));
  auto began = std::chrono::steady_clock::now();
  auto o =
      run_one(runner, job_request("arn:aws:states:::batch:submitJob",
                                  R"({"JobName":"n","JobDefinition":"report","JobQueue":"q"})"));
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(2));
  ASSERT_TRUE(o.succeeded);
  EXPECT_EQ(o.output.get_object().size(), 3u);  // JobArn, JobId, JobName
  EXPECT_EQ(o.output.at("JobName").get_string(), "n");
}  // the runner's destructor kills the background job

TEST(JobRunner, UnknownJobFailsWithTheServiceError) {
  JobRunner runner;
  auto o = run_one(
      runner, job_request("arn:aws:states:::glue:startJobRun.sync", R"({"JobName":"missing"})"));
  EXPECT_EQ(o.error, "Glue.EntityNotFoundException");
}

TEST(JobRunner, CancelKillsTheRunningJob) {
  JobRunner runner;
  runner.add(job("long", "sleep 30"));
  ManualClock clock(0);
  EventLoop loop(clock);
  int calls = 0;
  auto req = job_request("arn:aws:states:::batch:submitJob.sync",
                         R"({"JobName":"n","JobDefinition":"long","JobQueue":"q"})");
  auto began = std::chrono::steady_clock::now();
  runner.start(req, loop, [&](TaskOutcome) { ++calls; });
  loop.post([&] { runner.cancel(req); });
  loop.run();
  EXPECT_EQ(calls, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
}

TEST(JobRunner, JobTimeoutFailsTheJob) {
  JobRunner runner;
  JobSpec j = job("slow", "sleep 10");
  j.timeout_ms = 200;
  runner.add(j);
  auto o = run_one(runner, job_request("arn:aws:states:::batch:submitJob.sync",
                                       R"({"JobName":"n","JobDefinition":"slow","JobQueue":"q"})"));
  EXPECT_EQ(o.error, "States.TaskFailed");
  EXPECT_EQ(json::parse(o.cause)->at("StatusReason").get_string(),
            "Job attempt duration exceeded timeout");
}

TEST(JobRunner, ContainerOverridesEnvironmentReachesTheCommand) {
  JobRunner runner;
  runner.add(job("env", "cat >/dev/null; test \"$STAGE\" = prod && test -n \"$STEPWISE_JOB_ID\""));
  auto batch = run_one(runner, job_request("arn:aws:states:::batch:submitJob.sync",
                                           R"({"JobName":"n","JobDefinition":"env","JobQueue":"q",
                                               "ContainerOverrides":{"Environment":[{"Name":"STAGE","Value":"prod"}]}})"));
  EXPECT_TRUE(batch.succeeded) << batch.cause;
  auto ecs =
      run_one(runner, job_request("arn:aws:states:::ecs:runTask.sync",
                                  R"({"TaskDefinition":"env","Overrides":{"ContainerOverrides":
                                             [{"Name":"c","Environment":[{"Name":"STAGE","Value":"prod"}]}]}})"));
  EXPECT_TRUE(ecs.succeeded) << ecs.cause;
  auto without = run_one(
      runner, job_request("arn:aws:states:::ecs:runTask.sync", R"({"TaskDefinition":"env"})"));
  EXPECT_FALSE(without.succeeded);
}

TEST(JobRunner, StderrReachesTheLogSink) {
  JobRunner runner;
  runner.add(job("noisy", "cat >/dev/null; echo 'step 1 of 1' >&2"));
  std::mutex mu;
  std::string logged;
  runner.set_log_sink([&](const std::string& name, const std::string&, const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    logged += name + ": " + text;
  });
  auto o = run_one(runner,
                   job_request("arn:aws:states:::glue:startJobRun.sync", R"({"JobName":"noisy"})"));
  ASSERT_TRUE(o.succeeded) << o.cause;
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(logged, "noisy: step 1 of 1\n");
}

}  // namespace
}  // namespace stepwise::tasks

namespace stepwise::tasks {
namespace {

TEST(JobRunner, CommandSeesTheCallsIdempotencyKey) {
  JobRunner runner;
  runner.add(job("etl", "test \"$STEPWISE_IDEMPOTENCY_KEY\" = 'exec:7:2' || exit 5"));
  TaskRequest r = job_request("arn:aws:states:::glue:startJobRun.sync", R"({"JobName":"etl"})");
  r.idempotency_key = "exec:7:2";
  auto o = run_one(runner, r);
  EXPECT_TRUE(o.succeeded) << o.cause;
  r.idempotency_key = "exec:7:3";
  EXPECT_FALSE(run_one(runner, r).succeeded);
}

}  // namespace
}  // namespace stepwise::tasks
