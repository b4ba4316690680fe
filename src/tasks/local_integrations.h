// The integrations Stepwise runs as local processes or HTTP calls, registered by name: the one
// list of their registration lines (`stepwise serve`, `stepwise run`, the conformance runner
// and tests all call this).
//
//   lambda:function, lambda:invoke[.waitForTaskToken]   → functions (FunctionRunner)
//   http:invoke                                          → http (HttpTaskRunner)
//   batch:submitJob, ecs:runTask, glue:startJobRun,
//   sagemaker:createTrainingJob, elasticmapreduce:addStep [.sync] → jobs (JobRunner)
//
// Thread-safety: call before the registry's first start().
#pragma once

#include <functional>

#include "base/result.h"
#include "tasks/integrations.h"
#include "tasks/task_runner.h"

namespace stepwise::tasks {

struct LocalRunners {
  TaskRunner* functions = nullptr;  // null: that integration has no runner (States.Runtime)
  TaskRunner* http = nullptr;
  TaskRunner* jobs = nullptr;
};

Status register_local_integrations(IntegrationRegistry& registry, const LocalRunners& runners);

// The same, as a registration step to run later (sfn::ServiceOptions::integrations).
inline std::function<Status(IntegrationRegistry&)> local_integrations(LocalRunners runners) {
  return [runners](IntegrationRegistry& registry) {
    return register_local_integrations(registry, runners);
  };
}

}  // namespace stepwise::tasks
