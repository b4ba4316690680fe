// Fuzz target: a definition file as `stepwise run`, `stepwise test` and `serve --examples`
// read it (app::parse_json_or_yaml): JSON as is, else YAML converted to JSON under a nesting
// bound and an expansion budget (aliases). Input: the file's text.
// Invariants: never a crash, hang or unbounded growth; a refusal is InvalidDefinition with a
// cause; what converts is a JSON object (a definition is a map), and its dump parses back to
// the same value.
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/definition_file.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  const std::string text(fuzz::as_text(data, size));
  auto v = app::parse_json_or_yaml(text);
  if (!v.ok()) {
    if (v.error().name != "InvalidDefinition" || v.error().cause.empty())
      fuzz::invariant_failed("a refusal that is not InvalidDefinition with a cause", text);
    return 0;
  }
  const std::string dumped = json::dump(*v);
  if (!json::parse(text).ok() && !v->is_object())
    fuzz::invariant_failed("converted YAML that is not a map", dumped);
  auto again = json::parse(dumped);
  if (!again.ok() || *again != *v)
    fuzz::invariant_failed("a dump that does not parse back", dumped);
  return 0;
}
