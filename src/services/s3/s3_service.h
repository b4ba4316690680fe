// S3Service: the built-in S3 as a BuiltinService — the REST-XML routes (a catch-all REST
// service that also takes virtual-host requests, S3's error shape and SigV4 rules, name `s3`,
// bodies up to the PUT cap) and the integration:
//
//   aws-sdk:s3:<action>   every operation of s3_sdk.h, as the AWS SDK for Java v2 inside Step
//                         Functions calls it: PutObject/UploadPart send the Body's JSON text
//                         (a string "abc" is stored as "\"abc\"", as AWS stores it), with
//                         Content-Type text/plain; charset=UTF-8 and a CRC32 checksum unless
//                         the parameters say otherwise; GetObject's Body is text. Errors
//                         "S3.<Code>Exception" for the exceptions the SDK models (NoSuchKey,
//                         NoSuchBucket, NoSuchUpload, BucketAlreadyOwnedByYou, ...), else
//                         "S3.S3Exception"; cause "<message> (Service: S3, Status Code: 404,
//                         Request ID: <id>, Extended Request ID: <id2>)".
//
// Thread-safety: as BuiltinService.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "services/common/builtin_service.h"
#include "services/common/sdk_runner.h"
#include "services/s3/s3.h"
#include "services/s3/s3_sdk.h"

namespace stepwise::services::s3 {

// The Step Functions task error for an S3 error, as the SDK v2 reports it.
tasks::TaskOutcome s3_failure(const api::ApiError& error, const std::string& request_id,
                              const std::string& extended_id);

// The parameters an aws-sdk:s3 task sends for `operation`, as the SDK would build the request
// (Body as JSON text, the default content type and checksum).
json::value sdk_parameters(const std::string& operation, json::value parameters);

// aws-sdk:s3:*. `any_loop`: as SdkRunner's (the built-in S3 is thread-safe).
class S3SdkRunner final : public tasks::TaskRunner {
 public:
  S3SdkRunner(api::Dispatcher& operations, std::uint64_t id_seed, bool any_loop = false)
      : operations_(operations), ids_(id_seed), any_loop_(any_loop) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  void cancel(const tasks::TaskRequest& request) override;
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest&) override {
    return any_loop_ ? this : nullptr;
  }

 private:
  api::Dispatcher& operations_;
  LockedIds ids_;
  InFlightCalls in_flight_;
  bool any_loop_;
};

class S3Service final : public BuiltinService {
 public:
  // Errors: the blob folder cannot be created.
  static Result<std::unique_ptr<S3Service>> open(S3Options options);
  std::string_view name() const override { return "s3"; }
  void add_routes(api::Router& router) override;
  Status add_integrations(tasks::IntegrationRegistry& registry) override;
  api::Dispatcher& operations() override { return operations_; }
  void stop() override { s3_->drain(); }
  S3& s3() { return *s3_; }

 private:
  S3Service(std::unique_ptr<S3> s3, std::uint64_t id_seed);
  std::unique_ptr<S3> s3_;
  S3Operations operations_;
  S3SdkRunner sdk_;
};

}  // namespace stepwise::services::s3
