// Fuzz target: jsonata::Expression compile and evaluate, with $states bound as the ASL engine
// binds it, a fixed clock and seed, and a time budget so a slow expression ends as an error.
// Input: "EXPRESSION\nINPUT_JSON".
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "jsonata/jsonata.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  auto split = fuzz::split(fuzz::as_text(data, size));
  std::string_view text = split.program;
  const json::value& doc = split.input;  // not a structured binding: clang 14 cannot capture one
  auto expr = jsonata::Expression::compile(text);
  if (!expr.ok()) {
    if (expr.error().name.empty()) fuzz::invariant_failed("compile error without a code", text);
    return 0;
  }
  jsonata::Bindings vars;
  vars["states"] = json::object{{"input", doc}, {"context", json::object{{"Execution", doc}}}};
  jsonata::EvalOptions options;
  // A budget that ends a non-terminating tail recursion (`$f := function($x){$f($x)}`: tail
  // calls add no depth) well within libFuzzer's -timeout under ASan at -O1 on a loaded machine.
  options.steps_max = 500'000;
  options.now_millis = 1764000000000.0;
  options.random_seed = 42;
  auto result = expr->evaluate(&doc, vars, options);
  if (!result.ok() && result.error().name.empty())
    fuzz::invariant_failed("evaluation error without a code", result.error().cause);
  if (result.ok() && result->has_value()) (void)json::dump(**result);
  return 0;
}
