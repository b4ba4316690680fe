#include "services/sqs/sqs_service.h"

#include <utility>

#include "api/query_protocol.h"
#include "services/sqs/sqs_query.h"

namespace stepwise::services::sqs {
namespace {

// The path of a query request sent to a queue's URL ("/<account>/<name>"), which older
// clients use as the queue when the form has no QueueUrl.
std::string path_of(const api::HttpRequest& http) {
  std::string_view target(http.target().data(), http.target().size());
  return std::string(target.substr(0, target.find('?')));
}

// Operations whose answer has members: their (possibly empty) <{Action}Result> element must be
// there, or botocore's query parser fails (an empty ReceiveMessage answer, say).
bool has_result(std::string_view action) {
  static constexpr std::string_view without[] = {
      "DeleteQueue",   "SetQueueAttributes",     "PurgeQueue", "TagQueue", "UntagQueue",
      "DeleteMessage", "ChangeMessageVisibility"};
  for (auto a : without)
    if (a == action) return false;
  return true;
}

std::string envelope(const std::string& action, const std::string& result,
                     const std::string& request_id) {
  std::string body = api::query_response_body(action, query_xmlns, result, request_id);
  if (result.empty() && has_result(action)) {
    auto open_end = body.find('>');
    if (open_end != std::string::npos) body.insert(open_end + 1, "<" + action + "Result/>");
  }
  return body;
}

}  // namespace

std::string_view optimized_exception(std::string_view type) {
  // The exceptions the AWS SDK for Java v1 models for SQS; others are AmazonSQSException.
  static constexpr std::pair<std::string_view, std::string_view> known[] = {
      {"QueueDoesNotExist", "QueueDoesNotExistException"},
      {"InvalidMessageContents", "InvalidMessageContentsException"},
      {"UnsupportedOperation", "UnsupportedOperationException"},
      {"OverLimit", "OverLimitException"},
      {"QueueDeletedRecently", "QueueDeletedRecentlyException"},
      {"QueueNameExists", "QueueNameExistsException"},
      {"ReceiptHandleIsInvalid", "ReceiptHandleIsInvalidException"},
      {"MessageNotInflight", "MessageNotInflightException"},
      {"PurgeQueueInProgress", "PurgeQueueInProgressException"},
      {"InvalidAttributeName", "InvalidAttributeNameException"},
      {"TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequestException"},
      {"EmptyBatchRequest", "EmptyBatchRequestException"},
      {"BatchEntryIdsNotDistinct", "BatchEntryIdsNotDistinctException"},
      {"InvalidBatchEntryId", "InvalidBatchEntryIdException"},
      {"BatchRequestTooLong", "BatchRequestTooLongException"},
  };
  for (const auto& [t, e] : known)
    if (t == type) return e;
  return "";
}

void SendMessageRunner::start(const tasks::TaskRequest& request, EventLoop& loop,
                              tasks::TaskDone done) {
  json::object params =
      request.parameters.is_object() ? request.parameters.get_object() : json::object();
  // Step Functions sends a MessageBody that is not text as its JSON text.
  if (auto* body = params.if_contains("MessageBody"); body && !body->is_string())
    *body = json::dump(*body);
  std::string rid = ids_.uuid_v4();
  auto gone = std::make_shared<std::atomic<bool>>(false);
  call_operation(sqs_, "SendMessage", json::value(std::move(params)), rid, loop, gone,
                 [rid, &loop, done = std::move(done)](api::Response r) {
                   if (r.is_error()) {
                     done(optimized_failure("SQS", "AmazonSQS", optimized_exception(r.error().type),
                                            "AmazonSQSException", r.error(), rid));
                     return;
                   }
                   json::object out = take_object(r);
                   const std::size_t length = json::dumped_size(out);
                   move_members(out, sdk_http_metadata(length, rid, loop.clock().now_ms()));
                   done(tasks::TaskOutcome::success(std::move(out)));
                 });
}

SqsService::SqsService(SqsOptions options)
    : sqs_(options),
      send_(sqs_, options.id_seed ? options.id_seed + 1 : 0, /*any_loop=*/true),
      sdk_(sqs_, "sqs", "Sqs", options.id_seed ? options.id_seed + 2 : 0, /*any_loop=*/true) {}

void SqsService::add_routes(api::Router& router) {
  router.add_json_service("AmazonSQS.", "sqs", sqs_, {.query_compatible = true});
  api::QueryHandler handler = [this](api::QueryRequest& q, const api::RequestInfo& info,
                                     api::RawReply reply) {
    FormRequest decoded = form_to_json(q.action, q.form);
    if (decoded.error) return reply(*decoded.error);
    if (!decoded.request.contains("QueueUrl")) {
      std::string path = path_of(q.http);
      if (path.size() > 1) decoded.request["QueueUrl"] = path;
    }
    std::string action(q.action);
    std::string rid = info.request_id;
    sqs_.dispatch(action, json::value(std::move(decoded.request)), info,
                  [action, rid, reply = std::move(reply)](api::Response r) {
                    if (r.is_error()) return reply(r.error());
                    const json::object empty;
                    const json::object& body = r.body().is_object() ? r.body().get_object() : empty;
                    api::RawAnswer answer;
                    answer.content_type = "text/xml";
                    answer.body = envelope(action, result_xml(action, body), rid);
                    reply(std::move(answer));
                  });
  };
  router.add_query_service("sqs", Sqs::operation_names(), std::move(handler),
                           {.xmlns = std::string(query_xmlns)});
}

Status SqsService::add_integrations(tasks::IntegrationRegistry& registry) {
  if (auto s = registry.add("sqs:sendMessage", &send_); !s) return s;
  return registry.add("aws-sdk:sqs:*", &sdk_);
}

}  // namespace stepwise::services::sqs
