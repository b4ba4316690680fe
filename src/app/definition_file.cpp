#include "app/definition_file.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/protocol.h"
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

// YAML aliases repeat a node wherever they appear, so a small file can stand for an enormous
// document ("billion laughs": ten aliases of ten aliases of ... ten values); converting it
// would run for hours. The conversion spends from a budget instead: every value and every
// scalar's bytes, bounded well above what a definition within AWS's 1 MiB quota can hold.
struct YamlBudget {
  std::size_t values = yaml_values_max;
  std::size_t bytes = yaml_bytes_max;
};

Result<json::value> yaml_to_json(const YAML::Node& node, std::size_t depth, YamlBudget& budget) {
  if (depth > limits::json_depth_max) return Error{"InvalidDefinition", "YAML nested too deeply"};
  if (budget.values == 0) {
    return Error{"InvalidDefinition", "YAML expands to more than " +
                                          std::to_string(yaml_values_max) +
                                          " values (its aliases repeat too much)"};
  }
  --budget.values;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json::value(nullptr);
    case YAML::NodeType::Scalar: {
      // yaml-cpp may still hand back bytes that are not UTF-8 from UTF-8 text (a NUL before
      // some letters); JSON text could not carry them.
      if (!api::is_valid_utf8(node.Scalar()))
        return Error{"InvalidDefinition", "a YAML scalar is not valid UTF-8"};
      const std::size_t n = node.Scalar().size();
      if (n > budget.bytes) {
        return Error{"InvalidDefinition", "YAML expands to more than " +
                                              std::to_string(yaml_bytes_max) +
                                              " bytes of text (its aliases repeat too much)"};
      }
      budget.bytes -= n;
      return yaml_scalar(node);
    }
    case YAML::NodeType::Sequence: {
      json::array out;
      for (const auto& item : node) {
        auto v = yaml_to_json(item, depth + 1, budget);
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
        if (!api::is_valid_utf8(kv.first.Scalar()))
          return Error{"InvalidDefinition", "a YAML scalar is not valid UTF-8"};
        const std::size_t n = kv.first.Scalar().size();
        if (n > budget.bytes) {
          return Error{"InvalidDefinition", "YAML expands to more than " +
                                                std::to_string(yaml_bytes_max) +
                                                " bytes of text (its aliases repeat too much)"};
        }
        budget.bytes -= n;
        auto v = yaml_to_json(kv.second, depth + 1, budget);
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
  // yaml-cpp takes any bytes into a scalar; JSON text must be UTF-8, so the converted document
  // could not be written back (found by fuzz_definition_file).
  if (!api::is_valid_utf8(text)) {
    return Error{"InvalidDefinition", "neither JSON (" + as_json.error().cause +
                                          ") nor YAML (the text is not valid UTF-8)"};
  }
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return Error{"InvalidDefinition", "not JSON: " + as_json.error().cause};
    YamlBudget budget;
    return yaml_to_json(root, 0, budget);
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
