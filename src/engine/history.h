// HistoryEvent: one entry of an execution's history. The type lives in src/history (the store
// keeps events without linking the engine); the engine names it engine::HistoryEvent.
#pragma once

#include "history/event.h"

namespace stepwise::engine {

using HistoryEvent = history::HistoryEvent;

}  // namespace stepwise::engine
