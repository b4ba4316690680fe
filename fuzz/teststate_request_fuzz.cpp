// Fuzz target: the TestState API (teststate::test_state): the request body decoded
// (definition, input, inspectionLevel, variables, stateName, mock, context,
// stateConfiguration) and the state run in the real engine on a manual clock, with no task
// runner (a Task that is not mocked fails, as it must). Input: the request body as JSON text
// (anything else is sent as a JSON string, which must be refused).
// Invariants: never a crash or hang; a refusal has a name and a cause; an answer is an object
// whose status is one TestState reports, and it dumps as JSON.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/ids.h"
#include "fuzz/fuzz_input.h"
#include "teststate/test_state.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  std::string_view text = fuzz::as_text(data, size);
  auto parsed = json::parse(text);
  json::value body = parsed.ok() ? std::move(parsed).value() : json::value(std::string(text));
  ManualClock clock(1'700'000'000'000);
  IdGenerator ids(7);
  teststate::TestStateOptions options;
  options.clock = &clock;
  options.ids = &ids;
  auto answer = teststate::test_state(body, options);
  if (!answer.ok()) {
    if (answer.error().name.empty() || answer.error().cause.empty())
      fuzz::invariant_failed("a refusal without a name or a cause", text);
    return 0;
  }
  if (!answer->is_object()) fuzz::invariant_failed("an answer that is not an object", text);
  const auto* status = answer->get_object().if_contains("status");
  if (status == nullptr || !status->is_string())
    fuzz::invariant_failed("an answer without a status", json::dump(*answer));
  const std::string_view s = status->get_string();
  if (s != "SUCCEEDED" && s != "FAILED" && s != "RETRIABLE" && s != "CAUGHT_ERROR")
    fuzz::invariant_failed("an unknown status", s);
  (void)json::dump(*answer);
  return 0;
}
