// Registry: plumbing (ARNs, compiling, publishing versions, cached records), resolve() and
// the public face. CreateStateMachine and the other state machine and version operations are in
// registry_machines.cpp; aliases in registry_aliases.cpp; activities, tags and
// ValidateStateMachineDefinition in registry_activities.cpp.
#include "sfn/registry.h"

#include <algorithm>
#include <exception>

#include "api/protocol.h"
#include "asl/compile.h"
#include "asl/validate.h"
#include "base/arn.h"
#include "sfn/registry_impl.h"
#include "store/paging.h"

namespace stepwise::sfn {

using api::ApiError;
using api::Response;

api::ApiError machine_missing(const std::string& arn) {
  return {"StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'"};
}
api::ApiError activity_missing(const std::string& arn) {
  return {"ActivityDoesNotExist", "Activity Does Not Exist: '" + arn + "'"};
}
api::ApiError resource_missing(const std::string& arn) {
  return {"ResourceNotFound", "Resource not found: '" + arn + "'"};
}
api::ApiError machine_deleting(const std::string& arn) {
  return {"StateMachineDeleting", "State Machine Is Being Deleted: '" + arn + "'"};
}
api::ApiError missing_field(const char* key) {
  rules::Violations v;
  v.add(key, std::nullopt, "Member must not be null");
  return v.error();
}

// --- plumbing ---

std::string Registry::Impl::arn_prefix() const {
  return arn::prefix("states", place.region, place.account);
}
std::string Registry::Impl::machine_arn(const std::string& name) const {
  return arn_prefix() + "stateMachine:" + name;
}
std::string Registry::Impl::activity_arn(const std::string& name) const {
  return arn_prefix() + "activity:" + name;
}

Result<rules::Arn> Registry::Impl::arn_field(const json::value& request, const char* key,
                                             const char* type) {
  auto text = rules::string_field(request, key);
  if (!text.ok()) return text.error();
  if (!*text) return err(missing_field(key));
  auto arn = rules::parse_arn(**text);
  if (!arn.ok()) return arn.error();
  if (arn->type != type) return err(rules::wrong_resource_type(*arn));
  return arn;
}

Result<std::shared_ptr<const asl::StateMachine>> Registry::Impl::compile(
    const std::string& definition) {
  if (auto it = compiled_cache.find(definition); it != compiled_cache.end()) return it->second;
  auto machine = asl::compile_text(definition);
  if (!machine.ok()) return machine.error();
  if (compiled_order.size() >= compiled_cache_entries_max) {
    compiled_cache.erase(compiled_order.front());
    compiled_order.pop_front();
  }
  compiled_cache.emplace(definition, *machine);
  compiled_order.push_back(definition);
  return machine;
}

Result<std::shared_ptr<const asl::StateMachine>> Registry::Impl::check_definition(
    const std::string& text, bool express) {
  if (text.size() > limits::definition_bytes_max) {
    rules::Violations v;
    v.add("definition", std::nullopt, "Member must have length less than or equal to 1048576",
          true);
    return err(v.error());
  }
  asl::ValidateOptions options;
  options.express = express;
  std::vector<asl::Diagnostic> errors;
  for (auto& d : asl::validate_text(text, options))
    if (d.severity == "ERROR") errors.push_back(std::move(d));
  if (!errors.empty()) {
    // Some errors (Map Label) have a wording of their own that AWS answers with alone.
    for (const auto& d : errors)
      if (!d.create_message.empty()) return Error{"InvalidDefinition", d.create_message};
    return Error{"InvalidDefinition", asl::invalid_definition_message(errors)};
  }
  auto machine = compile(text);
  if (!machine.ok()) return Error{"InvalidDefinition", machine.error().cause};
  return machine;
}

std::string Registry::Impl::status_of(const std::string& machine_arn) const {
  return deleting.count(machine_arn) ? "DELETING" : "ACTIVE";
}

bool Registry::Impl::has_running(const std::string& machine_arn) {
  auto it = running.find(machine_arn);
  if (it != running.end() && it->second > 0) return true;
  // The live count misses executions that are RUNNING in the store but not in memory (one that
  // could not be resumed, one waiting out a long timer outside memory): they hold the delete too.
  // Only asked for machines being deleted, so the scan is rare.
  store::ExecutionQuery q;
  q.state_machine_arn = machine_arn;
  q.status = "RUNNING";
  q.limit = 1;
  auto found = executions.list_executions(q);
  return !found.ok() || !found->empty();
}

void Registry::Impl::finish_delete(const std::string& arn) {
  if (auto versions = all_versions(arn); versions.ok()) {
    for (const auto& v : *versions) (void)store.put_tags(v.arn, {});
  }
  (void)delete_machine(arn);
  (void)store.put_tags(arn, {});
  deleting.erase(arn);
  running.erase(arn);
}

// A new version of the machine's current revision, or the latest version when it already is
// that revision (PublishStateMachineVersion is idempotent per revision).
Result<store::VersionRecord> Registry::Impl::publish(store::StateMachineRecord& machine,
                                                     const std::string& description) {
  REGISTRY_READ_OR_ERROR(versions, all_versions(machine.arn));
  if (!versions.empty() && versions.front().revision_id == machine.revision_id) {
    if (versions.front().description == description) return versions.front();
    return err({"ConflictException",
                "Failed to publish the State Machine version: version " +
                    std::to_string(versions.front().version) +
                    " of the current revision already exists with a different description."});
  }
  if (versions.size() >= rules::versions_max)
    return err({"ServiceQuotaExceededException", "Exceeded the maximum number of versions (" +
                                                     std::to_string(rules::versions_max) +
                                                     ") for state machine '" + machine.arn + "'"});
  store::VersionRecord v;  // the store numbers it (publish_version: one atomic step)
  v.state_machine_arn = machine.arn;
  v.type = machine.type;
  v.definition = machine.definition;
  v.role_arn = machine.role_arn;
  v.description = description;
  v.revision_id = machine.revision_id;
  v.logging_configuration = machine.logging_configuration;
  v.tracing_configuration = machine.tracing_configuration;
  v.encryption_configuration = machine.encryption_configuration;
  v.created_ms = clock.now_ms();
  machine_cache.erase(machine.arn);  // its next_version moves
  auto published = store.publish_version(std::move(v));
  if (!published.ok()) return std::move(published).error();
  machine.next_version = published->version + 1;
  return published;
}

// --- resolve ---

Result<ResolvedMachine> Registry::Impl::resolve_alias(const rules::Arn& arn) {
  REGISTRY_READ_OR_ERROR(alias, store.get_alias(arn.text));
  if (!alias) return err(machine_missing(arn.text));
  const auto* routes = alias->routing_configuration.if_array();
  if (!routes || routes->empty()) return err(machine_missing(arn.text));
  // Weighted choice: a uniform draw in [0, 100) against the cumulative weights.
  std::int64_t draw = static_cast<std::int64_t>(ids.next_u64() % 100);
  std::string chosen;
  for (const auto& route : *routes) {
    auto version = rules::string_field(route, "stateMachineVersionArn");
    auto weight = rules::integer_field(route, "weight");
    if (!version.ok() || !weight.ok() || !*version) continue;
    chosen = **version;
    draw -= weight->value_or(0);
    if (draw < 0) break;
  }
  REGISTRY_READ_OR_ERROR(version, store.get_version(chosen));
  if (!version) return err(machine_missing(arn.text));
  REGISTRY_READ_OR_ERROR(m, machine_record(version->state_machine_arn));
  if (!m) return err(machine_missing(arn.text));
  auto compiled = compile(version->definition);
  if (!compiled.ok()) return compiled.error();
  return ResolvedMachine{*compiled,
                         m->arn,
                         m->name,
                         version->type,
                         version->definition,
                         version->role_arn,
                         version->arn,
                         alias->arn,
                         std::move(version->logging_configuration)};
}

// --- the public face ---

Registry::Registry(store::RegistryStore& store, store::ExecutionStore& executions, Clock& clock,
                   IdGenerator& ids, Place place)
    : impl_(std::make_unique<Impl>(store, executions, clock, ids, place)),
      place_(std::move(place)) {}

Registry::~Registry() = default;

std::vector<std::pair<std::string, SyncOperation>> Registry::operations() {
  using Method = Response (Impl::*)(const json::value&);
  static const std::pair<const char*, Method> table[] = {
      {"CreateStateMachine", &Impl::create_state_machine},
      {"DescribeStateMachine", &Impl::describe_state_machine},
      {"UpdateStateMachine", &Impl::update_state_machine},
      {"DeleteStateMachine", &Impl::delete_state_machine},
      {"ListStateMachines", &Impl::list_state_machines},
      {"PublishStateMachineVersion", &Impl::publish_state_machine_version},
      {"ListStateMachineVersions", &Impl::list_state_machine_versions},
      {"DeleteStateMachineVersion", &Impl::delete_state_machine_version},
      {"CreateStateMachineAlias", &Impl::create_state_machine_alias},
      {"DescribeStateMachineAlias", &Impl::describe_state_machine_alias},
      {"UpdateStateMachineAlias", &Impl::update_state_machine_alias},
      {"DeleteStateMachineAlias", &Impl::delete_state_machine_alias},
      {"ListStateMachineAliases", &Impl::list_state_machine_aliases},
      {"CreateActivity", &Impl::create_activity},
      {"DescribeActivity", &Impl::describe_activity},
      {"DeleteActivity", &Impl::delete_activity},
      {"ListActivities", &Impl::list_activities},
      {"TagResource", &Impl::tag_resource},
      {"UntagResource", &Impl::untag_resource},
      {"ListTagsForResource", &Impl::list_tags_for_resource},
      {"ValidateStateMachineDefinition", &Impl::validate_state_machine_definition},
  };
  std::vector<std::pair<std::string, SyncOperation>> out;
  Impl* impl = impl_.get();
  for (const auto& entry : table) {
    // Not a structured binding: clang 14 (the sanitizer build) cannot capture one.
    const auto method = entry.second;
    out.emplace_back(entry.first, [impl, method](const json::value& request) -> Response {
      if (!request.is_object())
        return ApiError{"SerializationException", "Request body must be a JSON object"};
      // boost::json accessors and the store may throw; nothing escapes the module.
      try {
        return (impl->*method)(request);
      } catch (const std::exception& e) {
        return ApiError::internal(e.what());
      }
    });
  }
  return out;
}

Result<ResolvedMachine> Registry::resolve(const std::string& arn_text) {
  try {
    auto arn = rules::parse_arn(arn_text);
    if (!arn.ok()) return arn.error();
    if (arn->type != "stateMachine") return err(rules::wrong_resource_type(*arn));
    if (impl_->deleting.count(arn->unqualified())) return err(machine_deleting(arn->unqualified()));
    if (!arn->qualifier.empty() && !arn->is_version()) return impl_->resolve_alias(*arn);
    if (arn->is_version()) {
      REGISTRY_READ_OR_ERROR(version, impl_->store.get_version(arn->text));
      if (!version) return err(machine_missing(arn->text));
      REGISTRY_READ_OR_ERROR(m, impl_->machine_record(version->state_machine_arn));
      if (!m) return err(machine_missing(arn->text));
      auto compiled = impl_->compile(version->definition);
      if (!compiled.ok()) return compiled.error();
      return ResolvedMachine{*compiled,
                             m->arn,
                             m->name,
                             version->type,
                             version->definition,
                             version->role_arn,
                             version->arn,
                             "",
                             std::move(version->logging_configuration)};
    }
    REGISTRY_READ_OR_ERROR(m, impl_->machine_record(arn->text));
    if (!m) return err(machine_missing(arn->text));
    auto compiled = impl_->compile(m->definition);
    if (!compiled.ok()) return compiled.error();
    return ResolvedMachine{*compiled,
                           m->arn,
                           m->name,
                           m->type,
                           m->definition,
                           m->role_arn,
                           "",
                           "",
                           std::move(m->logging_configuration)};
  } catch (const std::exception& e) {
    return Error{"InternalFailure", e.what()};
  }
}

Result<std::shared_ptr<const asl::StateMachine>> Registry::compiled(const std::string& definition) {
  try {
    return impl_->compile(definition);
  } catch (const std::exception& e) {
    return Error{"InternalFailure", e.what()};
  }
}

json::value Registry::logging_configuration(const std::string& state_machine_arn,
                                            const std::string& version_arn) {
  try {
    if (!version_arn.empty()) {
      // A store that cannot answer logs nothing for this execution (as an unknown version).
      auto version = impl_->store.get_version(version_arn);
      if (!version.ok() || !*version) return json::value();
      return std::move((*version)->logging_configuration);
    }
    auto m = impl_->machine_record(state_machine_arn);
    return m.ok() && *m ? std::move((*m)->logging_configuration) : json::value();
  } catch (const std::exception&) {
    return json::value();
  }
}

Result<std::optional<store::ActivityRecord>> Registry::activity(const std::string& arn) {
  try {
    return impl_->store.get_activity(arn);
  } catch (const std::exception& e) {
    return Error{"Store.Failed", e.what()};
  }
}

Result<std::optional<store::StateMachineRecord>> Registry::machine(const std::string& arn) {
  return impl_->machine_record(arn);
}

void Registry::set_running_count(const std::string& state_machine_arn, std::int64_t count) {
  if (count > 0) {
    impl_->running[state_machine_arn] = count;
    return;
  }
  impl_->running.erase(state_machine_arn);
  try {
    if (impl_->deleting.count(state_machine_arn) && !impl_->has_running(state_machine_arn))
      impl_->finish_delete(state_machine_arn);
  } catch (const std::exception&) {
    // The store failed; the machine stays DELETING and the next count change retries.
  }
}

Result<std::optional<store::StateMachineRecord>> Registry::Impl::machine_record(
    const std::string& arn) {
  if (auto it = machine_cache.find(arn); it != machine_cache.end()) {
    return std::optional<store::StateMachineRecord>(it->second);
  }
  auto m = store.get_state_machine(arn);
  if (m.ok() && m->has_value()) {
    if (machine_cache.size() >= machine_cache_max) machine_cache.clear();
    machine_cache.emplace(arn, **m);
  }
  return m;
}

Result<std::vector<store::StateMachineRecord>> Registry::Impl::all_machines() {
  return store::collect_pages<store::StateMachineRecord>(
      [&](const store::PageQuery& q) { return store.list_state_machines(q); });
}

Result<std::vector<store::VersionRecord>> Registry::Impl::all_versions(
    const std::string& machine_arn) {
  return store::collect_pages<store::VersionRecord>(
      [&](const store::PageQuery& q) { return store.list_versions(machine_arn, q); });
}

Result<std::vector<store::AliasRecord>> Registry::Impl::all_aliases(
    const std::string& machine_arn) {
  return store::collect_pages<store::AliasRecord>(
      [&](const store::PageQuery& q) { return store.list_aliases(machine_arn, q); });
}

Result<std::vector<store::ActivityRecord>> Registry::Impl::all_activities() {
  return store::collect_pages<store::ActivityRecord>(
      [&](const store::PageQuery& q) { return store.list_activities(q); });
}

// Writes go through to the store; the cached copy is dropped first, so a failed write leaves
// nothing stale behind (the next read reads the store).
Status Registry::Impl::put_machine(const store::StateMachineRecord& m) {
  machine_cache.erase(m.arn);
  return store.put_state_machine(m);
}

Status Registry::Impl::delete_machine(const std::string& arn) {
  machine_cache.erase(arn);
  return store.delete_state_machine(arn);
}

bool Registry::deleting(const std::string& state_machine_arn) const {
  return impl_->deleting.count(state_machine_arn) > 0;
}

void Registry::resume_deletes() {
  try {
    auto machines = impl_->all_machines();
    if (!machines.ok()) return;  // as a failure below: retried at the next count change
    for (const store::StateMachineRecord& m : *machines) {
      if (m.status != "DELETING") continue;
      impl_->deleting.insert(m.arn);
      if (!impl_->has_running(m.arn)) impl_->finish_delete(m.arn);
    }
  } catch (const std::exception&) {
    // The store failed: the machines stay DELETING and go when a running count next drops to 0
    // or at the next start.
  }
}

}  // namespace stepwise::sfn
