// Every bound of the pass-through clients (services/remote), named. An integration call that
// goes to another endpoint waits at most call_timeout_ms for the whole exchange and reads at most
// response_bytes_max of the answer; both end the task with the service's error shape instead of
// holding a worker or memory without end.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stepwise::services::remote_limits {

// One call, connect to last byte. SQS ReceiveMessage may long-poll for 20 s: well above that.
inline constexpr std::int64_t call_timeout_ms = 60'000;
// An answer's body. A Step Functions task result is at most 256 KiB, so a larger S3 object
// could never become a result; the margin covers XML and JSON framing of listings.
inline constexpr std::size_t response_bytes_max = 8 * 1024 * 1024;
// Calls in flight at once (each blocks a worker thread inside libcurl), and calls queued
// beyond that before new ones are refused with a throttling error.
inline constexpr std::size_t workers_max = 16;
inline constexpr std::size_t queue_max = 10'000;
// The shared credentials and config files (~/.aws/credentials, ~/.aws/config): read whole.
inline constexpr std::size_t credentials_file_bytes_max = 1024 * 1024;
// XML answers (SNS query, S3): nesting depth a decoded document may have (S3's parser bounds
// the elements; s3_limits.h).
inline constexpr std::size_t xml_depth_max = 16;

}  // namespace stepwise::services::remote_limits
