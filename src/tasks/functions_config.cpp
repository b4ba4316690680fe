// Loading the --functions file (format: docs/FUNCTIONS.md). yaml-cpp reads JSON too, since JSON
// is (near enough) a subset of YAML, so one parser serves both.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tasks/functions.h"
#include "tasks/task_limits.h"
#include "tasks/tasks_config.h"

namespace stepwise::tasks {
namespace {

// Text is read whole: cap it so a wrong path (a device, a huge log) cannot exhaust memory. The
// cap also bounds block-indentation depth (depth d needs d*d/2 bytes), which yaml-cpp recurses on.
constexpr std::size_t functions_file_bytes_max = 1024 * 1024;
// yaml-cpp parses recursively: deeper flow nesting ([[[...]]]) is refused before parsing.
constexpr std::size_t functions_flow_depth_max = 64;

// Flow-collection depth, ignoring brackets inside quotes and comments.
bool flow_depth_ok(std::string_view text) {
  std::size_t depth = 0;
  char quote = 0;
  bool comment = false;
  for (char c : text) {
    if (comment) {
      comment = c != '\n';
      continue;
    }
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'')
      quote = c;
    else if (c == '#')
      comment = true;
    else if (c == '[' || c == '{') {
      if (++depth > functions_flow_depth_max) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

Error config_error(const std::string& where, const std::string& what) {
  return Error{"FunctionsConfig", where + ": " + what};
}

std::string resolve_dir(const std::string& dir, const std::string& base_dir) {
  if (dir.empty()) return base_dir;
  std::filesystem::path p(dir);
  if (p.is_absolute() || base_dir.empty()) return dir;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

Result<std::vector<std::string>> read_argv(const YAML::Node& node, const std::string& where) {
  if (!node.IsSequence() || node.size() == 0)
    return config_error(where, "must be a non-empty list of strings (argv, no shell)");
  if (node.size() > limits::function_argv_max) return config_error(where, "too many arguments");
  std::vector<std::string> argv;
  for (const auto& item : node) {
    if (!item.IsScalar()) return config_error(where, "every argument must be a string");
    argv.push_back(item.as<std::string>());
  }
  return argv;
}

Result<std::vector<std::pair<std::string, std::string>>> read_env(const YAML::Node& node,
                                                                  const std::string& where) {
  if (!node.IsMap()) return config_error(where, "must be a map of NAME: value");
  if (node.size() > limits::function_env_max) return config_error(where, "too many variables");
  std::vector<std::pair<std::string, std::string>> env;
  for (const auto& kv : node) {
    auto key = kv.first.as<std::string>();
    if (key.empty() || key.find('=') != std::string::npos || !kv.second.IsScalar())
      return config_error(where + "." + key, "must be a NAME without '=' and a string value");
    env.emplace_back(key, kv.second.as<std::string>());
  }
  return env;
}

Result<std::int64_t> read_timeout(const YAML::Node& node, double unit_ms, const std::string& where,
                                  std::int64_t max_ms = limits::function_timeout_ms_max) {
  double v = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, v) || !std::isfinite(v) || v <= 0)
    return config_error(where, "must be a positive number");
  double ms = v * unit_ms;
  if (ms > static_cast<double>(max_ms))
    return config_error(where,
                        "exceeds the maximum of " + std::to_string(max_ms / 1000) + " seconds");
  return static_cast<std::int64_t>(std::ceil(ms));
}

Result<std::string> read_url(const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) return config_error(where, "must be a string");
  auto url = node.as<std::string>();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return config_error(where, "must be an http:// or https:// URL");
  return url;
}

Result<std::size_t> read_count(const YAML::Node& node, std::size_t max, const std::string& where) {
  long long v = 0;
  if (!node.IsScalar() || !YAML::convert<long long>::decode(node, v) || v < 1 ||
      static_cast<unsigned long long>(v) > max)
    return config_error(where, "must be a whole number from 1 to " + std::to_string(max));
  return static_cast<std::size_t>(v);
}

Result<std::string> read_string(const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) return config_error(where, "must be a string");
  return node.as<std::string>();
}

Result<FunctionSpec> read_function(const std::string& name, const YAML::Node& node,
                                   const std::string& base_dir) {
  std::string where = "functions." + name;
  if (!node.IsMap()) return config_error(where, "must be a map");
  FunctionSpec spec;
  spec.name = name;
  bool has_program = false;
  for (const auto& kv : node) {
    auto key = kv.first.as<std::string>();
    std::string at = where + "." + key;
    if (key == "command" || key == "worker") {
      if (has_program) return config_error(where, "give exactly one of 'command', 'worker', 'url'");
      has_program = true;
      spec.kind = key == "worker" ? FunctionKind::worker : FunctionKind::command;
      auto argv = read_argv(kv.second, at);
      if (!argv) return argv.error();
      spec.argv = std::move(argv.value());
    } else if (key == "env") {
      auto env = read_env(kv.second, at);
      if (!env) return env.error();
      spec.env = std::move(env.value());
    } else if (key == "url") {
      if (has_program) return config_error(where, "give exactly one of 'command', 'worker', 'url'");
      has_program = true;
      spec.kind = FunctionKind::url;
      auto url = read_url(kv.second, at);
      if (!url) return url.error();
      spec.url = std::move(url.value());
    } else if (key == "concurrency") {
      auto n = read_count(kv.second, limits::function_concurrency_max, at);
      if (!n) return n.error();
      spec.concurrency = n.value();
    } else if (key == "cwd") {
      if (!kv.second.IsScalar()) return config_error(at, "must be a string");
      spec.cwd = kv.second.as<std::string>();
    } else if (key == "timeout_seconds" || key == "timeout_ms") {
      auto t = read_timeout(kv.second, key == "timeout_ms" ? 1.0 : 1000.0, at);
      if (!t) return t.error();
      spec.timeout_ms = t.value();
    } else {
      return config_error(at,
                          "unknown key (expected command, worker, url, concurrency, env, "
                          "cwd, timeout_seconds, timeout_ms)");
    }
  }
  if (!has_program) return config_error(where, "give exactly one of 'command', 'worker', 'url'");
  if (spec.concurrency > 1 && spec.kind != FunctionKind::worker)
    return config_error(where + ".concurrency", "only a worker function has a concurrency");
  spec.cwd = resolve_dir(spec.cwd, base_dir);
  return spec;
}

Result<std::vector<FunctionSpec>> read_functions(const YAML::Node& fns,
                                                 const std::string& base_dir) {
  if (!fns.IsMap()) return config_error("functions", "must be a map of name: function");
  if (fns.size() > limits::functions_max) return config_error("functions", "too many functions");
  std::vector<FunctionSpec> specs;
  std::set<std::string> seen;
  for (const auto& kv : fns) {
    auto name = kv.first.as<std::string>();
    if (!seen.insert(name).second) return config_error("functions." + name, "defined twice");
    auto spec = read_function(name, kv.second, base_dir);
    if (!spec) return spec.error();
    specs.push_back(std::move(spec.value()));
  }
  return specs;
}

// A map of NAME: string, as connection parameters are.
Result<KeyValues> read_pairs(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) return config_error(where, "must be a map of name: value");
  if (node.size() > limits::connection_parameters_max)
    return config_error(where, "too many entries");
  KeyValues out;
  for (const auto& kv : node) {
    auto key = kv.first.as<std::string>();
    if (key.empty() || !kv.second.IsScalar())
      return config_error(where + "." + key, "must be a non-empty name and a string value");
    out.emplace_back(key, kv.second.as<std::string>());
  }
  return out;
}

