#include "services/remote/remote_s3.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "base/ascii.h"
#include "services/common/codec.h"
#include "services/s3/s3_rest.h"
#include "services/s3/s3_sdk.h"
#include "services/s3/s3_wire.h"
#include "tasks/http_client.h"

namespace stepwise::services::remote {
namespace {

using Json = json::object;
using s3::XmlNode;

std::string text(const Json& r, const char* k) {
  const json::value* v = r.if_contains(k);
  if (v == nullptr || v->is_null()) return {};
  return v->is_string() ? std::string(v->get_string()) : json::dump(*v);
}

constexpr const auto& kHeaderMembers = s3::entity_header_members;
constexpr const char* kChecksums[] = {"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"};

bool needs_key(std::string_view op) {
  return op == "PutObject" || op == "GetObject" || op == "HeadObject" || op == "CopyObject" ||
         op == "DeleteObject";
}

api::ApiError not_implemented(std::string_view op) {
  return api::ApiError{
      "NotImplemented",
      "S3 operation " + std::string(op) + " is not available through a pass-through endpoint", 501};
}

// ?a=1&b=2 from the members that are set, in the given order.
void add_query(std::string& target, std::string_view name, const std::string& value,
               bool keep_empty = false) {
  if (value.empty() && !keep_empty) return;
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += name;
  if (!value.empty() || keep_empty) target += "=" + tasks::url_encode(value);
}

// Content-Type, x-amz-meta-*, the entity headers and the checksum of a PUT or a REPLACE copy.
void object_headers(const Json& r, OutboundRequest& out, bool with_checksum) {
  if (auto t = text(r, "ContentType"); !t.empty()) out.headers.emplace_back("Content-Type", t);
  if (const auto* m = r.if_contains("Metadata"); m && m->is_object()) {
    for (const auto& kv : m->get_object()) {
      out.headers.emplace_back(
          "x-amz-meta-" + ascii_lower(std::string(kv.key())),
          kv.value().is_string() ? std::string(kv.value().get_string()) : json::dump(kv.value()));
    }
  }
  for (const auto& [member, name] : kHeaderMembers)
    if (auto v = text(r, member); !v.empty()) out.headers.emplace_back(name, v);
  if (auto md5 = text(r, "ContentMD5"); !md5.empty()) out.headers.emplace_back("Content-MD5", md5);
  if (!with_checksum) return;
  std::string algorithm(s3::checksum_algorithm(text(r, "ChecksumAlgorithm")));
  std::string value;
  for (const char* alg : kChecksums) {
    std::string v = text(r, (std::string("Checksum") + alg).c_str());
    if (!v.empty()) algorithm = alg, value = v;
  }
  if (algorithm.empty()) return;
  if (value.empty()) value = s3::checksum_base64(algorithm, out.body);
  out.headers.emplace_back("x-amz-sdk-checksum-algorithm", algorithm);
  out.headers.emplace_back("x-amz-checksum-" + ascii_lower(algorithm), value);
}

std::string delete_document(const Json& r) {
  std::string xml = "<Delete xmlns=\"" + std::string(s3::s3_xmlns) + "\">";
  if (const auto* d = r.if_contains("Delete"); d && d->is_object()) {
    if (const auto* q = d->get_object().if_contains("Quiet"); q && q->is_bool() && q->get_bool())
      xml += "<Quiet>true</Quiet>";
    if (const auto* objs = d->get_object().if_contains("Objects"); objs && objs->is_array()) {
      for (const auto& o : objs->get_array()) {
        if (!o.is_object()) continue;
        xml += "<Object><Key>" + xml_text(text(o.get_object(), "Key")) + "</Key></Object>";
      }
    }
  }
  return xml + "</Delete>";
}

// ---- answers ----

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return n;
}

// S3's XML members by name: numbers, booleans, timestamps, and the elements that repeat (a list
// whose items are the elements themselves, named as the SDK names the list).
bool int_member(std::string_view n) {
  return n == "Size" || n == "MaxKeys" || n == "KeyCount" || n == "PartNumber";
}
bool time_member(std::string_view n) {
  return n == "LastModified" || n == "CreationDate" || n == "Initiated";
}
std::string_view repeated_as(std::string_view n) {
  if (n == "Contents" || n == "CommonPrefixes" || n == "Deleted" || n == "ChecksumAlgorithm")
    return n;
  if (n == "Error") return "Errors";
  return {};
}

json::value xml_value(const XmlNode& node);

Json xml_members(const XmlNode& node) {
  Json out;
  for (const auto& c : node.children) {
    if (auto list = repeated_as(c.name); !list.empty()) {
      json::value& slot = out[list];
      if (!slot.is_array()) slot = json::array();
      slot.get_array().push_back(xml_value(c));
    } else if (c.name == "Buckets") {  // a wrapped list: <Buckets><Bucket/>...</Buckets>
      json::array buckets;
      for (const auto& b : c.children) buckets.push_back(xml_value(b));
      out["Buckets"] = std::move(buckets);
    } else {
      out[c.name] = xml_value(c);
    }
  }
  return out;
}

json::value xml_value(const XmlNode& node) {
  if (!node.children.empty()) return xml_members(node);
  if (node.name == "IsTruncated") return json::value(node.text == "true");
  if (int_member(node.name)) {
    if (auto n = to_int(node.text)) return json::value(*n);
  }
  if (time_member(node.name)) return json::value(s3_time(node.text));
  return json::value(node.text);
}

void checksum_members(Json& out, const tasks::HttpResponse& response) {
  for (const char* alg : kChecksums) {
    std::string v = header_value(response.headers, "x-amz-checksum-" + ascii_lower(alg));
    if (!v.empty()) out[std::string("Checksum") + alg] = v;
  }
  if (auto t = header_value(response.headers, "x-amz-checksum-type"); !t.empty())
    out["ChecksumType"] = t;
}

std::string sse(const tasks::HttpResponse& response) {
  auto v = header_value(response.headers, "x-amz-server-side-encryption");
  return v.empty() ? std::string("AES256") : v;
}

// GetObject / HeadObject: the headers as the built-in's members, in its order.
Json object_result(const Json& request, const tasks::HttpResponse& response, bool get) {
  const auto& h = response.headers;
  Json out;
  out["AcceptRanges"] = header_value(h, "Accept-Ranges").empty() ? std::string("bytes")
                                                                 : header_value(h, "Accept-Ranges");
  out["ContentLength"] = to_int(header_value(h, "Content-Length"))
                             .value_or(static_cast<std::int64_t>(response.body.size()));
  if (auto range = header_value(h, "Content-Range"); !range.empty()) out["ContentRange"] = range;
  out["ContentType"] = header_value(h, "Content-Type");
  out["ETag"] = header_value(h, "ETag");
  out["LastModified"] = s3_time(header_value(h, "Last-Modified"));
  Json metadata;
  for (const auto& [k, v] : h) {
    std::string name = ascii_lower(k);
    if (name.starts_with("x-amz-meta-")) metadata[name.substr(11)] = v;
  }
  out["Metadata"] = std::move(metadata);
  if (auto parts = to_int(header_value(h, "x-amz-mp-parts-count"))) out["PartsCount"] = *parts;
  for (const auto& [member, name] : kHeaderMembers)
    if (auto v = header_value(h, name); !v.empty()) out[member] = v;
  out["ServerSideEncryption"] = sse(response);
  if (text(request, "ChecksumMode") == "ENABLED") checksum_members(out, response);
  if (get) out["Body"] = s3::utf8_lossy(response.body);
  return out;
}

api::ApiError error_of(std::string_view op, const tasks::HttpResponse& response) {
  api::ApiError e;
  e.status = static_cast<unsigned>(response.status);
  if (auto doc = s3::parse_xml(response.body); doc && doc->name == "Error") {
    e.type = doc->child_text("Code");
    e.message = doc->child_text("Message");
  }
  if (e.type.empty()) {
    // A HEAD answer (or an empty one) has no body: the status names the error.
    if (e.status == 404)
      e.type = op == "HeadBucket" ? "NoSuchBucket" : "NoSuchKey";
    else if (e.status == 403)
      e.type = "Forbidden";
    else if (e.status == 400)
      e.type = "BadRequest";
    else
      e.type = tasks::http_reason_phrase(response.status);
    if (e.type.empty()) e.type = "S3Exception";
    e.type.erase(std::remove(e.type.begin(), e.type.end(), ' '), e.type.end());
  }
  if (e.message.empty()) e.message = "null";
  return e;
}

api::ApiError malformed_s3_answer(std::string_view op) {
  return api::ApiError{"InternalError",
                       "the endpoint's answer to " + std::string(op) + " is not S3's XML", 502};
}

}  // namespace

