// Test files: parsing (YAML or JSON through parse_json_or_yaml) and the checks of one result.
#include "app/test_file.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "app/builtin_services.h"
#include "app/definition_file.h"
#include "jsonata/jsonata.h"
#include "jsonpath/jsonpath.h"

namespace stepwise::app {
namespace {

namespace fs = std::filesystem;

Error file_error(const std::string& file, const std::string& what) {
  return Error{"TestFile", file + ": " + what};
}

std::string resolve(const fs::path& dir, const std::string& p) {
  fs::path path(p);
  return path.is_absolute() ? p : (dir / path).lexically_normal().string();
}

const json::value* field(const json::object& o, const char* key) { return o.if_contains(key); }

Result<std::string> string_field(const json::object& o, const char* key, const std::string& where,
                                 bool required = false) {
  const json::value* v = field(o, key);
  if (v == nullptr) {
    if (required) return Error{"TestFile", where + ": '" + key + "' is required"};
    return std::string();
  }
  if (!v->is_string()) return Error{"TestFile", where + "." + key + " must be a string"};
  return std::string(v->get_string());
}

Result<std::vector<std::string>> paths_field(const json::object& o, const char* key,
                                             const fs::path& dir, const std::string& where) {
  std::vector<std::string> out;
  const json::value* v = field(o, key);
  if (v == nullptr) return out;
  if (v->is_string()) return std::vector<std::string>{resolve(dir, std::string(v->get_string()))};
  if (!v->is_array()) return Error{"TestFile", where + "." + key + " must be a path or a list"};
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return Error{"TestFile", where + "." + key + ": paths are strings"};
    out.push_back(resolve(dir, std::string(item.get_string())));
  }
  return out;
}

Result<TestAssertion> parse_assertion(const json::value& v, const std::string& where) {
  if (!v.is_object()) return Error{"TestFile", where + " must be an object"};
  const auto& o = v.get_object();
  TestAssertion a;
  if (const auto* p = field(o, "jsonpath"); p && p->is_string()) {
    a.kind = TestAssertion::Kind::jsonpath;
    a.expression = std::string(p->get_string());
    if (auto compiled = jsonpath::Path::compile(a.expression, jsonpath::PathKind::kPath); !compiled)
      return Error{"TestFile", where + ": bad JSONPath: " + compiled.error().cause};
  } else if (const auto* e = field(o, "jsonata"); e && e->is_string()) {
    a.kind = TestAssertion::Kind::jsonata;
    a.expression = std::string(e->get_string());
    if (auto compiled = jsonata::Expression::compile(a.expression); !compiled)
      return Error{"TestFile", where + ": bad JSONata: " + compiled.error().cause};
  } else {
    return Error{"TestFile", where + " needs 'jsonpath' or 'jsonata' (a string)"};
  }
  if (const auto* eq = field(o, "equals")) a.equals = *eq;
  return a;
}

// `- sqs: CreateQueue` with `params`, and for checks `contains` or `error`.
Result<ServiceCall> parse_call(const json::value& v, const std::string& where, bool check) {
  if (!v.is_object()) return Error{"TestFile", where + " must be a map like {sqs: CreateQueue}"};
  ServiceCall call;
  for (const auto& kv : v.get_object()) {
    const std::string key(kv.key());
    if (key == "params") {
      if (!kv.value().is_object()) return Error{"TestFile", where + ".params must be a map"};
      call.params = kv.value().get_object();
    } else if (check && key == "contains") {
      call.contains = kv.value();
    } else if (check && key == "error") {
      if (!kv.value().is_string()) return Error{"TestFile", where + ".error must be a string"};
      call.error = std::string(kv.value().get_string());
    } else {
      const auto& known = builtin_service_names();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string names;
        for (const auto& n : known) names += (names.empty() ? "" : ", ") + n;
        return Error{"TestFile", where + ": '" + key + "' is not a built-in service (" + names +
                                     (check ? "; or params, contains, error)" : "; or params)")};
      }
      if (!call.service.empty())
        return Error{"TestFile",
                     where + ": one service per call ('" + call.service + "' and '" + key + "')"};
      if (!kv.value().is_string() || kv.value().get_string().empty())
        return Error{"TestFile", where + "." + key + " must name an operation (CreateQueue)"};
      call.service = key;
      call.operation = std::string(kv.value().get_string());
    }
  }
  if (call.service.empty())
    return Error{"TestFile", where + ": names no service (e.g. {sqs: CreateQueue})"};
  return call;
}

