// Loads the functions config (docs/FUNCTIONS.md: `functions`, `connections`, `jobs`) into the
// runners that serve it, for `stepwise run`, `stepwise test` and `stepwise serve` alike.
//
// `--functions` may be given several times, each naming a file or a directory; a directory
// stands for its *.yaml, *.yml and *.json files (not its subdirectories), in name order. A
// function, connection or job defined by two files is an error naming both, so that which one
// wins never depends on the order of the flags.
//
// Thread-safety: load_task_configs() is a pure function of the files; apply before the runners
// start (FunctionRunner::replace_functions() is the one that may run later: SIGHUP).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "tasks/functions.h"
#include "tasks/http_task.h"
#include "tasks/job_runner.h"
#include "tasks/tasks_config.h"

namespace stepwise::app {

// Config files in a directory, at most this many (a wrong path must not read a whole tree).
inline constexpr std::size_t config_dir_files_max = 1000;

// The files `paths` stand for (directories expanded), or an error naming a missing path.
Result<std::vector<std::string>> config_files(const std::vector<std::string>& paths);

// Every file of `paths`, merged. Errors: "FunctionsConfig", naming the file and the place.
Result<tasks::TasksConfig> load_task_configs(const std::vector<std::string>& paths);

// Registers a loaded config's functions, connections and jobs.
Status apply_task_config(tasks::TasksConfig config, tasks::FunctionRunner& functions,
                         tasks::HttpTaskRunner& http, tasks::JobRunner& jobs);

// load_task_configs + apply_task_config for one path (file or directory).
Status load_task_config(const std::string& path, tasks::FunctionRunner& functions,
                        tasks::HttpTaskRunner& http, tasks::JobRunner& jobs);

}  // namespace stepwise::app
