// Linked into every GoogleTest binary (CMakeLists.txt, stepwise_test): a broken invariant
// crashes the test (base/invariant.h) instead of being refused, whatever the build type, so
// no test can pass over one.
#include "base/invariant.h"

namespace {

const bool crash_on_invariants = [] {
  stepwise::set_invariant_mode(stepwise::InvariantMode::crash);
  return true;
}();

}  // namespace
