// Randomness for Stepwise: one seeded PRNG (SplitMix64) and the one place that draws a seed from
// the operating system. Everything that must replay (the interpreter, JSONata's $random, the
// intrinsics' States.MathRandom, task tokens) takes a seed or a PRNG from its caller; only a
// composition root (src/app, tools) or a "no seed was given" default asks entropy_seed().
//
// Thread-safety: SplitMix64 is a value type (one per thread or per owner); entropy_seed() may be
// called from any thread.
#pragma once

#include <cstdint>

namespace stepwise {

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for ids and jitter. The
// same seed gives the same sequence on every machine, which journal replay relies on.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return mix(state_ += 0x9E3779B97F4A7C15ULL); }
  // A double in [0, 1) with 53 random bits.
  double next_unit() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
  // The finaliser on its own: a well-spread hash of one 64-bit value.
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// 64 bits from the operating system's entropy source (std::random_device); never 0.
std::uint64_t entropy_seed();

}  // namespace stepwise
