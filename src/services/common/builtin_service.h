// BuiltinService: how a built-in AWS service (SQS; later SNS, DynamoDB, S3, ...) plugs into
// Stepwise. src/app makes each one over the shared clock, ids and RecordLog, then:
//
//   service.add_routes(router);                  // its protocols on the one port
//   service.add_integrations(registry);          // "sqs:sendMessage", "aws-sdk:sqs:*", ...
//   service.operations().dispatch(op, json, ..)  // in-process calls (conformance set-up)
//
// Every operation is implemented once, at the JSON level (the AWS JSON protocol's shapes, which
// the SDKs inside Step Functions use too); other protocols (query/XML) translate to and from it,
// and integrations call it in-process, never over HTTP.
//
// Thread-safety: add_routes/add_integrations before serving; operations() as api::Dispatcher
// (any thread); stop() once, from the owner, after the server stopped.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "api/router.h"
#include "base/arn.h"
#include "base/result.h"
#include "tasks/integrations.h"

namespace stepwise::services {

// Where the services say they are: ARNs and URLs.
struct Place {
  std::string region = "us-east-1";
  std::string account = "123456789012";
  // The base of URLs handed out in-process (no Host header to take them from), e.g.
  // "http://localhost:8083". HTTP requests use their own Host.
  std::string endpoint = "http://localhost:8083";
};

// The URL of the queue an SQS ARN names, on `endpoint` (a Place's, or a pass-through
// endpoint's): "arn:aws:sqs:<region>:<account>:<name>" → "<endpoint>/<account>/<name>", the
// form SQS hands out. What SNS and EventBridge send their deliveries to.
inline std::string queue_url(const arn::Parts& queue, std::string_view endpoint) {
  return std::string(endpoint) + "/" + std::string(queue.account) + "/" +
         std::string(queue.resource);
}

// The URL a routed service answers on now: a pass-through endpoint's, which a SIGHUP may change
// (RemoteServices::url_of). An empty function: the service is the built-in one, on the Place's
// endpoint.
using EndpointUrl = std::function<std::string()>;
inline std::string endpoint_or(const EndpointUrl& routed, const Place& place) {
  return routed ? routed() : place.endpoint;
}

class BuiltinService {
 public:
  virtual ~BuiltinService() = default;
  virtual std::string_view name() const = 0;
  virtual void add_routes(api::Router& router) = 0;
  virtual Status add_integrations(tasks::IntegrationRegistry& registry) = 0;
  virtual api::Dispatcher& operations() = 0;
  virtual void stop() {}
};

}  // namespace stepwise::services
