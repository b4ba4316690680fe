// The built-in S3 at the JSON level: the operations with the AWS SDK's member names (PascalCase,
// as Step Functions' aws-sdk:s3:* tasks and the conformance runner's boto3-style setup calls
// write them) over the typed S3 calls. Blobs are text here: PutObject's Body is stored as its
// UTF-8 bytes and GetObject answers the Body as text (invalid UTF-8 replaced by U+FFFD), as
// Step Functions shows it. Timestamps are ISO-8601 text ("2025-01-02T03:04:05Z").
//
// Operations: CreateBucket, HeadBucket, ListBuckets, DeleteBucket, PutObject, GetObject,
// HeadObject, CopyObject, DeleteObject, DeleteObjects, ListObjects, ListObjectsV2,
// CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts,
// GetBucketLocation. Errors are S3's codes (NoSuchKey, NoSuchBucket, ...); HeadObject and
// HeadBucket errors carry no message, as an HTTP HEAD answer has no body.
//
// Thread-safety: as S3.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/dispatcher.h"
#include "services/s3/s3.h"

namespace stepwise::services::s3 {

class S3Operations final : public api::Dispatcher {
 public:
  explicit S3Operations(S3& s3) : s3_(s3) {}
  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override;
  static const std::vector<std::string>& operation_names();

 private:
  S3& s3_;
};

// The SDK's member for each entity header S3 stores with an object (shared with the
// pass-through client, services/remote, which sends and reads them as headers).
inline constexpr std::pair<const char*, const char*> entity_header_members[] = {
    {"CacheControl", "Cache-Control"},
    {"ContentDisposition", "Content-Disposition"},
    {"ContentEncoding", "Content-Encoding"},
    {"ContentLanguage", "Content-Language"},
    {"Expires", "Expires"}};

// Bytes as JSON text: invalid UTF-8 sequences become U+FFFD.
std::string utf8_lossy(std::string_view bytes);
// S3 timestamps as the SDK shows them: seconds precision, "Z".
std::string sdk_time(Millis t);

}  // namespace stepwise::services::s3
