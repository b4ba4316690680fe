// Loads a functions config file (docs/FUNCTIONS.md: `functions`, `connections`, `jobs`) into the
// runners that serve it, for `stepwise run` and `stepwise serve` alike.
// Thread-safety: call before the runners start.
#pragma once

#include <string>

#include "base/result.h"
#include "tasks/functions.h"
#include "tasks/http_task.h"
#include "tasks/job_runner.h"

namespace stepwise::app {

Status load_task_config(const std::string& path, tasks::FunctionRunner& functions,
                        tasks::HttpTaskRunner& http, tasks::JobRunner& jobs);

}  // namespace stepwise::app
