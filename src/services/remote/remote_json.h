// A pass-through Dispatcher for the services that speak the AWS JSON protocol (1.0: SQS,
// DynamoDB; 1.1: Secrets Manager, EventBridge): the operation's JSON request goes as it is,
// POST / with X-Amz-Target "<prefix>.<Operation>", and the JSON answer comes back as the
// operation's result. An error answer becomes the ApiError the built-in service would give:
// `__type` without its namespace ("com.amazonaws.sqs#QueueDoesNotExist" → QueueDoesNotExist),
// `message` (or `Message`), the status, and for awsQueryCompatible services (SQS) the query code
// from x-amzn-query-error, which optimized integrations put in their causes.
//
// Thread-safety: dispatch() from any thread; the reply comes on a client pool thread.
#pragma once

#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "services/remote/aws_client.h"

namespace stepwise::services::remote {

struct JsonProtocol {
  std::string target_prefix;      // "AmazonSQS", "DynamoDB_20120810", "secretsmanager", "AWSEvents"
  std::string version;            // "1.0" or "1.1"
  bool query_compatible = false;  // sends x-amzn-query-mode and reads x-amzn-query-error
};

// The request an operation becomes.
OutboundRequest json_request(const JsonProtocol& protocol, std::string_view operation,
                             const json::value& request);
// What an answer means: the JSON body (an empty body is {}), or the error.
api::Response json_response(const tasks::HttpResponse& response);

class RemoteJsonDispatcher final : public RemoteDispatcher {
 public:
  RemoteJsonDispatcher(AwsClient& client, Endpoint endpoint, JsonProtocol protocol)
      : RemoteDispatcher(client, std::move(endpoint)), protocol_(std::move(protocol)) {}
  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override;

 private:
  const JsonProtocol protocol_;
};

}  // namespace stepwise::services::remote
