// Named limits on what a failure carries (base/limits.h style: unit last).
#pragma once

#include <cstddef>

namespace stepwise::engine::failure_limits {

// AWS: the cause of a failure (history events, DescribeExecution, SendTaskFailure) holds at most
// 32,768 characters. A cause built from a payload (a Lambda error, a Fail state's CausePath, an
// error that quotes the input) is cut to this many characters (code points), so an error never
// echoes a 256 KiB payload.
inline constexpr std::size_t cause_chars_max = 32768;

}  // namespace stepwise::engine::failure_limits
