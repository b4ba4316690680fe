// The S3 store (bucket and object state over a record log and a blob store): setup and
// recovery from the log, the records it writes, buckets, single-part objects and listing.
// Multipart uploads live in s3_multipart.cpp.

#include "services/s3/s3.h"

#include <algorithm>
#include <set>

#include "api/protocol.h"
#include "api/sigv4.h"
#include "json/json.h"
#include "services/common/codec.h"
#include "services/common/record_text.h"
#include "services/s3/s3_internal.h"

namespace stepwise::services::s3 {

namespace {

// Record keys stay short whatever the object key (RecordLog keys are ≤ 1 KiB): the bucket and
// the SHA-256 of the key; the value holds the key itself.
std::string object_record_key(const std::string& bucket, const std::string& key) {
  return bucket + "/" + api::sigv4::sha256_hex(key);
}

json::object pairs_json(const Pairs& p) {
  json::object o;
  for (const auto& [k, v] : p) o[k] = v;
  return o;
}

Pairs json_pairs(const json::value* v) {
  Pairs out;
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& kv : v->get_object())
    if (kv.value().is_string())
      out.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
  return out;
}

std::string str(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::int64_t num(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_int64()    ? v->get_int64()
         : v && v->is_uint64() ? static_cast<std::int64_t>(v->get_uint64())
                               : 0;
}

ObjectInfo object_from(const json::object& o) {
  ObjectInfo info;
  info.size = static_cast<std::uint64_t>(num(o, "size"));
  info.etag = str(o, "etag");
  info.content_type = str(o, "ct");
  info.metadata = json_pairs(o.if_contains("meta"));
  info.headers = json_pairs(o.if_contains("h"));
  info.last_modified = num(o, "lm");
  info.checksum_algorithm = str(o, "ca");
  info.checksum = str(o, "cs");
  info.checksum_type = str(o, "cty");
  info.parts = static_cast<int>(num(o, "parts"));
  info.inline_id = static_cast<std::uint64_t>(num(o, "in"));
  if (const json::value* seg = o.if_contains("seg"); seg && seg->is_array()) {
    for (const auto& s : seg->get_array()) {
      if (!s.is_array() || s.get_array().size() != 2 || !s.get_array()[0].is_string()) continue;
      const auto& a = s.get_array();
      info.segments.push_back({std::string(a[0].get_string()),
                               a[1].is_int64()    ? static_cast<std::uint64_t>(a[1].get_int64())
                               : a[1].is_uint64() ? a[1].get_uint64()
                                                  : 0});
    }
  }
  return info;
}
}  // namespace

std::optional<api::ApiError> check_md5(const std::string& content_md5, std::string_view bytes) {
  if (content_md5.empty()) return std::nullopt;
  auto raw = base64_decode(content_md5);
  if (!raw || raw->size() != 16) return errors::invalid_digest();
  static constexpr char hex[] = "0123456789abcdef";
  std::string h;
  for (unsigned char c : *raw) {
    h += hex[c >> 4];
    h += hex[c & 15];
  }
  if (h != md5_hex(bytes)) return errors::bad_digest("Content-MD5");
  return std::nullopt;
}

std::optional<api::ApiError> check_pairs(const Pairs& metadata, const Pairs& headers) {
  if (metadata_bytes(metadata) > s3_limits::metadata_bytes_max) return errors::metadata_too_large();
  for (const Pairs* p : {&metadata, &headers})
    for (const auto& [k, v] : *p)
      if (!api::is_valid_utf8(k) || !api::is_valid_utf8(v))
        return errors::invalid_argument("Metadata and headers must be valid UTF-8");
  return std::nullopt;
}

namespace {

ObjectInfo without_segments(const ObjectInfo& o) {
  ObjectInfo c = o;
  c.segments.clear();
  return c;
}

}  // namespace

// ---- listing ----

std::string continuation_token(std::string_view last) { return base64_encode(last); }

std::optional<std::string> decode_continuation(std::string_view token) {
  return base64_decode(token);
}

ListResult list_keys(const std::map<std::string, ObjectInfo>& objects, const ListInput& in) {
  ListResult out;
  // Start after the later of StartAfter and the continuation point (v1's Marker).
  std::string after = in.start_after;
  if (in.continuation > after) after = in.continuation;
  auto it = after.empty() ? objects.lower_bound(in.prefix) : objects.upper_bound(after);
  if (!in.prefix.empty() && it != objects.end() && it->first < in.prefix)
    it = objects.lower_bound(in.prefix);
  std::size_t count = 0;
  std::string last;
  for (; it != objects.end(); ++it) {
    const std::string& key = it->first;
    if (!key.starts_with(in.prefix)) {
      if (key > in.prefix) break;  // sorted: no later key has the prefix
      continue;
    }
    std::string common;
    if (!in.delimiter.empty()) {
      auto at = key.find(in.delimiter, in.prefix.size());
      if (at != std::string::npos) common = key.substr(0, at + in.delimiter.size());
    }
    // A common prefix that ends at or before the continuation point was listed already.
    if (!common.empty() && !after.empty() && common <= after && after.starts_with(common)) continue;
    if (count == in.max_keys) {
      out.truncated = true;
      break;
    }
    if (!common.empty()) {
      if (out.common_prefixes.empty() || out.common_prefixes.back() != common) {
        out.common_prefixes.push_back(common);
        ++count;
        last = common;
      }
      // Skip the rest of the keys under this prefix.
      auto next = it;
      while (std::next(next) != objects.end() && std::next(next)->first.starts_with(common)) ++next;
      it = next;
      continue;
    }
    out.contents.push_back({key, without_segments(it->second)});
    ++count;
    last = key;
  }
  if (out.truncated) {
    if (in.v2) {
      out.next = continuation_token(last);
    } else if (!in.delimiter.empty()) {
      out.next = last;  // v1 gives NextMarker only with a delimiter
    }
  }
  return out;
}

// ---- setup ----

S3::S3(S3Options options, std::unique_ptr<BlobStore> blobs)
    : options_(std::move(options)),
      blobs_(std::move(blobs)),
      ids_(options_.id_seed),
      pending_(std::make_shared<PendingBytes>()) {}

// Blob writes still queued end in stored(), which needs every member: they finish first.
S3::~S3() { blobs_->drain(); }

void S3::drain() { blobs_->drain(); }

Result<std::unique_ptr<S3>> S3::open(S3Options options) {
  std::unique_ptr<BlobStore> blobs;
  if (options.blob_dir.empty()) {
    blobs = std::make_unique<MemoryBlobStore>(options.id_seed);
  } else {
    auto f = FileBlobStore::open(options.blob_dir, options.id_seed);
    if (!f.ok()) return f.error();
    blobs = std::move(f).value();
  }
  return std::unique_ptr<S3>(new S3(std::move(options), std::move(blobs)));
}

Status S3::load(std::size_t* damaged) {
  std::size_t bad = 0;
  base::MutexLock lock(mu_);
  // Each loader runs inside load_json_objects, while this function holds mu_.
  auto each_bucket = [&](const Record& r, const json::object& o) REQUIRES(mu_) {
    auto b = std::make_unique<Bucket>();
    b->name = r.key;
    b->created = num(o, "created");
    b->region = str(o, "region");
    buckets_[r.key] = std::move(b);
    return true;
  };
  auto each_object = [&](const Record&, const json::object& o) REQUIRES(mu_) {
    auto b = buckets_.find(str(o, "b"));
    if (b == buckets_.end()) return false;
    ObjectInfo info = object_from(o);
    next_inline_ = std::max(next_inline_, info.inline_id + 1);
    b->second->objects[str(o, "k")] = std::move(info);
    ++objects_;
    return true;
  };
  auto each_upload = [&](const Record& r, const json::object& o) REQUIRES(mu_) {
    UploadInfo u;
    u.id = r.key;
    u.bucket = str(o, "b");
    u.key = str(o, "k");
    u.initiated = num(o, "at");
    u.content_type = str(o, "ct");
    u.metadata = json_pairs(o.if_contains("meta"));
    u.headers = json_pairs(o.if_contains("h"));
    u.checksum_algorithm = str(o, "ca");
    uploads_[u.id] = std::move(u);
    return true;
  };
  auto each_part = [&](const Record&, const json::object& o) REQUIRES(mu_) {
    auto u = uploads_.find(str(o, "u"));
    if (u == uploads_.end()) return false;
    PartInfo p;
    p.number = static_cast<int>(num(o, "n"));
    p.size = static_cast<std::uint64_t>(num(o, "size"));
    p.etag = str(o, "etag");
    p.checksum = str(o, "cs");
    p.last_modified = num(o, "lm");
    p.blob = str(o, "blob");
    u->second.parts[p.number] = std::move(p);
    return true;
  };
  // Parents first: an object names its bucket, a part its upload.
  if (auto st = load_json_objects(options_.log, kBuckets, bad, each_bucket); !st.ok()) return st;
  if (auto st = load_json_objects(options_.log, kObjects, bad, each_object); !st.ok()) return st;
  if (auto st = load_json_objects(options_.log, kUploads, bad, each_upload); !st.ok()) return st;
  if (auto st = load_json_objects(options_.log, kParts, bad, each_part); !st.ok()) return st;
  // Every blob a record names is live; the rest never committed (or lost its unlink).
  std::set<std::string> live;
  for (const auto& [name, b] : buckets_)
    for (const auto& [key, o] : b->objects)
      for (const auto& s : o.segments) live.insert(s.blob);
  for (const auto& [id, u] : uploads_)
    for (const auto& [n, p] : u.parts) live.insert(p.blob);
  blobs_->sweep([&](const std::string& id) { return live.contains(id); });
  if (damaged) *damaged = bad;
  return ok_status();
}

// ---- records ----

Mutation S3::record_of(const Bucket& b) const {
  json::object o{{"created", b.created}, {"region", b.region}};
  return {kBuckets, b.name, json::dump(o)};
}

Mutation S3::record_of(const std::string& bucket, const std::string& key,
                       const ObjectInfo& info) const {
  // Written as text (record_text.h): every put makes one. The same bytes as dumping
  // {"b","k","size","etag","ct","meta","h","lm","ca","cs","cty","parts","seg"[,"in"]}.
  namespace rt = record_text;
  std::string out;
  out.reserve(160 + bucket.size() + key.size() + info.etag.size() + info.content_type.size());
  out += "{\"b\":";
  json::quote_to(bucket, out);
  rt::text(out, "k", key);
  rt::integer(out, "size", info.size);
  rt::text(out, "etag", info.etag);
  rt::text(out, "ct", info.content_type);
  rt::key(out, "meta");
  json::dump_to(pairs_json(info.metadata), out);
  rt::key(out, "h");
  json::dump_to(pairs_json(info.headers), out);
  rt::integer(out, "lm", info.last_modified);
  rt::text(out, "ca", info.checksum_algorithm);
  rt::text(out, "cs", info.checksum);
  rt::text(out, "cty", info.checksum_type);
  rt::integer(out, "parts", info.parts);
  rt::key(out, "seg");
  out += '[';
  for (std::size_t i = 0; i < info.segments.size(); ++i) {
    if (i > 0) out += ',';
    out += '[';
    json::quote_to(info.segments[i].blob, out);
    out += ',';
    rt::integer(out, info.segments[i].size);
    out += ']';
  }
  out += ']';
  if (info.inline_id != 0) rt::integer(out, "in", info.inline_id);
  out += '}';
  return {kObjects, object_record_key(bucket, key), std::move(out)};
}

Mutation S3::record_of(const UploadInfo& u) const {
  json::object o{{"b", u.bucket},
                 {"k", u.key},
                 {"at", u.initiated},
                 {"ct", u.content_type},
                 {"meta", pairs_json(u.metadata)},
                 {"h", pairs_json(u.headers)},
                 {"ca", u.checksum_algorithm}};
  return {kUploads, u.id, json::dump(o)};
}

Mutation S3::record_of(const UploadInfo& u, const PartInfo& p) const {
  json::object o{{"u", u.id},        {"n", p.number},         {"size", p.size}, {"etag", p.etag},
                 {"cs", p.checksum}, {"lm", p.last_modified}, {"blob", p.blob}};
  char n[8];
  std::snprintf(n, sizeof n, "%05d", p.number);
  return {kParts, u.id + "/" + n, json::dump(o)};
}

std::string inline_record_key(std::uint64_t inline_id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(inline_id));
  return buf;
}

