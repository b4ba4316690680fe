// Fuzz target: EventBridge event patterns (services/events/event_pattern.h). Input
// "PATTERN\nEVENT": the pattern is read (twice: the same answer and reason both times; a refusal
// always has a reason) and, when it reads, matched against EVENT's text (the same answer twice);
// test_event_pattern must agree with the two (TestEventPattern's logic: an event it accepts
// matches exactly when the matcher says so). Reading and matching must never crash, overflow
// the stack or hang, whatever the nesting, numbers, wildcards or arrays. PATTERN also serves as
// an InputTransformer template (input_transformer.h) over EVENT, when EVENT is JSON: PutTargets'
// check and the filling must not crash, and a filled JSON template that is delivered is JSON.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input.h"
#include "services/events/event_pattern.h"
#include "services/events/input_transformer.h"

namespace {

// PATTERN as a template, its variables read from EVENT.
void transform(std::string_view templ, std::string_view event_text, std::string_view text) {
  using namespace stepwise::services::events;
  auto event = stepwise::json::parse(event_text);
  if (!event.ok()) return;
  TargetInputSpec t;
  t.id = "t";
  t.has_transformer = true;
  t.input_template = std::string(templ);
  t.paths_map = {{"a", "$.a"}, {"b", "$.detail.b"}, {"c", "$.detail.c[0]"}, {"d", "$['d']"}};
  if (check_target_input(t)) return;
  const auto out = target_input(t, *event, DeliveryContext{"arn", "rule", "time"});
  const auto first = templ.find_first_not_of(" \t\r\n");
  const bool json_template =
      first != std::string_view::npos && (templ[first] == '{' || templ[first] == '[');
  if (out && json_template && !stepwise::json::parse(*out).ok())
    stepwise::fuzz::invariant_failed("a delivered JSON template is not JSON", text);
}

}  // namespace

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

  transform(pattern, event, text);
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
