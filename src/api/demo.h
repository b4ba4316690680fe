// Demo operations: a tiny OperationTable to exercise the server before the real operations
// exist (tests, the load tool, `stepwise serve --demo`). Not Step Functions semantics.
//   Echo             -> the request object itself
//   ListStateMachines-> {"stateMachines": []}  (the trivial operation the load figures measure)
//   GetActivityTask  -> {} after "holdMs" milliseconds (default 0, at most 60000): a long poll
//                       that holds a timer, not a thread
//   Fail             -> the ApiError named by "type"/"message"/"status" (error-shape tests)
//   Throw            -> a handler that throws (InternalFailure path)
//   Drop             -> a handler that drops its Reply (InternalFailure path)
//
// Thread-safety: as OperationTable; timers run on the given executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "api/dispatcher.h"

namespace stepwise::api {

inline constexpr std::int64_t demo_hold_ms_max = 60'000;

void add_demo_operations(OperationTable& table, boost::asio::any_io_executor executor);

}  // namespace stepwise::api