void S3::collect(const ObjectInfo& o, std::vector<std::string>& doomed_blobs,
                 std::vector<Mutation>& batch) {
  for (const auto& s : o.segments) doomed_blobs.push_back(s.blob);
  if (o.inline_id != 0) batch.push_back({kBytes, inline_record_key(o.inline_id), std::nullopt});
}

S3::Bucket* S3::find_bucket(const std::string& name, api::ApiError* error) {
  auto it = buckets_.find(name);
  if (it == buckets_.end()) {
    *error = errors::no_such_bucket();
    return nullptr;
  }
  return it->second.get();
}

const S3::Bucket* S3::find_bucket(const std::string& name, api::ApiError* error) const {
  return const_cast<S3*>(this)->find_bucket(name, error);
}

// ---- buckets ----

void S3::create_bucket(const std::string& name, const std::string& region, Done<Nothing> done) {
  if (!valid_bucket_name(name)) return done({errors::invalid_bucket_name(), {}});
  base::MutexLock lock(mu_);
  const std::string where = region.empty() ? options_.place.region : region;
  if (auto it = buckets_.find(name); it != buckets_.end()) {
    // us-east-1 keeps its legacy answer: creating a bucket you own there succeeds again.
    if (where == "us-east-1" && it->second->region == "us-east-1") {
      lock.unlock();
      return done({});
    }
    return done({errors::bucket_already_owned(), {}});
  }
  if (buckets_.size() >= s3_limits::buckets_max) return done({errors::too_many_buckets(), {}});
  auto b = std::make_unique<Bucket>();
  b->name = name;
  b->created = options_.clock.now_ms();
  b->region = where;
  std::vector<Mutation> batch{record_of(*b)};
  buckets_[name] = std::move(b);
  persist<Nothing>(std::move(batch), {}, std::move(done));
}

