// Which Task integrations a Stepwise command can run, and the Task states of a definition that
// use one it cannot: `stepwise run` and `stepwise test` refuse such a definition before it
// starts, and `stepwise validate` reports it, each naming what is supported, instead of letting
// the execution fail at that state with States.Runtime.
//
// AWS accepts every integration of its catalog at CreateStateMachine (so does `stepwise serve`,
// answering States.Runtime when the state runs); these checks are the local commands' own.
//
// Thread-safety: pure functions over their arguments.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "api/dispatcher.h"
#include "asl/model.h"
#include "tasks/integrations.h"

namespace stepwise::app {

struct UnsupportedTask {
  std::string state;        // the state's name
  std::string resource;     // its Resource as written
  std::string integration;  // catalog name and pattern, e.g. "sqs:sendMessage.waitForTaskToken"
};

// The Task states (at every nesting level) whose integration `registry` has no runner for,
// skipping the states named in `mocked` (a mock config answers them).
std::vector<UnsupportedTask> unsupported_tasks(const asl::StateMachine& machine,
                                               const tasks::IntegrationRegistry& registry,
                                               const std::set<std::string>& mocked = {});

// "lambda:function, lambda:invoke, http:invoke, ...": the catalog names `registry` runs.
std::string supported_integrations(const tasks::IntegrationRegistry& registry);

// One message for all of them: which states, which integrations, what is supported, and that
// a mock config can stand in (`command` names the command, e.g. "stepwise run").
std::string unsupported_message(const std::vector<UnsupportedTask>& tasks,
                                const tasks::IntegrationRegistry& registry,
                                const std::string& command);

// Stands before `stepwise serve`'s operations: CreateStateMachine and UpdateStateMachine with a
// definition holding a Task that `registry` cannot run are refused (InvalidDefinition, AWS's
// shape, the message naming the states and what is supported) instead of being accepted to fail
// with States.Runtime when the state runs. Every other call, and every definition it does not
// refuse (one that does not even compile is left to the Service's own answer), goes to `next`.
// Thread-safety: as `next`; the registry is only read.
class UnsupportedIntegrationGuard final : public api::Dispatcher {
 public:
  UnsupportedIntegrationGuard(api::Dispatcher& next, const tasks::IntegrationRegistry& registry)
      : next_(next), registry_(registry) {}
  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override;

 private:
  api::Dispatcher& next_;
  const tasks::IntegrationRegistry& registry_;
};

// The integrations `stepwise serve` runs (the local ones, activities, nested executions,
// aws-sdk:sfn), registered with placeholder runners: what `stepwise validate` checks against.
// The registry does not own the runner, which must outlive it.
Status register_server_integrations(tasks::IntegrationRegistry& registry,
                                    tasks::TaskRunner* placeholder);

}  // namespace stepwise::app
