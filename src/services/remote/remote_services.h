// RemoteServices: the pass-through endpoints of `stepwise serve` and `stepwise run` (issue 12
// item 8; docs/SERVICES.md "Pass-through endpoints"). For each service given an endpoint, the
// integrations the built-in service would register are registered here instead, over a
// Dispatcher that sends each call to the endpoint (real AWS, signed with SigV4, or any
// compatible server, such as another `stepwise serve`):
//
//   sqs             sqs:sendMessage, aws-sdk:sqs:*               AWS JSON 1.0 (AmazonSQS.*)
//   sns             sns:publish, aws-sdk:sns:*                   query protocol, XML answers
//   s3              aws-sdk:s3:*                                 REST-XML, path-style
//   dynamodb        dynamodb:getItem/putItem/updateItem/deleteItem,
//                   aws-sdk:dynamodb:*                           AWS JSON 1.0
//   secretsmanager  aws-sdk:secretsmanager:*                     AWS JSON 1.1
//   events          events:putEvents, aws-sdk:eventbridge:*      AWS JSON 1.1 (AWSEvents.*)
//
// The runners are the built-in services' own (sqs::SendMessageRunner, sns::PublishRunner,
// events::PutEventsRunner, dynamodb::OptimizedRunner and DynamoDbSdkRunner, s3::S3SdkRunner,
// common's SdkRunner): only the Dispatcher under them changes, so results and error names
// (SQS.QueueDoesNotExistException, DynamoDB.ConditionalCheckFailedException, ...) are the same.
//
// Why a folder of its own (services/remote) and not inside each service: the outbound client
// (signing, credentials, transport) is shared by all six, and the services stay free of HTTP.
//
// Thread-safety: open/add_integrations before serving; routes, url_of and reload from any
// thread (the endpoints and credentials are swapped under the Dispatchers' and client's
// locks); stop() once, before the owner goes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/result.h"
#include "services/remote/aws_client.h"
#include "services/remote/credentials.h"
#include "tasks/integrations.h"

namespace stepwise::services::remote {

struct EndpointSetting {
  std::string service;  // one of service_names()
  std::string url;      // http(s)://host[:port], or "aws" (the service's regional AWS endpoint)
  std::string region;   // empty: RemoteServicesOptions::region
};

struct RemoteServicesOptions {
  Clock& clock;  // the real time: it dates signatures
  Credentials credentials;
  std::string region = "us-east-1";
  std::vector<EndpointSetting> endpoints;
  std::uint64_t id_seed = 0;  // 0: unpredictable request ids
};

class RemoteServices {
 public:
  // Errors (Usage): an unknown service, a service named twice, a malformed URL.
  static Result<std::unique_ptr<RemoteServices>> open(RemoteServicesOptions options);
  ~RemoteServices();

  Status add_integrations(tasks::IntegrationRegistry& registry);
  // The Dispatcher of a service that has an endpoint ("sqs"), or null.
  api::Dispatcher* find(std::string_view service);
  // The services with an endpoint, and where each goes now ("sqs → http://...").
  std::vector<std::pair<std::string, std::string>> routes() const;
  // Where `service`'s calls go now; empty when it has no endpoint.
  std::string url_of(std::string_view service) const;
  // SIGHUP: new credentials and endpoints (URL, region) for the services routed at start; calls
  // in flight finish where they went. Refused, and nothing changes, when a URL is malformed or
  // the set of routed services differs: whether a service runs built in is decided at start.
  // Errors: Usage.
  Status reload(const Credentials& credentials, const std::string& region,
                const std::vector<EndpointSetting>& endpoints);
  bool signs() const { return client_->signs(); }
  // Ends the calls in flight (they fail with ServiceUnavailable) and waits until their answers
  // were handed on; later calls fail at once. The runners stay (a registry may still hold them).
  void stop();

 private:
  struct Service;
  RemoteServices() = default;
  std::unique_ptr<AwsClient> client_;
  std::vector<std::unique_ptr<Service>> services_;
};

// The services that may have an endpoint, and the environment variable naming each
// ("sqs" → "SQS_ENDPOINT"), as Step Functions Local names them.
const std::vector<std::string>& service_names();
std::string endpoint_variable(std::string_view service);
// The integration names a service registers (see the table above).
const std::vector<std::string>& integration_names(std::string_view service);
// The service's regional AWS endpoint: "https://sqs.eu-west-1.amazonaws.com".
std::string aws_endpoint_url(std::string_view service, std::string_view region);

}  // namespace stepwise::services::remote
