// Integer reads of JSON numbers that cannot overflow. Casting a double outside int64's range is
// undefined behaviour, and request fields, timestamps and counts hold whatever a client or a
// remote server sent (the fuzzers found such casts), so every read of an integer from a number
// that is not range-checked first goes through here.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "json/json.h"

namespace stepwise::json {

// The integer part of d clamped to int64's range; NaN gives 0.
inline std::int64_t clamp_to_int64(double d) {
  // 2^63 is exactly representable, and every double below it converts without overflow.
  constexpr double two_63 = 9223372036854775808.0;
  if (std::isnan(d)) return 0;
  if (d >= two_63) return std::numeric_limits<std::int64_t>::max();
  if (d <= -two_63) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(d);
}

// A number's integer part clamped to int64's range; anything not a number gives 0.
inline std::int64_t as_int64_clamped(const value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return v.get_uint64() > max ? std::numeric_limits<std::int64_t>::max()
                                : static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double()) return clamp_to_int64(v.get_double());
  return 0;
}

}  // namespace stepwise::json
