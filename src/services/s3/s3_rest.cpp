#include "services/s3/s3_rest.h"

#include <cctype>
#include <charconv>

#include "api/query_protocol.h"
#include "api/rest_protocol.h"
#include "api/xml_writer.h"
#include "base/ascii.h"
#include "base/clock.h"
#include "services/common/codec.h"
#include "services/common/sdk_runner.h"

namespace stepwise::services::s3 {
namespace {

using api::RawAnswer;
using api::RawReply;

constexpr std::string_view kXmlType = "application/xml";
constexpr std::string_view kMetaPrefix = "x-amz-meta-";
// Entity headers S3 stores with an object and returns on GET/HEAD.
constexpr std::string_view kStoredHeaders[] = {"Cache-Control", "Content-Disposition",
                                               "Content-Encoding", "Content-Language", "Expires"};
// GET's response-* overrides and the header each replaces.
constexpr std::pair<std::string_view, std::string_view> kOverrides[] = {
    {"response-content-type", "Content-Type"},
    {"response-content-language", "Content-Language"},
    {"response-expires", "Expires"},
    {"response-cache-control", "Cache-Control"},
    {"response-content-disposition", "Content-Disposition"},
    {"response-content-encoding", "Content-Encoding"}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

const std::string* query_param(const api::Params& q, std::string_view name) {
  for (const auto& [k, v] : q)
    if (k == name) return &v;
  return nullptr;
}

bool has_param(const api::Params& q, std::string_view name) {
  return query_param(q, name) != nullptr;
}

std::string_view header(const api::HttpRequest& r, std::string_view name) {
  return api::header_value(r, name);
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string iso(Millis t) { return format_iso8601_ms(t); }

RawAnswer xml_answer(std::string body, unsigned status = 200) {
  RawAnswer a;
  a.status = status;
  a.content_type = std::string(kXmlType);
  a.body = std::move(body);
  return a;
}

RawAnswer empty_answer(unsigned status = 200) {
  RawAnswer a;
  a.status = status;
  return a;
}

void add_checksum_header(RawAnswer& a, std::string_view algorithm, const std::string& value) {
  if (algorithm.empty() || value.empty()) return;
  a.headers.emplace_back("x-amz-checksum-" + ascii_lower(algorithm), value);
}

// The object's entity headers, metadata and S3's own headers (GET and HEAD).
void object_headers(RawAnswer& a, const ObjectInfo& o, const api::Params& query,
                    bool checksum_mode) {
  std::string content_type = o.content_type;
  a.headers.emplace_back("ETag", o.etag);
  a.headers.emplace_back("Last-Modified", http_date(o.last_modified));
  a.headers.emplace_back("Accept-Ranges", "bytes");
  a.headers.emplace_back("x-amz-server-side-encryption", "AES256");
  if (o.parts > 0) a.headers.emplace_back("x-amz-mp-parts-count", std::to_string(o.parts));
  for (const auto& [k, v] : o.metadata) a.headers.emplace_back(std::string(kMetaPrefix) + k, v);
  for (const auto& [k, v] : o.headers) {
    bool overridden = false;
    for (const auto& [param, name] : kOverrides)
      if (iequals(name, k) && has_param(query, param)) overridden = true;
    if (!overridden) a.headers.emplace_back(k, v);
  }
  for (const auto& [param, name] : kOverrides) {
    const std::string* v = query_param(query, param);
    if (v == nullptr) continue;
    if (name == "Content-Type") {
      content_type = *v;
    } else {
      a.headers.emplace_back(std::string(name), *v);
    }
  }
  if (checksum_mode && !o.checksum_algorithm.empty()) {
    add_checksum_header(a, o.checksum_algorithm, o.checksum);
    a.headers.emplace_back("x-amz-checksum-type", o.checksum_type);
  }
  a.content_type = content_type;
}

// ---- request decoding ----

struct Decoded {
  PutInput put;
  std::optional<api::ApiError> error;
};

// Headers, metadata, checksums and the body (aws-chunked decoded) of a PUT or UploadPart.
Decoded decode_put(api::RestRequest& req, std::string bucket, std::string key) {
  Decoded d;
  PutInput& in = d.put;
  in.bucket = std::move(bucket);
  in.key = std::move(key);
  const api::HttpRequest& http = req.http;
  std::string body = std::move(req.http.body());
  std::string content_encoding(header(http, "Content-Encoding"));
  std::vector<std::pair<std::string, std::string>> trailers;
  if (is_aws_chunked(content_encoding, header(http, "x-amz-content-sha256"))) {
    ChunkedDecoded c = decode_aws_chunked(body);
    if (!c.body) {
      d.error = c.error;
      return d;
    }
    body = std::move(c.body->bytes);
    trailers = std::move(c.body->trailers);
    std::string_view declared = header(http, "x-amz-decoded-content-length");
    if (!declared.empty()) {
      auto n = parse_int(declared);
      if (!n || *n < 0 || static_cast<std::uint64_t>(*n) != body.size()) {
        d.error = errors::incomplete_body();
        return d;
      }
    }
    // aws-chunked is the transfer's encoding, not the object's.
    std::string kept;
    std::size_t start = 0;
    while (start <= content_encoding.size()) {
      std::size_t end = content_encoding.find(',', start);
      if (end == std::string::npos) end = content_encoding.size();
      std::string_view item = std::string_view(content_encoding).substr(start, end - start);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty() && item != "aws-chunked")
        kept += (kept.empty() ? "" : ",") + std::string(item);
      start = end + 1;
    }
    content_encoding = kept;
  }
  in.body = std::move(body);
  in.content_type = std::string(header(http, "Content-Type"));
  in.content_md5 = std::string(header(http, "Content-MD5"));
  for (const auto& f : http) {
    std::string_view name(f.name_string().data(), f.name_string().size());
    if (name.size() > kMetaPrefix.size() &&
        iequals(name.substr(0, kMetaPrefix.size()), kMetaPrefix))
      in.metadata.emplace_back(ascii_lower(name.substr(kMetaPrefix.size())),
                               std::string(f.value()));
  }
  for (auto h : kStoredHeaders) {
    if (h == "Content-Encoding") {
      if (!content_encoding.empty()) in.headers.emplace_back(std::string(h), content_encoding);
      continue;
    }
    std::string_view v = header(http, h);
    if (!v.empty()) in.headers.emplace_back(std::string(h), std::string(v));
  }
  // The checksum: a header x-amz-checksum-<alg>, or a trailer of that name (aws-chunked).
  in.checksum_algorithm = std::string(header(http, "x-amz-sdk-checksum-algorithm"));
  auto take = [&](std::string_view name, std::string_view value) {
    constexpr std::string_view prefix = "x-amz-checksum-";
    if (name.size() <= prefix.size() || !iequals(name.substr(0, prefix.size()), prefix)) return;
    std::string_view alg = checksum_algorithm(name.substr(prefix.size()));
    if (alg.empty()) return;  // x-amz-checksum-type, x-amz-checksum-mode, ...
    in.checksum_algorithm = std::string(alg);
    in.checksum = std::string(value);
  };
  for (const auto& f : http)
    take(std::string_view(f.name_string().data(), f.name_string().size()),
         std::string_view(f.value().data(), f.value().size()));
  for (const auto& [k, v] : trailers) take(k, v);
  return d;
}

// "/b/k" → ("b", "k"); "/b" or "/b/" → ("b", "").
std::optional<std::pair<std::string, std::string>> split(std::string_view path) {
  if (path.starts_with('/')) path.remove_prefix(1);
  auto slash = path.find('/');
  std::string bucket, key;
  if (!api::percent_decode(path.substr(0, slash), false, bucket)) return std::nullopt;
  if (slash != std::string_view::npos && !api::percent_decode(path.substr(slash + 1), false, key))
    return std::nullopt;
  return std::pair{std::move(bucket), std::move(key)};
}

// x-amz-copy-source: "[/]bucket/key[?versionId=...]", %-encoded.
std::optional<std::pair<std::string, std::string>> copy_source(std::string_view v) {
  v = v.substr(0, v.find('?'));
  if (v.starts_with('/')) v.remove_prefix(1);
  auto slash = v.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == v.size()) return std::nullopt;
  std::string bucket, key;
  if (!api::percent_decode(v.substr(0, slash), false, bucket) ||
      !api::percent_decode(v.substr(slash + 1), false, key))
    return std::nullopt;
  return std::pair{std::move(bucket), std::move(key)};
}

template <class T>
Done<T> on_done(RawReply reply, std::function<RawAnswer(T&)> make) {
  return [reply = std::move(reply), make = std::move(make)](Answer<T> a) {
    if (!a.ok()) return reply(*a.error);
    reply(make(a.value));
  };
}

// ---- answers ----

std::string list_buckets_xml(const std::vector<BucketInfo>& buckets, const std::string& owner) {
  api::XmlWriter w(true);
  w.open("ListAllMyBucketsResult", s3_xmlns);
  w.open("Owner").element("ID", owner).element("DisplayName", "stepwise").close();
  w.open("Buckets");
  for (const auto& b : buckets)
    w.open("Bucket").element("Name", b.name).element("CreationDate", iso(b.created)).close();
  w.close();
  return w.finish();
}

std::string list_objects_xml(const std::string& bucket, const ListInput& in, const ListResult& r,
                             bool url, std::string_view token) {
  auto enc = [&](std::string_view s) { return url ? url_encode_key(s) : std::string(s); };
  api::XmlWriter w(true);
  w.open("ListBucketResult", s3_xmlns);
  w.element("Name", bucket).element("Prefix", enc(in.prefix));
  if (in.v2) {
    w.element("KeyCount", std::to_string(r.contents.size() + r.common_prefixes.size()));
  } else {
    w.element("Marker", enc(in.continuation));
    if (!r.next.empty()) w.element("NextMarker", enc(r.next));
  }
  w.element("MaxKeys", std::to_string(in.max_keys));
  if (!in.delimiter.empty()) w.element("Delimiter", enc(in.delimiter));
  w.element("IsTruncated", r.truncated ? "true" : "false");
  if (in.v2) {
    if (!token.empty()) w.element("ContinuationToken", token);
    if (!r.next.empty()) w.element("NextContinuationToken", r.next);
    if (!in.start_after.empty()) w.element("StartAfter", enc(in.start_after));
  }
  for (const auto& o : r.contents) {
    w.open("Contents").element("Key", enc(o.key));
    w.element("LastModified", iso(o.info.last_modified)).element("ETag", o.info.etag);
    if (!o.info.checksum_algorithm.empty()) {
      w.element("ChecksumAlgorithm", o.info.checksum_algorithm);
      w.element("ChecksumType", o.info.checksum_type);
    }
    w.element("Size", std::to_string(o.info.size)).element("StorageClass", "STANDARD");
    w.close();
  }
  for (const auto& p : r.common_prefixes)
    w.open("CommonPrefixes").element("Prefix", enc(p)).close();
  if (url) w.element("EncodingType", "url");
  return w.finish();
}

// ---- operations ----

void list_objects(S3& s3, const std::string& bucket, const api::Params& q, RawReply& reply) {
  ListInput in;
  const std::string* list_type = query_param(q, "list-type");
  in.v2 = list_type != nullptr && *list_type == "2";
  if (const auto* p = query_param(q, "prefix")) in.prefix = *p;
  if (const auto* p = query_param(q, "delimiter")) in.delimiter = *p;
  if (const auto* p = query_param(q, "max-keys")) {
    auto n = parse_int(*p);
    if (!n || *n < 0)
      return reply(
          errors::invalid_argument("Provided max-keys not an integer or within "
                                   "integer range"));
    in.max_keys = static_cast<std::size_t>(
        std::min<std::int64_t>(*n, static_cast<std::int64_t>(s3_limits::list_keys_max)));
  }
  std::string token;
  if (in.v2) {
    if (const auto* p = query_param(q, "start-after")) in.start_after = *p;
    if (const auto* p = query_param(q, "continuation-token")) {
      token = *p;
      auto decoded = decode_continuation(*p);
      if (!decoded)
        return reply(errors::invalid_argument("The continuation token provided is incorrect"));
      in.continuation = std::move(*decoded);
    }
  } else if (const auto* p = query_param(q, "marker")) {
    in.continuation = *p;
  }
  bool url = false;
  if (const auto* e = query_param(q, "encoding-type")) {
    if (*e != "url")
      return reply(errors::invalid_argument("Invalid Encoding Method specified in Request"));
    url = true;
  }
  auto r = s3.list_objects(bucket, in);
  if (!r.ok()) return reply(*r.error);
  reply(xml_answer(list_objects_xml(bucket, in, r.value, url, token)));
}

void get_object(S3& s3, const std::string& bucket, const std::string& key, api::RestRequest& req,
                bool head, RawReply& reply) {
  const api::HttpRequest& http = req.http;
  auto r = s3.get_object(bucket, key, header(http, "Range"), !head);
  if (!r.ok()) return reply(*r.error);
  GetResult& g = r.value;
  // Conditional requests (If-Match / If-None-Match) by ETag.
  std::string_view if_match = header(http, "If-Match");
  if (!if_match.empty() && if_match != "*" && quoted_etag(if_match) != g.info.etag)
    return reply(api::ApiError{"PreconditionFailed",
                               "At least one of the pre-conditions you specified did not hold",
                               412});
  std::string_view if_none = header(http, "If-None-Match");
  if (!if_none.empty() && (if_none == "*" || quoted_etag(if_none) == g.info.etag)) {
    RawAnswer a = empty_answer(304);
    a.headers.emplace_back("ETag", g.info.etag);
    return reply(std::move(a));
  }
  RawAnswer a;
  a.status = g.partial ? 206 : 200;
  // A range has no checksum of its own: S3 sends the object's only for the whole object.
  object_headers(a, g.info, req.query,
                 !g.partial && iequals(header(http, "x-amz-checksum-mode"), "ENABLED"));
  if (g.partial)
    a.headers.emplace_back("Content-Range", "bytes " + std::to_string(g.first) + "-" +
                                                std::to_string(g.last) + "/" +
                                                std::to_string(g.info.size));
  if (head) {
    a.head_length = g.partial ? g.last - g.first + 1 : g.info.size;
  } else {
    a.body = std::move(g.body);
  }
  reply(std::move(a));
}

void put_object(S3& s3, std::string bucket, std::string key, api::RestRequest& req,
                RawReply& reply) {
  Decoded d = decode_put(req, std::move(bucket), std::move(key));
  if (d.error) return reply(*d.error);
  s3.put_object(std::move(d.put), on_done<PutResult>(std::move(reply), [](PutResult& p) {
                  RawAnswer a = empty_answer();
                  a.headers.emplace_back("ETag", p.etag);
                  a.headers.emplace_back("x-amz-server-side-encryption", "AES256");
                  add_checksum_header(a, p.checksum_algorithm, p.checksum);
                  if (!p.checksum_type.empty())
                    a.headers.emplace_back("x-amz-checksum-type", p.checksum_type);
                  return a;
                }));
}

void copy_object(S3& s3, std::string bucket, std::string key, api::RestRequest& req,
                 RawReply& reply) {
  auto src = copy_source(header(req.http, "x-amz-copy-source"));
  if (!src) return reply(errors::invalid_argument("Invalid copy source object key"));
  Decoded d = decode_put(req, bucket, key);
  if (d.error) return reply(*d.error);
  CopyInput in;
  in.src_bucket = std::move(src->first);
  in.src_key = std::move(src->second);
  in.bucket = std::move(bucket);
  in.key = std::move(key);
  std::string_view directive = header(req.http, "x-amz-metadata-directive");
  if (!directive.empty() && directive != "COPY" && directive != "REPLACE")
    return reply(errors::invalid_argument("Unknown metadata directive."));
  in.replace_metadata = directive == "REPLACE";
  in.content_type = std::move(d.put.content_type);
  in.metadata = std::move(d.put.metadata);
  in.headers = std::move(d.put.headers);
  in.checksum_algorithm = std::move(d.put.checksum_algorithm);
  s3.copy_object(std::move(in), on_done<CopyResult>(std::move(reply), [](CopyResult& c) {
                   api::XmlWriter w(true);
                   w.open("CopyObjectResult", s3_xmlns);
                   w.element("LastModified", iso(c.last_modified)).element("ETag", c.etag);
                   if (!c.checksum_algorithm.empty())
                     w.element("Checksum" + c.checksum_algorithm, c.checksum);
                   RawAnswer a = xml_answer(w.finish());
                   a.headers.emplace_back("x-amz-server-side-encryption", "AES256");
                   return a;
                 }));
}

void delete_objects(S3& s3, const std::string& bucket, api::RestRequest& req, RawReply& reply) {
  const std::string& body = req.http.body();
  std::string_view md5 = header(req.http, "Content-MD5");
  if (!md5.empty()) {
    auto raw = base64_decode(md5);
    if (!raw || raw->size() != 16) return reply(errors::invalid_digest());
    static constexpr char hex[] = "0123456789abcdef";
    std::string h;
    for (unsigned char c : *raw) {
      h += hex[c >> 4];
      h += hex[c & 15];
    }
    if (h != md5_hex(body)) return reply(errors::bad_digest("Content-MD5"));
  }
  auto doc = parse_xml(body);
  if (!doc || doc->name != "Delete") return reply(errors::malformed_xml());
  bool quiet = doc->child_text("Quiet") == "true";
  std::vector<std::string> keys;
  for (const auto& c : doc->children) {
    if (c.name != "Object") continue;
    const XmlNode* k = c.child("Key");
    if (k == nullptr) return reply(errors::malformed_xml());
    keys.push_back(k->text);
  }
  s3.delete_objects(bucket, std::move(keys),
                    on_done<DeleteResult>(std::move(reply), [quiet](DeleteResult& r) {
                      api::XmlWriter w(true);
                      w.open("DeleteResult", s3_xmlns);
                      if (!quiet)
                        for (const auto& k : r.deleted) w.open("Deleted").element("Key", k).close();
                      for (const auto& [k, e] : r.errors)
                        w.open("Error")
                            .element("Key", k)
                            .element("Code", e.type)
                            .element("Message", e.message)
                            .close();
                      return xml_answer(w.finish());
                    }));
}

void create_upload(S3& s3, std::string bucket, std::string key, api::RestRequest& req,
                   RawReply& reply) {
  Decoded d = decode_put(req, bucket, key);
  if (d.error) return reply(*d.error);
  d.put.body.clear();
  std::string algorithm = d.put.checksum_algorithm;
  s3.create_upload(
      std::move(d.put),
      on_done<std::string>(std::move(reply), [bucket, key, algorithm](std::string& id) {
        api::XmlWriter w(true);
        w.open("InitiateMultipartUploadResult", s3_xmlns);
        w.element("Bucket", bucket).element("Key", key).element("UploadId", id);
        RawAnswer a = xml_answer(w.finish());
        if (!algorithm.empty()) a.headers.emplace_back("x-amz-checksum-algorithm", algorithm);
        return a;
      }));
}

void upload_part(S3& s3, std::string bucket, std::string key, api::RestRequest& req,
                 RawReply& reply) {
  if (has_param(req.query, "x-amz-copy-source") || !header(req.http, "x-amz-copy-source").empty())
    return reply(errors::not_implemented("UploadPartCopy is not implemented"));
  auto number = parse_int(*query_param(req.query, "partNumber"));
  if (!number || *number < s3_limits::part_number_min || *number > s3_limits::part_number_max)
    return reply(
        errors::invalid_argument("Part number must be an integer between 1 and 10000, inclusive"));
  std::string id = *query_param(req.query, "uploadId");
  Decoded d = decode_put(req, bucket, key);
  if (d.error) return reply(*d.error);
  s3.upload_part(bucket, key, id, static_cast<int>(*number), std::move(d.put),
                 on_done<PutResult>(std::move(reply), [](PutResult& p) {
                   RawAnswer a = empty_answer();
                   a.headers.emplace_back("ETag", p.etag);
                   a.headers.emplace_back("x-amz-server-side-encryption", "AES256");
                   add_checksum_header(a, p.checksum_algorithm, p.checksum);
                   return a;
                 }));
}

void complete_upload(S3& s3, std::string bucket, std::string key, api::RestRequest& req,
                     const api::RequestInfo& info, RawReply& reply) {
  std::string id = *query_param(req.query, "uploadId");
  auto doc = parse_xml(req.http.body());
  if (!doc || doc->name != "CompleteMultipartUpload") return reply(errors::malformed_xml());
  std::vector<CompletedPart> parts;
  for (const auto& c : doc->children) {
    if (c.name != "Part") continue;
    auto n = parse_int(c.child_text("PartNumber"));
    if (!n || *n < s3_limits::part_number_min || *n > s3_limits::part_number_max)
      return reply(errors::malformed_xml());
    parts.push_back({static_cast<int>(*n), c.child_text("ETag")});
  }
  std::string location = "http://" + (info.host.empty() ? std::string("localhost") : info.host) +
                         "/" + bucket + "/" + url_encode_key(key);
  s3.complete_upload(
      bucket, key, id, std::move(parts),
      on_done<CompleteResult>(std::move(reply), [bucket, key, location](CompleteResult& c) {
        api::XmlWriter w(true);
        w.open("CompleteMultipartUploadResult", s3_xmlns);
        w.element("Location", location).element("Bucket", bucket).element("Key", key);
        w.element("ETag", c.etag);
        if (!c.checksum_algorithm.empty()) {
          w.element("Checksum" + c.checksum_algorithm, c.checksum);
          w.element("ChecksumType", c.checksum_type);
        }
        RawAnswer a = xml_answer(w.finish());
        a.headers.emplace_back("x-amz-server-side-encryption", "AES256");
        return a;
      }));
}

void list_parts(S3& s3, const std::string& bucket, const std::string& key, api::RestRequest& req,
                RawReply& reply) {
  std::string id = *query_param(req.query, "uploadId");
  int marker = 0;
  std::size_t max = s3_limits::list_keys_max;
  if (const auto* m = query_param(req.query, "part-number-marker")) {
    auto n = parse_int(*m);
    if (!n || *n < 0 || *n > s3_limits::part_number_max)
      return reply(errors::invalid_argument("Invalid part number marker"));
    marker = static_cast<int>(*n);
  }
  if (const auto* m = query_param(req.query, "max-parts")) {
    auto n = parse_int(*m);
    if (!n || *n < 0) return reply(errors::invalid_argument("Invalid max-parts"));
    max = static_cast<std::size_t>(
        std::min<std::int64_t>(*n, static_cast<std::int64_t>(s3_limits::list_keys_max)));
  }
  auto r = s3.list_parts(bucket, key, id, marker, max);
  if (!r.ok()) return reply(*r.error);
  api::XmlWriter w(true);
  w.open("ListPartsResult", s3_xmlns);
  w.element("Bucket", bucket).element("Key", key).element("UploadId", id);
  w.element("PartNumberMarker", std::to_string(marker));
  w.element("NextPartNumberMarker", std::to_string(r.value.next_marker));
  w.element("MaxParts", std::to_string(max));
  w.element("IsTruncated", r.value.truncated ? "true" : "false");
  for (const auto& p : r.value.parts) {
    w.open("Part").element("PartNumber", std::to_string(p.number));
    w.element("LastModified", iso(p.last_modified)).element("ETag", p.etag);
    if (!p.checksum.empty() && !r.value.upload.checksum_algorithm.empty())
      w.element("Checksum" + r.value.upload.checksum_algorithm, p.checksum);
    w.element("Size", std::to_string(p.size)).close();
  }
  w.element("StorageClass", "STANDARD");
  reply(xml_answer(w.finish()));
}

void list_uploads(S3& s3, const std::string& bucket, const api::Params& q, RawReply& reply) {
  const std::string* prefix = query_param(q, "prefix");
  auto r = s3.list_uploads(bucket, prefix ? *prefix : "");
  if (!r.ok()) return reply(*r.error);
  api::XmlWriter w(true);
  w.open("ListMultipartUploadsResult", s3_xmlns);
  w.element("Bucket", bucket).element("KeyMarker", "").element("UploadIdMarker", "");
  if (prefix) w.element("Prefix", *prefix);
  w.element("MaxUploads", std::to_string(s3_limits::list_keys_max));
  w.element("IsTruncated", "false");
  for (const auto& u : r.value)
    w.open("Upload")
        .element("Key", u.key)
        .element("UploadId", u.id)
        .element("Initiated", iso(u.initiated))
        .element("StorageClass", "STANDARD")
        .close();
  reply(xml_answer(w.finish()));
}

void create_bucket(S3& s3, const std::string& bucket, api::RestRequest& req,
                   const api::RequestInfo& info, RawReply& reply) {
  std::string region;
  const std::string& body = req.http.body();
  if (!body.empty()) {
    auto doc = parse_xml(body);
    if (!doc || doc->name != "CreateBucketConfiguration") return reply(errors::malformed_xml());
    region = doc->child_text("LocationConstraint");
  }
  if (region.empty()) region = "us-east-1";  // S3: no LocationConstraint means us-east-1
  s3.create_bucket(bucket, region, on_done<Nothing>(std::move(reply), [bucket](Nothing&) {
                     RawAnswer a = empty_answer();
                     a.headers.emplace_back("Location", "/" + bucket);
                     return a;
                   }));
}

}  // namespace

std::optional<std::pair<std::string, std::string>> split_path(std::string_view path) {
  return split(path);
}

std::string rest_operation(std::string_view method, bool has_key, const api::Params& q, bool copy) {
  const bool upload_id = has_param(q, "uploadId");
  if (!has_key) {
    if (method == "PUT") return q.empty() ? "CreateBucket" : "";
    if (method == "HEAD") return "HeadBucket";
    if (method == "DELETE") return q.empty() ? "DeleteBucket" : "";
    if (method == "POST") return has_param(q, "delete") ? "DeleteObjects" : "";
    if (method == "GET") {
      if (has_param(q, "uploads")) return "ListMultipartUploads";
      if (has_param(q, "location")) return "GetBucketLocation";
      if (has_param(q, "versioning")) return "GetBucketVersioning";
      for (const auto& [k, v] : q) {
        static constexpr std::string_view list_params[] = {"list-type",
                                                           "prefix",
                                                           "delimiter",
                                                           "max-keys",
                                                           "start-after",
                                                           "continuation-token",
                                                           "marker",
                                                           "encoding-type",
                                                           "fetch-owner",
                                                           "x-id",
                                                           "expected-bucket-owner"};
        bool known = false;
        for (auto p : list_params) known = known || k == p;
        if (!known) return "";
      }
      const std::string* t = query_param(q, "list-type");
      return t && *t == "2" ? "ListObjectsV2" : "ListObjects";
    }
    return "";
  }
  if (method == "PUT") {
    if (has_param(q, "partNumber") && upload_id) return "UploadPart";
    for (const auto& [k, v] : q)
      if (k != "x-id") return "";  // ?acl, ?tagging, ...: not here
    return copy ? "CopyObject" : "PutObject";
  }
  if (method == "GET") {
    if (upload_id) return "ListParts";
    for (const auto& [k, v] : q)
      if (k != "x-id" && k != "partNumber" && !k.starts_with("response-")) return "";
    return "GetObject";
  }
  if (method == "HEAD") return "HeadObject";
  if (method == "DELETE") return upload_id ? "AbortMultipartUpload" : "DeleteObject";
  if (method == "POST") {
    if (has_param(q, "uploads")) return "CreateMultipartUpload";
    if (upload_id) return "CompleteMultipartUpload";
  }
  return "";
}

void handle_rest(S3& s3, api::RestRequest& req, const api::RequestInfo& info, RawReply reply) {
  const api::HttpRequest& http = req.http;
  auto parts = split(req.path);
  if (!parts) return reply(errors::invalid_argument("The request path is not %-encoded properly"));
  auto& [bucket, key] = *parts;
  const std::string method(http.method_string());
  if (bucket.empty()) {
    if (method != "GET")
      return reply(api::ApiError{
          "MethodNotAllowed", "The specified method is not allowed against this resource.", 405});
    return reply(xml_answer(list_buckets_xml(s3.list_buckets(), s3.options().place.account)));
  }
  const bool has_key = !key.empty();
  if (has_key)
    if (auto e = check_key(key)) return reply(*e);
  const std::string op =
      rest_operation(method, has_key, req.query, !header(http, "x-amz-copy-source").empty());
  if (op.empty())
    return reply(errors::not_implemented(
        "A header or query you provided implies functionality that is not implemented"));
  if (op == "ListObjects" || op == "ListObjectsV2")
    return list_objects(s3, bucket, req.query, reply);
  if (op == "CreateBucket") return create_bucket(s3, bucket, req, info, reply);
  if (op == "HeadBucket" || op == "GetBucketLocation" || op == "GetBucketVersioning") {
    auto r = s3.head_bucket(bucket);
    if (!r.ok()) return reply(*r.error);
    if (op == "HeadBucket") {
      RawAnswer a = empty_answer();
      a.headers.emplace_back("x-amz-bucket-region", r.value.region);
      return reply(std::move(a));
    }
    api::XmlWriter w(true);
    if (op == "GetBucketLocation") {
      w.open("LocationConstraint", s3_xmlns);
      if (r.value.region != "us-east-1") w.raw(api::xml_escape(r.value.region));
    } else {
      w.open("VersioningConfiguration", s3_xmlns);
    }
    return reply(xml_answer(w.finish()));
  }
  if (op == "DeleteBucket")
    return s3.delete_bucket(
        bucket, on_done<Nothing>(std::move(reply), [](Nothing&) { return empty_answer(204); }));
  if (op == "DeleteObjects") return delete_objects(s3, bucket, req, reply);
  if (op == "ListMultipartUploads") return list_uploads(s3, bucket, req.query, reply);
  if (op == "PutObject") return put_object(s3, bucket, key, req, reply);
  if (op == "CopyObject") return copy_object(s3, bucket, key, req, reply);
  if (op == "GetObject" || op == "HeadObject")
    return get_object(s3, bucket, key, req, op == "HeadObject", reply);
  if (op == "DeleteObject")
    return s3.delete_object(bucket, key, on_done<Nothing>(std::move(reply), [](Nothing&) {
                              return empty_answer(204);
                            }));
  if (op == "CreateMultipartUpload") return create_upload(s3, bucket, key, req, reply);
  if (op == "UploadPart") return upload_part(s3, bucket, key, req, reply);
  if (op == "CompleteMultipartUpload") return complete_upload(s3, bucket, key, req, info, reply);
  if (op == "AbortMultipartUpload")
    return s3.abort_upload(
        bucket, key, *query_param(req.query, "uploadId"),
        on_done<Nothing>(std::move(reply), [](Nothing&) { return empty_answer(204); }));
  if (op == "ListParts") return list_parts(s3, bucket, key, req, reply);
  reply(errors::not_implemented("The operation is not implemented"));
}

}  // namespace stepwise::services::s3
