// Small statistics for noisy machines: medians, not means, and the spread around them.
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <vector>

namespace stepwise::bench {

// The median (mean of the middle two for an even count); 0 for none.
inline double median(std::vector<double> xs) {
  if (xs.empty()) return 0;
  std::sort(xs.begin(), xs.end());
  std::size_t mid = xs.size() / 2;
  return xs.size() % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

}  // namespace stepwise::bench
