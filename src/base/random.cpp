#include "base/random.h"

#include <random>

namespace stepwise {

std::uint64_t entropy_seed() {
  std::random_device rd;
  std::uint64_t seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  // Callers use 0 to mean "no seed given"; an entropy draw must never look like that.
  return seed != 0 ? seed : 0x853C49E6748FEA9BULL;
}

}  // namespace stepwise
