// Fuzz target: json::parse on arbitrary bytes. Whatever parses must survive dump and re-parse
// unchanged: dump(parse(dump(v))) == dump(v), and the two values compare equal.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  auto parsed = json::parse(fuzz::as_text(data, size));
  if (!parsed.ok()) {
    if (parsed.error().cause.empty()) fuzz::invariant_failed("parse error without a cause", "");
    return 0;
  }
  std::string once = json::dump(*parsed);
  if (json::dumped_size(*parsed) != once.size())
    fuzz::invariant_failed("dumped_size differs from dump().size()", once);
  auto again = json::parse(once);
  if (!again.ok()) fuzz::invariant_failed("dump output does not parse", again.error().cause);
  std::string twice = json::dump(*again);
  if (twice != once) fuzz::invariant_failed("dump is not stable across a round trip", once);
  if (!json::equal(*parsed, *again)) fuzz::invariant_failed("round trip changed the value", once);
  return 0;
}
