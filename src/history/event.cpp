// HistoryEvent serialisation in GetExecutionHistory's shape.
#include "history/event.h"

namespace stepwise::history {

json::value HistoryEvent::to_json() const {
  json::object o;
  // AWS's SDKs give epoch seconds with millisecond precision.
  o["timestamp"] = static_cast<double>(timestamp) / 1000.0;
  o["type"] = type;
  o["id"] = id;
  o["previousEventId"] = previous_event_id;
  if (!details_key.empty()) o[details_key] = details;
  return o;
}

}  // namespace stepwise::history
