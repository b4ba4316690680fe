// Clock-relative cases (../shared/conformance/README.md, `clock.extracted_at`): the recorder
// computed some timestamps of the input as "extraction time + an offset", so the outcome depends
// on the day the case runs (a Wait timestamp just past AWS's maximum delay succeeds a day later).
// Before such a case runs, every timestamp of its input — and the same strings where the
// normalisation patterns name them — moves by (now − extracted_at), keeping its format, so the
// offset AWS saw is the offset the engine sees.
//
// Thread-safety: a pure function over one Case.
#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "conformance/case.h"

namespace stepwise::conformance {

// Shifts `c` for a run whose clock starts at `now_ms`. A case without `clock.extracted_at` is
// left as it is. Errors when extracted_at is not an RFC 3339 timestamp.
Status shift_clock_relative(Case& c, Millis now_ms);

}  // namespace stepwise::conformance