Answer<BucketInfo> S3::head_bucket(const std::string& name) const {
  base::MutexLock lock(mu_);
  api::ApiError e;
  const Bucket* b = find_bucket(name, &e);
  if (b == nullptr) return {e, {}};
  return {std::nullopt, {b->name, b->created, b->region}};
}

std::vector<BucketInfo> S3::list_buckets() const {
  base::MutexLock lock(mu_);
  std::vector<BucketInfo> out;
  for (const auto& [name, b] : buckets_) out.push_back({name, b->created, b->region});
  return out;
}

void S3::delete_bucket(const std::string& name, Done<Nothing> done) {
  base::MutexLock lock(mu_);
  api::ApiError e;
  Bucket* b = find_bucket(name, &e);
  if (b == nullptr) return done({e, {}});
  if (!b->objects.empty()) return done({errors::bucket_not_empty(), {}});
  std::vector<Mutation> batch{{kBuckets, name, std::nullopt}};
  std::vector<std::string> doomed;
  // Uploads in progress go with the bucket (AWS refuses; a bucket whose only content is an
  // unfinished upload is "not empty" there too).
  for (const auto& [id, u] : uploads_)
    if (u.bucket == name) return done({errors::bucket_not_empty(), {}});
  buckets_.erase(name);
  persist<Nothing>(std::move(batch), {}, std::move(done), std::move(doomed));
}