// `headers`, `query` and `body` keys into `params`; true when `key` was one of them.
Result<bool> read_parameter(const std::string& key, const YAML::Node& value, const std::string& at,
                            HttpParameters& params) {
  KeyValues* target = key == "headers" ? &params.headers
                      : key == "query" ? &params.query
                      : key == "body"  ? &params.body
                                       : nullptr;
  if (target == nullptr) return false;
  auto pairs = read_pairs(value, at);
  if (!pairs) return pairs.error();
  *target = std::move(pairs.value());
  return true;
}

// Reads the fields of one map: `fields` names the required/optional strings by key.
Status read_fields(const YAML::Node& node, const std::string& where,
                   const std::vector<std::pair<const char*, std::string*>>& fields,
                   std::size_t required) {
  if (!node.IsMap()) return config_error(where, "must be a map");
  for (const auto& kv : node) {
    auto key = kv.first.as<std::string>();
    bool known = false;
    for (const auto& [name, out] : fields) {
      if (key != name) continue;
      auto v = read_string(kv.second, where + "." + key);
      if (!v) return v.error();
      *out = std::move(v.value());
      known = true;
    }
    if (!known) return config_error(where + "." + key, "unknown key");
  }
  for (std::size_t i = 0; i < required; ++i) {
    if (!node[fields[i].first])
      return config_error(where, std::string("needs '") + fields[i].first + "'");
  }
  return ok_status();
}

