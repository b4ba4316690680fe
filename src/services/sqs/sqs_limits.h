// Every limit of the built-in SQS, named, with AWS's value where AWS has one (the SQS
// Developer Guide, "Amazon SQS message quotas").
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/clock.h"

namespace stepwise::services::sqs_limits {

inline constexpr std::size_t queue_name_bytes_max = 80;
inline constexpr std::size_t message_bytes_max = 262'144;        // 256 KiB, body + attributes
inline constexpr std::size_t message_bytes_min_setting = 1'024;  // MaximumMessageSize floor
inline constexpr std::size_t batch_entries_max = 10;
inline constexpr std::size_t batch_id_bytes_max = 80;
inline constexpr std::size_t message_attributes_max = 10;
inline constexpr std::size_t attribute_name_bytes_max = 256;
inline constexpr std::size_t data_type_bytes_max = 256;
inline constexpr std::size_t dedup_id_bytes_max = 128;
inline constexpr std::size_t group_id_bytes_max = 128;
inline constexpr std::size_t receive_max = 10;
inline constexpr std::int64_t wait_seconds_max = 20;
inline constexpr std::int64_t visibility_seconds_max = 43'200;  // 12 hours
inline constexpr std::int64_t delay_seconds_max = 900;          // 15 minutes
inline constexpr std::int64_t retention_seconds_min = 60;
inline constexpr std::int64_t retention_seconds_max = 1'209'600;    // 14 days
inline constexpr std::int64_t retention_seconds_default = 345'600;  // 4 days
inline constexpr std::int64_t max_receive_count_max = 1'000;
// Messages received and not yet deleted (AWS: 120,000 standard, 20,000 FIFO): OverLimit.
inline constexpr std::size_t in_flight_max_standard = 120'000;
inline constexpr std::size_t in_flight_max_fifo = 20'000;
// FIFO deduplication interval.
inline constexpr Millis dedup_window_ms = 5 * 60 * 1000;
// A queue's name is taken for this long after DeleteQueue (QueueDeletedRecently).
inline constexpr Millis deleted_recently_ms = 60 * 1000;
// PurgeQueue once per queue per this interval (PurgeQueueInProgress).
inline constexpr Millis purge_interval_ms = 60 * 1000;
// Not AWS quotas but this server's bounds (OverLimit past them), so memory stays bounded.
inline constexpr std::size_t queues_max = 100'000;
inline constexpr std::size_t messages_max = 10'000'000;  // all queues together
inline constexpr std::size_t waiters_per_queue_max = 10'000;
inline constexpr std::size_t list_queues_max = 1'000;  // ListQueues page (AWS's MaxResults)
inline constexpr std::size_t tags_max = 50;
inline constexpr std::size_t tag_key_bytes_max = 128;
inline constexpr std::size_t tag_value_bytes_max = 256;
inline constexpr std::size_t policy_bytes_max = 20'480;  // the Policy attribute's size

}  // namespace stepwise::services::sqs_limits
