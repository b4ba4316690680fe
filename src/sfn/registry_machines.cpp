// Registry: the state machine operations (Create, Describe, Update, Delete, List) and the
// version operations (Publish, List, Delete), with the configuration checks they share
// (logging, tracing, encryption, role ARN, version description).
#include <algorithm>

#include "api/protocol.h"
#include "sfn/registry_impl.h"
#include "store/paging.h"

namespace stepwise::sfn {

using api::ApiError;
using api::Response;

namespace {

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

}  // namespace stepwise::sfn