// `label`: how reports name the list's calls ("file setup", "expect.calls").
Result<std::vector<ServiceCall>> parse_calls(const json::object& o, const char* key,
                                             const std::string& where, bool check,
                                             const std::string& label) {
  std::vector<ServiceCall> out;
  const json::value* list = o.if_contains(key);
  if (list == nullptr) return out;
  if (!list->is_array()) return Error{"TestFile", where + "." + key + " must be a list"};
  if (list->get_array().size() > test_service_calls_max)
    return Error{"TestFile", where + "." + key + ": more than " +
                                 std::to_string(test_service_calls_max) + " calls"};
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    auto call =
        parse_call(list->get_array()[i], where + "." + key + "[" + std::to_string(i) + "]", check);
    if (!call) return call.error();
    call->where = label + "[" + std::to_string(i) + "]";
    out.push_back(std::move(*call));
  }
  return out;
}

Result<TestExpect> parse_expect(const json::value* v, const std::string& where) {
  TestExpect x;
  if (v != nullptr && !v->is_object()) return Error{"TestFile", where + " must be an object"};
  const json::object empty;
  const json::object& o = v != nullptr ? v->get_object() : empty;
  auto status = string_field(o, "status", where);
  if (!status) return status.error();
  if (const auto* out = field(o, "output")) x.output = *out;
  for (auto [key, slot] : {std::pair{"error", &x.error}, std::pair{"cause", &x.cause},
                           std::pair{"cause_contains", &x.cause_contains}}) {
    auto s = string_field(o, key, where);
    if (!s) return s.error();
    if (field(o, key) != nullptr) *slot = *s;
  }
  x.status = !status->empty() ? *status : x.error ? "FAILED" : "SUCCEEDED";
  if (const auto* p = field(o, "path")) {
    if (!p->is_array()) return Error{"TestFile", where + ".path must be a list of state names"};
    std::vector<std::string> path;
    for (const auto& s : p->get_array()) {
      if (!s.is_string()) return Error{"TestFile", where + ".path: state names are strings"};
      path.push_back(std::string(s.get_string()));
    }
    x.path = std::move(path);
  }
  if (const auto* list = field(o, "assertions")) {
    if (!list->is_array()) return Error{"TestFile", where + ".assertions must be a list"};
    if (list->get_array().size() > test_assertions_max)
      return Error{"TestFile", where + ".assertions: too many"};
    for (std::size_t i = 0; i < list->get_array().size(); ++i) {
      auto a =
          parse_assertion(list->get_array()[i], where + ".assertions[" + std::to_string(i) + "]");
      if (!a) return a.error();
      x.assertions.push_back(std::move(*a));
    }
  }
  auto calls = parse_calls(o, "calls", where, /*check=*/true, "expect.calls");
  if (!calls) return calls.error();
  x.calls = std::move(*calls);
  return x;
}

Result<TestCase> parse_case(const json::value& v, const fs::path& dir, const std::string& where) {
  if (!v.is_object()) return Error{"TestFile", where + " must be an object"};
  const auto& o = v.get_object();
  TestCase c;
  auto name = string_field(o, "name", where, /*required=*/true);
  if (!name) return name.error();
  c.name = *name;
  const std::string here = where + " (" + c.name + ")";
  if (const auto* in = field(o, "input")) c.input_text = json::dump(*in);
  auto input_file = string_field(o, "input_file", here);
  if (!input_file) return input_file.error();
  if (!input_file->empty()) {
    auto text = read_text_file(resolve(dir, *input_file));
    if (!text) return Error{"TestFile", here + ".input_file: " + text.error().cause};
    c.input_text = std::move(*text);
  }
  auto test_case = string_field(o, "test_case", here);
  if (!test_case) return test_case.error();
  c.test_case = *test_case;
  if (const auto* m = field(o, "mocks")) {
    if (!m->is_object()) return Error{"TestFile", here + ".mocks must map state names to mocks"};
    c.mocks = m->get_object();
  }
  auto setup = parse_calls(o, "setup", here, /*check=*/false, "setup");
  if (!setup) return setup.error();
  c.setup = std::move(*setup);
  auto expect = parse_expect(field(o, "expect"), here + ".expect");
  if (!expect) return expect.error();
  c.expect = std::move(*expect);
  return c;
}

Status parse_machines(const json::object& o, const fs::path& dir, const std::string& file,
                      TestFile& t) {
  const json::value* m = field(o, "machines");
  if (m == nullptr) return ok_status();
  if (!m->is_object()) return file_error(file, "machines must map names to definition files");
  for (const auto& kv : m->get_object()) {
    if (!kv.value().is_string()) return file_error(file, "machines: definition paths are strings");
    t.machines.emplace_back(std::string(kv.key()),
                            resolve(dir, std::string(kv.value().get_string())));
  }
  return ok_status();
}

}  // namespace

