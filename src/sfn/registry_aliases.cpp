// Registry: state machine aliases (Create/Describe/Update/Delete/ListStateMachineAliases).
// An alias routes executions to one or two versions of one machine by weight.
#include <algorithm>
#include <set>

#include "api/protocol.h"
#include "sfn/registry_impl.h"
#include "store/errors.h"

namespace stepwise::sfn {

using api::ApiError;
using api::Response;

namespace {

struct Route {
  std::string version_arn;
  std::int64_t weight = 0;
};

// The routes as Java prints the list ("[RoutingConfigurationListItem(stateMachineVersionArn=…,
// weight=50), …]"): AWS quotes it in the too-many-routes message.
std::string routes_text(const std::vector<Route>& routes) {
  std::string out = "[";
  for (std::size_t i = 0; i < routes.size(); ++i)
    out += (i ? ", " : "") + std::string("RoutingConfigurationListItem(stateMachineVersionArn=") +
           routes[i].version_arn + ", weight=" + std::to_string(routes[i].weight) + ")";
  return out + "]";
}

template <typename F>
std::string list_text(const std::vector<Route>& routes, F field) {
  std::string out = "[";
  for (std::size_t i = 0; i < routes.size(); ++i) out += (i ? ", " : "") + field(routes[i]);
  return out + "]";
}

// routingConfiguration's shape (1..2 items, each with an ARN and a weight 0..100), adding
// violations; the routes read so far.
Result<std::vector<Route>> read_routes(const json::value& list, rules::Violations& violations) {
  std::vector<Route> routes;
  const auto& items = list.get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto arn = rules::string_field(items[i], "stateMachineVersionArn");
    auto weight = rules::integer_field(items[i], "weight");
    if (!items[i].is_object() || !arn.ok() || !weight.ok())
      return err({"SerializationException", "Unexpected value for 'routingConfiguration'"});
    std::string at = "routingConfiguration." + std::to_string(i + 1) + ".member.";
    if (!*arn)
      violations.add(at + "stateMachineVersionArn", std::nullopt, "Member must not be null");
    if (!*weight)
      violations.add(at + "weight", std::nullopt, "Member must not be null");
    else if (**weight < 0)
      violations.add(at + "weight", std::to_string(**weight),
                     "Member must have value greater than or equal to 0");
    else if (**weight > rules::route_weight_max)
      violations.add(at + "weight", std::to_string(**weight),
                     "Member must have value less than or equal to 100");
    routes.push_back({arn->value_or(""), weight->value_or(0)});
  }
  if (items.empty())
    violations.add("routingConfiguration", "[]",
                   "Member must have length greater than or equal to 1");
  if (items.size() > rules::routes_max)
    violations.add("routingConfiguration", routes_text(routes),
                   "Member must have length less than or equal to 2");
  return routes;
}

// The routes' meaning: version ARNs, distinct, of one machine, weights summing to 100, and
// versions that exist. Answers the machine ARN they belong to.
Result<std::string> check_routes(store::RegistryStore& store, const std::vector<Route>& routes) {
  auto arns = list_text(routes, [](const Route& r) { return r.version_arn; });
  std::set<std::string> machines, distinct;
  for (const auto& route : routes) {
    auto arn = rules::parse_arn(route.version_arn);
    if (!arn.ok()) return arn.error();
    if (arn->type != "stateMachine" || !arn->is_version())
      return err(rules::validation_error(
          "Routing configuration must contain state machine version ARNs. Received: " + arns));
    machines.insert(arn->unqualified());
    distinct.insert(route.version_arn);
  }
  if (distinct.size() != routes.size())
    return err(rules::validation_error(
        "Routing configuration must contain distinct state machine version ARNs. Received: " +
        arns));
  if (machines.size() != 1)
    return err(rules::validation_error(
        "Routing configuration must contain state machine version ARNs of the same state "
        "machine. Received: " +
        arns));
  std::int64_t sum = 0;
  for (const auto& route : routes) sum += route.weight;
  if (sum != 100)
    return err(rules::validation_error(
        "Sum of routing configuration weights must equal 100. Received: " +
        list_text(routes, [](const Route& r) { return std::to_string(r.weight); })));
  for (const auto& route : routes) {
    REGISTRY_READ_OR_ERROR(version, store.get_version(route.version_arn));
    if (!version) return err(resource_missing(route.version_arn));
  }
  return *machines.begin();
}

// AWS's answer for an alias ARN that names no alias (recorded for UpdateStateMachineAlias).
ApiError alias_missing() {
  return {"ResourceNotFound", "Request references a resource that does not exist."};
}

json::array routes_json(const std::vector<Route>& routes) {
  json::array out;
  for (const auto& r : routes)
    out.push_back(json::object{{"stateMachineVersionArn", r.version_arn}, {"weight", r.weight}});
  return out;
}

bool same_routes(const json::value& stored, const std::vector<Route>& routes) {
  const auto* list = stored.if_array();
  if (!list || list->size() != routes.size()) return false;
  // Order does not matter: [{v1, 50}, {v2, 50}] and [{v2, 50}, {v1, 50}] route alike.
  return std::all_of(routes.begin(), routes.end(), [&](const Route& r) {
    return std::any_of(list->begin(), list->end(), [&](const json::value& item) {
      auto arn = rules::string_field(item, "stateMachineVersionArn");
      auto weight = rules::integer_field(item, "weight");
      return arn.ok() && weight.ok() && arn->value_or("") == r.version_arn &&
             weight->value_or(-1) == r.weight;
    });
  });
}

void check_description(const std::optional<std::string>& d, rules::Violations& violations) {
  if (d && rules::code_points(*d) > rules::description_chars_max)
    violations.add("description", *d, "Member must have length less than or equal to 256");
}

json::object describe_alias(const store::AliasRecord& a) {
  json::object out{{"stateMachineAliasArn", a.arn}, {"name", a.name}};
  if (!a.description.empty()) out["description"] = a.description;
  out["routingConfiguration"] = a.routing_configuration;
  out["creationDate"] = api::epoch_seconds(a.created_ms);
  out["updateDate"] = api::epoch_seconds(a.updated_ms ? a.updated_ms : a.created_ms);
  return out;
}

}  // namespace

