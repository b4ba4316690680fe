// The web console's routes on the API port, registered by `stepwise serve`:
//   GET /                     the console (index.html; unsigned requests only, so a signed
//                             `GET /` still reaches a REST service such as S3's ListBuckets)
//   GET /console/<file>       its built files: assets/* (content-hashed names) cached as
//                             immutable for a year, index.html `no-cache` with an ETag
//   GET /console/events       Server-Sent Events of execution changes (live_hub.h); query
//                             `execution=ARN` or `stateMachine=ARN` narrows it; with
//                             --auth-keys it needs `ticket=` from /console/api/ticket
//   GET /console/api/tasks    JSON: every task waiting for its token (the approvals inbox):
//                             {"tasks":[{"taskToken","executionArn","stateMachineArn",
//                             "stateName","resource","attempt"}]}; SigV4 with --auth-keys
//   GET /console/api/ticket   JSON {"ticket"}: a one-use stream ticket; SigV4 with --auth-keys
// Everything else the console does goes through the public Step Functions API (the browser's
// AWS SDK), so these add no way to change anything. docs/CONSOLE.md describes them.
//
// Thread-safety: register before serving; the routes are then safe from any thread.
#pragma once

#include "api/router.h"
#include "console/live_hub.h"
#include "sfn/service.h"

namespace stepwise::console {

struct ConsoleOptions {
  bool auth = false;  // --auth-keys given: the API routes verify SigV4, streams need a ticket
};

void register_console(api::Router& router, sfn::Service& service, LiveHub& hub,
                      ConsoleOptions options);

// The JSON body of /console/api/tasks for these tasks.
std::string waiting_tasks_json(const std::vector<sfn::WaitingTask>& tasks);

}  // namespace stepwise::console
