// Fuzz target: jsonpath::Intrinsic (States.Format, States.ArrayRange, ...): compile, then
// evaluate with and without a field name. Input: "INTRINSIC\nINPUT_JSON".
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "jsonpath/jsonpath.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  auto split = fuzz::split(fuzz::as_text(data, size));
  std::string_view text = split.program;
  const json::value& doc = split.input;  // not a structured binding: clang 14 cannot capture one
  auto fn = jsonpath::Intrinsic::compile(text);
  if (!fn.ok()) return 0;
  fuzz::FixedRandom seeded;
  jsonpath::RandomSource random = [&seeded] { return seeded(); };
  jsonpath::VariableLookup vars = [&doc](std::string_view) { return &doc; };
  jsonpath::EvalContext ctx{&doc, &doc, &vars, &random};
  auto plain = fn->evaluate(ctx);
  auto named = fn->evaluate(ctx, "field.$");
  if (plain.ok() != named.ok()) fuzz::invariant_failed("the field name changed success", text);
  if (!plain.ok() && plain.error().name.empty())
    fuzz::invariant_failed("intrinsic error without a name", plain.error().cause);
  return 0;
}