Status read_oauth(const YAML::Node& node, const std::string& where, ConnectionSpec& c) {
  if (!node.IsMap()) return config_error(where, "must be a map");
  YAML::Node strings(YAML::NodeType::Map);
  for (const auto& kv : node) {
    auto key = kv.first.as<std::string>();
    auto is_param = read_parameter(key, kv.second, where + "." + key, c.oauth_parameters);
    if (!is_param) return is_param.error();
    if (!is_param.value()) strings[key] = kv.second;
  }
  auto st = read_fields(strings, where,
                        {{"endpoint", &c.oauth_endpoint},
                         {"client_id", &c.client_id},
                         {"client_secret", &c.client_secret},
                         {"method", &c.oauth_method}},
                        3);
  if (!st) return st;
  if (c.oauth_endpoint.rfind("http://", 0) != 0 && c.oauth_endpoint.rfind("https://", 0) != 0)
    return config_error(where + ".endpoint", "must be an http:// or https:// URL");
  return ok_status();
}

Status read_auth(const std::string& key, const YAML::Node& value, const std::string& at,
                 ConnectionSpec& c) {
  if (c.auth != AuthKind::none)
    return config_error(at, "give at most one of 'api_key', 'basic', 'oauth'");
  if (key == "api_key") {
    c.auth = AuthKind::api_key;
    return read_fields(value, at, {{"name", &c.api_key_name}, {"value", &c.api_key_value}}, 2);
  }
  if (key == "basic") {
    c.auth = AuthKind::basic;
    return read_fields(value, at, {{"username", &c.username}, {"password", &c.password}}, 2);
  }
  c.auth = AuthKind::oauth_client_credentials;
  return read_oauth(value, at, c);
}

Result<ConnectionSpec> read_connection(const std::string& name, const YAML::Node& node) {
  std::string where = "connections." + name;
  if (!node.IsMap()) return config_error(where, "must be a map");
  ConnectionSpec c;
  c.name = name;
  for (const auto& kv : node) {
    auto key = kv.first.as<std::string>();
    std::string at = where + "." + key;
    if (key == "api_key" || key == "basic" || key == "oauth") {
      auto st = read_auth(key, kv.second, at, c);
      if (!st) return st.error();
      continue;
    }
    if (key == "secret") {
      auto v = read_string(kv.second, at);
      if (!v) return v.error();
      c.secret = std::move(v.value());
      continue;
    }
    auto is_param = read_parameter(key, kv.second, at, c.invocation);
    if (!is_param) return is_param.error();
    if (!is_param.value())
      return config_error(at,
                          "unknown key (expected api_key, basic, oauth, secret, headers, "
                          "query, body)");
  }
  return c;
}

Result<JobSpec> read_job(const std::string& name, const YAML::Node& node,
                         const std::string& base_dir) {
  std::string where = "jobs." + name;
  if (!node.IsMap()) return config_error(where, "must be a map");
  JobSpec job;
  job.name = name;
  for (const auto& kv : node) {
    auto key = kv.first.as<std::string>();
    std::string at = where + "." + key;
    if (key == "command") {
      auto argv = read_argv(kv.second, at);
      if (!argv) return argv.error();
      job.argv = std::move(argv.value());
    } else if (key == "env") {
      auto env = read_env(kv.second, at);
      if (!env) return env.error();
      job.env = std::move(env.value());
    } else if (key == "cwd") {
      auto cwd = read_string(kv.second, at);
      if (!cwd) return cwd.error();
      job.cwd = std::move(cwd.value());
    } else if (key == "timeout_seconds" || key == "timeout_ms") {
      auto t = read_timeout(kv.second, key == "timeout_ms" ? 1.0 : 1000.0, at,
                            limits::job_timeout_ms_max);
      if (!t) return t.error();
      job.timeout_ms = t.value();
    } else {
      return config_error(at,
                          "unknown key (expected command, env, cwd, timeout_seconds, "
                          "timeout_ms)");
    }
  }
  if (job.argv.empty()) return config_error(where, "needs a 'command'");
  job.cwd = resolve_dir(job.cwd, base_dir);
  return job;
}

// Reads every entry of a top-level map with `read(name, node)`, refusing duplicates.
template <typename T, typename Read>
Result<std::vector<T>> read_section(const YAML::Node& node, const std::string& section,
                                    std::size_t max, Read read) {
  if (!node.IsMap()) return config_error(section, "must be a map of name: entry");
  if (node.size() > max) return config_error(section, "too many entries");
  std::vector<T> out;
  std::set<std::string> seen;
  for (const auto& kv : node) {
    auto name = kv.first.as<std::string>();
    if (!seen.insert(name).second) return config_error(section + "." + name, "defined twice");
    auto item = read(name, kv.second);
    if (!item) return item.error();
    out.push_back(std::move(item.value()));
  }
  return out;
}

