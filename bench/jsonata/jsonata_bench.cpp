// stepwise-jsonata-bench: times Stepwise's JSONata on the expression set of expressions.json,
// the C++ half of the comparison with the npm reference (ref-bench.js; both run by run.sh).
//
//   stepwise-jsonata-bench [--file expressions.json] [--reps 5] [--target-ms 500]
//                          [--only name,name] [--mode value|documents|both] [--json]
//                          [--print-results] [--evals N]
//
// For each expression: compile once, calibrate N so that N evaluations take about --target-ms,
// then time --reps rounds of N and report the median ns per evaluation, in two modes:
//   value      Expression::evaluate with json::value bindings: converting $states is included,
//              as the engine pays it once per state;
//   documents  Expression::evaluate_documents on bindings converted beforehand.
// --evals N skips calibration (for profilers: valgrind --tool=callgrind ... --evals 1000).
// --print-results evaluates each expression once and prints {"name", "result"} lines (no
// "result" when undefined), which run.sh compares with the reference's.
// Single-threaded; exits 1 on any compile or evaluation error, 2 on bad usage.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "json/json.h"
#include "jsonata/jsonata.h"

#ifndef STEPWISE_JSONATA_BENCH_DIR
#define STEPWISE_JSONATA_BENCH_DIR "bench/jsonata"
#endif

namespace {

namespace json = stepwise::json;
namespace jsonata = stepwise::jsonata;
using Clock = std::chrono::steady_clock;

// A generated array holds at most this many items, and templates nest at most this deep: the
// file is ours, but a typo must not exhaust memory or the stack.
constexpr std::int64_t generate_count_max = 10'000'000;
constexpr std::size_t template_depth_max = 64;
// Generator parameters stay below this magnitude so that i*mul + add cannot overflow.
constexpr std::int64_t generator_param_max = 1'000'000'000;
// Calibration stops growing N here even if evaluations are (impossibly) fast.
constexpr std::int64_t evals_per_round_max = std::int64_t{1} << 32;
constexpr int reps_max = 1000;

struct Options {
  std::string file = std::string(STEPWISE_JSONATA_BENCH_DIR) + "/expressions.json";
  int reps = 5;
  double target_ms = 500;
  std::set<std::string> only;
  bool mode_value = true;
  bool mode_documents = true;
  bool json_lines = false;
  bool print_results = false;
  std::int64_t evals = 0;  // fixed N (for profilers); 0 = calibrate
};

struct Case {
  std::string name;
  std::string text;
  jsonata::Expression expr;
  jsonata::Bindings vars;
  jsonata::DocumentBindings docs;
};

[[noreturn]] void die(const std::string& msg, int code = 1) {
  std::cerr << "stepwise-jsonata-bench: " << msg << "\n";
  std::exit(code);
}

// ---------------------------------------------------------------------- input generation

std::int64_t int_param(const json::value& spec, std::size_t k) {
  const json::array* a = spec.if_array();
  if (a == nullptr || k >= a->size() || !json::is_integral_number((*a)[k])) {
    die("generator parameters must be integers: " + json::dump(spec));
  }
  double d = json::as_double((*a)[k]);
  if (std::fabs(d) > static_cast<double>(generator_param_max)) die("generator parameter too large");
  return static_cast<std::int64_t>(d);
}

// (i*mul + add) % mod for the $int/$num/$bool forms (mod > 0 checked).
std::int64_t affine_mod(const json::value& spec, std::int64_t i) {
  std::int64_t mod = int_param(spec, 2);
  if (mod <= 0) die("generator modulus must be positive: " + json::dump(spec));
  return (i * int_param(spec, 0) + int_param(spec, 1)) % mod;
}

std::string substitute_index(std::string_view s, std::int64_t i) {
  std::string out;
  const std::string idx = std::to_string(i);
  for (std::size_t p = 0; p < s.size();) {
    if (s.compare(p, 3, "{i}") == 0) {
      out += idx;
      p += 3;
    } else {
      out += s[p++];
    }
  }
  return out;
}

json::value instantiate(const json::value& t, std::int64_t i, std::size_t depth) {
  if (depth > template_depth_max) die("input template nested too deeply");
  if (const json::string* s = t.if_string()) return json::string(substitute_index(*s, i));
  if (const json::array* a = t.if_array()) {
    json::array out;
    for (const auto& x : *a) out.push_back(instantiate(x, i, depth + 1));
    return out;
  }
  const json::object* o = t.if_object();
  if (o == nullptr) return t;
  if (o->size() == 1) {
    if (const json::value* p = o->if_contains("$int")) return affine_mod(*p, i);
    if (const json::value* p = o->if_contains("$num")) {
      return static_cast<double>(affine_mod(*p, i)) / static_cast<double>(int_param(*p, 3));
    }
    if (const json::value* p = o->if_contains("$bool")) {
      return i % int_param(*p, 0) == int_param(*p, 1);
    }
  }
  json::object out;
  for (const auto& kv : *o) out[kv.key()] = instantiate(kv.value(), i, depth + 1);
  return out;
}

// Expands every {"$generate": {...}} in an input (anywhere in it) into its array.
json::value expand(const json::value& v, std::size_t depth) {
  if (depth > template_depth_max) die("input nested too deeply");
  if (const json::array* a = v.if_array()) {
    json::array out;
    for (const auto& x : *a) out.push_back(expand(x, depth + 1));
    return out;
  }
  const json::object* o = v.if_object();
  if (o == nullptr) return v;
  if (const json::value* g = o->if_contains("$generate"); g != nullptr && o->size() == 1) {
    const json::value* count = g->is_object() ? g->as_object().if_contains("count") : nullptr;
    const json::value* item = g->is_object() ? g->as_object().if_contains("item") : nullptr;
    if (count == nullptr || item == nullptr || !json::is_integral_number(*count)) {
      die("$generate needs an integer count and an item");
    }
    auto n = static_cast<std::int64_t>(json::as_double(*count));
    if (n < 0 || n > generate_count_max) die("$generate count out of range");
    json::array out;
    out.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) out.push_back(instantiate(*item, i, 0));
    return out;
  }
  json::object out;
  for (const auto& kv : *o) out[kv.key()] = expand(kv.value(), depth + 1);
  return out;
}

