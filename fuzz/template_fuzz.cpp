// Fuzz target: jsonpath::Template (payload templates: Parameters, ResultSelector, ...).
// Input: "TEMPLATE_JSON\nINPUT_JSON". Template text that is not JSON is used as a JSON string.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "jsonpath/jsonpath.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  auto split = fuzz::split(fuzz::as_text(data, size));
  std::string_view text = split.program;
  const json::value& doc = split.input;  // not a structured binding: clang 14 cannot capture one
  auto parsed = json::parse(text);
  json::value tmpl = parsed.ok() ? std::move(parsed).value() : json::value(json::string(text));
  auto compiled = jsonpath::Template::compile(tmpl, "Parameters");
  if (!compiled.ok()) return 0;
  fuzz::FixedRandom seeded;
  jsonpath::RandomSource random = [&seeded] { return seeded(); };
  jsonpath::VariableLookup vars = [&doc](std::string_view) { return &doc; };
  jsonpath::EvalContext ctx{&doc, &doc, &vars, &random};
  auto result = compiled->evaluate(ctx);
  if (!result.ok() && result.error().name.empty())
    fuzz::invariant_failed("template error without a name", result.error().cause);
  return 0;
}
