// Events' rule matching: the event log's subscriber that matches each durable event against its
// bus's enabled rules and hands each matching target's delivery to the Delivery.
#include <utility>

#include "services/events/events.h"
#include "services/events/events_delivery.h"
#include "services/events/events_rules.h"

namespace stepwise::services::events {

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
          const DeliveryContext context{
              .rule_arn = rule.arn,
              .rule_name = rule.name,
              .ingestion_time = std::string(event.get_object().at("time").get_string())};
          for (const auto& t : rule.targets) {
            auto body = target_input(t.input, event, context);
            if (!body) {
              ++not_delivered;  // AWS drops it: the transformed input is not JSON
              continue;
            }
            jobs.push_back(DeliveryJob{.rule_arn = rule.arn,
                                       .target = t,
                                       .body = std::move(*body),
                                       .event_id = e.id,
                                       .event_received_ms = e.received_ms});
          }
        }
      }
    }
    for (std::size_t i = 0; i < not_delivered; ++i) delivery_->count_not_delivered();
    for (auto& job : jobs) delivery_->enqueue(std::move(job));
  });
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
