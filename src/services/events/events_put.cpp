// Events' PutEvents and the entry checks and records it relies on.
#include <cstdio>

#include "json/clamp.h"
#include "services/common/json_request.h"
#include "services/events/events.h"
#include "services/events/events_internal.h"
#include "services/events/events_limits.h"

namespace stepwise::services::events {

std::string log_key(const std::string& bus, std::uint64_t seq) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(seq));
  return bus + "\n" + digits;
}

std::string event_record(const StoredEvent& e) {
  json::array res;
  for (const auto& r : e.resources) res.push_back(json::value(r));
  json::object o{{"bus", e.bus},
                 {"seq", e.seq},
                 {"id", e.id},
                 {"time", e.time_ms},
                 {"received", e.received_ms},
                 {"source", e.source},
                 {"detail_type", e.detail_type},
                 {"detail", e.detail},
                 {"resources", std::move(res)},
                 {"account", e.account},
                 {"region", e.region},
                 {"trace", e.trace_header}};
  return json::dump(o);
}

std::optional<StoredEvent> event_from_record(const json::object& o) {
  StoredEvent e;
  e.bus = string_member(o, "bus").value_or("");
  e.id = string_member(o, "id").value_or("");
  auto seq = int_member(o, "seq");
  if (e.bus.empty() || e.id.empty() || !seq || *seq <= 0) return std::nullopt;
  e.seq = static_cast<std::uint64_t>(*seq);
  e.time_ms = int_member(o, "time").value_or(0);
  e.received_ms = int_member(o, "received").value_or(0);
  e.source = string_member(o, "source").value_or("");
  e.detail_type = string_member(o, "detail_type").value_or("");
  e.detail = string_member(o, "detail").value_or("{}");
  e.account = string_member(o, "account").value_or("");
  e.region = string_member(o, "region").value_or("");
  e.trace_header = string_member(o, "trace").value_or("");
  if (const auto* r = o.if_contains("resources"); r && r->is_array())
    for (const auto& x : r->get_array())
      if (x.is_string()) e.resources.emplace_back(x.get_string());
  return e;
}

std::size_t stored_size(const StoredEvent& e) {
  std::size_t n = e.id.size() + e.source.size() + e.detail_type.size() + e.detail.size() +
                  e.trace_header.size() + 64;
  for (const auto& r : e.resources) n += r.size();
  return n;
}

