// Every limit of the built-in EventBridge, with AWS's value where AWS has one
// (docs/SERVICES.md lists them with their errors).
#pragma once

#include <cstddef>
#include <cstdint>

namespace stepwise::services::events::events_limits {

// PutEvents: 1-10 entries, and the entries' size (AWS's calculation: Time 14 bytes, Source,
// DetailType, Detail and each Resource in UTF-8) under 256 KiB.
inline constexpr std::size_t entries_max = 10;
inline constexpr std::size_t entries_bytes_max = 256 * 1024;
// Detail: JSON nesting AWS processes (1,100 levels; our parser's own limit is lower and wins).
// An entry's Time as epoch seconds: 0001-01-01 to 9999-12-31 (the years an RFC 3339 timestamp
// can spell; a number outside them could not be written back in an event's "time").
inline constexpr double time_seconds_min = -62135596800.0;
inline constexpr double time_seconds_max = 253402300799.0;
// Resources per entry (this server's bound; AWS states none).
inline constexpr std::size_t resources_per_entry_max = 100;
// Event bus names: 1-256 of [.-_A-Za-z0-9] (no '/': that is for partner buses).
inline constexpr std::size_t bus_name_bytes_max = 256;
inline constexpr std::size_t description_bytes_max = 512;
// Event buses per account (AWS's quota: 100, default included).
inline constexpr std::size_t buses_max = 100;
// ListEventBuses Limit: 1-100.
inline constexpr std::int64_t page_size_max = 100;
// The event log keeps, per bus, the newest events up to both bounds (older ones are dropped,
// records included): the window rule matching, archives and replay read from.
inline constexpr std::size_t retained_events_per_bus = 100'000;
inline constexpr std::size_t retained_bytes_per_bus = 64 * 1024 * 1024;
// Subscribers to the event log (rule matching, archives): this server's bound.
inline constexpr std::size_t subscribers_max = 64;

// Event patterns (event_pattern.h). The text: AWS's model bound on EventPattern (4,096
// characters; longer is a ValidationException before the pattern is read).
inline constexpr std::size_t pattern_bytes_max = 4096;
// JSON nesting in a pattern or an event: Jackson's default (1,000), which AWS's parser uses;
// deeper text is rejected, so no walk over it can run out of stack.
inline constexpr std::size_t json_depth_max = 1000;
// A TestEventPattern Event's text (this server's bound; AWS states none, PutEvents caps an
// entry at 256 KiB).
inline constexpr std::size_t test_event_bytes_max = 1024 * 1024;
// "$or" multiplies a pattern's alternatives; nested or repeated "$or" keys could grow them
// exponentially within 4,096 characters (this server's bound; AWS states none).
inline constexpr std::size_t pattern_branches_max = 256;
// Wildcard complexity: the most wildcard-pattern states one field's values may leave active
// at once for some input (AWS's rule: a field whose wildcards exceed it is "too complex";
// 10 is the bound AWS's answers agree with, docs/SERVICES.md).
inline constexpr std::size_t wildcard_complexity_max = 10;
// Matching an event whose arrays make many combinations: the candidate choices tried for one
// alternative before it counts as not matching (this server's bound: a hostile event can not
// make one match take more than a few milliseconds).
inline constexpr std::size_t match_steps_max = 100'000;
// Input transformers (input_transformer.h): InputPathsMap entries and InputTemplate length
// (AWS's model: 100 entries, 8,192 characters).
inline constexpr std::size_t input_paths_max = 100;
inline constexpr std::size_t input_template_bytes_max = 8192;

// Rules (events_rules.cpp): names 1-64 of [.-_A-Za-z0-9] (AWS's model); 300 rules per bus (AWS's
// default quota); Description 512 bytes; ScheduleExpression 256 (AWS's model; the forms it
// takes: events_schedule.h); ListRules, ListTargetsByRule and ListRuleNamesByTarget Limit 1-100.
inline constexpr std::size_t rule_name_bytes_max = 64;
inline constexpr std::size_t rules_per_bus_max = 300;
inline constexpr std::size_t schedule_bytes_max = 256;
inline constexpr std::size_t role_arn_bytes_max = 1600;
// Targets (events_targets.cpp): 5 per rule (AWS's quota), 1-100 in one PutTargets or
// RemoveTargets request (AWS's model), Ids 1-64 of [.-_A-Za-z0-9], ARNs 1-1600 bytes, Input
// 8,192 bytes and InputPath 256 (AWS's model).
inline constexpr std::size_t targets_per_rule_max = 5;
inline constexpr std::size_t targets_per_request_max = 100;
inline constexpr std::size_t target_id_bytes_max = 64;
inline constexpr std::size_t arn_bytes_max = 1600;
inline constexpr std::size_t input_bytes_max = 8192;
inline constexpr std::size_t input_path_bytes_max = 256;
// RetryPolicy: MaximumRetryAttempts 0-185 and MaximumEventAgeInSeconds 60-86,400, both
// AWS's model bounds and defaults (185 retries within 24 hours).
inline constexpr std::int64_t retry_attempts_max = 185;
inline constexpr std::int64_t event_age_seconds_min = 60;
inline constexpr std::int64_t event_age_seconds_max = 86400;
// Delivery (events_delivery.cpp): the wait before retry n is retry_delay_ms_first * 2^(n-1),
// at most retry_delay_ms_max (this server's schedule; AWS says only "exponential backoff").
inline constexpr std::int64_t retry_delay_ms_first = 1000;
inline constexpr std::int64_t retry_delay_ms_max = 5 * 60 * 1000;
// Deliveries waiting for their first attempt or a retry, over all rules: more are dropped and
// counted (this server's bound, so a flood of matching events cannot grow memory without end).
inline constexpr std::size_t deliveries_pending_max = 10'000;

}  // namespace stepwise::services::events::events_limits
