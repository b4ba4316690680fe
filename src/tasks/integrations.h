// IntegrationRegistry: the TaskRunner the engine calls, which hands each Task to the runner
// registered for its integration, by name.
//
// Each integration registers once, by its catalog name (integrations/catalog.h), with its runner
// and the patterns that runner serves:
//
//   registry.add("lambda:invoke", &functions);                       // all AWS's patterns
//   registry.add("ecs:runTask", &jobs, {kRequestResponse, kSync});   // a subset
//   registry.add("aws-sdk:sfn:*", &sfn_sdk);                         // every action of a service
//   registry.add("activity", &activities);                           // activity ARNs
//   registry.add("lambda:function", &functions);                     // bare function ARNs
//
// The compiler resolved each Task's Resource to an Integration (catalog index + pattern) at
// CreateStateMachine; the TaskRequest carries it, so finding the runner is one array index (an
// aws-sdk task also compares its service name). A request made by hand without an Integration
// is resolved here once. An integration with no runner for the request's pattern fails the
// task with States.Runtime naming the resource, so a workflow never hangs on an integration
// Stepwise does not run yet (AWS accepted the machine: it is in the catalog).
//
// Where registrations are made: app/integrations.cpp (the runners Stepwise runs outside the
// service: functions, HTTP tasks, jobs, later the built-in services), and sfn::Service for its
// own (activities, states:startExecution, aws-sdk:sfn:*). A new integration is one folder with
// its TaskRunner and one add() line there.
//
// Thread-safety: add() before the first start(); start()/cancel() from the loop thread. The
// registry does not own the runners.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "integrations/catalog.h"
#include "integrations/integration.h"
#include "tasks/task_runner.h"

namespace stepwise::tasks {

using integrations::Integration;
using integrations::IntegrationPattern;
using integrations::Patterns;

class IntegrationRegistry final : public TaskRunner {
 public:
  IntegrationRegistry();

  // Registers `runner` for `name`, serving `patterns` (default: every pattern AWS supports for
  // it). Errors (InvalidArgument): a name the catalog lacks, a pattern AWS does not support for
  // it, a name already registered, a null runner.
  Status add(std::string_view name, TaskRunner* runner,
             std::optional<Patterns> patterns = std::nullopt);

  // The runner registered for the request's integration and pattern; null when none.
  TaskRunner* runner_for(const TaskRequest& request) const;
  // The runner registered under `name` (a catalog name, as given to add()); null when none.
  TaskRunner* runner_named(std::string_view name) const;

  void start(const TaskRequest& request, EventLoop& loop, TaskDone done) override;
  void cancel(const TaskRequest& request) override;
  // The registered runner's answer; a task with no runner only fails, which has no effect.
  bool redispatch_has_effects(const TaskRequest& request) const override;
  // The registered runner's answer (null when none is registered).
  TaskRunner* any_loop_runner(const TaskRequest& request) override;

 private:
  struct Slot {
    TaskRunner* runner = nullptr;
    Patterns patterns;
  };
  const Slot* slot_for(const TaskRequest& request, Integration* integration) const;

  std::vector<Slot> slots_;                                 // by IntegrationId
  std::vector<std::pair<std::string, Slot>> sdk_services_;  // "aws-sdk:SERVICE:*" by SERVICE
};

// The resolved integration of a request: the one it carries, or (made by hand without the
// compiler) its Resource resolved now.
Integration integration_of(const TaskRequest& request);

}  // namespace stepwise::tasks
