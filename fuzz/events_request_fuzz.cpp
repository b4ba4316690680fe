// Fuzz target: the built-in EventBridge's request decoding. Input: "OPERATION\nBODY": the body
// (JSON; anything else is sent as a JSON string, which must be refused) goes to that operation
// of a fresh in-memory service with its default bus and a bus "b". Every request is answered
// exactly once; an error always has a type; a PutEvents answer has one entry per entry sent,
// and the events it accepted are in the log, read back from the records the same.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "services/common/record_log.h"
#include "services/events/events.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  using namespace stepwise::services;
  std::string_view text = fuzz::as_text(data, size);
  auto newline = text.find('\n');
  std::string op(newline == std::string_view::npos ? text : text.substr(0, newline));
  std::string_view body = newline == std::string_view::npos ? "" : text.substr(newline + 1);
  auto parsed = json::parse(body);
  json::value request = parsed.ok() ? std::move(parsed).value() : json::value(std::string(body));
  const json::value sent = request;
  ManualClock clock(1'700'000'000'000);
  MemoryRecordLog log;
  events::Events ev(events::EventsOptions{.clock = clock, .log = log, .id_seed = 1});
  if (!ev.load().ok()) fuzz::invariant_failed("load failed", text);
  int answers = 0;
  std::int64_t accepted = -1;
  api::RequestInfo info;
  ev.dispatch("CreateEventBus", json::object{{"Name", "b"}}, info,
              [&](api::Response) { ++answers; });
  ev.dispatch(op, std::move(request), info, [&](api::Response r) {
    ++answers;
    if (r.is_error()) {
      if (r.error().type.empty()) fuzz::invariant_failed("an error without a type", text);
      return;
    }
    if (op != "PutEvents") return;
    const auto& out = r.body().as_object();
    const auto& entries = out.at("Entries").as_array();
    if (entries.size() != sent.as_object().at("Entries").as_array().size())
      fuzz::invariant_failed("PutEvents answered another number of entries", text);
    accepted = static_cast<std::int64_t>(entries.size()) - out.at("FailedEntryCount").as_int64();
  });
  if (answers != 2) fuzz::invariant_failed("a request was not answered exactly once", text);
  if (accepted >= 0) {
    const auto logged = ev.read("default", 0, 100).size() + ev.read("b", 0, 100).size();
    if (static_cast<std::int64_t>(logged) != accepted)
      fuzz::invariant_failed("accepted events are not in the log", text);
    events::Events again(events::EventsOptions{.clock = clock, .log = log, .id_seed = 2});
    std::size_t damaged = 0;
    if (!again.load(&damaged).ok() || damaged != 0 ||
        again.read("default", 0, 100).size() + again.read("b", 0, 100).size() != logged)
      fuzz::invariant_failed("the log did not read back", text);
  }
  return 0;
}