// ---------------------------------------------------------------------- loading

json::value load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto v = json::parse(ss.str());
  if (!v) die(path + ": " + v.error().cause);
  if (!v->is_object() || !v->as_object().contains("expressions")) die(path + ": no expressions");
  return std::move(*v);
}

std::vector<Case> load_cases(const Options& opt) {
  json::value file = load_file(opt.file);
  const json::object& root = file.as_object();
  const json::value* context = root.if_contains("context");
  const json::value* inputs = root.if_contains("inputs");
  std::vector<Case> cases;
  for (const auto& e : root.at("expressions").as_array()) {
    const json::object& o = e.as_object();
    std::string name(o.at("name").as_string());
    if (!opt.only.empty() && opt.only.count(name) == 0) continue;
    std::string text(o.at("expression").as_string());
    auto expr = jsonata::Expression::compile(text);
    if (!expr) die(name + ": compile failed: " + expr.error().name + ": " + expr.error().cause);
    const json::value* input = nullptr;
    if (const json::value* in = o.if_contains("input")) {
      input = in->is_string() && inputs != nullptr
                  ? inputs->as_object().if_contains(in->as_string())
                  : in;
      if (input == nullptr) die(name + ": unknown input " + json::dump(*in));
    }
    json::object states;
    if (input != nullptr) states["input"] = expand(*input, 0);
    if (context != nullptr) states["context"] = *context;
    Case c{name, text, std::move(*expr), {}, {}};
    c.vars.emplace("states", json::value(std::move(states)));
    auto doc = jsonata::Document::from_json(c.vars.at("states"));
    if (!doc) die(name + ": " + doc.error().cause);
    c.docs.emplace("states", std::move(*doc));
    cases.push_back(std::move(c));
  }
  if (cases.empty()) die("no expression selected");
  return cases;
}

// ---------------------------------------------------------------------- timing

using EvalFn = std::function<stepwise::Result<jsonata::Outcome>()>;

// Seconds taken by n evaluations; any error ends the run (a benchmark of errors means nothing).
double time_evals(const std::string& name, const EvalFn& eval, std::int64_t n) {
  auto start = Clock::now();
  for (std::int64_t k = 0; k < n; ++k) {
    auto r = eval();
    if (!r) die(name + ": " + r.error().name + ": " + r.error().cause);
  }
  std::chrono::duration<double> d = Clock::now() - start;
  return d.count();
}

