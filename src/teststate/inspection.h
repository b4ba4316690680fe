// inspectionData of a TestState response (DEBUG and TRACE): the state's data after each step of
// its input/output processing, as AWS shows it for the state's type and query language.
//
// The run's own values (the parameters a Task sent, the result it got) come from the run; the
// other steps are evaluated with the same path and template code the engine uses.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <optional>

#include "json/json.h"
#include "tasks/task_runner.h"
#include "teststate/internal.h"
#include "teststate/request.h"

namespace stepwise::teststate {

struct InspectionInput {
  const detail::Target* target = nullptr;
  const Request* req = nullptr;
  const json::value* context = nullptr;  // the context object the run used
  const json::object* run_state = nullptr;
  std::optional<json::value> parameters;      // what a Task sent
  std::optional<tasks::TaskOutcome> outcome;  // what it got back
  std::optional<json::value> output;
  bool succeeded = false;
  const json::object* variables = nullptr;  // in scope after the state; null: the request's
};

json::object inspection_data(const InspectionInput& in);

}  // namespace stepwise::teststate
