// The conformance runner's Services. api_error cases get a fresh one each (over an empty
// in-memory store, region us-east-1 and the corpus's account 111111111111, a manual clock so
// that setup executions never wait) behind an api::Dispatcher. Execution cases that need the API
// (activities, callbacks, nested executions) get a CaseService: the same, plus the case's Lambda
// functions in a FunctionRunner (its callbacks wired for `.waitForTaskToken`), and a manual clock
// that stands still until release_clock().
//
// Thread-safety: both factories may be called from several threads; each object they return is
// independent (its own Service and engine thread), safe as api::Dispatcher says.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/dispatcher.h"
#include "base/result.h"
#include "conformance/execute.h"

namespace stepwise::app {

std::unique_ptr<api::Dispatcher> make_service_dispatcher();

// Errors: the case's functions could not be registered (a handler is missing).
Result<std::unique_ptr<conformance::CaseService>> make_case_service(
    const conformance::CaseServiceOptions& options);

// The built-in AWS services a case service carries ("sqs"), in memory, over the case's clock,
// at the corpus's place: region us-east-1, account 111111111111, and queue URLs on
// http://sqs.us-east-1.localhost:4566 as the service cases were traced (their README).
std::vector<std::string> case_service_builtins();

}  // namespace stepwise::app
