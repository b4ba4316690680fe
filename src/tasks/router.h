// Router: one TaskRunner that hands each Task to the runner for its kind of resource (Lambda →
// local functions; activities, nested executions, HTTP, AWS SDK and other service integrations
// as later runners are plugged in). A resource with no runner fails the task with States.Runtime
// and a cause naming the resource, so a workflow never hangs on an unsupported integration.
//
// Thread-safety: route() before use; start()/cancel() from the loop thread. The router does not
// own the runners it routes to.
#pragma once

#include <array>
#include <string_view>

#include "tasks/task_runner.h"

namespace stepwise::tasks {

enum class ResourceKind {
  lambda,            // function ARN, lambda:invoke, lambda:invoke.waitForTaskToken
  activity,          // arn:aws:states:REGION:ACCOUNT:activity:NAME
  nested_execution,  // arn:aws:states:::states:startExecution[.sync[:2]|.waitForTaskToken]
  http,              // arn:aws:states:::http:invoke
  job,               // batch:submitJob, ecs:runTask, glue:startJobRun, sagemaker:createTrainingJob,
                     // elasticmapreduce:addStep, with or without .sync (job_runner.h)
  aws_sdk,           // arn:aws:states:::aws-sdk:SERVICE:ACTION[...]
  service,           // arn:aws:states:::SERVICE:API[...] (optimised integrations)
  unknown,           // anything else
};
inline constexpr std::size_t resource_kind_count = 8;

ResourceKind resource_kind(std::string_view resource);
const char* resource_kind_name(ResourceKind kind);

class Router final : public TaskRunner {
 public:
  // Sends tasks of `kind` to `runner` (null: unsupported again).
  void route(ResourceKind kind, TaskRunner* runner);

  void start(const TaskRequest& request, EventLoop& loop, TaskDone done) override;
  void cancel(const TaskRequest& request) override;
  // The routed runner's answer; a resource with no runner only fails, which has no effect.
  bool redispatch_has_effects(const TaskRequest& request) const override;

 private:
  std::array<TaskRunner*, resource_kind_count> runners_{};
};

}  // namespace stepwise::tasks
