// JobRunner: the job-style service integrations, run as local commands.
//
//   arn:aws:states:::batch:submitJob[.sync]             job key: JobDefinition (name), JobName
//   arn:aws:states:::ecs:runTask[.sync]                 job key: TaskDefinition family
//   arn:aws:states:::glue:startJobRun[.sync]            job key: JobName
//   arn:aws:states:::sagemaker:createTrainingJob[.sync] job key: TrainingJobName
//   arn:aws:states:::elasticmapreduce:addStep[.sync]    job key: Step.Name
//
// The `jobs` section of the config (tasks_config.h) maps a job key to a command. The command gets
// the Task's parameters as JSON on stdin and STEPWISE_JOB_ID / STEPWISE_JOB_NAME in its
// environment. `.sync` waits for it: exit 0 gives the service's description of the finished job
// (Batch's DescribeJobs entry with Status SUCCEEDED, Glue's JobRun with JobRunState SUCCEEDED,
// ...), with the fields of a JSON object the command printed on stdout merged in; a non-zero exit
// (or a kill, or its timeout) fails with States.TaskFailed and the failed job's description as the
// cause. Without `.sync` the task answers at once with the submit response (JobId, JobRunId, ...)
// and the command runs on in the background. Stopping the execution (cancel()) kills the command.
//
// Thread-safety: add() before the first start(); start()/cancel() on the loop thread. Commands
// run on pool threads owned by the runner; results come back through loop.post(). Destroying the
// runner kills the commands still running.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tasks/task_runner.h"
#include "tasks/tasks_config.h"

namespace stepwise::tasks {

// True for the resources the JobRunner serves (with or without .sync).
bool is_job_resource(std::string_view resource);

class JobRunner final : public TaskRunner {
 public:
  JobRunner();
  ~JobRunner() override;
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void add(JobSpec job);
  // Receives each job's stderr tail (limits::function_log_tail_bytes_max) when it wrote any: the
  // job's log. Called on pool threads (must be thread-safe). Set before the first start().
  using LogSink = tasks::LogSink;  // (job name, job id, text)
  void set_log_sink(LogSink sink);

  void start(const TaskRequest& request, EventLoop& loop, TaskDone done) override;
  void cancel(const TaskRequest& request) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepwise::tasks