Result<TestFile> load_test_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return text.error();
  auto doc = parse_json_or_yaml(*text);
  if (!doc) return file_error(path, doc.error().cause);
  if (!doc->is_object()) return file_error(path, "must be a map (definition, cases, ...)");
  const json::object& o = doc->get_object();
  const fs::path dir = fs::absolute(fs::path(path)).parent_path();
  TestFile t;
  t.path = path;
  auto definition = string_field(o, "definition", path, /*required=*/true);
  if (!definition) return definition.error();
  t.definition_path = resolve(dir, *definition);
  auto name = string_field(o, "name", path);
  if (!name) return name.error();
  t.machine_name = !name->empty() ? *name : machine_name_of_path(t.definition_path);
  auto type = string_field(o, "type", path);
  if (!type) return type.error();
  if (!type->empty()) t.type = *type;
  if (t.type != "STANDARD" && t.type != "EXPRESS")
    return file_error(path, "type must be STANDARD or EXPRESS");
  auto functions = paths_field(o, "functions", dir, path);
  if (!functions) return functions.error();
  t.functions_files = std::move(*functions);
  auto mock = string_field(o, "mock_config", path);
  if (!mock) return mock.error();
  if (!mock->empty()) t.mock_config_path = resolve(dir, *mock);
  if (auto s = parse_machines(o, dir, path, t); !s) return s.error();
  if (const auto* to = field(o, "timeout_seconds")) {
    if (!json::is_number(*to) || json::as_double(*to) < 1 ||
        json::as_double(*to) > test_timeout_seconds_max)
      return file_error(path,
                        "timeout_seconds must be 1.." + std::to_string(test_timeout_seconds_max));
    t.timeout_seconds = static_cast<int>(json::as_double(*to));
  }
  if (const auto* ft = field(o, "fast_time")) {
    if (!ft->is_bool()) return file_error(path, "fast_time must be true or false");
    t.fast_time = ft->get_bool();
  }
  if (const auto* sv = field(o, "services")) {
    if (!sv->is_array()) return file_error(path, "services must be a list (e.g. [sqs, s3])");
    std::vector<std::string> names;
    const auto& known = builtin_service_names();
    for (const auto& n : sv->get_array()) {
      if (!n.is_string() || std::find(known.begin(), known.end(), n.get_string()) == known.end())
        return file_error(path, "services: " + json::dump(n) + " is not a built-in service");
      names.push_back(std::string(n.get_string()));
    }
    t.services = std::move(names);
  }
  auto setup = parse_calls(o, "setup", path, /*check=*/false, "file setup");
  if (!setup) return setup.error();
  t.setup = std::move(*setup);
  const json::value* cases = field(o, "cases");
  if (cases == nullptr || !cases->is_array() || cases->get_array().empty())
    return file_error(path, "cases must be a non-empty list");
  if (cases->get_array().size() > test_cases_per_file_max)
    return file_error(path, "too many cases");
  for (std::size_t i = 0; i < cases->get_array().size(); ++i) {
    auto c = parse_case(cases->get_array()[i], dir, path + ": cases[" + std::to_string(i) + "]");
    if (!c) return c.error();
    t.cases.push_back(std::move(*c));
  }
  return t;
}

Result<std::vector<std::string>> find_test_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  auto is_test = [](const std::string& name) {
    return name.ends_with(".test.yaml") || name.ends_with(".test.yml") ||
           name.ends_with(".test.json");
  };
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      if (!fs::exists(p, ec)) return Error{"TestFile", p + ": no such file or directory"};
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file(ec) || !is_test(it->path().filename().string())) continue;
      if (out.size() + found.size() >= test_files_max)
        return Error{"TestFile", p + ": more than " + std::to_string(test_files_max) + " files"};
      found.push_back(it->path().string());
    }
    if (ec) return Error{"TestFile", p + ": " + ec.message()};
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

namespace {

std::string shown(const json::value& v) {
  std::string s = json::dump(v);
  constexpr std::size_t shown_chars_max = 200;  // a difference is read, not diffed by eye
  if (s.size() > shown_chars_max) s = s.substr(0, shown_chars_max) + "...";
  return s;
}

std::string key_path(const std::string& base, std::string_view key) {
  bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  return plain ? base + "." + std::string(key) : base + "[" + json::quote(key) + "]";
}

// `subset`: the actual objects may hold keys the expected ones do not name.
std::string diff_at(const std::string& at, const json::value& e, const json::value& a,
                    bool subset = false) {
  if (json::is_number(e) && json::is_number(a)) {
    if (json::as_double(e) == json::as_double(a)) return "";
  } else if (e.is_object() && a.is_object()) {
    const auto& eo = e.get_object();
    const auto& ao = a.get_object();
    for (const auto& kv : eo) {
      const auto* got = ao.if_contains(kv.key());
      if (got == nullptr)
        return "at " + key_path(at, kv.key()) + ": expected " + shown(kv.value()) + ", missing";
      if (auto d = diff_at(key_path(at, kv.key()), kv.value(), *got, subset); !d.empty()) return d;
    }
    for (const auto& kv : ao) {
      if (subset) break;
      if (!eo.contains(kv.key()))
        return "at " + key_path(at, kv.key()) + ": not expected, got " + shown(kv.value());
    }
    return "";
  } else if (e.is_array() && a.is_array()) {
    const auto& ea = e.get_array();
    const auto& aa = a.get_array();
    for (std::size_t i = 0; i < std::min(ea.size(), aa.size()); ++i) {
      if (auto d = diff_at(at + "[" + std::to_string(i) + "]", ea[i], aa[i], subset); !d.empty())
        return d;
    }
    if (ea.size() != aa.size()) {
      return "at " + at + ": expected " + std::to_string(ea.size()) + " items, got " +
             std::to_string(aa.size());
    }
    return "";
  } else if (e == a) {
    return "";
  }
  return "at " + at + ": expected " + shown(e) + ", got " + shown(a);
}

std::string path_text(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& s : path) out += (out.empty() ? "" : " > ") + s;
  return "[" + out + "]";
}

