// Registry: plumbing, state machines, versions and resolve(). Aliases are in
// registry_aliases.cpp; activities, tags and ValidateStateMachineDefinition in
// registry_activities.cpp.
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

namespace {

Error err(const ApiError& e) { return Error{e.type, e.message}; }

// loggingConfiguration as DescribeStateMachine shows it: level and includeExecutionData always
// present (OFF/false by default), destinations when given (recorded: test_sfn_api_logs).
Result<json::value> normalise_logging(const json::value* config) {
  json::object out{{"level", "OFF"}, {"includeExecutionData", false}};
  if (!config) return json::value(out);
  auto level = rules::string_field(*config, "level");
  auto include = rules::bool_field(*config, "includeExecutionData");
  auto destinations = rules::array_field(*config, "destinations");
  if (!level.ok()) return level.error();
  if (!include.ok()) return include.error();
  if (!destinations.ok()) return destinations.error();
  if (*level) {
    static const std::set<std::string> levels{"ALL", "ERROR", "FATAL", "OFF"};
    if (!levels.count(**level)) {
      rules::Violations v;
      v.add("loggingConfiguration.level", **level,
            "Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]");
      return err(v.error());
    }
    out["level"] = **level;
  }
  if (*include) out["includeExecutionData"] = **include;
  // AWS: more than one destination, or a level other than OFF without one, is refused; an empty
  // list is kept as given (DescribeStateMachine echoes "destinations": []).
  std::size_t count = *destinations ? (*destinations)->get_array().size() : 0;
  if (count > 1 || (count == 0 && out["level"] != "OFF"))
    return err({"InvalidLoggingConfiguration",
                "Invalid Logging Configuration: Must specify exactly one Log Destination."});
  if (*destinations) out["destinations"] = **destinations;
  return json::value(out);
}

Result<json::value> normalise_tracing(const json::value* config) {
  json::object out{{"enabled", false}};
  if (!config) return json::value(out);
  auto enabled = rules::bool_field(*config, "enabled");
  if (!enabled.ok()) return enabled.error();
  if (*enabled) out["enabled"] = **enabled;
  return json::value(out);
}

Result<json::value> check_encryption(const json::value* config) {
  if (!config) return json::value(nullptr);
  auto type = rules::string_field(*config, "type");
  if (!type.ok()) return type.error();
  if (!*type) return err(missing_field("encryptionConfiguration.type"));
  if (**type != "AWS_OWNED_KEY" && **type != "CUSTOMER_MANAGED_KMS_KEY") {
    rules::Violations v;
    v.add("encryptionConfiguration.type", **type,
          "Member must satisfy enum value set: [AWS_OWNED_KEY, CUSTOMER_MANAGED_KMS_KEY]");
    return err(v.error());
  }
  return *config;
}

// The configuration fields CreateStateMachine and UpdateStateMachine share, checked.
struct Config {
  std::optional<json::value> logging, tracing, encryption;  // nullopt: not in the request
};

Result<Config> parse_config(const json::value& r) {
  Config c;
  auto logging = rules::object_field(r, "loggingConfiguration");
  auto tracing = rules::object_field(r, "tracingConfiguration");
  auto encryption = rules::object_field(r, "encryptionConfiguration");
  if (!logging.ok()) return logging.error();
  if (!tracing.ok()) return tracing.error();
  if (!encryption.ok()) return encryption.error();
  if (*logging) {
    auto v = normalise_logging(*logging);
    if (!v.ok()) return v.error();
    c.logging = *v;
  }
  if (*tracing) {
    auto v = normalise_tracing(*tracing);
    if (!v.ok()) return v.error();
    c.tracing = *v;
  }
  if (*encryption) {
    auto v = check_encryption(*encryption);
    if (!v.ok()) return v.error();
    c.encryption = *v;
  }
  return c;
}

Status check_role_arn(const std::string& role) {
  if (role.rfind("arn:", 0) != 0)
    return err({"InvalidArn", "Invalid Arn: 'Invalid ARN prefix: " + role + "'"});
  if (rules::code_points(role) > rules::role_arn_chars_max) {
    rules::Violations v;
    v.add("roleArn", role, "Member must have length less than or equal to 256");
    return err(v.error());
  }
  return ok_status();
}

Status check_version_description(const std::optional<std::string>& description, bool publish) {
  if (!description) return ok_status();
  if (!publish)
    return err(rules::validation_error("Version description can only be set when publish is true"));
  if (rules::code_points(*description) > rules::description_chars_max) {
    rules::Violations v;
    v.add("versionDescription", *description, "Member must have length less than or equal to 256");
    return err(v.error());
  }
  return ok_status();
}

bool same_json(const json::value& a, const json::value& b) {
  return json::equal(a.is_null() ? json::value(json::object{}) : a,
                     b.is_null() ? json::value(json::object{}) : b);
}

json::value or_default(const json::value& v, json::object fallback) {
  return v.is_null() ? json::value(std::move(fallback)) : v;
}

json::object describe_common(const std::string& arn, const std::string& name,
                             const std::string& status, const std::string& definition,
                             const std::string& role, const std::string& type, Millis created,
                             const json::value& logging, const json::value& tracing) {
  return json::object{
      {"stateMachineArn", arn},
      {"name", name},
      {"status", status},
      {"definition", definition},
      {"roleArn", role},
      {"type", type},
      {"creationDate", api::epoch_seconds(created)},
      {"loggingConfiguration",
       or_default(logging, {{"level", "OFF"}, {"includeExecutionData", false}})},
      {"tracingConfiguration", or_default(tracing, {{"enabled", false}})},
  };
}

}  // namespace

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