// ---- objects ----

std::optional<api::ApiError> S3::check_put(const PutInput& in, std::string* algorithm,
                                           std::string* checksum) const {
  if (auto e = check_key(in.key)) return e;
  if (auto e = check_pairs(in.metadata, in.headers)) return e;
  if (auto e = check_md5(in.content_md5, in.body)) return e;
  if (!in.checksum_algorithm.empty()) {
    std::string_view alg = checksum_algorithm(in.checksum_algorithm);
    if (alg.empty())
      return errors::invalid_request("Value for x-amz-sdk-checksum-algorithm header is invalid.");
    std::string computed = checksum_base64(alg, in.body);
    if (!in.checksum.empty() && in.checksum != computed) return errors::bad_digest(alg);
    *algorithm = std::string(alg);
    *checksum = std::move(computed);
  }
  return std::nullopt;
}

void S3::put_object(PutInput in, Done<PutResult> done) {
  store(std::move(in), options_.put_bytes_max, std::move(done));
}

void S3::store(PutInput in, std::uint64_t cap, Done<PutResult> done) {
  std::string algorithm, checksum;
  if (in.body.size() > cap) return done({errors::entity_too_large(), {}});
  if (auto e = check_put(in, &algorithm, &checksum)) return done({e, {}});
  {
    base::MutexLock lock(mu_);
    api::ApiError e;
    if (find_bucket(in.bucket, &e) == nullptr) return done({e, {}});
    if (objects_ >= s3_limits::objects_max)
      return done({errors::invalid_request("This server holds too many objects"), {}});
  }
  // A small object's bytes go in its batch, committed with its record.
  if (in.body.size() <= s3_limits::inline_bytes_max)
    return stored(std::move(in), std::nullopt, algorithm, checksum, std::move(done));
  // A larger one's bytes are durable before any record names them. A file blob store writes
  // them on its own threads, so the caller (the server's I/O thread) does not wait for the
  // fsyncs.
  auto input = std::make_shared<PutInput>(std::move(in));
  const std::string_view bytes = input->body;
  blobs_->put_then(bytes, [this, input, algorithm, checksum,
                           done = std::move(done)](Result<std::string> blob) mutable {
    if (!blob.ok()) return done({errors::internal(blob.error().cause), {}});
    stored(std::move(*input), std::move(*blob), algorithm, checksum, std::move(done));
  });
}