std::string check_assertion(const TestAssertion& a, const TestActual& actual) {
  const json::value output = actual.output.value_or(json::value(nullptr));
  const std::string what =
      (a.kind == TestAssertion::Kind::jsonpath ? "jsonpath " : "jsonata ") + a.expression;
  std::optional<json::value> got;
  if (a.kind == TestAssertion::Kind::jsonpath) {
    auto path = jsonpath::Path::compile(a.expression, jsonpath::PathKind::kPath);
    if (!path) return what + ": " + path.error().cause;
    jsonpath::EvalContext ctx;
    ctx.input = &output;
    got = path->select(ctx);
    if (!got) return what + ": selects nothing in the output";
    if (!a.equals) return "";
  } else {
    auto expr = jsonata::Expression::compile(a.expression);
    if (!expr) return what + ": " + expr.error().cause;
    json::array path;
    for (const auto& s : actual.path) path.push_back(json::value(json::string(s)));
    jsonata::Bindings vars{
        {"status", json::value(json::string(actual.status))},
        {"error", actual.error ? json::value(json::string(*actual.error)) : json::value(nullptr)},
        {"cause", actual.cause ? json::value(json::string(*actual.cause)) : json::value(nullptr)},
        {"path", json::value(std::move(path))}};
    auto r = expr->evaluate(&output, vars);
    if (!r) return what + ": " + r.error().cause;
    got = r->value_or(json::value(nullptr));
    if (!a.equals)
      return *got == json::value(true) ? "" : what + ": got " + shown(*got) + ", not true";
  }
  if (auto d = diff_at("$", *a.equals, *got); !d.empty()) return what + ": " + d;
  return "";
}

}  // namespace

std::string json_difference(const json::value& expected, const json::value& actual) {
  return diff_at("$", expected, actual);
}

std::string json_contains_difference(const json::value& expected, const json::value& actual) {
  return diff_at("$", expected, actual, /*subset=*/true);
}

std::string first_difference(const TestExpect& x, const TestActual& a) {
  auto detail = [&] {
    std::string d;
    if (a.error) d += ", error " + *a.error;
    if (a.cause) d += ", cause " + shown(json::value(json::string(*a.cause)));
    return d;
  };
  if (a.status != x.status) return "status: expected " + x.status + ", got " + a.status + detail();
  if (x.error && a.error.value_or("") != *x.error)
    return "error: expected " + *x.error + ", got " + a.error.value_or("(none)");
  if (x.cause && a.cause.value_or("") != *x.cause)
    return "cause: expected " + shown(json::value(json::string(*x.cause))) + ", got " +
           shown(json::value(json::string(a.cause.value_or(""))));
  if (x.cause_contains && a.cause.value_or("").find(*x.cause_contains) == std::string::npos)
    return "cause: expected to contain " + shown(json::value(json::string(*x.cause_contains))) +
           ", got " + shown(json::value(json::string(a.cause.value_or(""))));
  if (x.output) {
    if (!a.output) return "output: expected " + shown(*x.output) + ", got none";
    if (auto d = diff_at("$", *x.output, *a.output); !d.empty()) return "output differs " + d;
  }
  if (x.path && *x.path != a.path) {
    std::size_t i = 0;
    while (i < x.path->size() && i < a.path.size() && (*x.path)[i] == a.path[i]) ++i;
    std::string where = "path differs at state " + std::to_string(i + 1) + ": expected " +
                        (i < x.path->size() ? (*x.path)[i] : "(end)") + ", got " +
                        (i < a.path.size() ? a.path[i] : "(end)");
    return where + "; full path " + path_text(a.path);
  }
  for (const auto& assertion : x.assertions) {
    if (auto d = check_assertion(assertion, a); !d.empty()) return "assertion " + d;
  }
  return "";
}

}  // namespace stepwise::app
