#include "services/events/events_service.h"

#include <utility>

namespace stepwise::services::events {

json::value put_events_parameters(const tasks::TaskRequest& request) {
  json::object params =
      request.parameters.is_object() ? request.parameters.get_object() : json::object();
  auto* entries = params.if_contains("Entries");
  if (entries == nullptr || !entries->is_array()) return params;
  for (auto& entry : entries->get_array()) {
    auto* o = entry.if_object();
    if (o == nullptr) continue;
    if (auto* d = o->if_contains("Detail"); d && !d->is_string() && !d->is_null())
      *d = json::dump(*d);
    json::array resources;
    if (auto* r = o->if_contains("Resources"); r && r->is_array()) resources = r->get_array();
    for (const auto* arn : {&request.state_machine_arn, &request.execution_arn})
      if (!arn->empty()) resources.push_back(json::value(*arn));
    if (!resources.empty()) (*o)["Resources"] = std::move(resources);
  }
  return params;
}

void PutEventsRunner::start(const tasks::TaskRequest& request, EventLoop& loop,
                            tasks::TaskDone done) {
  std::string rid = ids_.uuid_v4();
  auto gone = std::make_shared<std::atomic<bool>>(false);
  call_operation(
      events_, "PutEvents", put_events_parameters(request), rid, loop, gone,
      [rid, done = std::move(done)](api::Response r) {
        if (r.is_error()) {
          const auto& type = r.error().type;
          const bool modelled = type == "InternalException";
          done(optimized_failure("EventBridge", "AmazonEventBridge",
                                 modelled ? std::string_view(type) : std::string_view(),
                                 "AmazonEventBridgeException", r.error(), rid));
          return;
        }
        json::object out = take_object(r);
        const auto* failed = out.if_contains("FailedEntryCount");
        if (failed && json::is_number(*failed) && json::as_double(*failed) > 0) {
          // Step Functions fails the task, the answer (in AWS's member order) as cause.
          json::value count = *failed, entries = out["Entries"];
          json::object cause;
          cause["Entries"] = std::move(entries);
          cause["FailedEntryCount"] = std::move(count);
          done(tasks::TaskOutcome::failure("EventBridge.FailedEntry", json::dump(cause)));
          return;
        }
        json::object result;
        result["Entries"] = std::move(out["Entries"]);
        result["FailedEntryCount"] = 0;
        done(tasks::TaskOutcome::success(std::move(result)));
      });
}

EventsService::EventsService(EventsOptions options)
    : events_(options),
      put_(events_, options.id_seed ? options.id_seed + 1 : 0),
      sdk_adapter_(events_, Events::modelled_errors(), "EventBridgeException",
                   {"CreationTime", "LastModifiedTime"}),
      sdk_(sdk_adapter_, "eventbridge", "EventBridge", options.id_seed ? options.id_seed + 2 : 0,
           /*any_loop=*/true) {}

void EventsService::add_routes(api::Router& router) {
  router.add_json_service("AWSEvents.", "events", events_, {.version = api::JsonVersion::v1_1});
}

Status EventsService::add_integrations(tasks::IntegrationRegistry& registry) {
  if (auto s = registry.add("events:putEvents", &put_); !s) return s;
  return registry.add("aws-sdk:eventbridge:*", &sdk_);
}

}  // namespace stepwise::services::events