// N such that N evaluations take about target seconds: doubling up to a tenth of the target
// (which also warms caches and the allocator), then one proportional step.
std::int64_t calibrate(const std::string& name, const EvalFn& eval, double target) {
  std::int64_t n = 1;
  double t = time_evals(name, eval, n);
  while (t < target / 10 && n < evals_per_round_max / 2) {
    n *= 2;
    t = time_evals(name, eval, n);
  }
  double scaled = static_cast<double>(n) * target / std::max(t, 1e-9);
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(scaled), 1, evals_per_round_max);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

void report(const Options& opt, const Case& c, const char* mode, std::int64_t n,
            const std::vector<double>& ns) {
  double med = median(ns);
  if (!opt.json_lines) {
    std::printf("%-20s %-10s %14.0f ns/eval  (N=%lld, %zu reps)\n", c.name.c_str(), mode, med,
                static_cast<long long>(n), ns.size());
    std::fflush(stdout);
    return;
  }
  json::object line;
  line["impl"] = "stepwise";
  line["mode"] = mode;
  line["name"] = c.name;
  line["ns"] = med;
  line["evals"] = n;
  json::array reps;
  for (double x : ns) reps.push_back(x);
  line["reps"] = std::move(reps);
  std::cout << json::dump(line) << std::endl;
}

void bench(const Options& opt, const Case& c, const char* mode, const EvalFn& eval) {
  std::int64_t n = opt.evals > 0 ? opt.evals : calibrate(c.name, eval, opt.target_ms / 1000);
  std::vector<double> ns;
  for (int r = 0; r < opt.reps; ++r) {
    ns.push_back(time_evals(c.name, eval, n) * 1e9 / static_cast<double>(n));
  }
  report(opt, c, mode, n, ns);
}

void print_result(const Case& c) {
  auto r = c.expr.evaluate(nullptr, c.vars);
  if (!r) die(c.name + ": " + r.error().name + ": " + r.error().cause);
  json::object line;
  line["name"] = c.name;
  if (r->has_value()) line["result"] = std::move(**r);
  std::cout << json::dump(line) << "\n";
}

// ---------------------------------------------------------------------- command line

Options parse_args(int argc, char** argv) {
  Options opt;
  auto next = [&](int& k) -> std::string {
    if (k + 1 >= argc) die(std::string("missing value after ") + argv[k], 2);
    return argv[++k];
  };
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    if (a == "--file") {
      opt.file = next(k);
    } else if (a == "--reps") {
      opt.reps = std::atoi(next(k).c_str());
      if (opt.reps < 1 || opt.reps > reps_max) die("--reps must be 1..1000", 2);
    } else if (a == "--target-ms") {
      opt.target_ms = std::atof(next(k).c_str());
      if (!(opt.target_ms > 0)) die("--target-ms must be positive", 2);
    } else if (a == "--only") {
      std::stringstream ss(next(k));
      for (std::string n; std::getline(ss, n, ',');) opt.only.insert(n);
    } else if (a == "--mode") {
      std::string m = next(k);
      if (m != "value" && m != "documents" && m != "both") die("--mode value|documents|both", 2);
      opt.mode_value = m != "documents";
      opt.mode_documents = m != "value";
    } else if (a == "--evals") {
      opt.evals = std::atoll(next(k).c_str());
      if (opt.evals < 1 || opt.evals > evals_per_round_max) die("--evals out of range", 2);
    } else if (a == "--json") {
      opt.json_lines = true;
    } else if (a == "--print-results") {
      opt.print_results = true;
    } else {
      die("unknown option " + a + " (see the header of bench/jsonata/jsonata_bench.cpp)", 2);
    }
  }
  return opt;
}

}  // namespace

int main(int argc, char** argv) try {
  Options opt = parse_args(argc, argv);
  std::vector<Case> cases = load_cases(opt);
  for (const Case& c : cases) {
    if (opt.print_results) {
      print_result(c);
      continue;
    }
    if (opt.mode_value) {
      bench(opt, c, "value", [&c] { return c.expr.evaluate(nullptr, c.vars); });
    }
    if (opt.mode_documents) {
      bench(opt, c, "documents", [&c] { return c.expr.evaluate_documents(nullptr, c.docs); });
    }
  }
  return 0;
} catch (const std::exception& e) {
  // Boost.JSON's accessors throw on a malformed expressions.json.
  die(std::string("bad expressions file: ") + e.what());
}