std::string s3_time(std::string_view t) {
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // ISO-8601 with or without fractions: the first 19 characters are the seconds.
  if (t.size() >= 20 && t[4] == '-' && t[10] == 'T') return std::string(t.substr(0, 19)) + "Z";
  // IMF-fixdate: "Tue, 02 Dec 2026 10:00:00 GMT".
  if (t.size() == 29 && t[3] == ',' && t.ends_with(" GMT")) {
    for (int m = 0; m < 12; ++m) {
      if (t.substr(8, 3) != months[m]) continue;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.*s-%02d-%.*sT%.*sZ", 4, t.data() + 12, m + 1, 2,
                    t.data() + 5, 8, t.data() + 17);
      return buf;
    }
  }
  return std::string(t);
}

S3Encoded s3_request(std::string_view op, const Json& r) {
  S3Encoded out;
  const std::string bucket = text(r, "Bucket");
  const std::string key = text(r, "Key");
  if (op != "ListBuckets" && bucket.empty()) {
    out.error = s3::errors::invalid_argument("Bucket is required");
    return out;
  }
  if (needs_key(op) && key.empty()) {
    out.error = s3::errors::invalid_argument("Key is required");
    return out;
  }
  OutboundRequest q;
  q.target = "/" + s3::url_encode_key(bucket);
  if (needs_key(op)) q.target += "/" + s3::url_encode_key(key);
  if (op == "ListBuckets") {
    q.method = "GET";
    q.target = "/";
  } else if (op == "CreateBucket") {
    q.method = "PUT";
    if (const auto* c = r.if_contains("CreateBucketConfiguration"); c && c->is_object()) {
      std::string region = text(c->get_object(), "LocationConstraint");
      if (!region.empty()) {
        q.body = "<CreateBucketConfiguration xmlns=\"" + std::string(s3::s3_xmlns) +
                 "\"><LocationConstraint>" + xml_text(region) +
                 "</LocationConstraint></CreateBucketConfiguration>";
      }
    }
  } else if (op == "HeadBucket" || op == "HeadObject") {
    q.method = "HEAD";
  } else if (op == "DeleteBucket" || op == "DeleteObject") {
    q.method = "DELETE";
  } else if (op == "GetBucketLocation") {
    q.method = "GET";
    add_query(q.target, "location", "", true);
  } else if (op == "PutObject") {
    q.method = "PUT";
    q.body = text(r, "Body");
    object_headers(r, q, true);
  } else if (op == "GetObject") {
    q.method = "GET";
  } else if (op == "CopyObject") {
    q.method = "PUT";
    std::string source = text(r, "CopySource");
    if (source.empty()) {
      out.error = s3::errors::invalid_argument("CopySource is required");
      return out;
    }
    // "bucket/key[?versionId=...]": the name %-encoded, the version query kept.
    const auto query = std::min(source.find('?'), source.size());
    q.headers.emplace_back("x-amz-copy-source",
                           s3::url_encode_key(source.substr(0, query)) + source.substr(query));
    std::string directive = text(r, "MetadataDirective");
    if (!directive.empty()) q.headers.emplace_back("x-amz-metadata-directive", directive);
    object_headers(r, q, false);
    if (auto alg = s3::checksum_algorithm(text(r, "ChecksumAlgorithm")); !alg.empty())
      q.headers.emplace_back("x-amz-checksum-algorithm", std::string(alg));
  } else if (op == "DeleteObjects") {
    q.method = "POST";
    add_query(q.target, "delete", "", true);
    q.body = delete_document(r);
    q.headers.emplace_back("Content-Type", "application/xml");
    std::string md5;
    const std::string hex = md5_hex(q.body);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
      md5 += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    q.headers.emplace_back("Content-MD5", base64_encode(md5));
  } else if (op == "ListObjects" || op == "ListObjectsV2") {
    q.method = "GET";
    if (op == "ListObjectsV2") add_query(q.target, "list-type", "2");
    add_query(q.target, "prefix", text(r, "Prefix"));
    add_query(q.target, "delimiter", text(r, "Delimiter"));
    add_query(q.target, "max-keys", text(r, "MaxKeys"));
    if (op == "ListObjectsV2") {
      add_query(q.target, "start-after", text(r, "StartAfter"));
      add_query(q.target, "continuation-token", text(r, "ContinuationToken"));
    } else {
      add_query(q.target, "marker", text(r, "Marker"));
    }
  } else {
    out.error = not_implemented(op);
    return out;
  }
  if (op == "GetObject" || op == "HeadObject") {
    if (auto range = text(r, "Range"); !range.empty()) q.headers.emplace_back("Range", range);
    if (auto mode = text(r, "ChecksumMode"); !mode.empty())
      q.headers.emplace_back("x-amz-checksum-mode", mode);
  }
  out.request = std::move(q);
  return out;
}