void S3::stored(PutInput in, std::optional<std::string> blob, const std::string& algorithm,
                const std::string& checksum, Done<PutResult> done) {
  ObjectInfo info;
  info.size = in.body.size();
  info.etag = etag_of(in.body);
  info.content_type = in.content_type.empty() ? std::string(kDefaultContentType) : in.content_type;
  info.metadata = std::move(in.metadata);
  info.headers = std::move(in.headers);
  info.checksum_algorithm = algorithm;
  info.checksum = checksum;
  info.checksum_type = algorithm.empty() ? "" : "FULL_OBJECT";
  if (blob) info.segments.push_back({*blob, info.size});
  PutResult result{info.etag, algorithm, checksum, info.checksum_type};
  base::MutexLock lock(mu_);
  api::ApiError e;
  Bucket* b = find_bucket(in.bucket, &e);
  if (b == nullptr) {  // deleted while the bytes were written
    if (blob) blobs_->remove(*blob);
    return done({e, {}});
  }
  info.last_modified = options_.clock.now_ms();
  std::vector<Mutation> batch;
  if (!blob) {
    // The bytes ride in the batch; readers get them from memory until it commits.
    info.inline_id = next_inline_++;
    auto bytes = std::make_shared<const std::string>(std::move(in.body));
    batch.push_back({kBytes, inline_record_key(info.inline_id), *bytes});
    pending_->hold(info.inline_id, std::move(bytes));
  }
  std::vector<std::string> doomed;
  auto [it, inserted] = b->objects.try_emplace(in.key);
  if (inserted) {
    ++objects_;
  } else {
    collect(it->second, doomed, batch);
  }
  it->second = std::move(info);
  batch.push_back(record_of(in.bucket, in.key, it->second));
  persist<PutResult>(std::move(batch), {std::nullopt, std::move(result)}, std::move(done),
                     std::move(doomed), it->second.inline_id);
}

