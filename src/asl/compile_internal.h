// Internal to asl::compile: the pieces compile.cpp shares with the files that compile one part
// of a state (compile_map_io.cpp). Not part of the asl interface.
//
// Thread-safety: pure functions.
#pragma once

#include "asl/model.h"
#include "base/result.h"
#include "json/json.h"

namespace stepwise::asl::detail {

// A value whose strings may be JSONata expressions, compiled (compile.cpp).
Result<JsonataTemplate> compile_jsonata_template(const json::value& v);

// A Map's ItemReader, ItemBatcher and ResultWriter into `s` (the validator has checked their
// shape already; compile_map_io.cpp).
Status compile_map_io(const json::object& o, State& s);

}  // namespace stepwise::asl::detail
