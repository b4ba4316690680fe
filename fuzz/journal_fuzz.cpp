// Fuzz target: the execution journal's codec (sfn::decode_journal / encode_journal), which reads
// back from the store the outside event of every step an execution took; recovery replays them.
// A journal entry is store data, but a damaged or hand-edited store must still read as an
// Error, never a crash. Invariants: a decoded entry re-encodes to an entry that decodes to the
// same event (kind, id, time, output, error, cause and their presence flags), and that encoding
// is stable; a refusal always has a name and a cause.
//
// Input bytes: one journal entry as JSON text (what the store keeps in journal.entry).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input.h"
#include "sfn/executions_internal.h"

namespace {

using stepwise::sfn::JournalEvent;

stepwise::json::value encode(const JournalEvent& j) {
  return j.redrive ? stepwise::sfn::encode_redrive(j.now_ms)
                   : stepwise::sfn::encode_journal(j.event, j.now_ms);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  auto parsed = json::parse(fuzz::as_text(data, size));
  if (!parsed.ok()) return 0;
  auto decoded = sfn::decode_journal(*parsed);
  if (!decoded.ok()) {
    if (decoded.error().name.empty() || decoded.error().cause.empty())
      fuzz::invariant_failed("a refused entry without a name or cause", json::dump(*parsed));
    return 0;
  }
  const std::string once = json::dump(encode(*decoded));
  auto again = sfn::decode_journal(encode(*decoded));
  if (!again.ok()) fuzz::invariant_failed("a re-encoded entry does not decode", once);
  const JournalEvent& a = *decoded;
  const JournalEvent& b = *again;
  if (a.redrive != b.redrive || a.now_ms != b.now_ms ||
      (!a.redrive &&
       (a.event.kind != b.event.kind || a.event.id != b.event.id ||
        a.event.error != b.event.error || a.event.cause != b.event.cause ||
        a.event.has_error != b.event.has_error || a.event.has_cause != b.event.has_cause)))
    fuzz::invariant_failed("the round trip changed the event", once);
  const std::string twice = json::dump(encode(b));
  if (twice != once) fuzz::invariant_failed("the encoding is not stable", once);
  return 0;
}