Response Registry::Impl::create_state_machine_alias(const json::value& r) {
  REGISTRY_TRY(name, rules::string_field(r, "name"));
  REGISTRY_TRY(description, rules::string_field(r, "description"));
  REGISTRY_TRY(routing, rules::array_field(r, "routingConfiguration"));
  rules::Violations violations;
  if (!*name) {
    violations.add("name", std::nullopt, "Member must not be null");
  } else {
    if (rules::code_points(**name) > limits::name_chars_max)
      violations.add("name", **name, "Member must have length less than or equal to 80");
    if (!rules::is_valid_alias_name(**name))
      violations.add("name", **name,
                     "Member must satisfy regular expression pattern: " +
                         std::string(rules::alias_name_pattern));
  }
  check_description(*description, violations);
  std::vector<Route> routes;
  if (!*routing) {
    violations.add("routingConfiguration", std::nullopt, "Member must not be null");
  } else {
    REGISTRY_TRY(read, read_routes(**routing, violations));
    routes = std::move(read).value();
  }
  if (!violations.empty()) return violations.error();
  REGISTRY_TRY(machine, check_routes(store, routes));
  std::string arn = *machine + ":" + **name;
  REGISTRY_READ(existing, store.get_alias(arn));
  if (existing) {
    if (existing->description == description->value_or("") &&
        same_routes(existing->routing_configuration, routes))
      return json::object{{"stateMachineAliasArn", arn},
                          {"creationDate", api::epoch_seconds(existing->created_ms)}};
    return ApiError{"ConflictException",
                    "Failed to create alias because an alias with the same name and a different "
                    "routing configuration already exists."};
  }
  REGISTRY_READ(m, machine_record(*machine));
  if (!m) return machine_missing(*machine);
  if (deleting.count(*machine)) return machine_deleting(*machine);
  REGISTRY_READ(aliases, all_aliases(*machine));
  if (aliases.size() >= rules::aliases_max)
    return ApiError{"ServiceQuotaExceededException", "Exceeded the maximum number of aliases (" +
                                                         std::to_string(rules::aliases_max) +
                                                         ") for state machine '" + *machine + "'"};
  store::AliasRecord a;
  a.arn = arn;
  a.state_machine_arn = *machine;
  a.name = **name;
  a.description = description->value_or("");
  a.routing_configuration = routes_json(routes);
  a.created_ms = clock.now_ms();
  a.updated_ms = a.created_ms;
  REGISTRY_TRY(put, store.create_alias(a));
  return json::object{{"stateMachineAliasArn", arn},
                      {"creationDate", api::epoch_seconds(a.created_ms)}};
}

// An alias ARN of the request: a machine ARN qualified by a name that is not a version number.
Result<rules::Arn> Registry::Impl::alias_arn_field(const json::value& r) {
  auto arn = arn_field(r, "stateMachineAliasArn", "stateMachine");
  if (!arn.ok()) return arn.error();
  if (arn->qualifier.empty() || arn->is_version())
    return err(rules::validation_error("Invalid state machine alias ARN: '" + arn->text + "'"));
  return arn;
}

