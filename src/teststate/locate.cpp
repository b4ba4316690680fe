#include "teststate/internal.h"

#include "base/limits.h"

namespace stepwise::teststate::detail {
namespace {

std::string string_field(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

std::string language_of(const json::object& o, const std::string& inherited) {
  std::string ql = string_field(o, "QueryLanguage");
  return ql.empty() ? inherited : ql;
}

// Searches `machine`'s States, then the machines nested in them, for `name`.
std::optional<Target> search(const json::object& machine, const std::string& name,
                             const std::string& inherited, std::size_t depth) {
  if (depth > state_search_depth_max) return std::nullopt;
  std::string ql = language_of(machine, inherited);
  auto states = machine.find("States");
  if (states == machine.end() || !states->value().is_object()) return std::nullopt;
  for (const auto& kv : states->value().get_object()) {
    if (kv.key() == name && kv.value().is_object()) {
      const json::object& s = kv.value().get_object();
      return Target{name, s, language_of(s, ql), string_field(s, "Type")};
    }
  }
  for (const auto& kv : states->value().get_object()) {
    if (!kv.value().is_object()) continue;
    const json::object& s = kv.value().get_object();
    std::string inner = language_of(s, ql);
    for (const char* key : {"ItemProcessor", "Iterator"}) {
      auto p = s.find(key);
      if (p != s.end() && p->value().is_object())
        if (auto t = search(p->value().get_object(), name, inner, depth + 1)) return t;
    }
    auto b = s.find("Branches");
    if (b == s.end() || !b->value().is_array()) continue;
    for (const auto& branch : b->value().get_array())
      if (branch.is_object())
        if (auto t = search(branch.get_object(), name, inner, depth + 1)) return t;
  }
  return std::nullopt;
}

}  // namespace

Result<Target> locate(const Request& req) {
  const json::object& d = req.definition.get_object();
  if (!d.contains("States")) {
    // A lone state: AWS names it "StateName" (the name its context object shows).
    return Target{"StateName", d, language_of(d, "JSONPath"), string_field(d, "Type")};
  }
  std::string name = req.state_name.value_or(string_field(d, "StartAt"));
  auto found = search(d, name, "JSONPath", 0);
  if (!found) return Error{"ValidationException", "State not found in definition"};
  return std::move(*found);
}

std::string spaced_dump(const json::value& v, std::size_t depth) {
  // json::parse already refuses deeper documents; the bound keeps a built value from recursing
  // without limit all the same.
  if (depth > limits::json_depth_max) return "null";
  std::string out;
  if (v.is_object()) {
    out += "{";
    bool first = true;
    for (const auto& kv : v.get_object()) {
      if (!first) out += ", ";
      first = false;
      out += json::quote(kv.key());
      out += ": ";
      out += spaced_dump(kv.value(), depth + 1);
    }
    return out + "}";
  }
  if (v.is_array()) {
    out += "[";
    bool first = true;
    for (const auto& item : v.get_array()) {
      if (!first) out += ", ";
      first = false;
      out += spaced_dump(item, depth + 1);
    }
    return out + "]";
  }
  return json::dump(v);
}

bool error_matches(const json::value& error_equals, const std::string& error) {
  if (!error_equals.is_array()) return false;
  for (const auto& e : error_equals.get_array()) {
    if (!e.is_string()) continue;
    std::string_view name(e.get_string().data(), e.get_string().size());
    if (name == error || name == "States.ALL") return true;
    if (name == "States.TaskFailed" && error != "States.Timeout") return true;
  }
  return false;
}

}  // namespace stepwise::teststate::detail
