// What Stepwise does when one of its own invariants is found broken (docs/ARCHITECTURE.md,
// "Handle or crash"): a broken invariant is a bug in Stepwise, never bad input, and the data it
// was about to write (or has just read) cannot be trusted.
//
//   InvariantMode::crash   print the violation and abort(): tests, Debug and Sanitize builds,
//                          so a bug is loud, has a core and a stack, and no test passes over it.
//   InvariantMode::refuse  the default of release builds: the write (or read) is refused with
//                          an Error (Store.InvariantViolated) that the caller handles as a store
//                          failure (the request fails, the execution stops), and it is printed;
//                          the server keeps serving every other execution, and nothing wrong is
//                          stored.
//
// Thread-safety: the mode is atomic; set it once, early (a test binary's start-up).
#pragma once

#include <string>

#include "base/result.h"

namespace stepwise {

enum class InvariantMode { crash, refuse };

InvariantMode invariant_mode();
void set_invariant_mode(InvariantMode mode);

// `what` broke in `where` ("SqliteStore::commit_steps"): crashes, or returns the Error to pass
// on, per the mode.
Error invariant_violated(const char* where, const std::string& what);

}  // namespace stepwise