// --- state machines ---

Response Registry::Impl::create_state_machine(const json::value& r) {
  REGISTRY_TRY(name, rules::string_field(r, "name"));
  REGISTRY_TRY(definition, rules::string_field(r, "definition"));
  REGISTRY_TRY(role, rules::string_field(r, "roleArn"));
  REGISTRY_TRY(type_field, rules::string_field(r, "type"));
  REGISTRY_TRY(publish_field, rules::bool_field(r, "publish"));
  REGISTRY_TRY(version_description, rules::string_field(r, "versionDescription"));
  rules::Violations missing;
  if (!*name) missing.add("name", std::nullopt, "Member must not be null");
  if (!*definition) missing.add("definition", std::nullopt, "Member must not be null", true);
  if (!*role) missing.add("roleArn", std::nullopt, "Member must not be null");
  if (!missing.empty()) return missing.error();
  if (auto e = rules::name_error(**name)) return *e;
  std::string type = type_field->value_or("STANDARD");
  if (type != "STANDARD" && type != "EXPRESS") {
    rules::Violations v;
    v.add("type", type, "Member must satisfy enum value set: [STANDARD, EXPRESS]");
    return v.error();
  }
  REGISTRY_TRY(role_ok, check_role_arn(**role));
  bool publish_now = publish_field->value_or(false);
  REGISTRY_TRY(description_ok, check_version_description(*version_description, publish_now));
  REGISTRY_TRY(config, parse_config(r));
  REGISTRY_TRY(compiled, check_definition(**definition, type == "EXPRESS"));
  std::string arn = machine_arn(**name);
  REGISTRY_TRY(tags, rules::parse_tags(r, arn));

  store::StateMachineRecord m;
  m.arn = arn;
  m.name = **name;
  m.type = type;
  m.definition = **definition;
  m.role_arn = **role;
  m.logging_configuration = config->logging.value_or(*normalise_logging(nullptr));
  m.tracing_configuration = config->tracing.value_or(*normalise_tracing(nullptr));
  m.encryption_configuration = config->encryption.value_or(json::value(nullptr));
  std::string description = version_description->value_or("");

  REGISTRY_READ(existing, machine_record(arn));
  if (existing) return create_again(*existing, m, publish_now, description);
  REGISTRY_READ(machines, all_machines());
  if (machines.size() >= state_machines_max)
    return ApiError{"StateMachineLimitExceeded",
                    "State Machine Limit Exceeded: '" + std::to_string(state_machines_max) + "'"};
  m.created_ms = clock.now_ms();
  // No revision until the first update: AWS shows revisionId only once a machine was updated.
  m.revision_id = "";
  m.next_version = 1;
  REGISTRY_TRY(put, put_machine(m));
  if (!tags->empty()) {
    REGISTRY_TRY(tagged, store.put_tags(arn, *tags));
  }
  json::object out{{"stateMachineArn", arn}, {"creationDate", api::epoch_seconds(m.created_ms)}};
  if (publish_now) {
    REGISTRY_TRY(version, publish(m, description));
    out["stateMachineVersionArn"] = version->arn;
  }
  return out;
}

