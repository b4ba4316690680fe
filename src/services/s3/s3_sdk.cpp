#include "services/s3/s3_sdk.h"

#include <memory>

#include "api/protocol.h"
#include "base/clock.h"
#include "json/json.h"

namespace stepwise::services::s3 {
namespace {

using Json = json::object;

std::string text(const Json& r, const char* k) {
  const json::value* v = r.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<std::int64_t> integer(const Json& r, const char* k) {
  const json::value* v = r.if_contains(k);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_string()) {
    try {
      std::size_t used = 0;
      std::string s(v->get_string());
      long long n = std::stoll(s, &used);
      if (used == s.size()) return n;
    } catch (...) {
    }
  }
  return std::nullopt;
}

api::ApiError missing(const char* member) {
  return errors::invalid_argument(std::string(member) + " is required");
}

Pairs pairs_of(const json::value* v) {
  Pairs out;
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& kv : v->get_object()) {
    std::string value =
        kv.value().is_string() ? std::string(kv.value().get_string()) : json::dump(kv.value());
    std::string name(kv.key());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

Json metadata_json(const Pairs& p) {
  Json o;
  for (const auto& [k, v] : p) o[k] = v;
  return o;
}

constexpr const auto& kHeaderMembers = entity_header_members;

PutInput put_input(const Json& r) {
  PutInput in;
  in.bucket = text(r, "Bucket");
  in.key = text(r, "Key");
  if (const json::value* b = r.if_contains("Body"); b && !b->is_null())
    in.body = b->is_string() ? std::string(b->get_string()) : json::dump(*b);
  in.content_type = text(r, "ContentType");
  in.metadata = pairs_of(r.if_contains("Metadata"));
  for (const auto& [member, name] : kHeaderMembers)
    if (auto v = text(r, member); !v.empty()) in.headers.emplace_back(name, v);
  in.content_md5 = text(r, "ContentMD5");
  in.checksum_algorithm = text(r, "ChecksumAlgorithm");
  for (const char* alg : {"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}) {
    std::string v = text(r, (std::string("Checksum") + alg).c_str());
    if (!v.empty()) {
      in.checksum_algorithm = alg;
      in.checksum = v;
    }
  }
  return in;
}

void checksum_members(Json& out, const std::string& algorithm, const std::string& value,
                      const std::string& type) {
  if (algorithm.empty() || value.empty()) return;
  out["Checksum" + algorithm] = value;
  if (!type.empty()) out["ChecksumType"] = type;
}

Json object_json(const ObjectInfo& o, const GetResult* g) {
  Json out;
  out["AcceptRanges"] = "bytes";
  out["ContentLength"] = g && g->partial ? g->last - g->first + 1 : o.size;
  if (g && g->partial)
    out["ContentRange"] = "bytes " + std::to_string(g->first) + "-" + std::to_string(g->last) +
                          "/" + std::to_string(o.size);
  out["ContentType"] = o.content_type;
  out["ETag"] = o.etag;
  out["LastModified"] = sdk_time(o.last_modified);
  out["Metadata"] = metadata_json(o.metadata);
  if (o.parts > 0) out["PartsCount"] = o.parts;
  for (const auto& [member, name] : kHeaderMembers)
    for (const auto& [k, v] : o.headers)
      if (k == name) out[member] = v;
  out["ServerSideEncryption"] = "AES256";
  return out;
}

template <class T>
Done<T> answer(api::Reply reply, std::function<Json(T&)> make) {
  return [reply = std::move(reply), make = std::move(make)](Answer<T> a) {
    if (!a.ok()) return reply(*a.error);
    reply(make(a.value));
  };
}

Json list_json(const std::string& bucket, const ListInput& in, const ListResult& r,
               const std::string& token) {
  Json out;
  json::array contents;
  for (const auto& o : r.contents) {
    Json c{{"Key", o.key}, {"LastModified", sdk_time(o.info.last_modified)}, {"ETag", o.info.etag}};
    if (!o.info.checksum_algorithm.empty()) {
      c["ChecksumAlgorithm"] = json::array{o.info.checksum_algorithm};
      c["ChecksumType"] = o.info.checksum_type;
    }
    c["Size"] = o.info.size;
    c["StorageClass"] = "STANDARD";
    contents.push_back(std::move(c));
  }
  out["IsTruncated"] = r.truncated;
  if (!in.v2) out["Marker"] = in.continuation;
  if (!contents.empty()) out["Contents"] = std::move(contents);
  out["Name"] = bucket;
  out["Prefix"] = in.prefix;
  if (!in.delimiter.empty()) out["Delimiter"] = in.delimiter;
  out["MaxKeys"] = in.max_keys;
  if (!r.common_prefixes.empty()) {
    json::array cp;
    for (const auto& p : r.common_prefixes) cp.push_back(Json{{"Prefix", p}});
    out["CommonPrefixes"] = std::move(cp);
  }
  if (in.v2) {
    out["KeyCount"] = r.contents.size() + r.common_prefixes.size();
    if (!token.empty()) out["ContinuationToken"] = token;
    if (!r.next.empty()) out["NextContinuationToken"] = r.next;
    if (!in.start_after.empty()) out["StartAfter"] = in.start_after;
  } else if (!r.next.empty()) {
    out["NextMarker"] = r.next;
  }
  return out;
}

// HEAD answers have no body: the SDK has no message to show.
api::ApiError without_message(api::ApiError e) {
  e.message = "null";
  return e;
}

}  // namespace

std::string utf8_lossy(std::string_view bytes) {
  if (api::is_valid_utf8(bytes)) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t n = api::utf8_sequence_length(bytes, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string sdk_time(Millis t) {
  std::string iso = format_iso8601_ms(t - t % 1000);  // 2025-01-02T03:04:05.000Z
  return iso.substr(0, 19) + "Z";
}

const std::vector<std::string>& S3Operations::operation_names() {
  static const std::vector<std::string> names = {"CreateBucket",
                                                 "HeadBucket",
                                                 "ListBuckets",
                                                 "DeleteBucket",
                                                 "PutObject",
                                                 "GetObject",
                                                 "HeadObject",
                                                 "CopyObject",
                                                 "DeleteObject",
                                                 "DeleteObjects",
                                                 "ListObjects",
                                                 "ListObjectsV2",
                                                 "CreateMultipartUpload",
                                                 "UploadPart",
                                                 "CompleteMultipartUpload",
                                                 "AbortMultipartUpload",
                                                 "ListParts",
                                                 "GetBucketLocation"};
  return names;
}

void S3Operations::dispatch(std::string_view op, json::value request, const api::RequestInfo& info,
                            api::Reply reply) {
  const Json empty;
  const Json& r = request.is_object() ? request.get_object() : empty;
  const std::string bucket = text(r, "Bucket");
  const std::string key = text(r, "Key");
  if (op != "ListBuckets" && bucket.empty()) return reply(missing("Bucket"));
  const bool needs_key =
      op == "PutObject" || op == "GetObject" || op == "HeadObject" || op == "CopyObject" ||
      op == "DeleteObject" || op == "CreateMultipartUpload" || op == "UploadPart" ||
      op == "CompleteMultipartUpload" || op == "AbortMultipartUpload" || op == "ListParts";
  if (needs_key) {
    if (key.empty()) return reply(missing("Key"));
    if (auto e = check_key(key)) return reply(*e);
  }
  if (op == "CreateBucket") {
    std::string region;
    if (const auto* c = r.if_contains("CreateBucketConfiguration"); c && c->is_object())
      region = text(c->get_object(), "LocationConstraint");
    if (region.empty()) region = "us-east-1";
    return s3_.create_bucket(bucket, region, answer<Nothing>(std::move(reply), [bucket](Nothing&) {
                               return Json{{"Location", "/" + bucket}};
                             }));
  }
  if (op == "HeadBucket" || op == "GetBucketLocation") {
    auto b = s3_.head_bucket(bucket);
    if (!b.ok()) return reply(op == "HeadBucket" ? without_message(*b.error) : *b.error);
    if (op == "HeadBucket") return reply(Json{{"BucketRegion", b.value.region}});
    return reply(Json{
        {"LocationConstraint", b.value.region == "us-east-1" ? std::string() : b.value.region}});
  }
  if (op == "ListBuckets") {
    json::array buckets;
    for (const auto& b : s3_.list_buckets())
      buckets.push_back(Json{{"Name", b.name}, {"CreationDate", sdk_time(b.created)}});
    return reply(
        Json{{"Buckets", std::move(buckets)},
             {"Owner", Json{{"DisplayName", "stepwise"}, {"ID", s3_.options().place.account}}}});
  }
  if (op == "DeleteBucket")
    return s3_.delete_bucket(bucket,
                             answer<Nothing>(std::move(reply), [](Nothing&) { return Json{}; }));
  if (op == "PutObject")
    return s3_.put_object(put_input(r), answer<PutResult>(std::move(reply), [](PutResult& p) {
                            Json out;
                            checksum_members(out, p.checksum_algorithm, p.checksum,
                                             p.checksum_type);
                            out["ETag"] = p.etag;
                            out["ServerSideEncryption"] = "AES256";
                            return out;
                          }));
  if (op == "GetObject" || op == "HeadObject") {
    auto g = s3_.get_object(bucket, key, text(r, "Range"), op == "GetObject");
    if (!g.ok()) return reply(op == "HeadObject" ? without_message(*g.error) : *g.error);
    Json out = object_json(g.value.info, &g.value);
    if (text(r, "ChecksumMode") == "ENABLED" && !g.value.partial)
      checksum_members(out, g.value.info.checksum_algorithm, g.value.info.checksum,
                       g.value.info.checksum_type);
    if (op == "GetObject") out["Body"] = utf8_lossy(g.value.body);
    return reply(std::move(out));
  }
  if (op == "CopyObject") {
    std::string source = text(r, "CopySource");
    std::string_view s(source);
    s = s.substr(0, s.find('?'));
    if (s.starts_with('/')) s.remove_prefix(1);
    auto slash = s.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size())
      return reply(errors::invalid_argument("Invalid copy source object key"));
    CopyInput in;
    in.src_bucket = std::string(s.substr(0, slash));
    in.src_key = std::string(s.substr(slash + 1));
    in.bucket = bucket;
    in.key = key;
    in.replace_metadata = text(r, "MetadataDirective") == "REPLACE";
    PutInput p = put_input(r);
    in.content_type = std::move(p.content_type);
    in.metadata = std::move(p.metadata);
    in.headers = std::move(p.headers);
    in.checksum_algorithm = std::move(p.checksum_algorithm);
    return s3_.copy_object(
        std::move(in), answer<CopyResult>(std::move(reply), [](CopyResult& c) {
          Json result{{"ETag", c.etag}, {"LastModified", sdk_time(c.last_modified)}};
          checksum_members(result, c.checksum_algorithm, c.checksum, "");
          return Json{{"CopyObjectResult", std::move(result)}, {"ServerSideEncryption", "AES256"}};
        }));
  }
  if (op == "DeleteObject")
    return s3_.delete_object(bucket, key,
                             answer<Nothing>(std::move(reply), [](Nothing&) { return Json{}; }));
  if (op == "DeleteObjects") {
    std::vector<std::string> keys;
    bool quiet = false;
    if (const auto* d = r.if_contains("Delete"); d && d->is_object()) {
      if (const auto* q = d->get_object().if_contains("Quiet"); q && q->is_bool())
        quiet = q->get_bool();
      if (const auto* objs = d->get_object().if_contains("Objects"); objs && objs->is_array())
        for (const auto& o : objs->get_array())
          if (o.is_object()) keys.push_back(text(o.get_object(), "Key"));
    }
    return s3_.delete_objects(
        bucket, std::move(keys), answer<DeleteResult>(std::move(reply), [quiet](DeleteResult& d) {
          Json out;
          json::array deleted, errs;
          if (!quiet)
            for (const auto& k : d.deleted) deleted.push_back(Json{{"Key", k}});
          for (const auto& [k, e] : d.errors)
            errs.push_back(Json{{"Key", k}, {"Code", e.type}, {"Message", e.message}});
          if (!deleted.empty()) out["Deleted"] = std::move(deleted);
          if (!errs.empty()) out["Errors"] = std::move(errs);
          return out;
        }));
  }
  if (op == "ListObjects" || op == "ListObjectsV2") {
    ListInput in;
    in.v2 = op == "ListObjectsV2";
    in.prefix = text(r, "Prefix");
    in.delimiter = text(r, "Delimiter");
    if (auto m = integer(r, "MaxKeys")) {
      if (*m < 0) return reply(errors::invalid_argument("MaxKeys must not be negative"));
      in.max_keys = static_cast<std::size_t>(
          std::min<std::int64_t>(*m, static_cast<std::int64_t>(s3_limits::list_keys_max)));
    }
    std::string token;
    if (in.v2) {
      in.start_after = text(r, "StartAfter");
      token = text(r, "ContinuationToken");
      if (!token.empty()) {
        auto decoded = decode_continuation(token);
        if (!decoded)
          return reply(errors::invalid_argument("The continuation token provided is incorrect"));
        in.continuation = std::move(*decoded);
      }
    } else {
      in.continuation = text(r, "Marker");
    }
    auto l = s3_.list_objects(bucket, in);
    if (!l.ok()) return reply(*l.error);
    return reply(list_json(bucket, in, l.value, token));
  }
  if (op == "CreateMultipartUpload")
    return s3_.create_upload(put_input(r),
                             answer<std::string>(std::move(reply), [bucket, key](std::string& id) {
                               return Json{{"Bucket", bucket}, {"Key", key}, {"UploadId", id}};
                             }));
  const std::string upload = text(r, "UploadId");
  if (op == "UploadPart" || op == "CompleteMultipartUpload" || op == "AbortMultipartUpload" ||
      op == "ListParts") {
    if (upload.empty()) return reply(missing("UploadId"));
  }
  if (op == "UploadPart") {
    auto n = integer(r, "PartNumber");
    if (!n) return reply(missing("PartNumber"));
    if (*n < s3_limits::part_number_min || *n > s3_limits::part_number_max)
      return reply(errors::invalid_argument(
          "Part number must be an integer between 1 and 10000, inclusive"));
    return s3_.upload_part(bucket, key, upload, static_cast<int>(*n), put_input(r),
                           answer<PutResult>(std::move(reply), [](PutResult& p) {
                             Json out{{"ETag", p.etag}, {"ServerSideEncryption", "AES256"}};
                             checksum_members(out, p.checksum_algorithm, p.checksum, "");
                             return out;
                           }));
  }
  if (op == "CompleteMultipartUpload") {
    std::vector<CompletedPart> parts;
    if (const auto* m = r.if_contains("MultipartUpload"); m && m->is_object())
      if (const auto* ps = m->get_object().if_contains("Parts"); ps && ps->is_array())
        for (const auto& p : ps->get_array()) {
          if (!p.is_object()) continue;
          auto n = integer(p.get_object(), "PartNumber");
          if (!n || *n < s3_limits::part_number_min || *n > s3_limits::part_number_max)
            return reply(errors::malformed_xml());
          parts.push_back({static_cast<int>(*n), text(p.get_object(), "ETag")});
        }
    std::string location = s3_.options().place.endpoint + "/" + bucket + "/" + url_encode_key(key);
    return s3_.complete_upload(
        bucket, key, upload, std::move(parts),
        answer<CompleteResult>(std::move(reply), [bucket, key, location](CompleteResult& c) {
          Json out{{"Location", location}, {"Bucket", bucket}, {"Key", key}, {"ETag", c.etag}};
          checksum_members(out, c.checksum_algorithm, c.checksum, c.checksum_type);
          out["ServerSideEncryption"] = "AES256";
          return out;
        }));
  }
  if (op == "AbortMultipartUpload")
    return s3_.abort_upload(bucket, key, upload,
                            answer<Nothing>(std::move(reply), [](Nothing&) { return Json{}; }));
  if (op == "ListParts") {
    auto marker = integer(r, "PartNumberMarker").value_or(0);
    auto max = integer(r, "MaxParts").value_or(static_cast<std::int64_t>(s3_limits::list_keys_max));
    if (marker < 0 || max < 0) return reply(errors::invalid_argument("Invalid part listing"));
    auto l =
        s3_.list_parts(bucket, key, upload,
                       static_cast<int>(std::min<std::int64_t>(marker, s3_limits::part_number_max)),
                       static_cast<std::size_t>(max));
    if (!l.ok()) return reply(*l.error);
    json::array parts;
    for (const auto& p : l.value.parts)
      parts.push_back(Json{{"PartNumber", p.number},
                           {"LastModified", sdk_time(p.last_modified)},
                           {"ETag", p.etag},
                           {"Size", p.size}});
    return reply(Json{{"Bucket", bucket},
                      {"Key", key},
                      {"UploadId", upload},
                      {"PartNumberMarker", marker},
                      {"NextPartNumberMarker", l.value.next_marker},
                      {"MaxParts", max},
                      {"IsTruncated", l.value.truncated},
                      {"Parts", std::move(parts)},
                      {"StorageClass", "STANDARD"}});
  }
  (void)info;
  reply(api::unknown_operation(op));
}

}  // namespace stepwise::services::s3
