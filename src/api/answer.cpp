#include "api/answer.h"

#include <boost/beast/http/field.hpp>

#include "api/xml_writer.h"

namespace stepwise::api {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view xml_content_type = "text/xml";
constexpr std::string_view s3_xml_content_type = "application/xml";
constexpr std::string_view plain_json_content_type = "application/json";

std::string json_error_body(const ApiError& e) {
  json::object body;
  body["__type"] = e.type;
  body["message"] = e.message;
  for (const auto& kv : e.members) body[kv.key()] = kv.value();
  return json::dump(body);
}

std::string_view query_code(const ApiError& e) {
  return e.query_code.empty() ? std::string_view(e.type) : std::string_view(e.query_code);
}

HttpResponse start(unsigned status, std::string_view content_type, std::string_view request_id,
                   unsigned http_version) {
  HttpResponse res;
  res.version(http_version);
  res.result(static_cast<http::status>(status));
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  res.set("x-amzn-RequestId", request_id);
  return res;
}

void finish(HttpResponse& res, bool keep_alive) {
  res.keep_alive(keep_alive);
  res.prepare_payload();
}

HttpResponse encode_error(const Encoding& enc, const ApiError& e, std::string_view request_id,
                          unsigned http_version, bool keep_alive, std::string_view resource) {
  HttpResponse res;
  switch (enc.protocol) {
    case Protocol::json:
    case Protocol::rest_json:
    case Protocol::plain:
      res = start(e.status,
                  enc.protocol == Protocol::json        ? enc.json_content_type
                  : enc.protocol == Protocol::rest_json ? plain_json_content_type
                                                        : plain_json_content_type,
                  request_id, http_version);
      res.set("x-amzn-ErrorType", e.type);
      if (enc.query_compatible)
        res.set("x-amzn-query-error",
                std::string(query_code(e)) + ";" + std::string(error_fault(e)));
      res.body() = json_error_body(e);
      break;
    case Protocol::query:
      res = start(e.status, xml_content_type, request_id, http_version);
      res.body() = query_error_body(e, request_id, enc.xmlns);
      break;
    case Protocol::rest_xml:
      res = start(e.status, enc.s3_errors ? s3_xml_content_type : xml_content_type, request_id,
                  http_version);
      if (enc.s3_errors) res.set("x-amz-request-id", request_id);
      res.body() = rest_xml_error_body(e, request_id, resource, enc.s3_errors);
      break;
  }
  finish(res, keep_alive);
  return res;
}

}  // namespace

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::json:
      return "json";
    case Protocol::query:
      return "query";
    case Protocol::rest_xml:
      return "rest-xml";
    case Protocol::rest_json:
      return "rest-json";
    case Protocol::plain:
      return "plain";
  }
  return "unknown";
}

std::string_view error_fault(const ApiError& e) { return e.status >= 500 ? "Receiver" : "Sender"; }

std::string query_error_body(const ApiError& e, std::string_view request_id,
                             std::string_view xmlns) {
  XmlWriter w;
  w.open("ErrorResponse", xmlns).open("Error");
  w.element("Type", error_fault(e)).element("Code", query_code(e)).element("Message", e.message);
  w.close().element("RequestId", request_id);
  return w.finish();
}

std::string rest_xml_error_body(const ApiError& e, std::string_view request_id,
                                std::string_view resource, bool s3_style) {
  if (!s3_style) return query_error_body(e, request_id, {});
  XmlWriter w(true);
  w.open("Error").element("Code", e.type).element("Message", e.message);
  if (!resource.empty()) w.element("Resource", resource);
  w.element("RequestId", request_id);
  return w.finish();
}

HttpResponse encode_answer(const Encoding& enc, const Response& response,
                           std::string_view request_id, unsigned http_version, bool keep_alive) {
  if (response.is_error())
    return encode_error(enc, response.error(), request_id, http_version, keep_alive, {});
  HttpResponse res = start(200, enc.json_content_type, request_id, http_version);
  res.body() = json::dump(response.body());
  finish(res, keep_alive);
  return res;
}

HttpResponse encode_raw(const Encoding& enc, const RawResponse& response,
                        std::string_view request_id, unsigned http_version, bool keep_alive,
                        std::string_view resource) {
  if (response.is_error())
    return encode_error(enc, response.error(), request_id, http_version, keep_alive, resource);
  const RawAnswer& a = response.answer();
  HttpResponse res = start(a.status, a.content_type, request_id, http_version);
  if (enc.s3_errors) res.set("x-amz-request-id", request_id);
  for (const auto& [name, value] : a.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  if (a.head_length) {
    res.content_length(*a.head_length);  // HEAD: the length without the bytes
  } else {
    res.body() = a.body;
    res.prepare_payload();
  }
  return res;
}

}  // namespace stepwise::api
