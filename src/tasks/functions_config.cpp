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
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#') comment = true;
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

Result<std::int64_t> read_timeout(const YAML::Node& node, double unit_ms,
                                  const std::string& where) {
  double v = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, v) || !std::isfinite(v) || v <= 0)
    return config_error(where, "must be a positive number");
  double ms = v * unit_ms;
  if (ms > static_cast<double>(limits::function_timeout_ms_max))
    return config_error(where, "exceeds the maximum of 900 seconds (Lambda's limit)");
  return static_cast<std::int64_t>(std::ceil(ms));
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
      if (has_program) return config_error(where, "give exactly one of 'command' or 'worker'");
      has_program = true;
      spec.kind = key == "worker" ? FunctionKind::worker : FunctionKind::command;
      auto argv = read_argv(kv.second, at);
      if (!argv) return argv.error();
      spec.argv = std::move(argv.value());
    } else if (key == "env") {
      auto env = read_env(kv.second, at);
      if (!env) return env.error();
      spec.env = std::move(env.value());
    } else if (key == "cwd") {
      if (!kv.second.IsScalar()) return config_error(at, "must be a string");
      spec.cwd = kv.second.as<std::string>();
    } else if (key == "timeout_seconds" || key == "timeout_ms") {
      auto t = read_timeout(kv.second, key == "timeout_ms" ? 1.0 : 1000.0, at);
      if (!t) return t.error();
      spec.timeout_ms = t.value();
    } else {
      return config_error(at, "unknown key (expected command, worker, env, cwd, "
                              "timeout_seconds, timeout_ms)");
    }
  }
  if (!has_program) return config_error(where, "give exactly one of 'command' or 'worker'");
  spec.cwd = resolve_dir(spec.cwd, base_dir);
  return spec;
}

Result<std::vector<FunctionSpec>> read_root(const YAML::Node& root, const std::string& base_dir) {
  if (!root.IsMap() || !root["functions"] || !root["functions"].IsMap())
    return config_error("top level", "expected a map with a 'functions' map");
  for (const auto& kv : root) {
    if (kv.first.as<std::string>() != "functions")
      return config_error(kv.first.as<std::string>(), "unknown top-level key");
  }
  const YAML::Node& fns = root["functions"];
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

}  // namespace

Result<std::vector<FunctionSpec>> parse_functions(std::string_view text,
                                                  const std::string& base_dir) {
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

Result<std::vector<FunctionSpec>> load_functions_file(const std::string& path) {
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
  auto result = parse_functions(text, ec ? std::string() : dir.string());
  if (!result) return Error{result.error().name, path + ": " + result.error().cause};
  return result;
}

}  // namespace stepwise::tasks
