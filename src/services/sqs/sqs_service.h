// SqsService: the built-in SQS as a BuiltinService — the Sqs operations on the router (AWS
// JSON 1.0 `AmazonSQS.*`, awsQueryCompatible; and the query protocol's Actions with XML answers,
// SigV4 name `sqs`) and its integrations:
//
//   sqs:sendMessage[.waitForTaskToken]  optimized: MessageBody may be any JSON (sent as its
//                                       text; null is left out: MissingParameter); the result
//                                       carries SdkHttpMetadata; errors "SQS.<Exception>" with
//                                       the Java SDK v1 cause; a path-less QueueUrl on a
//                                       single-label host fails SQS.SdkClientException, as in
//                                       AWS, where such a name does not resolve
//   aws-sdk:sqs:<action>                every operation, as the SDK v2 calls it; errors
//                                       "Sqs.<Code>Exception"
//
// Thread-safety: as BuiltinService.
#pragma once

#include <memory>

#include "base/mutex.h"
#include "services/common/builtin_service.h"
#include "services/common/sdk_runner.h"
#include "services/sqs/sqs.h"

namespace stepwise::services::sqs {

// sqs:sendMessage (request-response and .waitForTaskToken). `any_loop`: `sqs` may be called
// from any thread (the built-in Sqs, which the HTTP threads call too), so the runner may be
// started on any loop (TaskRunner::any_loop_runner); a pass-through endpoint's client may not.
class SendMessageRunner final : public tasks::TaskRunner {
 public:
  SendMessageRunner(api::Dispatcher& sqs, std::uint64_t id_seed, bool any_loop = false)
      : sqs_(sqs), ids_(id_seed), any_loop_(any_loop) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest&) override {
    return any_loop_ ? this : nullptr;
  }

 private:
  api::Dispatcher& sqs_;
  LockedIds ids_;  // start() may run on several loops at once (any_loop)
  const bool any_loop_;
};

// The SDK v1 exception an optimized integration reports for an SQS error type ("" for the
// generic AmazonSQSException).
std::string_view optimized_exception(std::string_view type);

class SqsService final : public BuiltinService {
 public:
  explicit SqsService(SqsOptions options);
  std::string_view name() const override { return "sqs"; }
  void add_routes(api::Router& router) override;
  Status add_integrations(tasks::IntegrationRegistry& registry) override;
  api::Dispatcher& operations() override { return sqs_; }
  void stop() override { sqs_.stop(); }
  Sqs& sqs() { return sqs_; }

 private:
  Sqs sqs_;
  SendMessageRunner send_;
  SdkRunner sdk_;
};

}  // namespace stepwise::services::sqs
