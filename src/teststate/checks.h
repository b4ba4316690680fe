// The TestState checks that depend on the state under test (mock rules, roleArn, context).
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include "base/result.h"
#include "teststate/internal.h"
#include "teststate/request.h"

namespace stepwise::teststate::detail {

// ValidationException / InvalidDefinition with AWS's message when the request cannot run.
Status check_request(const Target& t, const Request& req);

}  // namespace stepwise::teststate::detail
