// The input quota check, with sfn's Violations wording.
#include "app/input_quota.h"

#include "base/limits.h"
#include "sfn/registry_rules.h"

namespace stepwise::app {

std::optional<std::string> input_quota_error(const std::string& input_text) {
  if (input_text.size() <= stepwise::limits::payload_bytes_max) return std::nullopt;
  sfn::rules::Violations v;
  v.add("input", std::nullopt,
        "Member must have length less than or equal to " +
            std::to_string(stepwise::limits::payload_bytes_max),
        /*sensitive=*/true);
  auto e = v.error();
  return e.type + ": " + e.message;
}

}  // namespace stepwise::app
