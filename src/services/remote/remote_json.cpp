#include "services/remote/remote_json.h"

namespace stepwise::services::remote {
namespace {

// "com.amazonaws.sqs#QueueDoesNotExist" / "QueueDoesNotExist:http://..." → "QueueDoesNotExist".
std::string short_type(std::string_view type) {
  if (auto hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  if (auto colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  return std::string(type);
}

std::string text_member(const json::object& o, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    const json::value* v = o.if_contains(n);
    if (v != nullptr && v->is_string()) return std::string(v->get_string());
  }
  return {};
}

}  // namespace

OutboundRequest json_request(const JsonProtocol& protocol, std::string_view operation,
                             const json::value& request) {
  OutboundRequest out;
  out.method = "POST";
  out.target = "/";
  out.headers.emplace_back("Content-Type", "application/x-amz-json-" + protocol.version);
  out.headers.emplace_back("X-Amz-Target", protocol.target_prefix + "." + std::string(operation));
  if (protocol.query_compatible) out.headers.emplace_back("x-amzn-query-mode", "true");
  out.body = request.is_object() ? json::dump(request) : std::string("{}");
  return out;
}

api::Response json_response(const tasks::HttpResponse& response) {
  json::value body = json::object();
  bool parsed = true;
  if (!response.body.empty()) {
    auto p = json::parse(response.body);
    parsed = p.ok();
    if (parsed) body = std::move(p).value();
  }
  if (response.status >= 200 && response.status < 300) {
    if (!parsed || !body.is_object()) {
      return api::ApiError{"InternalFailure",
                           "the endpoint answered with a body that is not a "
                           "JSON object",
                           502};
    }
    return body;
  }
  api::ApiError e;
  e.status = static_cast<unsigned>(response.status);
  if (body.is_object()) {
    const auto& o = body.get_object();
    e.type = short_type(text_member(o, {"__type", "code", "Code"}));
    e.message = text_member(o, {"message", "Message", "errorMessage"});
  }
  if (e.type.empty()) e.type = short_type(header_value(response.headers, "x-amzn-ErrorType"));
  if (e.type.empty()) e.type = e.status >= 500 ? "InternalFailure" : "UnknownError";
  if (e.message.empty()) e.message = "HTTP " + std::to_string(response.status);
  const std::string query = header_value(response.headers, "x-amzn-query-error");
  if (!query.empty()) e.query_code = query.substr(0, query.find(';'));
  return e;
}

void RemoteJsonDispatcher::dispatch(std::string_view operation, json::value request,
                                    const api::RequestInfo& info, api::Reply reply) {
  (void)info;
  Endpoint to = endpoint();
  client_.send(to, json_request(protocol_, operation, request), false,
               [endpoint = to, reply = std::move(reply)](Result<tasks::HttpResponse> answer) {
                 if (!answer) return reply(transport_error(answer.error(), endpoint));
                 reply(json_response(*answer));
               });
}

}  // namespace stepwise::services::remote
