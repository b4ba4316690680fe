// HistoryEvent: one entry of an execution's history, in GetExecutionHistory's shape. Written by
// the engine (interpreter), kept by the store, served by the service.
// Thread-safety: a plain value type.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "json/json.h"

namespace stepwise::history {

struct HistoryEvent {
  std::int64_t id = 0;                 // 1-based, in order of writing
  std::int64_t previous_event_id = 0;  // AWS's causal predecessor (0 for the first)
  Millis timestamp = 0;
  std::string type;         // "TaskStateEntered", "ExecutionSucceeded", ...
  std::string details_key;  // "stateEnteredEventDetails", ... ("" when none)
  json::object details;     // payloads (input/output) are JSON *strings*, as in AWS

  // {"timestamp": <epoch seconds>, "type":..., "id":..., "previousEventId":...,
  //  <details_key>: {...}}
  json::value to_json() const;
};

}  // namespace stepwise::history
