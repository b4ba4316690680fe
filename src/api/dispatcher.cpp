#include "api/dispatcher.h"

#include <exception>
#include <memory>

namespace stepwise::api {

void OperationTable::add(std::string operation, Handler handler) {
  handlers_[std::move(operation)] = std::move(handler);
}

void OperationTable::add_sync(std::string operation, SyncHandler handler) {
  add(std::move(operation), [h = std::move(handler)](json::value request, const RequestInfo& info,
                                                     Reply reply) { reply(h(request, info)); });
}

bool OperationTable::contains(std::string_view operation) const {
  return handlers_.count(std::string(operation)) != 0;
}

void OperationTable::dispatch(std::string_view operation, json::value request,
                              const RequestInfo& info, Reply reply) {
  auto it = handlers_.find(std::string(operation));
  if (it == handlers_.end()) {
    reply(unknown_operation(operation));
    return;
  }
  // Exceptions never leave the module: a throwing handler becomes InternalFailure. The server's
  // Reply ignores the second call if the handler had already answered.
  try {
    it->second(std::move(request), info, reply);
  } catch (const std::exception& e) {
    reply(ApiError::internal(std::string("Internal error: ") + e.what()));
  } catch (...) {
    reply(ApiError::internal("Internal error"));
  }
}

ApiError unknown_operation(std::string_view operation) {
  return ApiError{"UnknownOperationException",
                  "Unknown operation AWSStepFunctions." + std::string(operation.substr(0, 128)),
                  400};
}

}  // namespace stepwise::api
