// Registry: the Step Functions resources that are not executions — state machines, their
// published versions and aliases, activities and tags — and the ValidateStateMachineDefinition
// operation. It validates and compiles definitions once (at create/update/publish) and keeps the
// compiled machines, so StartExecution never re-parses a definition.
//
// Every operation takes the request object as the API receives it (camelCase fields, the
// definition as a JSON string) and answers an api::Response: the body AWS returns, or an
// ApiError with AWS's `__type` and message.
//
// Thread-safety: none. The Service calls it from its engine thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/dispatcher.h"
#include "asl/model.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/result.h"
#include "json/json.h"
#include "store/store.h"

namespace stepwise::sfn {

// Where this Stepwise pretends to be: ARNs are arn:aws:states:<region>:<account>:...
struct Place {
  std::string region = "us-east-1";
  std::string account = "123456789012";
};

// What StartExecution needs to run a machine, version or alias ARN.
struct ResolvedMachine {
  std::shared_ptr<const asl::StateMachine> machine;  // compiled
  std::string state_machine_arn;                     // unqualified
  std::string name;
  std::string type;        // STANDARD | EXPRESS
  std::string definition;  // text
  std::string role_arn;
  std::string version_arn;  // "" unless a version (or an alias routed to one)
  std::string alias_arn;    // "" unless an alias
  // The machine's (or version's) loggingConfiguration, as stored (execution_log.h reads it).
  json::value logging_configuration;
};

// A synchronous operation: request → response. The Service runs it on its engine thread.
using SyncOperation = std::function<api::Response(const json::value& request)>;

class Registry {
 public:
  // Machines, versions, aliases, activities and tags live in `store`; `executions` is asked only
  // whether a machine being deleted still has RUNNING executions.
  Registry(store::RegistryStore& store, store::ExecutionStore& executions, Clock& clock,
           IdGenerator& ids, Place place);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Every operation this class serves, by AWS operation name: CreateStateMachine,
  // DescribeStateMachine, UpdateStateMachine, DeleteStateMachine, ListStateMachines,
  // PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion,
  // CreateStateMachineAlias, DescribeStateMachineAlias, UpdateStateMachineAlias,
  // DeleteStateMachineAlias, ListStateMachineAliases, CreateActivity, DescribeActivity,
  // DeleteActivity, ListActivities, TagResource, UntagResource, ListTagsForResource,
  // ValidateStateMachineDefinition.
  std::vector<std::pair<std::string, SyncOperation>> operations();

  // A machine, version or alias ARN → what to run (an alias picks a version by its routing
  // weights). Errors carry the ApiError type as name (StateMachineDoesNotExist, InvalidArn,
  // ResourceNotFound, ...) and AWS's message as cause.
  Result<ResolvedMachine> resolve(const std::string& arn);
  // Compiles a definition text (cached by text): recovery and DescribeStateMachineForExecution.
  Result<std::shared_ptr<const asl::StateMachine>> compiled(const std::string& definition);
  // Store reads: an Error when the store cannot answer, an empty optional when there is none.
  Result<std::optional<store::ActivityRecord>> activity(const std::string& arn);
  Result<std::optional<store::StateMachineRecord>> machine(const std::string& arn);
  // Executions that are RUNNING per machine: DeleteStateMachine on a machine with running
  // executions marks it DELETING (the Service keeps this count current).
  void set_running_count(const std::string& state_machine_arn, std::int64_t count);
  // True while DeleteStateMachine waits for the machine's executions (status DELETING).
  bool deleting(const std::string& state_machine_arn) const;
  // The loggingConfiguration executions of this machine log with: the version's when
  // version_arn is set, else the machine's; null when it no longer exists (rebuilt executions).
  json::value logging_configuration(const std::string& state_machine_arn,
                                    const std::string& version_arn);
  // At start, after recovery has set the running counts: machines the store marks DELETING are
  // DELETING again, and those left with no RUNNING execution are deleted now.
  void resume_deletes();

  const Place& place() const { return place_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Place place_;
};

}  // namespace stepwise::sfn
