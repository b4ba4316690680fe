// The validator's graph phase: per States block, every transition names a state, some state
// ends the block, and every state is reachable from StartAt.
#include "asl/validator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace stepwise::asl::validation {

// ---- graph phase ---------------------------------------------------------------------------

void Validator::check_graph() {
  std::vector<Diagnostic> targets;
  std::vector<Diagnostic> tail;
  for (const Block& b : blocks_) {
    std::unordered_set<std::string> names(b.names.begin(), b.names.end());
    if (!names.contains(b.start_at)) {
      targets.push_back(Diagnostic{"ERROR",
                                   kMissingTarget,
                                   "Missing 'StartAt' target: " + b.start_at,
                                   b.location + "/StartAt",
                                   {}});
    }
    for (const auto& n : b.names) {
      auto it = b.edges.find(n);
      if (it == b.edges.end()) continue;
      for (const auto& t : it->second) {
        if (!names.contains(t.target)) {
          targets.push_back(Diagnostic{
              "ERROR", kMissingTarget, "Missing 'Next' target: " + t.target, t.location, {}});
        }
      }
    }
    if (b.terminal.empty()) {
      tail.push_back(
          Diagnostic{"ERROR", "MISSING_END_STATE", "Workflow has no terminal state", "", {}});
      continue;  // AWS skips the reachability walk for such a block
    }
    std::unordered_set<std::string> seen;
    std::vector<std::string> work;
    if (names.contains(b.start_at)) work.push_back(b.start_at);
    while (!work.empty()) {
      std::string cur = std::move(work.back());
      work.pop_back();
      if (!seen.insert(cur).second) continue;
      auto it = b.edges.find(cur);
      if (it == b.edges.end()) continue;
      for (const auto& t : it->second) {
        if (names.contains(t.target) && !seen.contains(t.target)) work.push_back(t.target);
      }
    }
    if (seen.empty()) continue;  // a missing StartAt was already reported
    for (const auto& n : b.names) {
      if (!seen.contains(n)) {
        targets.push_back(Diagnostic{"ERROR",
                                     kMissingTarget,
                                     "State \"" + n + "\" is not reachable.",
                                     b.location + "/States/" + n,
                                     {}});
      }
    }
  }
  for (auto& d : targets) out_.push_back(std::move(d));
  for (auto& d : tail) out_.push_back(std::move(d));
}

}  // namespace stepwise::asl::validation
