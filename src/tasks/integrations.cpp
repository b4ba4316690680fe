#include "tasks/integrations.h"

#include "integrations/resource.h"

namespace stepwise::tasks {
namespace {

constexpr std::string_view kSdkPrefix = "aws-sdk:";
constexpr std::string_view kSdkSuffix = ":*";

Status invalid(std::string cause) { return Error{"InvalidArgument", std::move(cause)}; }

}  // namespace

Integration integration_of(const TaskRequest& request) {
  return request.integration.resolved() ? request.integration
                                        : integrations::integration_of(request.resource);
}

IntegrationRegistry::IntegrationRegistry() : slots_(integrations::catalog().size()) {}

Status IntegrationRegistry::add(std::string_view name, TaskRunner* runner,
                                std::optional<Patterns> patterns) {
  if (runner == nullptr) return invalid("integration '" + std::string(name) + "': no runner");
  const bool sdk_service = name.starts_with(kSdkPrefix) && name.ends_with(kSdkSuffix) &&
                           name.size() > kSdkPrefix.size() + kSdkSuffix.size();
  const auto id =
      sdk_service ? std::optional(integrations::kAwsSdkId) : integrations::find_integration(name);
  if (!id || (*id == integrations::kAwsSdkId && !sdk_service))
    return invalid("integration '" + std::string(name) + "' is not in the catalog");
  const Patterns supported = integrations::catalog()[*id].patterns;
  const Patterns served = patterns.value_or(supported);
  for (auto p : {IntegrationPattern::kRequestResponse, IntegrationPattern::kSync,
                 IntegrationPattern::kSync2, IntegrationPattern::kWaitForTaskToken}) {
    if (served.has(p) && !supported.has(p)) {
      return invalid("integration '" + std::string(name) + "' does not support '" +
                     std::string(integrations::pattern_suffix(p)) + "'");
    }
  }
  if (sdk_service) {
    std::string service(
        name.substr(kSdkPrefix.size(), name.size() - kSdkPrefix.size() - kSdkSuffix.size()));
    for (const auto& [s, slot] : sdk_services_) {
      if (s == service) return invalid("integration '" + std::string(name) + "' added twice");
    }
    sdk_services_.emplace_back(std::move(service), Slot{runner, served});
    return ok_status();
  }
  Slot& slot = slots_[*id];
  if (slot.runner != nullptr) return invalid("integration '" + std::string(name) + "' added twice");
  slot = Slot{runner, served};
  return ok_status();
}

const IntegrationRegistry::Slot* IntegrationRegistry::slot_for(const TaskRequest& request,
                                                               Integration* integration) const {
  *integration = integration_of(request);
  if (!integration->resolved()) return nullptr;
  const Slot* slot = &slots_[integration->id];
  if (integration->aws_sdk()) {
    slot = nullptr;
    const std::string_view service = integrations::aws_sdk_service(request.resource);
    for (const auto& [s, candidate] : sdk_services_) {
      if (s == service) slot = &candidate;
    }
  }
  if (slot == nullptr || slot->runner == nullptr || !slot->patterns.has(integration->pattern))
    return nullptr;
  return slot;
}

TaskRunner* IntegrationRegistry::runner_for(const TaskRequest& request) const {
  Integration integration;
  const Slot* slot = slot_for(request, &integration);
  return slot != nullptr ? slot->runner : nullptr;
}

TaskRunner* IntegrationRegistry::runner_named(std::string_view name) const {
  const auto id = integrations::find_integration(name);
  return id && *id != integrations::kAwsSdkId ? slots_[*id].runner : nullptr;
}

void IntegrationRegistry::start(const TaskRequest& request, EventLoop& loop, TaskDone done) {
  Integration integration;
  if (const Slot* slot = slot_for(request, &integration)) {
    slot->runner->start(request, loop, std::move(done));
    return;
  }
  std::string cause =
      !integration.resolved()
          ? integrations::not_recognized_message(request.resource)
          : "The resource '" + request.resource +
                "' is not supported: no runner is configured "
                "for the integration '" +
                std::string(integration.name()) + "' with pattern '" +
                (integration.pattern == IntegrationPattern::kRequestResponse
                     ? std::string("request-response")
                     : std::string(integrations::pattern_suffix(integration.pattern))) +
                "'.";
  loop.post([done = std::move(done), cause = std::move(cause)] {
    done(TaskOutcome::failure("States.Runtime", cause));
  });
}

void IntegrationRegistry::cancel(const TaskRequest& request) {
  if (TaskRunner* runner = runner_for(request)) runner->cancel(request);
}

TaskRunner* IntegrationRegistry::any_loop_runner(const TaskRequest& request) {
  TaskRunner* runner = runner_for(request);
  return runner != nullptr ? runner->any_loop_runner(request) : nullptr;
}

bool IntegrationRegistry::redispatch_has_effects(const TaskRequest& request) const {
  const TaskRunner* runner = runner_for(request);
  return runner != nullptr && runner->redispatch_has_effects(request);
}

}  // namespace stepwise::tasks
