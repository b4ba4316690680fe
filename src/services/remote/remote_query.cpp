#include "services/remote/remote_query.h"

#include "services/s3/s3_wire.h"
#include "services/sns/sns_query.h"
#include "tasks/http_client.h"

namespace stepwise::services::remote {
namespace {

using s3::XmlNode;

json::value convert(const XmlNode& node);

// A list member's <member> elements: structures become objects, the rest text.
json::array list_of(const XmlNode& node) {
  json::array out;
  for (const auto& m : node.children) {
    if (m.name != "member") continue;
    out.push_back(convert(m));
  }
  return out;
}

json::value member_value(const XmlNode& node) {
  if (sns::list_member(node.name)) return list_of(node);
  if (auto names = sns::map_member(node.name)) {
    json::object out;
    for (const auto& e : node.children) {
      if (e.name != "entry") continue;
      const XmlNode* v = e.child(names->value);
      out[e.child_text(names->key)] = v != nullptr ? convert(*v) : json::value("");
    }
    return out;
  }
  if (sns::boolean_member(node.name)) return json::value(node.text == "true");
  return convert(node);
}

// A structure's members by name; an element without children is its text.
json::value convert(const XmlNode& node) {
  if (node.children.empty()) return json::value(node.text);
  json::object out;
  for (const auto& c : node.children) out[c.name] = member_value(c);
  return out;
}

api::ApiError malformed_answer(std::string_view what) {
  return api::ApiError{"InternalFailure",
                       "the endpoint's answer is not SNS's XML: " + std::string(what), 502};
}

}  // namespace

OutboundRequest sns_request(std::string_view action, const json::value& request) {
  OutboundRequest out;
  out.method = "POST";
  out.target = "/";
  out.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  out.body = "Action=" + tasks::url_encode(action) + "&Version=" + std::string(sns_api_version);
  if (request.is_object()) {
    for (const auto& [name, value] : sns::json_to_form(request.get_object())) {
      out.body += "&" + tasks::url_encode(name) + "=" + tasks::url_encode(value);
    }
  }
  return out;
}

api::Response sns_response(std::string_view action, const tasks::HttpResponse& response) {
  auto doc = s3::parse_xml(response.body);
  const bool ok_status = response.status >= 200 && response.status < 300;
  if (!ok_status) {
    api::ApiError e;
    e.status = static_cast<unsigned>(response.status);
    const XmlNode* error = doc ? (doc->name == "Error" ? &*doc : doc->child("Error")) : nullptr;
    if (error != nullptr) {
      e.type = error->child_text("Code");
      e.message = error->child_text("Message");
    }
    if (e.type.empty()) e.type = e.status >= 500 ? "InternalError" : "UnknownError";
    if (e.message.empty()) e.message = "HTTP " + std::to_string(response.status);
    return e;
  }
  if (!doc) return malformed_answer("it does not parse");
  if (doc->name != std::string(action) + "Response") {
    return malformed_answer("<" + doc->name + "> instead of <" + std::string(action) + "Response>");
  }
  const XmlNode* result = doc->child(std::string(action) + "Result");
  if (result == nullptr) return json::object();
  json::object out;
  for (const auto& c : result->children) out[c.name] = member_value(c);
  return out;
}

void RemoteSnsDispatcher::dispatch(std::string_view operation, json::value request,
                                   const api::RequestInfo& info, api::Reply reply) {
  (void)info;
  std::string action(operation);
  Endpoint to = endpoint();
  client_.send(
      to, sns_request(action, request), false,
      [endpoint = to, action, reply = std::move(reply)](Result<tasks::HttpResponse> answer) {
        if (!answer) return reply(transport_error(answer.error(), endpoint));
        reply(sns_response(action, *answer));
      });
}

}  // namespace stepwise::services::remote
