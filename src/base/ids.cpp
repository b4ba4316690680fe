#include "base/ids.h"

namespace stepwise {

IdGenerator::IdGenerator(std::uint64_t seed) : rng_(seed == 0 ? entropy_seed() : seed) {}

std::string IdGenerator::uuid_v4() {
  std::uint64_t a = rng_.next();
  std::uint64_t b = rng_.next();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  // 8-4-4-4-12 lowercase hex digits of a then b, written by hand: snprintf was ~5% of a benchmark
  // execution (two UUIDs per run_execution).
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  int bit = 64;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    std::uint64_t word = bit > 0 ? a : b;
    int shift = (bit > 0 ? bit : bit + 64) - 4;
    out[i] = kHex[(word >> shift) & 0xf];
    bit -= 4;
  }
  return out;
}

}  // namespace stepwise