// CreateStateMachine for a name that exists: idempotent on definition, type and
// configurations (roleArn and tags are ignored); with publish, the version of the current
// revision must carry the same description.
Response Registry::Impl::create_again(const store::StateMachineRecord& existing,
                                      const store::StateMachineRecord& wanted, bool publish_now,
                                      const std::string& description) {
  if (deleting.count(existing.arn)) return machine_deleting(existing.arn);
  bool same = existing.definition == wanted.definition && existing.type == wanted.type &&
              same_json(existing.logging_configuration, wanted.logging_configuration) &&
              same_json(existing.tracing_configuration, wanted.tracing_configuration) &&
              same_json(existing.encryption_configuration, wanted.encryption_configuration);
  std::optional<store::VersionRecord> version;
  if (same && publish_now) {
    REGISTRY_READ(versions, all_versions(existing.arn));
    same = !versions.empty() && versions.front().revision_id == existing.revision_id &&
           versions.front().description == description;
    if (same) version = versions.front();
  }
  if (!same)
    return ApiError{"StateMachineAlreadyExists",
                    "State Machine Already Exists: '" + existing.arn + "'"};
  json::object out{{"stateMachineArn", existing.arn},
                   {"creationDate", api::epoch_seconds(existing.created_ms)}};
  if (version) out["stateMachineVersionArn"] = version->arn;
  return out;
}

Response Registry::Impl::describe_state_machine(const json::value& r) {
  REGISTRY_TRY(arn, arn_field(r, "stateMachineArn", "stateMachine"));
  if (!arn->qualifier.empty()) {
    if (!arn->is_version()) return machine_missing(arn->text);
    REGISTRY_READ(version, store.get_version(arn->text));
    if (!version) return machine_missing(arn->text);
    json::object out =
        describe_common(version->arn, arn->name, status_of(version->state_machine_arn),
                        version->definition, version->role_arn, version->type, version->created_ms,
                        version->logging_configuration, version->tracing_configuration);
    if (!version->revision_id.empty()) out["revisionId"] = version->revision_id;
    if (!version->description.empty()) out["description"] = version->description;
    if (!version->encryption_configuration.is_null())
      out["encryptionConfiguration"] = version->encryption_configuration;
    return out;
  }
  REGISTRY_READ(m, machine_record(arn->text));
  if (!m) return machine_missing(arn->text);
  json::object out =
      describe_common(m->arn, m->name, status_of(m->arn), m->definition, m->role_arn, m->type,
                      m->created_ms, m->logging_configuration, m->tracing_configuration);
  if (!m->revision_id.empty()) out["revisionId"] = m->revision_id;
  if (!m->encryption_configuration.is_null())
    out["encryptionConfiguration"] = m->encryption_configuration;
  return out;
}