Status S3::read_bytes(const std::vector<Segment>& segments, std::uint64_t inline_id,
                      std::uint64_t size, std::uint64_t first, std::uint64_t last,
                      std::string& out) const {
  if (inline_id != 0) {
    std::shared_ptr<const std::string> held = pending_->find(inline_id);
    std::optional<std::string> stored;
    if (held == nullptr) {
      auto r = options_.log.read(kBytes, inline_record_key(inline_id));
      if (!r.ok()) return r.error();
      stored = std::move(*r);
    }
    const std::string* bytes = held ? held.get() : stored ? &*stored : nullptr;
    if (bytes == nullptr) return Error{"S3.Io", "the object's bytes record is gone"};
    if (bytes->size() != size) return Error{"S3.Io", "the object's bytes record is damaged"};
    out.append(*bytes, static_cast<std::size_t>(first), static_cast<std::size_t>(last - first + 1));
    return ok_status();
  }
  std::uint64_t at = 0;
  for (const auto& s : segments) {
    std::uint64_t s_first = at, s_last = at + s.size;  // [s_first, s_last)
    at = s_last;
    if (s.size == 0 || s_last <= first || s_first > last) continue;
    std::uint64_t from = std::max(first, s_first) - s_first;
    std::uint64_t to = std::min(last + 1, s_last) - s_first;
    if (auto st = blobs_->append(s.blob, from, to - from, out); !st.ok()) return st;
  }
  return ok_status();
}

Answer<GetResult> S3::get_object(const std::string& bucket, const std::string& key,
                                 std::string_view range, bool with_body) const {
  GetResult out;
  std::vector<Segment> segments;
  std::uint64_t inline_id = 0;
  {
    base::MutexLock lock(mu_);
    api::ApiError e;
    const Bucket* b = find_bucket(bucket, &e);
    if (b == nullptr) return {e, {}};
    auto it = b->objects.find(key);
    if (it == b->objects.end()) return {errors::no_such_key(), {}};
    out.info = without_segments(it->second);
    segments = it->second.segments;
    inline_id = it->second.inline_id;
  }
  std::uint64_t first = 0, last = out.info.size == 0 ? 0 : out.info.size - 1;
  if (!range.empty()) {
    RangeRequest r = parse_range(range, out.info.size);
    if (r.kind == RangeRequest::Kind::unsatisfiable) return {errors::invalid_range(), {}};
    if (r.kind == RangeRequest::Kind::range) {
      out.partial = true;
      first = r.first;
      last = r.last;
    }
  }
  out.first = first;
  out.last = last;
  if (!with_body || out.info.size == 0) return {std::nullopt, std::move(out)};
  // Read [first, last] outside the lock (a concurrent delete may remove the bytes meanwhile:
  // the object is then gone, as S3 would say a moment later).
  out.body.reserve(static_cast<std::size_t>(last - first + 1));
  if (!read_bytes(segments, inline_id, out.info.size, first, last, out.body).ok())
    return {errors::no_such_key(), {}};
  return {std::nullopt, std::move(out)};
}

