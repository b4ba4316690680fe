// The regular expressions of the recording pipeline (compare.py), compiled once.
//
// Thread-safety: patterns() is initialised on first use (a function-local static) and RE2
// objects are safe to match from many threads at once.
#pragma once

#include <re2/re2.h>

namespace stepwise::conformance {

struct Patterns {
  RE2 iso8601;         // anywhere in a text (step 6 of the normalisation)
  RE2 iso8601_prefix;  // re.match semantics: at the start of a value
  RE2 uuid_prefix;     // re.match semantics
  RE2 cause_json;      // "... '{json}'" inside a cause; group 1 is the JSON
  RE2 placeholder;     // "<name:1>", "<region>", ...: a wildcard in an expected text

  Patterns();
};

const Patterns& patterns();

}  // namespace stepwise::conformance
