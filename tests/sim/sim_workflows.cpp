// Seeded workflows (see sim_workflows.h).
#include "tests/sim/sim_workflows.h"

#include <algorithm>

#include "json/json.h"

namespace stepwise::sim {
namespace {

// Nesting of Parallel and Map scopes (each scope may hold more of them).
constexpr int kDepthMax = 2;

struct Gen {
  SplitMix64& rng;
  int scopes = 0;  // for unique state names across branches

  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng.next() % n; }
  bool chance(int percent) { return static_cast<int>(below(100)) < percent; }

  json::array error_list() {
    json::array out;
    const std::size_t n = std::size(kErrorNames);
    if (chance(25)) {
      out.emplace_back("States.ALL");
      return out;
    }
    out.emplace_back(kErrorNames[below(n)]);
    if (chance(30)) out.emplace_back(chance(50) ? "States.Timeout" : kErrorNames[below(n)]);
    return out;
  }

  json::array retry() {
    json::array out;
    const int rules = static_cast<int>(below(3));
    for (int i = 0; i < rules; ++i) {
      json::object r{{"ErrorEquals", error_list()},
                     {"IntervalSeconds", below(3)},
                     {"MaxAttempts", below(4)},
                     {"BackoffRate", chance(50) ? 1.0 : 2.0}};
      if (chance(20)) r["JitterStrategy"] = "FULL";
      if (chance(20)) r["MaxDelaySeconds"] = 1 + below(3);
      out.emplace_back(std::move(r));
    }
    // States.ALL must come last, alone: keep only the rules before it.
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto& errs = out[i].as_object().at("ErrorEquals").as_array();
      if (std::find(errs.begin(), errs.end(), json::value("States.ALL")) != errs.end()) {
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(i) + 1, out.end());
        break;
      }
    }
    return out;
  }

  // A forward target after state i of n (names are prefix + index).
  std::string forward(const std::string& prefix, int i, int n) {
    return prefix +
           std::to_string(i + 1 + static_cast<int>(below(static_cast<std::uint64_t>(n - i - 1))));
  }

  void next_or_end(json::object& s, const std::string& prefix, int i, int n) {
    // Every state but the last goes on to the next one, so no state is unreachable; Choice
    // rules and catchers jump further ahead.
    if (i == n - 1) {
      s["End"] = true;
    } else {
      s["Next"] = prefix + std::to_string(i + 1);
    }
  }

  void add_retry_catch(json::object& s, const std::string& prefix, int i, int n) {
    if (chance(60)) {
      json::array r = retry();
      if (!r.empty()) s["Retry"] = std::move(r);
    }
    if (i < n - 1 && chance(50)) {
      json::object c{{"ErrorEquals", json::array{"States.ALL"}}, {"Next", forward(prefix, i, n)}};
      if (chance(70)) c["ResultPath"] = "$.caught";
      s["Catch"] = json::array{std::move(c)};
    }
  }

  json::object task(const std::string& prefix, int i, int n, bool in_map) {
    json::object s{{"Type", "Task"},
                   {"Resource", chance(60) ? kFunctionWithEffects : kFunctionRepeatable}};
    if (chance(70)) {
      s["Parameters"] = json::object{{"n.$", "$.n"}, {"at", prefix + std::to_string(i)}};
      // A Map iteration's calls differ by its index (the fake functions' fate reads them).
      if (in_map) s["Parameters"].as_object()["i.$"] = "$.i";
    }
    if (chance(70)) s["ResultPath"] = "$.r" + std::to_string(i);
    if (chance(30)) s["ResultSelector"] = json::object{{"v.$", "$.v"}};
    if (chance(30)) s["TimeoutSeconds"] = 1 + below(3);
    add_retry_catch(s, prefix, i, n);
    next_or_end(s, prefix, i, n);
    return s;
  }

  json::object scope(int depth, bool items_in_input, bool in_map = false) {
    const std::string prefix = "S" + std::to_string(scopes++) + "_";
    const int n = 2 + static_cast<int>(below(5));
    json::object states;
    for (int i = 0; i < n; ++i) {
      json::object s;
      const std::uint64_t pick = below(100);
      const bool last = i == n - 1;
      if (pick < 30) {
        s = task(prefix, i, n, in_map);
      } else if (pick < 45) {
        s = json::object{{"Type", "Pass"}};
        if (chance(50)) {
          s["Result"] = json::object{{"pass", i}};
          s["ResultPath"] = "$.p" + std::to_string(i);
        } else if (chance(50) && items_in_input) {
          s["Parameters"] = json::object{{"n.$", "$.n"}, {"items.$", "$.items"}, {"k", i}};
        }
        next_or_end(s, prefix, i, n);
      } else if (pick < 55 && !last) {
        json::object rule{
            {"And", json::array{json::object{{"Variable", "$.n"}, {"IsPresent", true}},
                                json::object{
                                    {"Variable", "$.n"},
                                    {"NumericGreaterThan", static_cast<std::int64_t>(below(10))}}}},
            {"Next", forward(prefix, i, n)}};
        s = json::object{{"Type", "Choice"},
                         {"Choices", json::array{std::move(rule)}},
                         {"Default", prefix + std::to_string(i + 1)}};
      } else if (pick < 65) {
        s = json::object{{"Type", "Wait"}, {"Seconds", below(6)}};
        next_or_end(s, prefix, i, n);
      } else if (pick < 75 && depth < kDepthMax) {
        json::array branches;
        const int b = 1 + static_cast<int>(below(3));
        for (int k = 0; k < b; ++k) branches.emplace_back(scope(depth + 1, items_in_input, in_map));
        s = json::object{{"Type", "Parallel"}, {"Branches", std::move(branches)}};
        if (chance(70)) s["ResultPath"] = "$.par" + std::to_string(i);
        add_retry_catch(s, prefix, i, n);
        next_or_end(s, prefix, i, n);
      } else if (pick < 85 && depth < kDepthMax && items_in_input) {
        json::object processor = scope(depth + 1, false, true);
        processor["ProcessorConfig"] = json::object{{"Mode", "INLINE"}};
        s = json::object{{"Type", "Map"},
                         {"ItemsPath", "$.items"},
                         {"MaxConcurrency", below(3)},
                         {"ItemSelector",
                          json::object{{"n.$", "$$.Map.Item.Value"}, {"i.$", "$$.Map.Item.Index"}}},
                         {"ItemProcessor", std::move(processor)}};
        if (chance(70)) s["ResultPath"] = "$.map" + std::to_string(i);
        if (chance(20)) s["ToleratedFailureCount"] = below(2);
        add_retry_catch(s, prefix, i, n);
        next_or_end(s, prefix, i, n);
      } else if (!last) {
        s = json::object{{"Type", "Pass"}};
        next_or_end(s, prefix, i, n);
      } else if (pick < 92) {
        s = json::object{{"Type", "Fail"}, {"Error", "Sim.Failed"}, {"Cause", "state " + prefix}};
      } else {
        s = json::object{{"Type", "Succeed"}};
      }
      states[prefix + std::to_string(i)] = std::move(s);
    }
    return json::object{{"StartAt", prefix + "0"}, {"States", std::move(states)}};
  }
};

}  // namespace

std::string random_definition(SplitMix64& rng) {
  Gen g{rng};
  json::object top = g.scope(0, true);
  if (g.chance(25)) top["TimeoutSeconds"] = 20 + g.below(40);
  return json::dump(top);
}

std::string random_input(SplitMix64& rng) {
  json::array items;
  const std::uint64_t count = rng.next() % 4;
  for (std::uint64_t i = 0; i < count; ++i) items.emplace_back(rng.next() % 12);
  return json::dump(json::object{{"n", rng.next() % 12},
                                 {"label", "in" + std::to_string(rng.next() % 1000)},
                                 {"items", std::move(items)}});
}

}  // namespace stepwise::sim
