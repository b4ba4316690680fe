#include "bench/workloads.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/limits.h"

namespace stepwise::bench {

const std::vector<WorkloadSpec>& workload_specs() {
  // Executions and transitions per execution as in bench/workloads/README.md (and the peers'
  // harness, so that transitions/s compare like with like).
  static const std::vector<WorkloadSpec> specs = {
      {"w1", "w1_pass_chain", 10000, 10, true},        {"w2", "w2_choice_loop", 1, 2001, false},
      {"w2b", "w2b_choice_loop_task", 1, 2001, false}, {"w3", "w3_map", 1, 1 + 10000 * 2, false},
      {"w4", "w4_parallel", 2000, 10, true},           {"w5", "w5_retry", 1000, 3, true},
  };
  return specs;
}

const WorkloadSpec* find_workload(std::string_view id) {
  for (const auto& s : workload_specs())
    if (s.id == id) return &s;
  return nullptr;
}

Result<std::string> read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"Bench.FileError", "cannot open " + path};
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > limits::definition_bytes_max)
      return Error{"Bench.FileError", path + " is larger than " +
                                          std::to_string(limits::definition_bytes_max) + " bytes"};
  }
  return text;
}

namespace {

Result<json::value> read_json(const std::string& path) {
  auto text = read_file_text(path);
  if (!text) return text.error();
  auto v = json::parse(*text);
  if (!v) return Error{v.error().name, path + ": " + v.error().cause};
  return std::move(v).value();
}

// {...input, key: v}: the input object with one member set (appended when new, as JS spread).
json::value with_member(const json::value& input, std::string_view key, json::value v) {
  json::object out = input.as_object();
  out[key] = std::move(v);
  return out;
}

Result<json::value> expected_w1(const json::value& input) {
  const auto* id = input.as_object().if_contains("id");
  const auto* payload = input.as_object().if_contains("payload");
  if (!id || !payload || !payload->is_object() || !payload->as_object().if_contains("a"))
    return Error{"Bench.BadInput", "w1 input needs id and payload.a"};
  // Every Pass writes {step, id, v} to $.last; the last one (P10) wins.
  json::object last;
  last["step"] = 10;
  last["id"] = *id;
  last["v"] = payload->as_object().at("a");
  return with_member(input, "last", std::move(last));
}

Result<json::value> expected_w3(const json::value& input) {
  const auto* items = input.as_object().if_contains("items");
  if (!items || !items->is_array()) return Error{"Bench.BadInput", "w3 input needs items[]"};
  // Identity then Tag {id, done: true}, per item, in item order.
  json::array results;
  results.reserve(items->as_array().size());
  for (const auto& item : items->as_array()) {
    const auto* id = item.is_object() ? item.as_object().if_contains("id") : nullptr;
    if (!id) return Error{"Bench.BadInput", "w3 items need an id"};
    json::object r;
    r["id"] = *id;
    r["done"] = true;
    results.push_back(std::move(r));
  }
  return with_member(input, "results", std::move(results));
}

}  // namespace

Result<Workload> load_workload(const WorkloadSpec& spec, const std::string& dir) {
  auto def = read_json(dir + "/" + spec.stem + ".asl.json");
  if (!def) return def.error();
  auto input = read_json(dir + "/" + spec.stem + ".input.json");
  if (!input) return input.error();
  return Workload{spec, std::move(def).value(), std::move(input).value()};
}

json::value input_for(const json::value& base, std::int64_t k) {
  if (!base.is_object() || !base.as_object().contains("id")) return base;
  json::value v = base;
  v.as_object()["id"] = k;
  return v;
}

Result<json::value> expected_output(const WorkloadSpec& spec, const json::value& input) {
  if (!input.is_object()) return Error{"Bench.BadInput", spec.id + " input is not an object"};
  if (spec.id == "w1") return expected_w1(input);
  if (spec.id == "w2" || spec.id == "w2b") {
    // Inc runs first and replaces the state with {i: i + 1}; Check loops while i < 1000.
    const auto* i = input.as_object().if_contains("i");
    if (!i || !i->is_int64()) return Error{"Bench.BadInput", spec.id + " input needs integer i"};
    json::value last = std::max<std::int64_t>(i->as_int64() + 1, 1000);
    // W2's Parameters keep only i; W2b's Increment task keeps the rest of the input.
    if (spec.id == "w2b") return with_member(input, "i", std::move(last));
    json::object out;
    out["i"] = std::move(last);
    return json::value(std::move(out));
  }
  if (spec.id == "w3") return expected_w3(input);
  if (spec.id == "w4") {
    // Each Identity branch returns its input unchanged; ResultPath $.branches.
    json::array branches = {input, input, input};
    return with_member(input, "branches", std::move(branches));
  }
  if (spec.id == "w5") {
    json::object result;
    result["ok"] = true;
    result["attempts"] = 3;
    return with_member(input, "result", std::move(result));
  }
  return Error{"Bench.UnknownWorkload", spec.id};
}

}  // namespace stepwise::bench
