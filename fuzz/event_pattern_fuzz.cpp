// Fuzz target: EventBridge event patterns (services/events/event_pattern.h). Input
// "PATTERN\nEVENT": the pattern is read (twice: the same answer and reason both times; a refusal
// always has a reason) and, when it reads, matched against EVENT's text (the same answer twice);
// test_event_pattern must agree with the two (TestEventPattern's logic: an event it accepts
// matches exactly when the matcher says so). Reading and matching must never crash, overflow
// the stack or hang, whatever the nesting, numbers, wildcards or arrays.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input.h"
#include "services/events/event_pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise::services::events;
  namespace fuzz = stepwise::fuzz;
  const std::string_view text = fuzz::as_text(data, size);
  const auto nl = text.find('\n');
  const std::string_view pattern = text.substr(0, nl);
  const std::string_view event =
      nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);

  std::string reason, again;
  const auto p = EventPattern::parse(pattern, &reason);
  const auto q = EventPattern::parse(pattern, &again);
  if (p.has_value() != q.has_value() || reason != again)
    fuzz::invariant_failed("a pattern read differently twice", text);
  if (!p && reason.empty()) fuzz::invariant_failed("a refused pattern has no reason", text);

  const PatternTest t = test_event_pattern(pattern, event);
  if (!t.error_code.empty() && t.message.empty())
    fuzz::invariant_failed("a TestEventPattern error has no message", text);
  if (!p) {
    if (t.error_code.empty())
      fuzz::invariant_failed("TestEventPattern took a refused pattern", text);
    return 0;
  }
  const bool matched = p->matches(event);
  if (matched != q->matches(event)) fuzz::invariant_failed("a match differed twice", text);
  if (valid_test_event(event) && (!t.error_code.empty() || t.result != matched))
    fuzz::invariant_failed("TestEventPattern disagrees with the matcher", text);
  return 0;
}
