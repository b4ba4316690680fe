// The S3 store's multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// AbortMultipartUpload, ListParts and ListMultipartUploads over the same record log and blob
// store as single-part objects (s3.cpp).
#include <algorithm>
#include <set>

#include "json/json.h"
#include "services/s3/s3_internal.h"

namespace stepwise::services::s3 {

void S3::create_upload(PutInput in, Done<std::string> done) {
  if (auto e = check_key(in.key)) return done({e, {}});
  if (auto e = check_pairs(in.metadata, in.headers)) return done({e, {}});
  std::string algorithm;
  if (!in.checksum_algorithm.empty()) {
    algorithm = std::string(checksum_algorithm(in.checksum_algorithm));
    if (algorithm.empty())
      return done({errors::invalid_request("Checksum algorithm provided is unsupported."), {}});
  }
  base::MutexLock lock(mu_);
  api::ApiError e;
  if (find_bucket(in.bucket, &e) == nullptr) return done({e, {}});
  if (uploads_.size() >= s3_limits::uploads_max)
    return done({errors::invalid_request("Too many multipart uploads in progress"), {}});
  UploadInfo u;
  // Upload ids are opaque and long, as AWS's are; two random 64-bit halves.
  u.id = base64_encode(std::to_string(ids_.next_u64()) + "." + std::to_string(ids_.next_u64()));
  for (char& c : u.id)
    if (c == '+' || c == '/' || c == '=') c = c == '+' ? '-' : c == '/' ? '_' : '0';
  u.bucket = in.bucket;
  u.key = in.key;
  u.initiated = options_.clock.now_ms();
  u.content_type = in.content_type.empty() ? std::string(kDefaultContentType) : in.content_type;
  u.metadata = std::move(in.metadata);
  u.headers = std::move(in.headers);
  u.checksum_algorithm = algorithm;
  std::vector<Mutation> batch{record_of(u)};
  std::string id = u.id;
  uploads_[id] = std::move(u);
  persist<std::string>(std::move(batch), {std::nullopt, id}, std::move(done));
}

void S3::upload_part(const std::string& bucket, const std::string& key, const std::string& id,
                     int number, PutInput body, Done<PutResult> done) {
  if (number < s3_limits::part_number_min || number > s3_limits::part_number_max)
    return done(
        {errors::invalid_argument("Part number must be an integer between 1 and 10000, inclusive"),
         {}});
  if (body.body.size() > options_.put_bytes_max) return done({errors::entity_too_large(), {}});
  if (auto e = check_md5(body.content_md5, body.body)) return done({e, {}});
  std::string algorithm, checksum;
  {
    base::MutexLock lock(mu_);
    api::ApiError e;
    if (find_bucket(bucket, &e) == nullptr) return done({e, {}});
    const UploadInfo* up = find_upload(bucket, key, id);
    if (up == nullptr) return done({errors::no_such_upload(), {}});
    algorithm = body.checksum_algorithm.empty() ? up->checksum_algorithm : body.checksum_algorithm;
  }
  if (!algorithm.empty()) {
    std::string_view alg = checksum_algorithm(algorithm);
    if (alg.empty())
      return done({errors::invalid_request("Checksum algorithm provided is unsupported."), {}});
    checksum = checksum_base64(alg, body.body);
    if (!body.checksum.empty() && body.checksum != checksum)
      return done({errors::bad_digest(alg), {}});
  }
  auto blob = blobs_->put(body.body);
  if (!blob.ok()) return done({errors::internal(blob.error().cause), {}});
  base::MutexLock lock(mu_);
  auto u = uploads_.find(id);
  if (u == uploads_.end()) {  // aborted or completed while the bytes were written
    blobs_->remove(*blob);
    return done({errors::no_such_upload(), {}});
  }
  PartInfo p;
  p.number = number;
  p.size = body.body.size();
  p.etag = etag_of(body.body);
  p.checksum = checksum;
  p.last_modified = options_.clock.now_ms();
  p.blob = *blob;
  std::vector<std::string> doomed;
  if (auto old = u->second.parts.find(number); old != u->second.parts.end())
    doomed.push_back(old->second.blob);
  PutResult result{p.etag, algorithm.empty() ? "" : std::string(checksum_algorithm(algorithm)),
                   checksum, ""};
  std::vector<Mutation> batch{record_of(u->second, p)};
  u->second.parts[number] = std::move(p);
  persist<PutResult>(std::move(batch), {std::nullopt, std::move(result)}, std::move(done),
                     std::move(doomed));
}

void S3::complete_upload(const std::string& bucket, const std::string& key, const std::string& id,
                         std::vector<CompletedPart> parts, Done<CompleteResult> done) {
  if (parts.empty()) return done({errors::malformed_xml(), {}});
  base::MutexLock lock(mu_);
  api::ApiError e;
  Bucket* b = find_bucket(bucket, &e);
  if (b == nullptr) return done({e, {}});
  UploadInfo* found = find_upload(bucket, key, id);
  if (found == nullptr) return done({errors::no_such_upload(), {}});
  UploadInfo& up = *found;
  ObjectInfo info;
  std::vector<std::string> etags;
  std::string composite;  // the parts' binary checksums, for a COMPOSITE checksum
  int previous = 0;
  for (const CompletedPart& c : parts) {
    if (c.number <= previous) return done({errors::invalid_part_order(), {}});
    previous = c.number;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const CompletedPart& c = parts[i];
    auto p = up.parts.find(c.number);
    if (p == up.parts.end() || quoted_etag(c.etag) != p->second.etag)
      return done({errors::invalid_part(), {}});
    if (i + 1 < parts.size() && p->second.size < s3_limits::part_bytes_min)
      return done({errors::entity_too_small(), {}});
    info.size += p->second.size;
    info.segments.push_back({p->second.blob, p->second.size});
    etags.push_back(p->second.etag);
    if (!up.checksum_algorithm.empty()) {
      auto raw = base64_decode(p->second.checksum);
      if (raw) composite += *raw;
    }
  }
  auto etag = multipart_etag(etags);
  if (!etag) return done({errors::invalid_part(), {}});
  info.etag = *etag;
  info.content_type = up.content_type;
  info.metadata = up.metadata;
  info.headers = up.headers;
  info.last_modified = options_.clock.now_ms();
  info.parts = static_cast<int>(parts.size());
  if (!up.checksum_algorithm.empty()) {
    // S3's composite checksum: the checksum of the parts' checksums, "-<n>".
    info.checksum_algorithm = up.checksum_algorithm;
    info.checksum =
        checksum_base64(up.checksum_algorithm, composite) + "-" + std::to_string(parts.size());
    info.checksum_type = "COMPOSITE";
  }
  // Parts not named in the list are discarded, as S3 does.
  std::set<std::string> used;
  for (const auto& s : info.segments) used.insert(s.blob);
  std::vector<std::string> doomed;
  std::vector<Mutation> batch;
  for (const auto& [n, p] : up.parts) {
    if (!used.contains(p.blob)) doomed.push_back(p.blob);
    char num_text[8];
    std::snprintf(num_text, sizeof num_text, "%05d", n);
    batch.push_back({kParts, up.id + "/" + num_text, std::nullopt});
  }
  batch.push_back({kUploads, up.id, std::nullopt});
  auto [it, inserted] = b->objects.try_emplace(key);
  if (inserted) {
    ++objects_;
  } else {
    collect(it->second, doomed, batch);
  }
  it->second = std::move(info);
  batch.push_back(record_of(bucket, key, it->second));
  CompleteResult result{it->second.etag, it->second.checksum_algorithm, it->second.checksum,
                        it->second.checksum_type};
  uploads_.erase(id);
  persist<CompleteResult>(std::move(batch), {std::nullopt, std::move(result)}, std::move(done),
                          std::move(doomed));
}

void S3::abort_upload(const std::string& bucket, const std::string& key, const std::string& id,
                      Done<Nothing> done) {
  base::MutexLock lock(mu_);
  api::ApiError e;
  if (find_bucket(bucket, &e) == nullptr) return done({e, {}});
  const UploadInfo* up = find_upload(bucket, key, id);
  if (up == nullptr) return done({errors::no_such_upload(), {}});
  std::vector<Mutation> batch;
  std::vector<std::string> doomed;
  for (const auto& [n, p] : up->parts) {
    doomed.push_back(p.blob);
    batch.push_back(record_of(*up, p));
    batch.back().value = std::nullopt;
  }
  batch.push_back({kUploads, id, std::nullopt});
  uploads_.erase(id);
  persist<Nothing>(std::move(batch), {}, std::move(done), std::move(doomed));
}

Answer<PartsPage> S3::list_parts(const std::string& bucket, const std::string& key,
                                 const std::string& id, int marker, std::size_t max) const {
  base::MutexLock lock(mu_);
  api::ApiError e;
  if (find_bucket(bucket, &e) == nullptr) return {e, {}};
  const UploadInfo* up = find_upload(bucket, key, id);
  if (up == nullptr) return {errors::no_such_upload(), {}};
  PartsPage page;
  page.upload = *up;
  page.upload.parts.clear();
  max = std::min(max, s3_limits::list_keys_max);
  for (auto it = up->parts.upper_bound(marker); it != up->parts.end(); ++it) {
    if (page.parts.size() == max) {
      page.truncated = true;
      break;
    }
    page.parts.push_back(it->second);
    page.next_marker = it->first;
  }
  return {std::nullopt, std::move(page)};
}

Answer<std::vector<UploadInfo>> S3::list_uploads(const std::string& bucket,
                                                 const std::string& prefix) const {
  base::MutexLock lock(mu_);
  api::ApiError e;
  if (find_bucket(bucket, &e) == nullptr) return {e, {}};
  std::vector<UploadInfo> out;
  for (const auto& [id, u] : uploads_) {
    if (u.bucket != bucket || !u.key.starts_with(prefix)) continue;
    if (out.size() == s3_limits::list_keys_max) break;
    UploadInfo c = u;
    c.parts.clear();
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const UploadInfo& a, const UploadInfo& b) {
    return a.key != b.key ? a.key < b.key : a.initiated < b.initiated;
  });
  return {std::nullopt, std::move(out)};
}

UploadInfo* S3::find_upload(const std::string& bucket, const std::string& key,
                            const std::string& id) {
  auto u = uploads_.find(id);
  if (u == uploads_.end() || u->second.bucket != bucket || u->second.key != key) return nullptr;
  return &u->second;
}

const UploadInfo* S3::find_upload(const std::string& bucket, const std::string& key,
                                  const std::string& id) const {
  auto u = uploads_.find(id);
  if (u == uploads_.end() || u->second.bucket != bucket || u->second.key != key) return nullptr;
  return &u->second;
}

}  // namespace stepwise::services::s3
