// The conformance runner's api_error cases talk to a real Service: each case gets a fresh one
// (over an empty in-memory store, region us-east-1 and the corpus's account 111111111111, a
// manual clock so that setup executions never wait) behind an api::Dispatcher.
//
// Thread-safety: make_service_dispatcher may be called from several threads; each Dispatcher
// it returns is independent (its own Service and engine thread), safe as api::Dispatcher says.
#pragma once

#include <memory>

#include "api/dispatcher.h"

namespace stepwise::app {

std::unique_ptr<api::Dispatcher> make_service_dispatcher();

}  // namespace stepwise::app
