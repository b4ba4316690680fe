#include "services/events/events.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "base/arn.h"
#include "services/common/json_request.h"
#include "services/events/event_pattern.h"
#include "services/events/events_delivery.h"
#include "services/events/events_internal.h"
#include "services/events/events_limits.h"
#include "services/events/events_rules.h"

namespace stepwise::services::events {

json::object StoredEvent::to_json() const {
  json::array res;
  for (const auto& r : resources) res.push_back(json::value(r));
  json::value d = json::object{};
  if (auto parsed = json::parse(detail); parsed.ok()) d = std::move(parsed).value();
  // EventBridge writes the time to the second: 2025-01-02T03:04:05Z.
  std::string time = format_iso8601_ms(time_ms);
  if (auto dot = time.find('.'); dot != std::string::npos) time = time.substr(0, dot) + "Z";
  return json::object{{"version", "0"},
                      {"id", id},
                      {"detail-type", detail_type},
                      {"source", source},
                      {"account", account},
                      {"time", time},
                      {"region", region},
                      {"resources", std::move(res)},
                      {"detail", std::move(d)}};
}

Events::Events(EventsOptions options)
    : options_(std::move(options)),
      ids_(options_.id_seed),
      delivery_(std::make_unique<Delivery>(DeliveryPeers{.clock = options_.clock,
                                                         .timers = options_.timers,
                                                         .sqs = options_.sqs,
                                                         .sns = options_.sns,
                                                         .events = this,
                                                         .place = options_.place,
                                                         .sqs_url = options_.sqs_url})) {
  // Rule matching is the event log's first subscriber.
  subscribe([this](const std::vector<StoredEvent>& events) { route(events); });
}

Events::~Events() { delivery_->stop(); }

const std::vector<std::string>& Events::operation_names() {
  static const std::vector<std::string> names = {"CreateEventBus",
                                                 "DescribeEventBus",
                                                 "ListEventBuses",
                                                 "DeleteEventBus",
                                                 "PutEvents",
                                                 "TestEventPattern",
                                                 "PutRule",
                                                 "DescribeRule",
                                                 "ListRules",
                                                 "DeleteRule",
                                                 "EnableRule",
                                                 "DisableRule",
                                                 "PutTargets",
                                                 "RemoveTargets",
                                                 "ListTargetsByRule",
                                                 "ListRuleNamesByTarget",
                                                 "TagResource",
                                                 "UntagResource",
                                                 "ListTagsForResource"};
  return names;
}

const std::vector<std::string>& Events::modelled_errors() {
  static const std::vector<std::string> names = {"AccessDeniedException",
                                                 "ConcurrentModificationException",
                                                 "IllegalStatusException",
                                                 "InternalException",
                                                 "InvalidEventPatternException",
                                                 "InvalidStateException",
                                                 "LimitExceededException",
                                                 "ManagedRuleException",
                                                 "OperationDisabledException",
                                                 "PolicyLengthExceededException",
                                                 "ResourceAlreadyExistsException",
                                                 "ResourceNotFoundException",
                                                 "ThrottlingException"};
  return names;
}

void Events::dispatch(std::string_view op, json::value request, const api::RequestInfo& /*info*/,
                      api::Reply reply) {
  if (request.is_null()) request = json::object();
  if (!request.is_object()) {
    reply(api::ApiError{"SerializationException", "The request body must be a JSON object."});
    return;
  }
  const Json& r = request.get_object();
  if (op == "PutEvents") return put_events(r, std::move(reply));
  if (op == "CreateEventBus") return create_event_bus(r, std::move(reply));
  if (op == "DescribeEventBus") return reply(describe_event_bus(r));
  if (op == "ListEventBuses") return reply(list_event_buses(r));
  if (op == "DeleteEventBus") return delete_event_bus(r, std::move(reply));
  if (op == "TestEventPattern") return reply(test_event_pattern(r));
  if (op == "PutRule") return put_rule(r, std::move(reply));
  if (op == "DescribeRule") return reply(describe_rule(r));
  if (op == "ListRules") return reply(list_rules(r));
  if (op == "DeleteRule") return delete_rule(r, std::move(reply));
  if (op == "EnableRule") return set_rule_state(r, "ENABLED", std::move(reply));
  if (op == "DisableRule") return set_rule_state(r, "DISABLED", std::move(reply));
  if (op == "PutTargets") return put_targets(r, std::move(reply));
  if (op == "RemoveTargets") return remove_targets(r, std::move(reply));
  if (op == "ListTargetsByRule") return reply(list_targets_by_rule(r));
  if (op == "ListRuleNamesByTarget") return reply(list_rule_names_by_target(r));
  if (op == "TagResource") return tag_resource(r, std::move(reply));
  if (op == "UntagResource") return untag_resource(r, std::move(reply));
  if (op == "ListTagsForResource") return reply(list_tags_for_resource(r));
  reply(api::unknown_operation(op));
}

void Events::persist(std::vector<Mutation> batch, api::Response answer, api::Reply reply) {
  auto shared = std::make_shared<api::Response>(std::move(answer));
  options_.log.write(std::move(batch), [shared, reply = std::move(reply)](Status s) {
    if (!s.ok()) {
      reply(api::ApiError{"InternalException",
                          "The write could not be made durable: " + s.error().cause, 500});
      return;
    }
    reply(std::move(*shared));
  });
}

std::string Events::bus_arn(const std::string& name) const {
  return arn::make("events", options_.place.region, options_.place.account, "event-bus/" + name);
}

Mutation Events::record_of(const Bus& b) const {
  json::object o{{"name", b.name},
                 {"description", b.description},
                 {"created", b.created_ms},
                 {"modified", b.modified_ms},
                 {"tags", tags_json(b.tags)}};
  return Mutation{kBusesNs, b.name, json::dump(o)};
}

Events::Bus* Events::find_bus(const std::string& name_or_arn) {
  std::string name = name_or_arn;
  if (name.starts_with("arn:")) {
    auto slash = name.find(":event-bus/");
    if (slash == std::string::npos) return nullptr;
    if (name.substr(0, slash + 11) != bus_arn("")) return nullptr;  // another account/region
    name = name.substr(slash + 11);
  }
  auto it = buses_.find(name);
  return it == buses_.end() ? nullptr : it->second.get();
}

void Events::create_event_bus(const Json& r, api::Reply reply) {
  bool wrong = false;
  auto name = string_member(r, "Name", &wrong);
  auto description = string_member(r, "Description", &wrong);
  auto source = string_member(r, "EventSourceName", &wrong);
  if (wrong) return reply(validation_error("Name, Description and EventSourceName are strings."));
  if (!name) return reply(constraint_error("name", "not be null"));
  if (source)
    return reply(
        api::ApiError{"ResourceNotFoundException", "Event source " + *source + " does not exist."});
  if (auto e = check_bus_name(*name)) return reply(*e);
  if (description && description->size() > events_limits::description_bytes_max)
    return reply(constraint_error("description", "have length less than or equal to 512"));
  TagList tags;
  if (auto e = read_tags(r.if_contains("Tags"), tags)) return reply(*e);
  base::MutexLock lock(mu_);
  if (buses_.contains(*name))
    return reply(
        api::ApiError{"ResourceAlreadyExistsException", "Event bus " + *name + " already exists."});
  if (buses_.size() >= events_limits::buses_max)
    return reply(api::ApiError{"LimitExceededException",
                               "The requested resource exceeds the maximum number allowed."});
  auto b = std::make_unique<Bus>();
  b->name = *name;
  b->arn = bus_arn(*name);
  b->description = description.value_or("");
  b->created_ms = b->modified_ms = options_.clock.now_ms();
  b->tags = std::move(tags);
  json::object answer{{"EventBusArn", b->arn}};
  if (!b->description.empty()) answer["Description"] = b->description;
  Mutation m = record_of(*b);
  buses_[*name] = std::move(b);
  persist({std::move(m)}, std::move(answer), std::move(reply));
}

namespace {
json::object bus_json(const std::string& name, const std::string& arn,
                      const std::string& description, Millis created, Millis modified) {
  json::object o{{"Name", name}, {"Arn", arn}};
  if (!description.empty()) o["Description"] = description;
  o["CreationTime"] = epoch_seconds(created);
  o["LastModifiedTime"] = epoch_seconds(modified);
  return o;
}
}  // namespace

api::Response Events::describe_event_bus(const Json& r) {
  bool wrong = false;
  auto name = string_member(r, "Name", &wrong).value_or("default");
  if (wrong) return validation_error("Name must be a string.");
  base::MutexLock lock(mu_);
  Bus* b = find_bus(name);
  if (b == nullptr)
    return api::ApiError{"ResourceNotFoundException", "Event bus " + name + " does not exist."};
  return bus_json(b->name, b->arn, b->description, b->created_ms, b->modified_ms);
}

api::Response Events::list_event_buses(const Json& r) {
  bool wrong = false;
  auto prefix = string_member(r, "NamePrefix", &wrong).value_or("");
  if (wrong) return validation_error("NamePrefix must be a string.");
  const Paging page = read_paging(r);
  if (page.error) return *page.error;
  const auto& token = page.token;
  const std::size_t size = page.size;
  base::MutexLock lock(mu_);
  json::array list;
  std::string next;
  // Names in order; the token is the last name answered.
  for (auto it = token ? buses_.upper_bound(*token) : buses_.begin(); it != buses_.end(); ++it) {
    if (!it->first.starts_with(prefix)) continue;
    if (list.size() == size) {
      next = list.back().get_object().at("Name").get_string().c_str();
      break;
    }
    const Bus& b = *it->second;
    list.push_back(bus_json(b.name, b.arn, b.description, b.created_ms, b.modified_ms));
  }
  json::object out{{"EventBuses", std::move(list)}};
  if (!next.empty()) out["NextToken"] = next;
  return out;
}

void Events::delete_event_bus(const Json& r, api::Reply reply) {
  bool wrong = false;
  auto name = string_member(r, "Name", &wrong);
  if (wrong) return reply(validation_error("Name must be a string."));
  if (!name) return reply(constraint_error("name", "not be null"));
  if (*name == "default") return reply(validation_error("Cannot delete event bus default."));
  base::MutexLock lock(mu_);
  auto it = buses_.find(*name);
  if (it == buses_.end()) return reply(json::object{});  // AWS: deleting no bus succeeds
  std::vector<Mutation> batch;
  for (const auto& e : it->second->log)
    batch.push_back(Mutation{kLogNs, log_key(e.bus, e.seq), std::nullopt});
  batch.push_back(Mutation{kBusesNs, *name, std::nullopt});
  // The bus's rules (and their targets) go with it.
  const std::string prefix = *name + "\n";
  for (auto rule = rules_.lower_bound(prefix);
       rule != rules_.end() && rule->first.starts_with(prefix);) {
    batch.push_back(Mutation{kRulesNs, rule->first, std::nullopt});
    rule = rules_.erase(rule);
  }
  buses_.erase(it);
  persist(std::move(batch), json::object{}, std::move(reply));
}

void Events::retain(Bus& b, std::vector<Mutation>& batch) {
  while (!b.log.empty() && (b.log.size() > events_limits::retained_events_per_bus ||
                            b.log_bytes > events_limits::retained_bytes_per_bus)) {
    const StoredEvent& e = b.log.front();
    b.log_bytes -= stored_size(e);
    batch.push_back(Mutation{kLogNs, log_key(e.bus, e.seq), std::nullopt});
    b.log.pop_front();
  }
}

std::vector<StoredEvent> Events::read(const std::string& bus, std::uint64_t after_seq,
                                      std::size_t max) const {
  base::MutexLock lock(mu_);
  std::vector<StoredEvent> out;
  auto it = buses_.find(bus);
  if (it == buses_.end()) return out;
  const auto& log = it->second->log;
  auto from = std::upper_bound(log.begin(), log.end(), after_seq,
                               [](std::uint64_t s, const StoredEvent& e) { return s < e.seq; });
  for (; from != log.end() && out.size() < max; ++from) out.push_back(*from);
  return out;
}

std::uint64_t Events::last_seq(const std::string& bus) const {
  base::MutexLock lock(mu_);
  auto it = buses_.find(bus);
  return it == buses_.end() ? 0 : it->second->next_seq - 1;
}

std::uint64_t Events::subscribe(Subscriber subscriber) {
  base::MutexLock lock(subscribers_mu_);
  if (subscribers_.size() >= events_limits::subscribers_max) return 0;
  const std::uint64_t id = next_subscriber_++;
  subscribers_[id] = std::make_shared<Subscriber>(std::move(subscriber));
  return id;
}

void Events::unsubscribe(std::uint64_t id) {
  base::MutexLock lock(subscribers_mu_);
  subscribers_.erase(id);
}

void Events::publish(const std::vector<StoredEvent>& events) {
  std::vector<std::shared_ptr<Subscriber>> each;
  {
    base::MutexLock lock(subscribers_mu_);
    for (const auto& [id, s] : subscribers_) each.push_back(s);
  }
  for (const auto& s : each) (*s)(events);
}

Status Events::load(std::size_t* damaged) {
  std::size_t bad = 0;
  base::MutexLock lock(mu_);
  // Each loader runs inside load_json_objects, while this function holds mu_.
  auto each_bus = [&](const Record& rec, const json::object& o) REQUIRES(mu_) {
    auto b = std::make_unique<Bus>();
    b->name = string_member(o, "name").value_or("");
    if (b->name != rec.key) return false;
    b->arn = bus_arn(b->name);
    b->description = string_member(o, "description").value_or("");
    b->created_ms = int_member(o, "created").value_or(0);
    b->modified_ms = int_member(o, "modified").value_or(0);
    b->tags = tags_from_json(o.if_contains("tags"));
    buses_[b->name] = std::move(b);
    return true;
  };
  if (auto st = load_json_objects(options_.log, kBusesNs, bad, each_bus); !st.ok()) return st;
  auto each_event = [&](const Record& /*rec*/, const json::object& o) REQUIRES(mu_) {
    auto e = event_from_record(o);
    if (!e) return false;
    auto it = buses_.find(e->bus);
    if (it == buses_.end()) return false;
    Bus& b = *it->second;
    b.next_seq = std::max(b.next_seq, e->seq + 1);
    b.log_bytes += stored_size(*e);
    b.log.push_back(std::move(*e));  // records come back in key order: seq order per bus
    return true;
  };
  if (auto st = load_json_objects(options_.log, kLogNs, bad, each_event); !st.ok()) return st;
  auto each_rule = [&](const Record& rec, const json::object& o) REQUIRES(mu_) {
    auto rule = rule_from_record(o);
    if (!rule || rule_key(rule->bus, rule->name) != rec.key || !buses_.contains(rule->bus))
      return false;
    rule->arn = rule_arn(rule->bus, rule->name);
    rules_[rec.key] = std::make_unique<Rule>(std::move(*rule));
    return true;
  };
  if (auto st = load_json_objects(options_.log, kRulesNs, bad, each_rule); !st.ok()) return st;
  for (auto& [key, rule] : rules_) arm(*rule);  // schedules count on from now
  if (!buses_.contains("default")) {
    auto b = std::make_unique<Bus>();
    b->name = "default";
    b->arn = bus_arn("default");
    b->created_ms = b->modified_ms = options_.clock.now_ms();
    options_.log.write({record_of(*b)}, nullptr);
    buses_["default"] = std::move(b);
  }
  if (damaged) *damaged = bad;
  return ok_status();
}

// Pure: no bus or log is read; the pattern is read and matched as a rule's would be.
api::Response Events::test_event_pattern(const Json& r) {
  bool wrong = false;
  auto pattern = string_member(r, "EventPattern", &wrong);
  auto event = string_member(r, "Event", &wrong);
  if (wrong) return validation_error("EventPattern and Event are strings.");
  if (!pattern) return constraint_error("eventPattern", "not be null");
  if (!event) return constraint_error("event", "not be null");
  const PatternTest t = events::test_event_pattern(*pattern, *event);
  if (!t.error_code.empty()) return api::ApiError{t.error_code, t.message};
  return Json{{"Result", t.result}};
}

}  // namespace stepwise::services::events