api::Response s3_response(std::string_view op, const Json& request,
                          const tasks::HttpResponse& response) {
  if (response.status < 200 || response.status >= 300) return error_of(op, response);
  const auto& h = response.headers;
  if (op == "CreateBucket") {
    auto location = header_value(h, "Location");
    return Json{{"Location", location.empty() ? "/" + text(request, "Bucket") : location}};
  }
  if (op == "HeadBucket") return Json{{"BucketRegion", header_value(h, "x-amz-bucket-region")}};
  if (op == "DeleteBucket" || op == "DeleteObject") return Json{};
  if (op == "GetObject" || op == "HeadObject")
    return object_result(request, response, op == "GetObject");
  if (op == "PutObject") {
    Json out;
    checksum_members(out, response);
    out["ETag"] = header_value(h, "ETag");
    out["ServerSideEncryption"] = sse(response);
    return out;
  }
  auto doc = s3::parse_xml(response.body);
  if (!doc) return malformed_s3_answer(op);
  if (op == "GetBucketLocation") return Json{{"LocationConstraint", doc->text}};
  Json members = xml_members(*doc);
  if (op == "CopyObject") {
    return Json{{"CopyObjectResult", std::move(members)}, {"ServerSideEncryption", sse(response)}};
  }
  return members;  // ListBuckets, ListObjects, ListObjectsV2, DeleteObjects
}

