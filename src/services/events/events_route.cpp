// Events' rule matching: the event log's subscriber that matches each durable event against its
// bus's enabled rules and hands each matching target's delivery to the Delivery; and scheduled
// rules' firings, which hand AWS's "Scheduled Event" to their targets alike.
#include <utility>

#include "services/events/events.h"
#include "services/events/events_delivery.h"
#include "services/events/events_rules.h"

namespace stepwise::services::events {
namespace {

// The deliveries of `event` (`e` as delivered) to the rule's targets, each with what its
// input members make of the event; answers how many targets get nothing (AWS drops an input
// a transformer made that is not JSON).
std::size_t plan(const Rule& rule, const json::value& event, const StoredEvent& e,
                 std::vector<DeliveryJob>& jobs) {
  const DeliveryContext context{
      .rule_arn = rule.arn,
      .rule_name = rule.name,
      .ingestion_time = std::string(event.get_object().at("time").get_string())};
  std::size_t not_delivered = 0;
  for (const auto& t : rule.targets) {
    auto body = target_input(t.input, event, context);
    if (!body) {
      ++not_delivered;
      continue;
    }
    jobs.push_back(DeliveryJob{.rule_arn = rule.arn,
                               .target = t,
                               .body = std::move(*body),
                               .event_id = e.id,
                               .event_received_ms = e.received_ms});
  }
  return not_delivered;
}

}  // namespace

void Events::route(const std::vector<StoredEvent>& events) {
  // Called on the RecordLog's writer thread: the matching itself runs on the Timers' thread,
  // so the writer never waits for mu_ (a thread holding mu_ may be waiting for the writer to
  // drain its queue).
  delivery_->run_soon([this, events] {
    std::vector<DeliveryJob> jobs;
    std::size_t not_delivered = 0;
    {
      base::MutexLock lock(mu_);
      for (const auto& e : events) {
        const std::string prefix = e.bus + "\n";
        auto it = rules_.lower_bound(prefix);
        if (it == rules_.end() || !it->first.starts_with(prefix)) continue;
        const json::value event = e.to_json();
        const std::string text = json::dump(event);
        for (; it != rules_.end() && it->first.starts_with(prefix); ++it) {
          const Rule& rule = *it->second;
          if (rule.state == "DISABLED" || !rule.pattern || rule.targets.empty()) continue;
          if (!rule.pattern->matches(text)) continue;
          not_delivered += plan(rule, event, e, jobs);
        }
      }
    }
    for (std::size_t i = 0; i < not_delivered; ++i) delivery_->count_not_delivered();
    for (auto& job : jobs) delivery_->enqueue(std::move(job));
  });
}

void Events::arm(Rule& rule) {
  if (rule.timer != 0) delivery_->cancel(rule.timer);
  rule.timer = 0;
  ++rule.armed;
  if (!rule.schedule || rule.state == "DISABLED") return;
  const Millis now = options_.clock.now_ms();
  const auto next = rule.schedule->next(now, rule.schedule_anchor_ms);
  if (!next) return;  // a cron whose years are over
  rule.timer = delivery_->at(*next - now, [this, key = rule_key(rule.bus, rule.name),
                                           armed = rule.armed] { fire(key, armed); });
}

void Events::fire(const std::string& key, std::uint64_t armed) {
  std::vector<DeliveryJob> jobs;
  std::size_t not_delivered = 0;
  {
    base::MutexLock lock(mu_);
    auto it = rules_.find(key);
    if (it == rules_.end() || it->second->armed != armed) return;  // changed since armed
    Rule& rule = *it->second;
    // AWS's scheduled event: source aws.events, the rule's ARN as the one resource, no detail.
    StoredEvent e;
    e.bus = rule.bus;
    e.id = ids_.uuid_v4();
    e.time_ms = e.received_ms = options_.clock.now_ms();
    e.source = "aws.events";
    e.detail_type = "Scheduled Event";
    e.detail = "{}";
    e.resources = {rule.arn};
    e.account = options_.place.account;
    e.region = options_.place.region;
    const json::value event = e.to_json();
    not_delivered = plan(rule, event, e, jobs);
    rule.timer = 0;  // this firing's timer is spent
    arm(rule);
  }
  for (std::size_t i = 0; i < not_delivered; ++i) delivery_->count_not_delivered();
  for (auto& job : jobs) delivery_->enqueue(std::move(job));
}

void Events::set_function_invoker(FunctionInvoker invoke) {
  delivery_->set_function_invoker(std::move(invoke));
}

void Events::set_execution_starter(ExecutionStarter start) {
  delivery_->set_execution_starter(std::move(start));
}

void Events::stop() { delivery_->stop(); }

DeliveryStats Events::delivery_stats() const { return delivery_->stats(); }

}  // namespace stepwise::services::events