bool valid_name(const std::string& name, std::size_t bytes_max) {
  bool ok = !name.empty() && name.size() <= bytes_max;
  for (char c : name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_');
  return ok;
}

namespace {
api::ApiError name_pattern_error(const std::string& name) {
  return validation_error("1 validation error detected: Value '" + name.substr(0, 300) +
                          "' at 'name' failed to satisfy constraint: Member must satisfy "
                          "regular expression pattern: [\\.\\-_A-Za-z0-9]+");
}
}  // namespace

std::optional<api::ApiError> check_bus_name(const std::string& name) {
  if (valid_name(name, events_limits::bus_name_bytes_max)) return std::nullopt;
  return name_pattern_error(name);
}

std::optional<api::ApiError> check_rule_name(const std::string& name) {
  if (valid_name(name, events_limits::rule_name_bytes_max)) return std::nullopt;
  return name_pattern_error(name);
}

Paging read_paging(const json::object& r) {
  Paging p;
  bool wrong = false;
  p.token = string_member(r, "NextToken", &wrong);
  auto limit = int_member(r, "Limit", &wrong);
  if (wrong) {
    p.error = validation_error("NextToken must be a string, Limit an integer.");
  } else if (limit && (*limit < 1 || *limit > events_limits::page_size_max)) {
    p.error = constraint_error("limit", "have value between 1 and 100");
  }
  p.size = static_cast<std::size_t>(limit.value_or(events_limits::page_size_max));
  return p;
}

namespace {

EntryCheck failed(std::string code, std::string message) {
  EntryCheck c;
  c.error_code = std::move(code);
  c.error_message = std::move(message);
  return c;
}

EntryCheck invalid_argument(std::string_view member, std::string_view reason) {
  return failed("InvalidArgument", "Parameter " + std::string(member) +
                                       " is not valid. Reason: " + std::string(reason));
}

}  // namespace

EntryCheck check_entry(const json::object& entry, Millis now) {
  StoredEvent e;
  e.received_ms = e.time_ms = now;
  bool wrong = false;
  auto source = string_member(entry, "Source", &wrong);
  auto detail_type = string_member(entry, "DetailType", &wrong);
  auto detail = string_member(entry, "Detail", &wrong);
  auto bus = string_member(entry, "EventBusName", &wrong);
  auto trace = string_member(entry, "TraceHeader", &wrong);
  if (wrong) return failed("InvalidArgument", "Entry members must be strings.");
  if (!source || source->empty())
    return invalid_argument("Source", "Source is a required argument.");
  if (!detail_type || detail_type->empty())
    return invalid_argument("DetailType", "DetailType is a required argument.");
  if (!detail || detail->empty())
    return invalid_argument("Detail", "Detail is a required argument.");
  auto parsed = json::parse(*detail);
  if (!parsed.ok() || !parsed->is_object())
    return failed("MalformedDetail", "Detail is malformed.");
  if (source->starts_with("aws."))
    return failed("NotAuthorizedForSourceException", "Not authorized for the source.");
  EntryCheck c;
  c.size = source->size() + detail_type->size() + detail->size();
  if (const auto* t = entry.if_contains("Time"); t && !t->is_null()) {
    Millis ms = 0;
    if (json::is_number(*t)) {
      const double secs = json::as_double(*t);
      if (!(secs >= events_limits::time_seconds_min && secs <= events_limits::time_seconds_max))
        return invalid_argument("Time", "Time must be a timestamp.");
      ms = json::clamp_to_int64(secs * 1000.0);
    } else if (!t->is_string() || !parse_rfc3339(std::string(t->get_string()), &ms)) {
      return invalid_argument("Time", "Time must be a timestamp.");
    }
    e.time_ms = ms;
    c.size += 14;
  }
  if (const auto* r = entry.if_contains("Resources"); r && !r->is_null()) {
    if (!r->is_array() || r->get_array().size() > events_limits::resources_per_entry_max)
      return invalid_argument("Resources", "Resources must be a list of at most 100 ARNs.");
    for (const auto& x : r->get_array()) {
      if (!x.is_string()) return invalid_argument("Resources", "Resources must be strings.");
      e.resources.emplace_back(x.get_string());
      c.size += x.get_string().size();
    }
  }
  e.source = std::move(*source);
  e.detail_type = std::move(*detail_type);
  e.detail = std::move(*detail);
  e.trace_header = trace.value_or("");
  c.bus = bus.value_or("default");
  c.event = std::move(e);
  return c;
}

void Events::put_events(const Json& r, api::Reply reply) {
  const auto* entries = r.if_contains("Entries");
  if (entries == nullptr || entries->is_null())
    return reply(constraint_error("entries", "not be null"));
  if (!entries->is_array())
    return reply(api::ApiError{"SerializationException", "Entries must be a list."});
  const auto& list = entries->get_array();
  if (list.empty())
    return reply(constraint_error("entries", "have length greater than or equal to 1"));
  if (list.size() > events_limits::entries_max)
    return reply(constraint_error("entries", "have length less than or equal to 10"));
  const Millis now = options_.clock.now_ms();
  std::vector<EntryCheck> checks;
  std::size_t total = 0;
  for (const auto& item : list) {
    if (!item.is_object())
      return reply(api::ApiError{"SerializationException", "An entry must be an object."});
    checks.push_back(check_entry(item.get_object(), now));
    total += checks.back().size;
  }
  if (total > events_limits::entries_bytes_max)
    return reply(validation_error("Total size of the entries in the request is over the limit."));
  // write_mu_ keeps batches reaching the RecordLog (and so the subscribers) in seq order,
  // while mu_ is free again before the write: a synchronous RecordLog answers (and publishes)
  // inside write(), and subscribers may read the log.
  base::MutexLock order(write_mu_);
  base::MutexLock lock(mu_);
  json::array answers;
  std::int64_t failures = 0;
  std::vector<StoredEvent> accepted;
  std::vector<Mutation> batch;
  for (auto& c : checks) {
    Bus* b = c.event ? find_bus(c.bus) : nullptr;
    if (c.event && b == nullptr) {
      c.error_code = "ResourceNotFoundException";
      c.error_message = "Event bus " + c.bus + " does not exist.";
    }
    if (b == nullptr) {
      ++failures;
      answers.push_back(
          json::object{{"ErrorCode", c.error_code}, {"ErrorMessage", c.error_message}});
      continue;
    }
    StoredEvent e = std::move(*c.event);
    e.bus = b->name;
    e.seq = b->next_seq++;
    e.id = ids_.uuid_v4();
    e.account = options_.place.account;
    e.region = options_.place.region;
    answers.push_back(json::object{{"EventId", e.id}});
    batch.push_back(Mutation{kLogNs, log_key(e.bus, e.seq), event_record(e)});
    b->log_bytes += stored_size(e);
    b->log.push_back(e);
    retain(*b, batch);
    accepted.push_back(std::move(e));
  }
  lock.unlock();
  json::object answer{{"FailedEntryCount", failures}, {"Entries", std::move(answers)}};
  if (batch.empty()) return reply(std::move(answer));
  auto shared = std::make_shared<json::object>(std::move(answer));
  options_.log.write(std::move(batch), [this, shared, accepted = std::move(accepted),
                                        reply = std::move(reply)](Status s) {
    if (!s.ok()) {
      reply(api::ApiError{"InternalException",
                          "The write could not be made durable: " + s.error().cause, 500});
      return;
    }
    publish(accepted);
    reply(std::move(*shared));
  });
}

}  // namespace stepwise::services::events