Response Registry::Impl::describe_state_machine_alias(const json::value& r) {
  REGISTRY_TRY(arn, alias_arn_field(r));
  REGISTRY_READ(alias, store.get_alias(arn->text));
  if (!alias) return alias_missing();
  return describe_alias(*alias);
}

Response Registry::Impl::update_state_machine_alias(const json::value& r) {
  REGISTRY_TRY(arn, alias_arn_field(r));
  REGISTRY_TRY(description, rules::string_field(r, "description"));
  REGISTRY_TRY(routing, rules::array_field(r, "routingConfiguration"));
  if (!*description && !*routing)
    return rules::validation_error(
        "Either the description or the routing configuration must be specified");
  rules::Violations violations;
  check_description(*description, violations);
  std::vector<Route> routes;
  if (*routing) {
    REGISTRY_TRY(read, read_routes(**routing, violations));
    routes = std::move(read).value();
  }
  if (!violations.empty()) return violations.error();
  REGISTRY_READ(alias, store.get_alias(arn->text));
  if (!alias) return alias_missing();
  const Millis read_updated_ms = alias->updated_ms;  // the compare-and-set's expected value
  if (*routing) {
    REGISTRY_TRY(machine, check_routes(store, routes));
    if (*machine != alias->state_machine_arn)
      return rules::validation_error(
          "Routing configuration must contain state machine version ARNs of the same state "
          "machine. Received: " +
          list_text(routes, [](const Route& x) { return x.version_arn; }));
    alias->routing_configuration = routes_json(routes);
  }
  if (*description) alias->description = **description;
  // Later than the value read, even within one millisecond: the next update's compare-and-set
  // must see that this one happened.
  alias->updated_ms = std::max(clock.now_ms(), read_updated_ms + 1);
  if (auto put = store.update_alias(*alias, read_updated_ms); !put.ok()) {
    if (put.error().name == store::errors::condition_failed)
      return ApiError{"ConflictException",
                      "The alias was updated concurrently; read it again and retry."};
    return rules::to_api_error(put.error());
  }
  return json::object{{"updateDate", api::epoch_seconds(alias->updated_ms)}};
}

Response Registry::Impl::delete_state_machine_alias(const json::value& r) {
  REGISTRY_TRY(arn, alias_arn_field(r));
  REGISTRY_READ(alias, store.get_alias(arn->text));
  if (!alias) return json::object{};  // deleting twice is fine
  REGISTRY_TRY(deleted, store.delete_alias(arn->text));
  return json::object{};
}

Response Registry::Impl::list_state_machine_aliases(const json::value& r) {
  REGISTRY_TRY(arn, arn_field(r, "stateMachineArn", "stateMachine"));
  REGISTRY_TRY(page, rules::parse_page(r));
  // A version ARN lists the aliases that route to that version.
  std::string version;
  if (arn->is_version()) {
    REGISTRY_READ(found, store.get_version(arn->text));
    if (!found) return resource_missing(arn->text);
    version = arn->text;
  } else if (!arn->qualifier.empty()) {
    return machine_missing(arn->text);
  }
  REGISTRY_READ(m, machine_record(arn->unqualified()));
  if (!m) return machine_missing(arn->unqualified());
  REGISTRY_READ(all, all_aliases(arn->unqualified()));
  std::vector<store::AliasRecord> aliases;
  for (auto& a : all) {
    bool routes = version.empty();
    if (const auto* list = a.routing_configuration.if_array())
      for (const auto& item : *list) {
        auto v = rules::string_field(item, "stateMachineVersionArn");
        routes = routes || (v.ok() && v->value_or("") == version);
      }
    if (routes) aliases.push_back(std::move(a));
  }
  std::vector<std::string> keys;
  for (const auto& a : aliases) keys.push_back(a.arn);
  REGISTRY_TRY(slice, rules::page_slice("ListStateMachineAliases", keys, *page));
  json::array items;
  for (std::size_t i = slice->begin; i < slice->end; ++i)
    items.push_back(json::object{{"stateMachineAliasArn", aliases[i].arn},
                                 {"creationDate", api::epoch_seconds(aliases[i].created_ms)}});
  json::object out{{"stateMachineAliases", std::move(items)}};
  if (!slice->next_token.empty()) out["nextToken"] = slice->next_token;
  return out;
}

}  // namespace stepwise::sfn
