// Events: the built-in Amazon EventBridge — event buses (the account's `default` bus always
// exists; Create/Describe/List/DeleteEventBus), PutEvents, which validates each entry as AWS
// does (Source, DetailType and Detail required, Detail a JSON object, 10 entries, 256 KiB) and
// appends the accepted events to their bus's durable event log, TestEventPattern (an event
// pattern, event_pattern.h, against an event), and rules with targets (PutRule, DescribeRule,
// ListRules, DeleteRule, EnableRule, DisableRule, PutTargets, RemoveTargets, ListTargetsByRule,
// ListRuleNamesByTarget: events_rules.cpp, events_targets.cpp), and tags on rules and buses
// (Tags on PutRule and CreateEventBus; TagResource, UntagResource, ListTagsForResource:
// events_tags.cpp). AWS JSON 1.1 shapes (`AWSEvents.<Operation>`).
//
// The event log: each bus numbers its events 1, 2, 3... (`seq`); read() returns them in order
// from any point of the retained window, and subscribe() registers a callback that receives
// every event once it is durable, in log order. Rule matching is such a subscriber: each event
// is matched against its bus's enabled rules, and each target of a matching rule gets the
// event (or its Input, InputPath or InputTransformer result) through the Delivery
// (events_delivery.h): SQS queues and SNS topics in process, state machines and local
// functions through hooks the server sets, and other event buses. Deliveries run on the Timers'
// thread, are retried by the target's RetryPolicy and end in its dead-letter queue; they are
// not durable (a restart loses those still pending), as docs/SERVICES.md says. A rule with a
// ScheduleExpression (events_schedule.h) fires on the Timers and hands AWS's scheduled event
// to its targets the same way.
//
// Durability: buses are records ("events.buses", key: name; their tags inside), events too
// ("events.log", key: bus "\n" 20-digit seq); PutEvents and the bus operations answer once
// their records are committed. The log keeps the newest events of each bus within events_limits'
// retained bounds.
//
// Threading: one mutex guards buses, logs and rules; another the subscribers. Subscribers run
// outside both (on the RecordLog's writer thread, or the caller's with MemoryRecordLog) and may
// read the log, but must not put events synchronously (hand that to another thread or loop).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/mutex.h"
#include "services/common/builtin_service.h"
#include "services/common/record_log.h"
#include "services/common/resource_tags.h"
#include "services/common/timers.h"

namespace stepwise::services::events {

// Calls a local function with an event (a Lambda target); answers ok or not.
using FunctionInvoker = std::function<void(const std::string& function_arn, json::value event,
                                           std::function<void(bool ok)> done)>;
// Starts an execution of a state machine with `input` (JSON text); answers ok, or the error as
// "<type>: <message>" (StartExecution's, e.g. "StateMachineDoesNotExist: ...").
using ExecutionStarter = std::function<void(const std::string& state_machine_arn, std::string input,
                                            std::function<void(bool ok, std::string error)> done)>;

struct EventsOptions {
  Clock& clock;
  RecordLog& log;
  Place place = {};
  std::uint64_t id_seed = 0;  // 0: unpredictable event ids
  // Where deliveries to targets run (first attempts and retries). Null: no deliveries (rules
  // and targets are still kept).
  Timers* timers = nullptr;
  // Where SQS and SNS targets are sent: the built-in services, or a pass-through endpoint's
  // Dispatcher when that service is routed (then sqs_url is the endpoint's URL, the queue URLs'
  // base); null: those targets fail.
  api::Dispatcher* sqs = nullptr;
  api::Dispatcher* sns = nullptr;
  EndpointUrl sqs_url = {};  // empty: place.endpoint (the built-in SQS)
};

// Counters of target deliveries (tests, metrics).
struct DeliveryStats {
  std::uint64_t delivered = 0;      // attempts that succeeded
  std::uint64_t retried = 0;        // failed attempts with a retry scheduled
  std::uint64_t failed = 0;         // deliveries given up (retries spent, or not retryable)
  std::uint64_t dead_lettered = 0;  // given-up deliveries sent to their dead-letter queue
  std::uint64_t dropped = 0;        // over deliveries_pending_max, or after stop()
  std::uint64_t not_delivered = 0;  // the target input said not to deliver
};

class Delivery;
struct Rule;

// One accepted event, as stored.
struct StoredEvent {
  std::string bus;         // the bus's name
  std::uint64_t seq = 0;   // its place in the bus's log (1, 2, ...)
  std::string id;          // the EventId PutEvents answered
  Millis time_ms = 0;      // the entry's Time, or when it was put
  Millis received_ms = 0;  // when it was put
  std::string source;
  std::string detail_type;
  std::string detail;  // the JSON object's text, as given
  std::vector<std::string> resources;
  std::string account;
  std::string region;
  std::string trace_header;

  // The event as EventBridge delivers it to targets: {"version": "0", "id", "detail-type",
  // "source", "account", "time", "region", "resources", "detail"}.
  json::object to_json() const;
};

class Events final : public api::Dispatcher {
 public:
  using Subscriber = std::function<void(const std::vector<StoredEvent>&)>;

  explicit Events(EventsOptions options);
  ~Events() override;

  // Reads the records back (before serving) and makes the default bus if it is not there.
  // Errors: the RecordLog's; damaged records are skipped and counted in `damaged`.
  Status load(std::size_t* damaged = nullptr);

  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override;

  static const std::vector<std::string>& operation_names();
  // The error types the AWS SDKs model for EventBridge (others are EventBridgeException to an
  // aws-sdk:eventbridge integration).
  static const std::vector<std::string>& modelled_errors();

