#include "services/dynamodb/dynamodb_service.h"

#include <array>
#include <cctype>

namespace stepwise::services::dynamodb {
namespace {

constexpr std::string_view kJsonType = "application/x-amz-json-1.0";

// What the Java SDK v1 inside Step Functions attaches to an optimized DynamoDB result (the
// recordings show these seven headers; "Server" is what DynamoDB sends as its Server header).
json::object dynamodb_metadata(const std::string& body, const std::string& rid, Millis now) {
  const std::string length = std::to_string(body.size());
  const std::string date = http_date(now);
  const std::string crc = std::to_string(crc32(body));
  const std::string type(kJsonType);
  json::object all{
      {"Server", json::array{"Server"}},       {"Connection", json::array{"keep-alive"}},
      {"x-amzn-RequestId", json::array{rid}},  {"x-amz-crc32", json::array{crc}},
      {"Content-Length", json::array{length}}, {"Date", json::array{date}},
      {"Content-Type", json::array{type}}};
  json::object headers{{"Connection", "keep-alive"}, {"Content-Length", length},
                       {"Content-Type", type},       {"Date", date},
                       {"Server", "Server"},         {"x-amz-crc32", crc},
                       {"x-amzn-RequestId", rid}};
  return json::object{{"SdkHttpMetadata", json::object{{"AllHttpHeaders", std::move(all)},
                                                       {"HttpHeaders", std::move(headers)},
                                                       {"HttpStatusCode", 200}}},
                      {"SdkResponseMetadata", json::object{{"RequestId", rid}}}};
}

// "arn:aws:states:::dynamodb:getItem" → "GetItem"; "" when not one of the four.
std::string optimized_operation(const std::string& resource) {
  constexpr std::string_view prefix = "dynamodb:";
  auto pos = resource.rfind(prefix);
  if (pos == std::string::npos) return "";
  std::string action = resource.substr(pos + prefix.size());
  for (const char* a : {"getItem", "putItem", "updateItem", "deleteItem"}) {
    if (action == a) {
      action[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(action[0])));
      return action;
    }
  }
  return "";
}

json::value params_of(const tasks::TaskRequest& request) {
  return request.parameters.is_object() ? request.parameters : json::value(json::object());
}

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string_view modelled_exception(std::string_view type) {
  static constexpr std::string_view known[] = {"ConditionalCheckFailedException",
                                               "ResourceNotFoundException",
                                               "ResourceInUseException",
                                               "ProvisionedThroughputExceededException",
                                               "ItemCollectionSizeLimitExceededException",
                                               "TransactionCanceledException",
                                               "TransactionConflictException",
                                               "TransactionInProgressException",
                                               "IdempotentParameterMismatchException",
                                               "LimitExceededException",
                                               "RequestLimitExceeded",
                                               "InternalServerError"};
  for (auto k : known)
    if (k == type) return k;
  return "";
}

void OptimizedRunner::start(const tasks::TaskRequest& request, EventLoop& loop,
                            tasks::TaskDone done) {
  const std::string op = optimized_operation(request.resource);
  if (op.empty()) {
    done(tasks::TaskOutcome::failure("States.Runtime",
                                     "The resource '" + request.resource + "' is not supported."));
    return;
  }
  std::string rid = ids_.uuid_v4();
  auto gone = std::make_shared<std::atomic<bool>>(false);
  call_operation(ddb_, op, params_of(request), rid, loop, gone,
                 [rid, &loop, done = std::move(done)](api::Response r) {
                   if (r.is_error()) {
                     std::string_view ex = modelled_exception(r.error().type);
                     std::string name(ex);
                     if (!name.empty() && !name.ends_with("Exception")) name += "Exception";
                     done(optimized_failure("DynamoDB", "AmazonDynamoDBv2", name,
                                            "AmazonDynamoDBException", r.error(), rid));
                     return;
                   }
                   json::object out = take_object(r);
                   const std::string body = json::dump(out);
                   move_members(out, dynamodb_metadata(body, rid, loop.clock().now_ms()));
                   done(tasks::TaskOutcome::success(std::move(out)));
                 });
}

void DynamoDbSdkRunner::start(const tasks::TaskRequest& request, EventLoop& loop,
                              tasks::TaskDone done) {
  const std::string op = sdk_operation(request.resource, "dynamodb");
  if (op.empty()) {
    done(tasks::TaskOutcome::failure("States.Runtime",
                                     "The resource '" + request.resource + "' is not supported."));
    return;
  }
  std::string key = call_key(request);
  auto gone = in_flight_.add(key);
  std::string rid = ids_.uuid_v4();
  call_operation(ddb_, op, params_of(request), rid, loop, gone,
                 [this, key = std::move(key), gone, rid, done = std::move(done)](api::Response r) {
                   in_flight_.finished(key, gone);
                   if (!r.is_error()) {
                     done(tasks::TaskOutcome::success(r.take_body()));
                     return;
                   }
                   const api::ApiError& e = r.error();
                   std::string name(modelled_exception(e.type));
                   if (name.empty()) name = "DynamoDbException";
                   if (!name.ends_with("Exception")) name += "Exception";
                   done(tasks::TaskOutcome::failure(
                       "DynamoDb." + name,
                       e.message + " (Service: DynamoDb, Status Code: " + std::to_string(e.status) +
                           ", Request ID: " + rid + ")"));
                 });
}

void DynamoDbSdkRunner::cancel(const tasks::TaskRequest& request) {
  in_flight_.cancel(call_key(request));
}

DynamoDbService::DynamoDbService(DynamoDbOptions options)
    : ddb_(options),
      optimized_(ddb_, options.id_seed ? options.id_seed + 1 : 0, /*any_loop=*/true),
      sdk_(ddb_, options.id_seed ? options.id_seed + 2 : 0, /*any_loop=*/true) {}

void DynamoDbService::add_routes(api::Router& router) {
  router.add_json_service("DynamoDB_20120810.", "dynamodb", ddb_);
}

const std::vector<std::string>& DynamoDbService::integration_names() {
  static const std::vector<std::string> names = {"dynamodb:getItem", "dynamodb:putItem",
                                                 "dynamodb:updateItem", "dynamodb:deleteItem",
                                                 "aws-sdk:dynamodb:*"};
  return names;
}

Status DynamoDbService::add_integrations(tasks::IntegrationRegistry& registry) {
  for (const auto& n : integration_names()) {
    tasks::TaskRunner* runner =
        n.starts_with("aws-sdk:") ? static_cast<tasks::TaskRunner*>(&sdk_) : &optimized_;
    if (auto s = registry.add(n, runner); !s) return s;
  }
  return ok_status();
}

}  // namespace stepwise::services::dynamodb
