#include "services/sns/sns_service.h"

#include <utility>

#include "api/query_protocol.h"
#include "services/sns/sns_query.h"

namespace stepwise::services::sns {

std::string_view optimized_exception(std::string_view code) {
  // The exceptions the AWS SDK for Java v1 models for SNS; others are AmazonSNSException.
  static constexpr std::pair<std::string_view, std::string_view> known[] = {
      {"NotFound", "NotFoundException"},
      {"InvalidParameter", "InvalidParameterException"},
      {"InvalidParameterValue", "InvalidParameterValueException"},
      {"AuthorizationError", "AuthorizationErrorException"},
      {"InternalError", "InternalErrorException"},
      {"TopicLimitExceeded", "TopicLimitExceededException"},
      {"SubscriptionLimitExceeded", "SubscriptionLimitExceededException"},
      {"FilterPolicyLimitExceeded", "FilterPolicyLimitExceededException"},
      {"ResourceNotFound", "ResourceNotFoundException"},
      {"TagLimitExceeded", "TagLimitExceededException"},
      {"EndpointDisabled", "EndpointDisabledException"},
      {"Throttled", "ThrottledException"},
      {"EmptyBatchRequest", "EmptyBatchRequestException"},
      {"TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequestException"},
      {"BatchEntryIdsNotDistinct", "BatchEntryIdsNotDistinctException"},
      {"InvalidBatchEntryId", "InvalidBatchEntryIdException"},
      {"BatchRequestTooLong", "BatchRequestTooLongException"},
  };
  for (const auto& [c, e] : known)
    if (c == code) return e;
  return "";
}

void PublishRunner::start(const tasks::TaskRequest& request, EventLoop& loop,
                          tasks::TaskDone done) {
  json::object params =
      request.parameters.is_object() ? request.parameters.get_object() : json::object();
  // Step Functions sends a Message that is not text as its JSON text.
  if (auto* m = params.if_contains("Message"); m && !m->is_string()) *m = json::dump(*m);
  std::string rid = ids_.uuid_v4();
  auto gone = std::make_shared<std::atomic<bool>>(false);
  call_operation(sns_, "Publish", json::value(std::move(params)), rid, loop, gone,
                 [rid, &loop, done = std::move(done)](api::Response r) {
                   if (r.is_error()) {
                     done(optimized_failure("SNS", "AmazonSNS", optimized_exception(r.error().type),
                                            "AmazonSNSException", r.error(), rid));
                     return;
                   }
                   json::object out = take_object(r);
                   // The SDK saw AWS's XML answer: its length is what the metadata reports.
                   const std::size_t length = response_xml("Publish", out, rid).size();
                   move_members(out,
                                sdk_http_metadata(length, rid, loop.clock().now_ms(), "text/xml"));
                   done(tasks::TaskOutcome::success(std::move(out)));
                 });
}

SnsService::SnsService(SnsServiceOptions options)
    : workers_(std::make_unique<ThreadDeliveryWorkers>(options.email_file)),
      sns_(std::make_unique<Sns>(SnsOptions{.clock = options.clock,
                                            .log = options.log,
                                            .timers = options.timers,
                                            .workers = *workers_,
                                            .place = options.place,
                                            .id_seed = options.id_seed,
                                            .sqs = options.sqs,
                                            .sqs_url = options.sqs_url,
                                            .invoke_function = options.invoke_function})),
      publish_(*sns_, options.id_seed ? options.id_seed + 1 : 0, /*any_loop=*/true),
      sdk_(*sns_, "sns", "Sns", options.id_seed ? options.id_seed + 2 : 0, /*any_loop=*/true) {}

SnsService::~SnsService() {
  stop();
  // The workers' queued jobs report back to the Sns: end them while it still exists.
  workers_.reset();
}

void SnsService::stop() {
  sns_->stop();
  if (workers_) workers_->stop();
}

void SnsService::add_routes(api::Router& router) {
  api::QueryHandler handler = [this](api::QueryRequest& q, const api::RequestInfo& info,
                                     api::RawReply reply) {
    FormRequest decoded = form_to_json(q.form);
    if (decoded.error) return reply(*decoded.error);
    std::string action(q.action);
    std::string rid = info.request_id;
    sns_->dispatch(action, json::value(std::move(decoded.request)), info,
                   [action, rid, reply = std::move(reply)](api::Response r) {
                     if (r.is_error()) return reply(r.error());
                     const json::object empty;
                     const json::object& body =
                         r.body().is_object() ? r.body().get_object() : empty;
                     api::RawAnswer answer;
                     answer.content_type = "text/xml";
                     answer.body = response_xml(action, body, rid);
                     reply(std::move(answer));
                   });
  };
  router.add_query_service("sns", Sns::operation_names(), std::move(handler),
                           {.xmlns = std::string(query_xmlns)});
}

Status SnsService::add_integrations(tasks::IntegrationRegistry& registry) {
  if (auto s = registry.add("sns:publish", &publish_); !s) return s;
  return registry.add("aws-sdk:sns:*", &sdk_);
}

}  // namespace stepwise::services::sns
