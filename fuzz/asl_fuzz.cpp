// Fuzz target: the ASL validator and compiler on arbitrary definition text, as STANDARD and as
// EXPRESS. Invariant: a definition the validator passes (no ERROR) must compile, and one the
// compiler accepts must have passed the validator (the two never disagree).
#include <cstddef>
#include <cstdint>

#include "asl/compile.h"
#include "asl/validate.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  auto text = fuzz::as_text(data, size);
  asl::ValidateOptions express;
  express.express = true;
  (void)asl::validate_text(text, express);
  auto diagnostics = asl::validate_text(text);
  bool valid = !asl::has_errors(diagnostics);
  if (!valid) (void)asl::invalid_definition_message(diagnostics);
  auto machine = asl::compile_text(text);
  if (valid && !machine.ok())
    fuzz::invariant_failed("validator passed but compile failed", machine.error().cause);
  if (!valid && machine.ok()) fuzz::invariant_failed("validator failed but compile passed", text);
  return 0;
}
