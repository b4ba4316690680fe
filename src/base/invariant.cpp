#include "base/invariant.h"

#include <atomic>
#include <cstdlib>
#include <iostream>

namespace stepwise {
namespace {

// Debug and Sanitize builds crash by default (CMake defines STEPWISE_INVARIANTS_CRASH there);
// test binaries switch to crash at start-up whatever the build (tests/support).
#ifdef STEPWISE_INVARIANTS_CRASH
std::atomic<InvariantMode> g_mode{InvariantMode::crash};
#else
std::atomic<InvariantMode> g_mode{InvariantMode::refuse};
#endif

}  // namespace

InvariantMode invariant_mode() { return g_mode.load(std::memory_order_relaxed); }

void set_invariant_mode(InvariantMode mode) { g_mode.store(mode, std::memory_order_relaxed); }

Error invariant_violated(const char* where, const std::string& what) {
  std::cerr << "stepwise: invariant violated in " << where << ": " << what << std::endl;
  if (invariant_mode() == InvariantMode::crash) std::abort();
  return Error{"Store.InvariantViolated", std::string(where) + ": " + what};
}

}  // namespace stepwise
