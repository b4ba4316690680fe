// `stepwise serve --examples DIR`: each example folder becomes a state machine of the folder's
// name, and the file-level `setup:` calls of its test files (docs/TESTING.md) are made on the
// built-in services first, so an example that uses a table, a bucket, a queue or a topic runs
// from the console as it does under `stepwise test`.
//
// Thread-safety: start-up work, from the serving thread before the server listens.
#pragma once

#include <ostream>
#include <string>

#include "api/dispatcher.h"
#include "app/builtin_services.h"

namespace stepwise::app {

// `d` answers CreateStateMachine (the Step Functions operations). Existing machines of the same
// name and definition are left as they are; what fails is reported on `err`, one line each.
void create_examples(api::Dispatcher& d, BuiltinServices& builtins, const std::string& dir,
                     const std::string& account, std::ostream& out, std::ostream& err);

}  // namespace stepwise::app