Response Registry::Impl::update_state_machine(const json::value& r) {
  REGISTRY_TRY(arn, arn_field(r, "stateMachineArn", "stateMachine"));
  // Versions are immutable: a qualified ARN names no machine that can be updated.
  if (!arn->qualifier.empty()) return machine_missing(arn->text);
  REGISTRY_TRY(definition, rules::string_field(r, "definition"));
  REGISTRY_TRY(role, rules::string_field(r, "roleArn"));
  REGISTRY_TRY(publish_field, rules::bool_field(r, "publish"));
  REGISTRY_TRY(version_description, rules::string_field(r, "versionDescription"));
  REGISTRY_TRY(config, parse_config(r));
  if (!*definition && !*role && !config->logging && !config->tracing && !config->encryption)
    return ApiError{"MissingRequiredParameter",
                    "Either the definition, the role ARN, the LoggingConfiguration, or the "
                    "TracingConfiguration must be specified"};
  bool publish_now = publish_field->value_or(false);
  REGISTRY_TRY(description_ok, check_version_description(*version_description, publish_now));
  if (*role) {
    REGISTRY_TRY(role_ok, check_role_arn(**role));
  }
  REGISTRY_READ(m, machine_record(arn->text));
  if (!m) return machine_missing(arn->text);
  if (deleting.count(m->arn)) return machine_deleting(m->arn);
  if (*definition) {
    REGISTRY_TRY(compiled, check_definition(**definition, m->type == "EXPRESS"));
  }
  store::StateMachineRecord before = *m;
  if (*definition) m->definition = **definition;
  if (*role) m->role_arn = **role;
  if (config->logging) m->logging_configuration = *config->logging;
  if (config->tracing) m->tracing_configuration = *config->tracing;
  if (config->encryption) m->encryption_configuration = *config->encryption;
  bool changed = m->definition != before.definition || m->role_arn != before.role_arn ||
                 !same_json(m->logging_configuration, before.logging_configuration) ||
                 !same_json(m->tracing_configuration, before.tracing_configuration) ||
                 !same_json(m->encryption_configuration, before.encryption_configuration);
  // A new revision only when something changed, so publishing twice yields one version.
  if (changed) m->revision_id = ids.uuid_v4();
  m->updated_ms = clock.now_ms();
  REGISTRY_TRY(put, put_machine(*m));
  json::object out{{"updateDate", api::epoch_seconds(m->updated_ms)}};
  if (!m->revision_id.empty()) out["revisionId"] = m->revision_id;
  if (publish_now) {
    REGISTRY_TRY(version, publish(*m, version_description->value_or("")));
    out["stateMachineVersionArn"] = version->arn;
  }
  return out;
}

Response Registry::Impl::delete_state_machine(const json::value& r) {
  REGISTRY_TRY(arn, arn_field(r, "stateMachineArn", "stateMachine"));
  if (!arn->qualifier.empty())
    return rules::validation_error(
        "Qualified state machine ARNs cannot be deleted with DeleteStateMachine: use "
        "DeleteStateMachineVersion or DeleteStateMachineAlias");
  REGISTRY_READ(m, machine_record(arn->text));
  if (!m) return json::object{};  // deleting twice is fine
  if (!has_running(arn->text)) {
    finish_delete(arn->text);
    return json::object{};
  }
  // Running Standard executions finish first; the machine shows DELETING meanwhile and goes when
  // the last one ends (set_running_count). The status is stored so that a restart in between
  // still finishes the job (resume_deletes).
  if (m->status != "DELETING") {
    m->status = "DELETING";
    REGISTRY_TRY(put, put_machine(*m));
  }
  deleting.insert(arn->text);
  return json::object{};
}

Response Registry::Impl::list_state_machines(const json::value& r) {
  REGISTRY_TRY(page, rules::parse_page(r));
  REGISTRY_READ(machines, all_machines());
  std::vector<std::string> keys;
  for (const auto& m : machines) keys.push_back(m.arn);
  REGISTRY_TRY(slice, rules::page_slice("ListStateMachines", keys, *page));
  json::array items;
  for (std::size_t i = slice->begin; i < slice->end; ++i) {
    const auto& m = machines[i];
    items.push_back(json::object{{"stateMachineArn", m.arn},
                                 {"name", m.name},
                                 {"type", m.type},
                                 {"creationDate", api::epoch_seconds(m.created_ms)}});
  }
  json::object out{{"stateMachines", std::move(items)}};
  if (!slice->next_token.empty()) out["nextToken"] = slice->next_token;
  return out;
}

