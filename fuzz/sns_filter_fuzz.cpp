// Fuzz target: SNS filter policies (services/sns/filter_policy.h). Input "POLICY\nMESSAGE": the
// policy is parsed for both scopes; when it parses, it is matched against MESSAGE as a body and
// against attributes made from MESSAGE's members (strings as String, numbers as Number, arrays
// as String.Array). Parsing and matching must never crash, and a policy must parse the same way
// twice.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "services/sns/filter_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  using services::sns::FilterAttribute;
  using services::sns::FilterAttributes;
  using services::sns::FilterPolicy;
  std::string_view text = fuzz::as_text(data, size);
  auto nl = text.find('\n');
  std::string_view policy = text.substr(0, nl);
  std::string_view message =
      nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  FilterAttributes attributes;
  if (auto parsed = json::parse(message); parsed.ok() && parsed->is_object()) {
    for (const auto& kv : parsed->get_object()) {
      const auto& v = kv.value();
      std::string type = v.is_string()        ? "String"
                         : json::is_number(v) ? "Number"
                         : v.is_array()       ? "String.Array"
                                              : "Binary";
      attributes[std::string(kv.key())] =
          FilterAttribute{type, v.is_string() ? std::string(v.get_string()) : json::dump(v)};
    }
  }
  for (auto scope : {FilterPolicy::Scope::kAttributes, FilterPolicy::Scope::kBody}) {
    std::string error, again;
    auto p = FilterPolicy::parse(policy, scope, &error);
    auto q = FilterPolicy::parse(policy, scope, &again);
    if (p.has_value() != q.has_value() || error != again)
      fuzz::invariant_failed("a policy parsed differently twice", text);
    if (!p) {
      if (error.empty()) fuzz::invariant_failed("a refused policy has no reason", text);
      continue;
    }
    (void)p->matches_body(message);
    (void)p->matches_attributes(attributes);
  }
  return 0;
}
