// Functions configs: files and directories merged, duplicates refused, applied to the runners.
#include "app/task_config.h"

#include <algorithm>
#include <filesystem>
#include <map>

namespace stepwise::app {
namespace {

namespace fs = std::filesystem;

bool is_config_name(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

// Adds `items` to `into`, refusing a name `seen` already holds from another file.
const std::string& name_of(const tasks::EndpointSpec& e) { return e.service; }
template <typename T>
const std::string& name_of(const T& item) {
  return item.name;
}

template <typename T>
Status merge(std::vector<T>& into, std::vector<T>& items, const char* what,
             std::map<std::string, std::string>& seen, const std::string& file) {
  for (auto& item : items) {
    auto [it, added] = seen.emplace(name_of(item), file);
    if (!added) {
      return Error{"FunctionsConfig", std::string(what) + " '" + name_of(item) +
                                          "' is defined in " + it->second + " and again in " +
                                          file};
    }
    into.push_back(std::move(item));
  }
  return ok_status();
}

}  // namespace

Result<std::vector<std::string>> config_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      files.push_back(path);  // a missing file is reported by its loader, with the path
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (!entry.is_regular_file(ec) || !is_config_name(entry.path())) continue;
      if (found.size() >= config_dir_files_max) {
        return Error{"FunctionsConfig",
                     path + ": more than " + std::to_string(config_dir_files_max) + " files"};
      }
      found.push_back(entry.path().string());
    }
    if (ec) return Error{"FunctionsConfig", path + ": " + ec.message()};
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

Result<tasks::TasksConfig> load_task_configs(const std::vector<std::string>& paths) {
  auto files = config_files(paths);
  if (!files) return files.error();
  tasks::TasksConfig merged;
  std::map<std::string, std::string> functions, connections, jobs, endpoints;  // name -> file
  for (const std::string& file : *files) {
    auto config = tasks::load_tasks_config(file);
    if (!config) return config.error();
    if (auto s = merge(merged.functions, config->functions, "function", functions, file); !s)
      return s.error();
    if (auto s = merge(merged.connections, config->connections, "connection", connections, file);
        !s)
      return s.error();
    if (auto s = merge(merged.jobs, config->jobs, "job", jobs, file); !s) return s.error();
    if (auto s = merge(merged.endpoints, config->endpoints, "endpoint", endpoints, file); !s)
      return s.error();
  }
  return merged;
}

Status apply_task_config(tasks::TasksConfig config, tasks::FunctionRunner& functions,
                         tasks::HttpTaskRunner& http, tasks::JobRunner& jobs) {
  for (auto& spec : config.functions) {
    auto added = functions.add(std::move(spec));
    if (!added.ok()) return added.error();
  }
  for (auto& connection : config.connections) http.add_connection(std::move(connection));
  for (auto& job : config.jobs) jobs.add(std::move(job));
  return ok_status();
}

Status load_task_config(const std::string& path, tasks::FunctionRunner& functions,
                        tasks::HttpTaskRunner& http, tasks::JobRunner& jobs) {
  auto config = load_task_configs({path});
  if (!config) return config.error();
  return apply_task_config(std::move(*config), functions, http, jobs);
}

}  // namespace stepwise::app
