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
inline constexpr std::string_view kDefaultContentType = "binary/octet-stream";

// Validates Content-MD5 (base64 of 16 bytes) against the bytes.
std::optional<api::ApiError> check_md5(const std::string& content_md5, std::string_view bytes);

// Refuses user metadata over its size limit, and metadata or headers that are not UTF-8.
std::optional<api::ApiError> check_pairs(const Pairs& metadata, const Pairs& headers);

// Every mutation ends here: the batch is made durable, then answered; blobs the records no
// longer name are removed once the write holds. A template, so both files' answers share it.
template <class T>
void S3::persist(std::vector<Mutation> batch, Answer<T> answer, Done<T> done,
                 std::vector<std::string> doomed_blobs) {
  auto shared = std::make_shared<Answer<T>>(std::move(answer));
  BlobStore* blobs = blobs_.get();
  options_.log.write(std::move(batch), [shared, blobs, doomed = std::move(doomed_blobs),
                                        done = std::move(done)](Status s) {
    if (!s.ok()) {
      done(Answer<T>{errors::internal("The write could not be made durable: " + s.error().cause),
                     {}});
      return;
    }
    // The records no longer name these blobs: they can go.
    for (const auto& id : doomed) blobs->remove(id);
    done(std::move(*shared));
  });
}

}  // namespace stepwise::services::s3