void RemoteS3Dispatcher::dispatch(std::string_view operation, json::value request,
                                  const api::RequestInfo& info, api::Reply reply) {
  (void)info;
  Json r = request.is_object() ? std::move(request.get_object()) : Json();
  S3Encoded encoded = s3_request(operation, r);
  if (!encoded.request) return reply(encoded.error);
  std::string op(operation);
  Endpoint to = endpoint();
  client_.send(to, std::move(*encoded.request), true,
               [this, op, to, r = std::move(r),
                reply = std::move(reply)](Result<tasks::HttpResponse> answer) mutable {
                 if (!answer) return reply(transport_error(answer.error(), to));
                 if (op == "HeadObject" && answer->status == 404 && answer->body.empty()) {
                   return head_bucket_then(std::move(r), std::move(reply));
                 }
                 reply(s3_response(op, r, *answer));
               });
}

// A HEAD answer has no body to tell a missing key from a missing bucket, which the built-in
// S3 (reading its store) does: the bucket is asked.
void RemoteS3Dispatcher::head_bucket_then(json::object request, api::Reply reply) {
  S3Encoded head = s3_request("HeadBucket", request);
  if (!head.request) return reply(head.error);
  client_.send(
      endpoint(), std::move(*head.request), true,
      [reply = std::move(reply)](Result<tasks::HttpResponse> answer) {
        tasks::HttpResponse missing;
        missing.status = 404;
        const bool no_bucket = answer.ok() && answer->status == 404;
        reply(s3_response(no_bucket ? "HeadBucket" : "HeadObject", json::object{}, missing));
      });
}

}  // namespace stepwise::services::remote
