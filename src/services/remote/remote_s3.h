// A pass-through Dispatcher for S3 (REST-XML, path-style URLs `<endpoint>/<bucket>/<key>`): the
// JSON-level operations of the built-in S3 (s3_sdk.h, the members aws-sdk:s3:* tasks write)
// become S3's REST requests, and the answers' headers and XML are read back into the JSON the
// built-in answers, so a task's result and errors are the same whichever S3 serves it.
//
// Operations: CreateBucket, HeadBucket, ListBuckets, DeleteBucket, GetBucketLocation,
// PutObject, GetObject, HeadObject, CopyObject, DeleteObject, DeleteObjects, ListObjects,
// ListObjectsV2. Others (multipart upload) answer NotImplemented (501), named in the message.
// PutObject sends the checksum the SDK would (CRC32 unless the task names another); GetObject's
// body comes back as text (invalid UTF-8 as U+FFFD). Errors are S3's <Error> Code and Message;
// a HEAD answer has no body, so its error is named by the status (404: NoSuchKey for objects,
// NoSuchBucket for buckets, asked with a HeadBucket after a HeadObject's 404) with the message
// "null", as the built-in reports it.
//
// Thread-safety: dispatch() from any thread; the reply comes on a client pool thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "services/remote/aws_client.h"

namespace stepwise::services::remote {

// The request an operation becomes, or why it cannot be sent.
struct S3Encoded {
  std::optional<OutboundRequest> request;
  api::ApiError error;
};
S3Encoded s3_request(std::string_view operation, const json::object& request);
// What an answer means for `operation` (given the request, which shapes some results).
api::Response s3_response(std::string_view operation, const json::object& request,
                          const tasks::HttpResponse& response);

// "Tue, 02 Dec 2026 10:00:00 GMT" or "2026-12-02T10:00:00.000Z" → "2026-12-02T10:00:00Z" (the
// SDK's form of S3 timestamps); the text itself when it is neither.
std::string s3_time(std::string_view text);

class RemoteS3Dispatcher final : public RemoteDispatcher {
 public:
  using RemoteDispatcher::RemoteDispatcher;
  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override;

 private:
  void head_bucket_then(json::object request, api::Reply reply);
};

}  // namespace stepwise::services::remote
