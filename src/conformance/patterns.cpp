#include "conformance/patterns.h"

namespace stepwise::conformance {
namespace {

// compare.PATTERN_ISO8601: a real calendar date (leap years included), time, optional fraction
// and a zone.
constexpr const char* iso8601_text =
    "(?:[1-9]\\d{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|"
    "(?:0[13578]|1[02])-31)|"
    "(?:[1-9]\\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)-02-29)"
    "T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d"
    "(?:\\.\\d{1,9})?(?:Z|[+-][01]\\d:?(?:[0-5]\\d)?)";

std::string anchored(const char* text) { return std::string("^(?:") + text + ")"; }

}  // namespace

Patterns::Patterns()
    : iso8601(iso8601_text),
      iso8601_prefix(anchored(iso8601_text)),
      uuid_prefix("^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}"),
      cause_json("^.*'(\\{.*\\})'"),
      placeholder("<[A-Za-z0-9_:\\- .]+>") {}

const Patterns& patterns() {
  static const Patterns p;
  return p;
}

}  // namespace stepwise::conformance
