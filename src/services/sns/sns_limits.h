// Every limit of the built-in SNS, by name: AWS's documented quotas (message size, batch
// entries, names, filter policies) with the errors AWS gives, and this server's own bounds.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/clock.h"

namespace stepwise::services::sns_limits {

// A message: body plus message attribute names, types and values (AWS: 256 KiB).
inline constexpr std::size_t message_bytes_max = 256 * 1024;
// PublishBatch: entries, and the whole batch's size (AWS: 10 and 256 KiB).
inline constexpr std::size_t batch_entries_max = 10;
inline constexpr std::size_t batch_bytes_max = 256 * 1024;
// Batch entry ids: [A-Za-z0-9_-]{1,80}.
inline constexpr std::size_t batch_id_chars_max = 80;
// Topic names: [A-Za-z0-9_-]{1,256} (a FIFO name's ".fifo" counts).
inline constexpr std::size_t topic_name_chars_max = 256;
// Subject: 1-100 printable ASCII characters, no line breaks.
inline constexpr std::size_t subject_chars_max = 100;
// Message attributes on one message (what SQS subscribers accept).
inline constexpr std::size_t message_attributes_max = 10;
inline constexpr std::size_t attribute_name_chars_max = 256;
// MessageGroupId / MessageDeduplicationId: 1-128 characters, ASCII 33-126.
inline constexpr std::size_t group_id_chars_max = 128;
// FIFO deduplication window.
inline constexpr Millis dedup_window_ms = 5 * 60 * 1000;
// Tags on a topic (AWS: 50); key 1-128, value 0-256 characters.
inline constexpr std::size_t tags_max = 50;
inline constexpr std::size_t tag_key_chars_max = 128;
inline constexpr std::size_t tag_value_chars_max = 256;
// ListTopics / ListSubscriptions(ByTopic) page sizes (AWS: 100).
inline constexpr std::size_t topics_page = 100;
inline constexpr std::size_t subscriptions_page = 100;
// Filter policies: keys per policy (AWS: 5), value combinations (150), size (256 KiB), and a
// nesting bound for MessageBody policies and $or (this server's; AWS refuses deep policies as
// too complex).
inline constexpr std::size_t filter_keys_max = 5;
inline constexpr std::size_t filter_combinations_max = 150;
inline constexpr std::size_t filter_policy_bytes_max = 256 * 1024;
inline constexpr int filter_depth_max = 16;
// Attribute values other than policies (DisplayName, DeliveryPolicy, ...).
inline constexpr std::size_t attribute_value_bytes_max = 256 * 1024;
// Subscription endpoints (URLs, e-mail addresses, ARNs).
inline constexpr std::size_t endpoint_chars_max = 2048;
// This server's bounds: topics and subscriptions held.
inline constexpr std::size_t topics_max = 100'000;
inline constexpr std::size_t subscriptions_max = 1'000'000;
// HTTP/HTTPS deliveries: AWS's default healthy retry policy (3 retries, 20 s apart), bounded
// by what a DeliveryPolicy may ask (AWS: up to 100 retries, delays 1-3600 s).
inline constexpr std::int64_t http_retries_default = 3;
inline constexpr std::int64_t http_retries_max = 100;
inline constexpr std::int64_t http_delay_s_default = 20;
inline constexpr std::int64_t http_delay_s_max = 3600;
// One HTTP delivery's deadline (AWS: 15 s per attempt).
inline constexpr std::int64_t http_timeout_ms = 15'000;
// HTTP deliveries waiting for a worker; beyond it a delivery is dropped (and counted).
inline constexpr std::size_t http_queue_max = 100'000;
inline constexpr std::size_t http_threads_max = 8;

}  // namespace stepwise::services::sns_limits
