// EventsService: the built-in EventBridge as a BuiltinService — its operations on the router
// (AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Operation>`, SigV4 name `events`) and its
// integrations:
//
//   events:putEvents[.waitForTaskToken]  optimized: a Detail that is not text is sent as its
//                                        JSON text; the state machine's and execution's ARNs
//                                        are added to each entry's Resources, as Step
//                                        Functions does; the result is
//                                        {"Entries": [{"EventId"}], "FailedEntryCount": 0}; an
//                                        answer with failed entries fails the task with
//                                        "EventBridge.FailedEntry" and the answer as cause
//   aws-sdk:eventbridge:<action>         every operation, as the SDK v2 calls it; errors
//                                        "EventBridge.<Code>Exception" (modelled) or
//                                        "EventBridge.EventBridgeException"; timestamps
//                                        as ISO-8601 text
//
// Thread-safety: as BuiltinService.
#pragma once

#include "services/common/builtin_service.h"
#include "services/common/sdk_adapter.h"
#include "services/common/sdk_runner.h"
#include "services/events/events.h"

namespace stepwise::services::events {

// events:putEvents (request-response and .waitForTaskToken).
class PutEventsRunner final : public tasks::TaskRunner {
 public:
  PutEventsRunner(api::Dispatcher& events, std::uint64_t id_seed)
      : events_(events), ids_(id_seed) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;

 private:
  api::Dispatcher& events_;
  IdGenerator ids_;
};

// The parameters events:putEvents sends for a task's: Details as text, the execution's ARNs
// in Resources.
json::value put_events_parameters(const tasks::TaskRequest& request);

class EventsService final : public BuiltinService {
 public:
  explicit EventsService(EventsOptions options);
  std::string_view name() const override { return "events"; }
  void add_routes(api::Router& router) override;
  Status add_integrations(tasks::IntegrationRegistry& registry) override;
  api::Dispatcher& operations() override { return events_; }
  void stop() override { events_.stop(); }
  Events& events() { return events_; }

 private:
  Events events_;
  PutEventsRunner put_;
  SdkAdapter sdk_adapter_;
  SdkRunner sdk_;
};

}  // namespace stepwise::services::events
