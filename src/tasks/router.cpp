#include "tasks/router.h"

#include <string>

#include "tasks/job_runner.h"
#include "tasks/lambda_arn.h"

namespace stepwise::tasks {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "arn:PARTITION:states:::" → the rest ("lambda:invoke", "aws-sdk:s3:getObject", ...).
bool integration_rest(std::string_view resource, std::string_view* rest) {
  if (!starts_with(resource, "arn:aws")) return false;
  auto colon = resource.find(':', 4);
  if (colon == std::string_view::npos) return false;
  std::string_view after = resource.substr(colon + 1);
  if (!starts_with(after, "states:::")) return false;
  *rest = after.substr(9);
  return true;
}

}  // namespace

ResourceKind resource_kind(std::string_view resource) {
  if (lambda_form(resource) != LambdaForm::none) return ResourceKind::lambda;
  std::string_view rest;
  if (integration_rest(resource, &rest)) {
    if (starts_with(rest, "states:startExecution")) return ResourceKind::nested_execution;
    if (rest == "http:invoke") return ResourceKind::http;
    if (is_job_resource(resource)) return ResourceKind::job;
    if (starts_with(rest, "aws-sdk:")) return ResourceKind::aws_sdk;
    if (rest.find(':') != std::string_view::npos) return ResourceKind::service;
    return ResourceKind::unknown;
  }
  // arn:PARTITION:states:REGION:ACCOUNT:activity:NAME
  if (starts_with(resource, "arn:aws") && resource.find(":states:") != std::string_view::npos &&
      resource.find(":activity:") != std::string_view::npos) {
    return ResourceKind::activity;
  }
  return ResourceKind::unknown;
}

const char* resource_kind_name(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::lambda: return "Lambda";
    case ResourceKind::activity: return "activity";
    case ResourceKind::nested_execution: return "nested execution";
    case ResourceKind::http: return "HTTP";
    case ResourceKind::job: return "job";
    case ResourceKind::aws_sdk: return "AWS SDK";
    case ResourceKind::service: return "service integration";
    case ResourceKind::unknown: return "unknown";
  }
  return "unknown";
}

void Router::route(ResourceKind kind, TaskRunner* runner) {
  runners_[static_cast<std::size_t>(kind)] = runner;
}

void Router::start(const TaskRequest& request, EventLoop& loop, TaskDone done) {
  ResourceKind kind = resource_kind(request.resource);
  if (TaskRunner* runner = runners_[static_cast<std::size_t>(kind)]) {
    runner->start(request, loop, std::move(done));
    return;
  }
  std::string cause =
      kind == ResourceKind::unknown
          ? "The resource provided " + request.resource +
                " is not recognized. The value is not a valid resource ARN, or the resource is "
                "not available in this region."
          : "The resource '" + request.resource + "' is not supported: no runner is configured "
                "for " + resource_kind_name(kind) + " tasks.";
  loop.post([done = std::move(done), cause = std::move(cause)] {
    done(TaskOutcome::failure("States.Runtime", cause));
  });
}

bool Router::redispatch_has_effects(const TaskRequest& request) const {
  const TaskRunner* runner = runners_[static_cast<std::size_t>(resource_kind(request.resource))];
  return runner != nullptr && runner->redispatch_has_effects(request);
}

void Router::cancel(const TaskRequest& request) {
  if (TaskRunner* runner = runners_[static_cast<std::size_t>(resource_kind(request.resource))])
    runner->cancel(request);
}

}  // namespace stepwise::tasks
