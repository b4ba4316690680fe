#include "services/sqs/sqs_service.h"

#include <cctype>
#include <string_view>
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

// The host of a QueueUrl that names no queue (no "/<account>/<name>" path) when that host is
// a single DNS label other than localhost ("http://no-such-queue-1"). Step Functions' SDK
// sends the call to the URL's host, and such a name never resolves in AWS, so the call fails
// before it reaches SQS. A URL with a queue path keeps reaching the built-in queues whatever
// its host (an emulator's docker host name, say). Empty for every other URL.
std::string unresolvable_host(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view path = rest.substr(host.size());
  path = path.substr(0, path.find_first_of("?#"));
  while (path.starts_with('/')) path.remove_prefix(1);
  if (!path.empty()) return "";
  host = host.substr(0, host.find(':'));
  if (host.empty() || host == "localhost" || host.find('.') != std::string_view::npos) return "";
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return "";
  return std::string(host);
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
  // Step Functions sends a MessageBody that is not text as its JSON text; a null one is left
  // out of the call, as the SDK leaves out a null member, and SQS answers MissingParameter.
  if (const auto* body = params.if_contains("MessageBody"); body && body->is_null())
    params.erase("MessageBody");
  else if (auto* text = params.if_contains("MessageBody"); text && !text->is_string())
    *text = json::dump(*text);
  if (const auto* url = params.if_contains("QueueUrl"); url && url->is_string()) {
    std::string host = unresolvable_host(url->get_string());
    if (!host.empty()) {
      // What the SDK for Java v1 raises when the host's name does not resolve (AWS's answer).
      done(tasks::TaskOutcome::failure(
          "SQS.SdkClientException",
          "Unable to execute HTTP request: " + host + ": Name or service not known"));
      return;
    }
  }
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