// --- versions ---

Response Registry::Impl::publish_state_machine_version(const json::value& r) {
  REGISTRY_TRY(arn, arn_field(r, "stateMachineArn", "stateMachine"));
  if (!arn->qualifier.empty()) return machine_missing(arn->text);
  REGISTRY_TRY(description, rules::string_field(r, "description"));
  REGISTRY_TRY(revision, rules::string_field(r, "revisionId"));
  if (*description && rules::code_points(**description) > rules::description_chars_max) {
    rules::Violations v;
    v.add("description", **description, "Member must have length less than or equal to 256");
    return v.error();
  }
  REGISTRY_READ(m, machine_record(arn->text));
  if (!m) return machine_missing(arn->text);
  if (deleting.count(m->arn)) return machine_deleting(m->arn);
  if (*revision && **revision != m->revision_id)
    return ApiError{"ConflictException",
                    "Failed to publish the State Machine version for revision " + **revision +
                        ". The current State Machine revision is " + m->revision_id + "."};
  REGISTRY_TRY(version, publish(*m, description->value_or("")));
  return json::object{{"creationDate", api::epoch_seconds(version->created_ms)},
                      {"stateMachineVersionArn", version->arn}};
}

Response Registry::Impl::list_state_machine_versions(const json::value& r) {
  REGISTRY_TRY(arn, arn_field(r, "stateMachineArn", "stateMachine"));
  REGISTRY_TRY(page, rules::parse_page(r));
  if (!arn->qualifier.empty()) return machine_missing(arn->text);
  REGISTRY_READ(m, machine_record(arn->text));
  if (!m) return machine_missing(arn->text);
  REGISTRY_READ(versions, all_versions(arn->text));
  std::vector<std::string> keys;
  for (const auto& v : versions) keys.push_back(v.arn);
  REGISTRY_TRY(slice, rules::page_slice("ListStateMachineVersions", keys, *page));
  json::array items;
  for (std::size_t i = slice->begin; i < slice->end; ++i)
    items.push_back(json::object{{"stateMachineVersionArn", versions[i].arn},
                                 {"creationDate", api::epoch_seconds(versions[i].created_ms)}});
  json::object out{{"stateMachineVersions", std::move(items)}};
  if (!slice->next_token.empty()) out["nextToken"] = slice->next_token;
  return out;
}

Response Registry::Impl::delete_state_machine_version(const json::value& r) {
  REGISTRY_TRY(arn, arn_field(r, "stateMachineVersionArn", "stateMachine"));
  if (!arn->is_version())
    return rules::validation_error("The specified ARN is not a state machine version ARN: '" +
                                   arn->text + "'");
  REGISTRY_READ(version, store.get_version(arn->text));
  if (!version) return json::object{};  // deleting twice is fine
  std::string referencing;
  REGISTRY_READ(aliases, all_aliases(arn->unqualified()));
  for (const auto& alias : aliases) {
    bool routes = false;
    if (const auto* routing = alias.routing_configuration.if_array())
      for (const auto& route : *routing)
        if (const auto* o = route.if_object())
          if (const auto* v = o->if_contains("stateMachineVersionArn"))
            routes = routes || (v->is_string() && v->get_string() == arn->text);
    if (routes) referencing += (referencing.empty() ? "" : ", ") + alias.name;
  }
  if (!referencing.empty())
    return ApiError{"ConflictException",
                    "Version to be deleted must not be referenced by an alias. Current list of "
                    "aliases referencing this version: [" +
                        referencing + "]"};
  REGISTRY_TRY(deleted, store.delete_version(arn->text));
  (void)store.put_tags(arn->text, {});
  return json::object{};
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