// `endpoints:` entries: `sqs: http://host:port`, or `sqs: {url: ..., region: ...}`.
Result<EndpointSpec> read_endpoint(const std::string& service, const YAML::Node& node) {
  const std::string where = "endpoints." + service;
  EndpointSpec spec;
  spec.service = service;
  if (node.IsScalar()) {
    spec.url = node.as<std::string>();
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      auto key = kv.first.as<std::string>();
      if (!kv.second.IsScalar()) return config_error(where + "." + key, "must be text");
      if (key == "url")
        spec.url = kv.second.as<std::string>();
      else if (key == "region")
        spec.region = kv.second.as<std::string>();
      else
        return config_error(where + "." + key, "unknown key (expected url, region)");
    }
  } else {
    return config_error(where, "must be a URL or a map with 'url' and 'region'");
  }
  if (spec.url.empty()) return config_error(where, "needs a 'url'");
  return spec;
}

Result<TasksConfig> read_root(const YAML::Node& root, const std::string& base_dir) {
  if (!root.IsMap())
    return config_error("top level",
                        "expected a map with 'functions', 'connections', 'jobs' or 'endpoints'");
  TasksConfig config;
  for (const auto& kv : root) {
    auto key = kv.first.as<std::string>();
    if (key == "functions") {
      auto fns = read_functions(kv.second, base_dir);
      if (!fns) return fns.error();
      config.functions = std::move(fns.value());
    } else if (key == "connections") {
      auto cs =
          read_section<ConnectionSpec>(kv.second, key, limits::connections_max, read_connection);
      if (!cs) return cs.error();
      config.connections = std::move(cs.value());
    } else if (key == "jobs") {
      auto jobs = read_section<JobSpec>(kv.second, key, limits::jobs_max,
                                        [&](const std::string& name, const YAML::Node& n) {
                                          return read_job(name, n, base_dir);
                                        });
      if (!jobs) return jobs.error();
      config.jobs = std::move(jobs.value());
    } else if (key == "endpoints") {
      auto es = read_section<EndpointSpec>(kv.second, key, limits::endpoints_max, read_endpoint);
      if (!es) return es.error();
      config.endpoints = std::move(es.value());
    } else {
      return config_error(key,
                          "unknown top-level key (expected functions, connections, jobs, "
                          "endpoints)");
    }
  }
  return config;
}

}  // namespace

Result<TasksConfig> parse_tasks_config(std::string_view text, const std::string& base_dir) {
  if (text.size() > functions_file_bytes_max) return config_error("file", "too large");
  if (!flow_depth_ok(text)) return config_error("file", "nesting too deep");
  try {
    YAML::Node root = YAML::Load(std::string(text));
    return read_root(root, base_dir);
  } catch (const YAML::Exception& e) {
    return config_error("line " + std::to_string(e.mark.line + 1), e.msg);
  } catch (const std::exception& e) {
    return config_error("file", e.what());
  }
}

Result<TasksConfig> load_tasks_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return config_error(path, "cannot open the file");
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > functions_file_bytes_max) return config_error(path, "file too large");
  }
  std::error_code ec;
  auto dir = std::filesystem::absolute(std::filesystem::path(path), ec).parent_path();
  auto result = parse_tasks_config(text, ec ? std::string() : dir.string());
  if (!result) return Error{result.error().name, path + ": " + result.error().cause};
  return result;
}

Result<std::vector<FunctionSpec>> parse_functions(std::string_view text,
                                                  const std::string& base_dir) {
  auto config = parse_tasks_config(text, base_dir);
  if (!config) return config.error();
  return std::move(config->functions);
}

Result<std::vector<FunctionSpec>> load_functions_file(const std::string& path) {
  auto config = load_tasks_config(path);
  if (!config) return config.error();
  return std::move(config->functions);
}

std::string connection_name_of(std::string_view arn) {
  // arn:aws:events:REGION:ACCOUNT:connection/NAME/UUID
  auto at = arn.find(":connection/");
  if (arn.rfind("arn:", 0) != 0 || at == std::string_view::npos) return std::string(arn);
  std::string_view rest = arn.substr(at + 12);
  return std::string(rest.substr(0, rest.find('/')));
}

}  // namespace stepwise::tasks
