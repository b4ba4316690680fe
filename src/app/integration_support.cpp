// Unsupported integrations: a walk over the compiled machine's Task states, asking the registry.
#include "app/integration_support.h"

#include "app/builtin_services.h"

#include "asl/compile.h"
#include "base/arn.h"
#include "integrations/catalog.h"
#include "tasks/local_integrations.h"

namespace stepwise::app {
namespace {

void collect(const asl::StateMachine& machine, const tasks::IntegrationRegistry& registry,
             const std::set<std::string>& mocked, std::vector<UnsupportedTask>& out) {
  for (const asl::State& s : machine.states) {
    for (const auto& branch : s.branches) collect(*branch, registry, mocked, out);
    if (s.processor) collect(*s.processor, registry, mocked, out);
    if (s.type != asl::StateType::kTask || mocked.count(s.name) > 0) continue;
    tasks::TaskRequest probe;
    probe.resource = s.resource;
    probe.integration = s.integration;
    if (registry.runner_for(probe) != nullptr) continue;
    std::string name(s.integration.name());
    if (s.integration.aws_sdk()) {
      // "aws-sdk:*" says nothing: name the service and action as written.
      auto at = s.resource.find("aws-sdk:");
      name = at == std::string::npos ? s.resource : s.resource.substr(at);
    } else {
      name += integrations::pattern_suffix(s.integration.pattern);
    }
    out.push_back(UnsupportedTask{s.name, s.resource, std::move(name)});
  }
}

}  // namespace

std::vector<UnsupportedTask> unsupported_tasks(const asl::StateMachine& machine,
                                               const tasks::IntegrationRegistry& registry,
                                               const std::set<std::string>& mocked) {
  std::vector<UnsupportedTask> out;
  collect(machine, registry, mocked, out);
  return out;
}

std::string supported_integrations(const tasks::IntegrationRegistry& registry) {
  std::string out;
  for (const auto& entry : integrations::catalog()) {
    if (entry.name == "aws-sdk:*" || registry.runner_named(entry.name) == nullptr) continue;
    if (!out.empty()) out += ", ";
    out += std::string(entry.name);
  }
  // aws-sdk services are registered one by one ("aws-sdk:sfn:*"); probe the ones Stepwise has.
  for (const char* service :
       {"sfn", "sqs", "sns", "dynamodb", "s3", "secretsmanager", "eventbridge"}) {
    tasks::TaskRequest probe;
    probe.resource = arn::states_integration(std::string("aws-sdk:") + service + ":probe");
    if (registry.runner_for(probe) == nullptr) continue;
    out += std::string(out.empty() ? "" : ", ") + "aws-sdk:" + service + ":*";
  }
  return out.empty() ? "none" : out;
}

std::string unsupported_message(const std::vector<UnsupportedTask>& tasks,
                                const tasks::IntegrationRegistry& registry,
                                const std::string& command) {
  std::string out = "UnsupportedIntegration: " + command + " cannot run ";
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (i > 0) out += "; ";
    out +=
        "state '" + tasks[i].state + "' (" + tasks[i].integration + ", " + tasks[i].resource + ")";
  }
  out += ". Supported integrations: " + supported_integrations(registry) +
         ". A mock config (--mock-config) can answer the other states.";
  return out;
}

void UnsupportedIntegrationGuard::dispatch(std::string_view operation, json::value request,
                                           const api::RequestInfo& info, api::Reply reply) {
  const json::value* definition = nullptr;
  if ((operation == "CreateStateMachine" || operation == "UpdateStateMachine") &&
      request.is_object())
    definition = request.get_object().if_contains("definition");
  if (definition != nullptr && definition->is_string()) {
    auto machine = asl::compile_text(definition->get_string());
    if (machine) {
      auto unsupported = unsupported_tasks(**machine, registry_);
      if (!unsupported.empty()) {
        const std::string why = unsupported_message(unsupported, registry_, "Stepwise");
        reply(
            api::ApiError{"InvalidDefinition", "Invalid State Machine Definition: '" + why + "'"});
        return;
      }
    }
  }
  next_.dispatch(operation, std::move(request), info, std::move(reply));
}

Status register_server_integrations(tasks::IntegrationRegistry& registry,
                                    tasks::TaskRunner* placeholder) {
  auto local = tasks::register_local_integrations(
      registry, {.functions = placeholder, .http = placeholder, .jobs = placeholder});
  if (!local) return local;
  // What sfn::Service registers itself (service.cpp).
  for (const char* name : {"activity", "states:startExecution", "aws-sdk:sfn:*"}) {
    if (auto s = registry.add(name, placeholder); !s) return s;
  }
  // And what the built-in services register (builtin_services.h), all of them.
  for (const auto& service : builtin_service_names()) {
    for (const auto& name : builtin_integration_names(service)) {
      if (auto s = registry.add(name, placeholder); !s) return s;
    }
  }
  return ok_status();
}

}  // namespace stepwise::app
