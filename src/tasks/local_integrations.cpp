#include "tasks/local_integrations.h"

#include <initializer_list>
#include <string_view>

namespace stepwise::tasks {

Status register_local_integrations(IntegrationRegistry& registry, const LocalRunners& runners) {
  using P = IntegrationPattern;
  struct Line {
    std::string_view name;
    TaskRunner* runner;
    std::optional<Patterns> patterns;  // nullopt: all AWS supports
  };
  // The JobRunner runs a job or waits for it; it makes no `.waitForTaskToken` call (ecs).
  const Patterns job = {P::kRequestResponse, P::kSync};
  for (const Line& line : std::initializer_list<Line>{
           {"lambda:function", runners.functions, std::nullopt},
           {"lambda:invoke", runners.functions, std::nullopt},
           {"http:invoke", runners.http, std::nullopt},
           {"batch:submitJob", runners.jobs, job},
           {"ecs:runTask", runners.jobs, job},
           {"glue:startJobRun", runners.jobs, job},
           {"sagemaker:createTrainingJob", runners.jobs, job},
           {"elasticmapreduce:addStep", runners.jobs, job},
       }) {
    if (line.runner == nullptr) continue;
    if (auto s = registry.add(line.name, line.runner, line.patterns); !s) return s;
  }
  return ok_status();
}

}  // namespace stepwise::tasks