void S3::copy_object(CopyInput in, Done<CopyResult> done) {
  if (auto e = check_key(in.key)) return done({e, {}});
  if (in.replace_metadata)
    if (auto e = check_pairs(in.metadata, in.headers)) return done({e, {}});
  auto src = get_object(in.src_bucket, in.src_key, "");
  if (!src.ok()) return done({src.error, {}});
  if (src.value.body.size() > s3_limits::put_bytes_max_aws)
    return done({errors::invalid_request(
                     "The specified copy source is larger than the maximum allowable size for "
                     "a copy source: 5368709120"),
                 {}});
  const bool same = in.src_bucket == in.bucket && in.src_key == in.key;
  if (same && !in.replace_metadata && in.checksum_algorithm.empty())
    return done({errors::invalid_request(
                     "This copy request is illegal because it is trying to copy an object to "
                     "itself without changing the object's metadata, storage class, website "
                     "redirect location or encryption attributes."),
                 {}});
  PutInput put;
  put.bucket = in.bucket;
  put.key = in.key;
  put.body = std::move(src.value.body);
  if (in.replace_metadata) {
    put.content_type = in.content_type;
    put.metadata = std::move(in.metadata);
    put.headers = std::move(in.headers);
  } else {
    put.content_type = src.value.info.content_type;
    put.metadata = src.value.info.metadata;
    put.headers = src.value.info.headers;
  }
  put.checksum_algorithm =
      in.checksum_algorithm.empty() ? src.value.info.checksum_algorithm : in.checksum_algorithm;
  if (put.checksum_algorithm.empty() && src.value.info.parts > 0) put.checksum_algorithm = "";
  Clock& clock = options_.clock;
  // A copy of a large object may exceed the PUT cap: copies are bounded by AWS's 5 GiB.
  store(std::move(put), s3_limits::put_bytes_max_aws,
        [done = std::move(done), &clock](Answer<PutResult> r) {
          if (!r.ok()) return done({r.error, {}});
          done({std::nullopt,
                {r.value.etag, clock.now_ms(), r.value.checksum_algorithm, r.value.checksum}});
        });
}

void S3::delete_object(const std::string& bucket, const std::string& key, Done<Nothing> done) {
  base::MutexLock lock(mu_);
  api::ApiError e;
  Bucket* b = find_bucket(bucket, &e);
  if (b == nullptr) return done({e, {}});
  auto it = b->objects.find(key);
  if (it == b->objects.end()) return done({});  // S3: deleting a missing key succeeds
  std::vector<std::string> doomed;
  std::vector<Mutation> batch{{kObjects, object_record_key(bucket, key), std::nullopt}};
  collect(it->second, doomed, batch);
  b->objects.erase(it);
  --objects_;
  persist<Nothing>(std::move(batch), {}, std::move(done), std::move(doomed));
}

void S3::delete_objects(const std::string& bucket, std::vector<std::string> keys,
                        Done<DeleteResult> done) {
  if (keys.empty() || keys.size() > s3_limits::delete_objects_max)
    return done({errors::malformed_xml(), {}});
  base::MutexLock lock(mu_);
  api::ApiError e;
  Bucket* b = find_bucket(bucket, &e);
  if (b == nullptr) return done({e, {}});
  DeleteResult result;
  std::vector<Mutation> batch;
  std::vector<std::string> doomed;
  for (auto& key : keys) {
    if (auto bad = check_key(key)) {
      result.errors.emplace_back(std::move(key), *bad);
      continue;
    }
    if (auto it = b->objects.find(key); it != b->objects.end()) {
      collect(it->second, doomed, batch);
      b->objects.erase(it);
      --objects_;
      batch.push_back({kObjects, object_record_key(bucket, key), std::nullopt});
    }
    result.deleted.push_back(std::move(key));
  }
  persist<DeleteResult>(std::move(batch), {std::nullopt, std::move(result)}, std::move(done),
                        std::move(doomed));
}

Answer<ListResult> S3::list_objects(const std::string& bucket, const ListInput& in) const {
  base::MutexLock lock(mu_);
  api::ApiError e;
  const Bucket* b = find_bucket(bucket, &e);
  if (b == nullptr) return {e, {}};
  ListInput capped = in;
  capped.max_keys = std::min(in.max_keys, s3_limits::list_keys_max);
  return {std::nullopt, list_keys(b->objects, capped)};
}

std::size_t S3::object_count() const {
  base::MutexLock lock(mu_);
  return objects_;
}

}  // namespace stepwise::services::s3
