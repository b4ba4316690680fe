// Registry::Impl: the Registry's state and its operations, split over registry.cpp (machines,
// versions, resolve), registry_aliases.cpp and registry_activities.cpp (activities, tags,
// ValidateStateMachineDefinition). Private to src/sfn.
//
// Thread-safety: none (the Registry's contract: the Service's engine thread only).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/dispatcher.h"
#include "sfn/registry.h"
#include "sfn/registry_rules.h"

namespace stepwise::sfn {

// Registered resources per account and region (AWS quota: 100,000 each, hard here).
inline constexpr std::size_t state_machines_max = 100'000;
inline constexpr std::size_t activities_max = 100'000;
// Compiled definitions kept by text; machines beyond it are recompiled on use.
inline constexpr std::size_t compiled_cache_entries_max = 4096;

struct Registry::Impl {
  Impl(store::RegistryStore& s, store::ExecutionStore& e, Clock& c, IdGenerator& i, Place p)
      : store(s), executions(e), clock(c), ids(i), place(std::move(p)) {}

  store::RegistryStore& store;
  store::ExecutionStore& executions;  // only to ask whether a machine still has RUNNING ones
  Clock& clock;
  IdGenerator& ids;
  Place place;

  std::map<std::string, std::shared_ptr<const asl::StateMachine>> compiled_cache;
  std::deque<std::string> compiled_order;       // insertion order, for eviction
  std::map<std::string, std::int64_t> running;  // machine ARN → RUNNING executions
  std::set<std::string> deleting;               // DeleteStateMachine waiting for those to end
  // Machine records as last read or written through this registry, so that a start does not
  // read SQLite each time (the registry is the store's only writer of machines, on this thread).
  std::unordered_map<std::string, store::StateMachineRecord> machine_cache;
  static constexpr std::size_t machine_cache_max = 10'000;
  Result<std::optional<store::StateMachineRecord>> machine_record(const std::string& arn);
  // Whole listings, read page by page (the API's own paging slices these).
  Result<std::vector<store::StateMachineRecord>> all_machines();
  Result<std::vector<store::VersionRecord>> all_versions(const std::string& machine_arn);
  Result<std::vector<store::AliasRecord>> all_aliases(const std::string& machine_arn);
  Result<std::vector<store::ActivityRecord>> all_activities();
  Status put_machine(const store::StateMachineRecord& m);
  Status delete_machine(const std::string& arn);

  // --- ARNs and lookups (registry.cpp) ---
  std::string arn_prefix() const;  // arn:aws:states:<region>:<account>:
  std::string machine_arn(const std::string& name) const;
  std::string activity_arn(const std::string& name) const;
  // A required ARN field of the request, parsed; InvalidArn for a resource type not `type`.
  Result<rules::Arn> arn_field(const json::value& request, const char* key, const char* type);
  Result<rules::Arn> alias_arn_field(const json::value& request);  // stateMachineAliasArn
  Result<std::shared_ptr<const asl::StateMachine>> compile(const std::string& definition);
  // The InvalidDefinition answer AWS gives for this text, or the compiled machine.
  Result<std::shared_ptr<const asl::StateMachine>> check_definition(const std::string& text,
                                                                    bool express);
  Result<store::VersionRecord> publish(store::StateMachineRecord& machine,
                                       const std::string& description);
  // Whether a Standard execution of the machine still runs (live count, else the store; a
  // store that cannot answer counts as "still runs": the delete waits and is retried).
  bool has_running(const std::string& machine_arn);
  void finish_delete(const std::string& machine_arn);
  api::Response create_again(const store::StateMachineRecord& existing,
                             const store::StateMachineRecord& wanted, bool publish_now,
                             const std::string& description);
  std::string status_of(const std::string& machine_arn) const;

  // --- operations ---
  api::Response create_state_machine(const json::value& r);
  api::Response describe_state_machine(const json::value& r);
  api::Response update_state_machine(const json::value& r);
  api::Response delete_state_machine(const json::value& r);
  api::Response list_state_machines(const json::value& r);
  api::Response publish_state_machine_version(const json::value& r);
  api::Response list_state_machine_versions(const json::value& r);
  api::Response delete_state_machine_version(const json::value& r);

  api::Response create_state_machine_alias(const json::value& r);
  api::Response describe_state_machine_alias(const json::value& r);
  api::Response update_state_machine_alias(const json::value& r);
  api::Response delete_state_machine_alias(const json::value& r);
  api::Response list_state_machine_aliases(const json::value& r);

  api::Response create_activity(const json::value& r);
  api::Response describe_activity(const json::value& r);
  api::Response delete_activity(const json::value& r);
  api::Response list_activities(const json::value& r);
  api::Response tag_resource(const json::value& r);
  api::Response untag_resource(const json::value& r);
  api::Response list_tags_for_resource(const json::value& r);
  api::Response validate_state_machine_definition(const json::value& r);

  // Which resource a tag operation names: an unqualified machine or an activity that exists.
  Result<std::string> taggable(const json::value& request);
  Result<ResolvedMachine> resolve_alias(const rules::Arn& arn);
};

// AWS's answers for missing resources.
api::ApiError machine_missing(const std::string& arn);
api::ApiError activity_missing(const std::string& arn);
api::ApiError resource_missing(const std::string& arn);
api::ApiError machine_deleting(const std::string& arn);
api::ApiError missing_field(const char* key);  // "Value null at 'key' ... must not be null"

// An API error as a Result's Error (the registry's helpers return Results).
inline Error err(const api::ApiError& e) { return Error{e.type, e.message}; }

}  // namespace stepwise::sfn

// Early return of an api::Response for a failed Result (local to the registry's .cpp files).
#define REGISTRY_TRY(var, expr) \
  auto var = (expr);            \
  if (!var.ok()) return ::stepwise::sfn::rules::to_api_error(var.error())

// A store read in an operation: a failed read answers InternalFailure (rules::to_api_error),
// never "does not exist"; `var` then names the value read (an optional record, or a list).
#define REGISTRY_READ(var, expr)                                                         \
  auto var##_read = (expr);                                                              \
  if (!var##_read.ok()) return ::stepwise::sfn::rules::to_api_error(var##_read.error()); \
  auto& var = *var##_read

// The same in a function that returns a Result: the store's Error goes up as it is.
#define REGISTRY_READ_OR_ERROR(var, expr)                     \
  auto var##_read = (expr);                                   \
  if (!var##_read.ok()) return std::move(var##_read).error(); \
  auto& var = *var##_read
