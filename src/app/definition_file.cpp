#include "app/definition_file.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/limits.h"

namespace stepwise::app {
namespace {

json::value yaml_scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return json::value(json::string(s));  // quoted: always a string
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  // A number only when the whole scalar is JSON number text.
  auto parsed = json::parse(s);
  if (parsed.ok() && json::is_number(*parsed)) return std::move(parsed).value();
  return json::value(json::string(s));
}

Result<json::value> yaml_to_json(const YAML::Node& node, std::size_t depth) {
  if (depth > limits::json_depth_max) return Error{"InvalidDefinition", "YAML nested too deeply"};
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json::value(nullptr);
    case YAML::NodeType::Scalar:
      return yaml_scalar(node);
    case YAML::NodeType::Sequence: {
      json::array out;
      for (const auto& item : node) {
        auto v = yaml_to_json(item, depth + 1);
        if (!v.ok()) return v;
        out.push_back(std::move(v).value());
      }
      return json::value(std::move(out));
    }
    case YAML::NodeType::Map: {
      json::object out;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          return Error{"InvalidDefinition", "YAML map keys must be scalars"};
        auto v = yaml_to_json(kv.second, depth + 1);
        if (!v.ok()) return v;
        out[kv.first.Scalar()] = std::move(v).value();
      }
      return json::value(std::move(out));
    }
  }
  return json::value(nullptr);
}

// yaml-cpp parses recursively without a depth bound, so text nested deeper than JSON is allowed
// to be never reaches it: flow brackets are counted, and block nesting is bounded by indentation.
bool yaml_nesting_within_limits(const std::string& text) {
  std::size_t depth = 0;
  std::size_t indent = 0;
  bool line_start = true;
  for (char ch : text) {
    if (ch == '\n') {
      line_start = true;
      indent = 0;
      continue;
    }
    if (line_start && (ch == ' ' || ch == '-')) {
      if (++indent > 4 * limits::json_depth_max) return false;
      continue;
    }
    line_start = false;
    if (ch == '[' || ch == '{') {
      if (++depth > limits::json_depth_max) return false;
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error{"FileUnreadable", path + ": " + ec.message()};
  if (size > input_file_bytes_max) return Error{"FileUnreadable", path + ": file too large"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"FileUnreadable", path + ": cannot open"};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<json::value> parse_json_or_yaml(const std::string& text) {
  auto as_json = json::parse(text);
  if (as_json.ok()) return as_json;
  if (!yaml_nesting_within_limits(text))
    return Error{"InvalidDefinition", "YAML nested too deeply"};
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return Error{"InvalidDefinition", "not JSON: " + as_json.error().cause};
    return yaml_to_json(root, 0);
  } catch (const std::exception& e) {
    // yaml-cpp reports errors by exception; they stop here.
    return Error{"InvalidDefinition",
                 "neither JSON (" + as_json.error().cause + ") nor YAML (" + e.what() + ")"};
  }
}

Result<std::string> load_definition_text(const std::string& path) {
  auto text = read_text_file(path);
  if (!text.ok()) return text;
  // AWS refuses definitions over its 1 MiB quota at CreateStateMachine; so do we, at once.
  if (text->size() > limits::definition_bytes_max)
    return Error{"InvalidDefinition", path + ": the definition is " + std::to_string(text->size()) +
                                          " bytes, over the " +
                                          std::to_string(limits::definition_bytes_max) +
                                          "-byte (1 MiB) definition quota"};
  if (json::parse(*text).ok()) return text;
  auto converted = parse_json_or_yaml(*text);
  if (!converted.ok()) return converted.error();
  return json::dump(*converted);
}

std::string machine_name_of_path(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  // Longest first: ".asl.json" before ".json".
  for (const char* suffix : {".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml"}) {
    std::string_view s(suffix);
    if (name.size() > s.size() && name.ends_with(s)) return name.substr(0, name.size() - s.size());
  }
  return std::filesystem::path(path).stem().string();
}

Result<json::value> parse_input_argument(const std::string& argument) {
  std::string text = argument;
  if (!argument.empty() && argument[0] == '@') {
    auto file = read_text_file(argument.substr(1));
    if (!file.ok()) return file.error();
    text = std::move(file).value();
  }
  auto parsed = json::parse(text);
  if (!parsed.ok())
    return Error{"InvalidExecutionInput", "input is not JSON: " + parsed.error().cause};
  return parsed;
}

}  // namespace stepwise::app
