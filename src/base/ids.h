// IdGenerator: execution names, UUIDs, task tokens and Lambda request ids come from here, so
// tests can make them deterministic (a seeded generator) and production unguessable. The
// generator is base/random.h's SplitMix64, the one PRNG of the code base: 8 bytes of state, so
// one per shard, service or call costs nothing.
// Thread-safety: not thread-safe; give each thread its own or guard it.
#pragma once

#include <cstdint>
#include <string>

#include "base/random.h"

namespace stepwise {

class IdGenerator {
 public:
  // seed 0 means "seed from entropy_seed()" (production; base/random.h).
  explicit IdGenerator(std::uint64_t seed = 0);
  std::string uuid_v4();
  std::uint64_t next_u64() { return rng_.next(); }

 private:
  SplitMix64 rng_;
};

}  // namespace stepwise
