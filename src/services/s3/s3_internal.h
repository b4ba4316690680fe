// Internals shared by the S3 store's files (s3.cpp: setup, records, buckets and objects;
// s3_multipart.cpp: multipart uploads): record kinds, the checks both kinds of upload make,
// and the durable-write step every mutation ends in. Not part of the service's interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/protocol.h"
#include "services/common/codec.h"
#include "services/s3/s3.h"

namespace stepwise::services::s3 {

struct S3::Bucket {
  std::string name;
  Millis created = 0;
  std::string region;
  std::map<std::string, ObjectInfo> objects;
};

inline constexpr const char* kBuckets = "s3.buckets";
inline constexpr const char* kObjects = "s3.objects";
inline constexpr const char* kUploads = "s3.uploads";
inline constexpr const char* kParts = "s3.parts";
// The bytes of objects kept in their record (s3_limits::inline_bytes_max), keyed by
// inline_record_key(ObjectInfo::inline_id); the raw bytes, not JSON.
inline constexpr const char* kBytes = "s3.bytes";
inline constexpr std::string_view kDefaultContentType = "binary/octet-stream";

// Validates Content-MD5 (base64 of 16 bytes) against the bytes.
std::optional<api::ApiError> check_md5(const std::string& content_md5, std::string_view bytes);

// Refuses user metadata over its size limit, and metadata or headers that are not UTF-8.
std::optional<api::ApiError> check_pairs(const Pairs& metadata, const Pairs& headers);

// The s3.bytes key of an inline object: 16 hex digits, so keys sort as ids do.
std::string inline_record_key(std::uint64_t inline_id);

// Bytes of inline objects whose batch is not committed yet, by inline id: a GET in between
// reads them here (the record log does not have them yet). Shared with persist()'s callbacks,
// which may run after the S3 is gone. Its own mutex, never held while taking S3's.
struct S3::PendingBytes {
  base::Mutex mu;
  std::map<std::uint64_t, std::shared_ptr<const std::string>> bytes GUARDED_BY(mu);
  void hold(std::uint64_t id, std::shared_ptr<const std::string> b) {
    base::MutexLock lock(mu);
    bytes[id] = std::move(b);
  }
  std::shared_ptr<const std::string> find(std::uint64_t id) {
    base::MutexLock lock(mu);
    auto it = bytes.find(id);
    return it == bytes.end() ? nullptr : it->second;
  }
  void release(std::uint64_t id) {
    base::MutexLock lock(mu);
    bytes.erase(id);
  }
};

// Every mutation ends here: the batch is made durable, then answered; blobs the records no
// longer name are removed once the write holds, and an inline object's bytes held for reads
// (`held_inline`, 0: none) are let go: the log has them now. A template, so both files'
// answers share it.
template <class T>
void S3::persist(std::vector<Mutation> batch, Answer<T> answer, Done<T> done,
                 std::vector<std::string> doomed_blobs, std::uint64_t held_inline) {
  auto shared = std::make_shared<Answer<T>>(std::move(answer));
  BlobStore* blobs = blobs_.get();
  options_.log.write(
      std::move(batch), [shared, blobs, doomed = std::move(doomed_blobs), pending = pending_,
                         held_inline, done = std::move(done)](Status s) {
        // Committed or not, the bytes are not held any longer (a failed log fails every write
        // after it: the object cannot be read back either way).
        if (held_inline != 0) pending->release(held_inline);
        if (!s.ok()) {
          done(Answer<T>{
              errors::internal("The write could not be made durable: " + s.error().cause), {}});
          return;
        }
        // The records no longer name these blobs: they can go.
        for (const auto& id : doomed) blobs->remove(id);
        done(std::move(*shared));
      });
}

}  // namespace stepwise::services::s3
