// Normalisation of an actual API response the way the corpus recordings were normalised
// (LocalStack's snapshot transformers, as /work/shared/conformance/compare.py describes them), so
// that an engine's result can be compared with the recorded, placeholder-bearing expectation.
//
// The pipeline is replicated step by step, quirks included (one level of JSON-text parsing,
// Python's `json.dumps(sort_keys=True)` text as the surface the regexes run on), because the
// recorded values were produced by exactly that pipeline.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>

#include "json/json.h"

namespace stepwise::conformance {

// Normalises a full envelope (e.g. {"events":[...]}, a StartSyncExecution response) with a case's
// `normalisation` block (replacements, jsonpath_replacements, key_value_replacements).
// Returns null when the rewritten text no longer parses (compare.py returns None then).
json::value normalise_envelope(const json::value& envelope, const json::object& normalisation);

// Normalises one JSON-text field (`output`, `input`, `cause`, `error`) by wrapping it in the
// history event the recording would have held it in, as compare.normalise does.
json::value normalise_field(const json::value& value, const json::object& normalisation,
                            const std::string& field);

// compare.decode: a string that holds JSON text becomes that value; anything else is unchanged.
json::value decode_text(const json::value& v);

// Python's json.dumps(v, sort_keys=True) (ensure_ascii, ", " and ": " separators): the text the
// recording pipeline ran its regexes on.
std::string python_dumps_sorted(const json::value& v);
// Python's json.dumps(v) (keys in their order): the text the recorded tests sent as an execution
// input, which AWS echoes verbatim in the history.
std::string python_dumps(const json::value& v);

}  // namespace stepwise::conformance