  // ---- the event log ----
  // Up to `max` events of `bus` with seq > after_seq, in order (the retained window only).
  std::vector<StoredEvent> read(const std::string& bus, std::uint64_t after_seq,
                                std::size_t max) const;
  // The seq of the bus's newest event (0: none, or no such bus).
  std::uint64_t last_seq(const std::string& bus) const;
  // Every event accepted from now on reaches `subscriber` once durable, in each bus's log
  // order, one call per PutEvents batch. Returns an id for unsubscribe(); 0 when
  // events_limits::subscribers_max are registered already.
  std::uint64_t subscribe(Subscriber subscriber);
  void unsubscribe(std::uint64_t id);

  // ---- delivery ----
  // Replace the hooks Lambda and Step Functions targets are delivered through (null: those
  // deliveries fail), e.g. once the engine exists, and again (null) before it goes.
  void set_function_invoker(FunctionInvoker invoke);
  void set_execution_starter(ExecutionStarter start);
  // Cancels pending retries; later deliveries are dropped.
  void stop();
  DeliveryStats delivery_stats() const;

 private:
  using Json = json::object;
  struct Bus {
    std::string name;
    std::string arn;
    std::string description;
    Millis created_ms = 0;
    Millis modified_ms = 0;
    std::uint64_t next_seq = 1;
    std::deque<StoredEvent> log;  // the retained window, oldest first
    std::size_t log_bytes = 0;
    TagList tags;
  };

  void persist(std::vector<Mutation> batch, api::Response answer, api::Reply reply);
  Mutation record_of(const Bus& b) const REQUIRES(mu_);
  std::string bus_arn(const std::string& name) const;
  // A bus by name or ARN; null when there is none.
  Bus* find_bus(const std::string& name_or_arn) REQUIRES(mu_);
  void retain(Bus& b, std::vector<Mutation>& batch) REQUIRES(mu_);

  void create_event_bus(const Json& r, api::Reply reply);
  api::Response describe_event_bus(const Json& r);
  api::Response list_event_buses(const Json& r);
  void delete_event_bus(const Json& r, api::Reply reply);
  void put_events(const Json& r, api::Reply reply);  // events_put.cpp
  api::Response test_event_pattern(const Json& r);
  void publish(const std::vector<StoredEvent>& events);

  // Rules (events_rules.cpp) and targets (events_targets.cpp).
  std::string rule_arn(const std::string& bus, const std::string& name) const;
  // The bus a rule request names (EventBusName, "default" when none), or the error.
  Bus* rule_bus(const Json& r, api::ApiError* error) REQUIRES(mu_);
  Rule* find_rule(const std::string& bus, const std::string& name) REQUIRES(mu_);
  // The rule `name` on the request's bus, or null and ResourceNotFoundException in `error`.
  Rule* named_rule(const Json& r, const std::string& name, api::ApiError* error) REQUIRES(mu_);
  Mutation record_of(const Rule& rule) const;
  void put_rule(const Json& r, api::Reply reply);
  api::Response describe_rule(const Json& r);
  api::Response list_rules(const Json& r);
  void delete_rule(const Json& r, api::Reply reply);
  void set_rule_state(const Json& r, const char* state, api::Reply reply);
  void put_targets(const Json& r, api::Reply reply);
  void remove_targets(const Json& r, api::Reply reply);
  api::Response list_targets_by_rule(const Json& r);
  // A page of the request's bus's rules, in name order, as `member`: each rule item_of
  // answers for (nullopt: left out).
  using RuleItem = std::function<std::optional<json::value>(const Rule&)>;
  api::Response list_rules_where(const Json& r, const char* member, const RuleItem& item_of);
  api::Response list_rule_names_by_target(const Json& r);
  // Tags (events_tags.cpp): the rule or the bus an ARN names (one of them), or neither and
  // AWS's error in `error`.
  struct Tagged {
    Bus* bus = nullptr;
    Rule* rule = nullptr;
  };
  Tagged tagged(const std::string& arn, api::ApiError* error) REQUIRES(mu_);
  void tag_resource(const Json& r, api::Reply reply);
  void untag_resource(const Json& r, api::Reply reply);
  api::Response list_tags_for_resource(const Json& r);
  // Matching (the event log's subscriber): each event against its bus's enabled rules, each
  // matching target's delivery handed to delivery_.
  void route(const std::vector<StoredEvent>& events);
  // Schedules (events_route.cpp): (re)arms the rule's next firing (none when it has no
  // schedule or is disabled); a firing delivers AWS's "Scheduled Event" to the rule's targets.
  void arm(Rule& rule) REQUIRES(mu_);
  void fire(const std::string& key, std::uint64_t armed) EXCLUDES(mu_);

  EventsOptions options_;
  base::Mutex write_mu_;  // held from seq assignment to RecordLog::write (PutEvents)
  mutable base::Mutex mu_;
  IdGenerator ids_ GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Bus>> buses_ GUARDED_BY(mu_);   // by name
  std::map<std::string, std::unique_ptr<Rule>> rules_ GUARDED_BY(mu_);  // by rule_key
  std::unique_ptr<Delivery> delivery_;
  base::Mutex subscribers_mu_;
  std::uint64_t next_subscriber_ GUARDED_BY(subscribers_mu_) = 1;
  std::map<std::uint64_t, std::shared_ptr<Subscriber>> subscribers_ GUARDED_BY(subscribers_mu_);
};

}  // namespace stepwise::services::events
