// Named limits. Every size, depth and queue in Stepwise has one; AWS's quota where AWS has one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stepwise::limits {

// AWS: input/output of a state, task or execution, UTF-8 bytes (hard quota, 256 KiB).
inline constexpr std::size_t payload_bytes_max = 256 * 1024;
// AWS: definition size and API request size.
inline constexpr std::size_t definition_bytes_max = 1024 * 1024;
inline constexpr std::size_t request_bytes_max = 1024 * 1024;
// Nesting depth accepted when parsing JSON: deeper documents are rejected, never recursed into.
inline constexpr std::size_t json_depth_max = 512;
// AWS: Standard execution history.
inline constexpr std::size_t history_events_max = 25000;
// AWS: state machine, execution, activity and label names.
inline constexpr std::size_t name_chars_max = 80;
// States in one definition (all nesting levels): far above any real workflow.
inline constexpr std::size_t states_max = 100000;
// Parallel/Map nesting depth in one definition.
inline constexpr std::size_t nesting_depth_max = 64;
// AWS: nested intrinsic function calls in one field.
inline constexpr std::size_t intrinsic_nesting_max = 10;
// AWS: States.ArrayRange result size; Base64/Hash input characters.
inline constexpr std::size_t array_range_items_max = 1000;
inline constexpr std::size_t intrinsic_string_chars_max = 10000;
// AWS: inline Map iterations that run at once.
inline constexpr std::size_t inline_map_concurrency_max = 40;
// AWS: Wait/Timeout/Interval seconds accepted by the schema.
inline constexpr std::int64_t seconds_max = 99999999;
// Budget of one JSONata evaluation in evaluation steps (AST nodes evaluated), so a runaway
// expression fails instead of stalling. Counted in steps, not wall time, so that a journal replay
// on a slower or busier machine takes exactly the path the live run took. 20 M steps is about
// 1 s of evaluation here (an expression that legitimately needs more is far beyond AWS's own
// limits on state payloads).
inline constexpr std::uint64_t jsonata_eval_steps_max = 20'000'000;
// Task TimeoutSeconds when a Task sets none (AWS's observed effective default).
inline constexpr std::int64_t task_timeout_seconds_default = 99999999;

}  // namespace stepwise::limits
