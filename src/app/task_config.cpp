// load_task_config: one config file into the function, HTTP and job runners.
#include "app/task_config.h"

#include "tasks/tasks_config.h"

namespace stepwise::app {

Status load_task_config(const std::string& path, tasks::FunctionRunner& functions,
                        tasks::HttpTaskRunner& http, tasks::JobRunner& jobs) {
  auto config = tasks::load_tasks_config(path);
  if (!config.ok()) return config.error();
  for (auto& spec : config->functions) {
    auto added = functions.add(std::move(spec));
    if (!added.ok()) return added.error();
  }
  for (auto& connection : config->connections) http.add_connection(std::move(connection));
  for (auto& job : config->jobs) jobs.add(std::move(job));
  return ok_status();
}

}  // namespace stepwise::app
