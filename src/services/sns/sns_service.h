// SnsService: the built-in SNS as a BuiltinService — the Sns operations on the router (the query
// protocol's Actions with XML answers, SigV4 name `sns`) and its integrations:
//
//   sns:publish[.waitForTaskToken]  optimized: a Message that is not text is sent as its JSON
//                                   text; the result is {MessageId[, SequenceNumber]} with the
//                                   SdkHttpMetadata of AWS's XML answer; errors
//                                   "SNS.<Code>Exception" with the Java SDK v1 cause
//   aws-sdk:sns:<action>            every operation, as the SDK v2 calls it; errors
//                                   "Sns.<Code>Exception"
//
// It owns the DeliveryWorkers its Sns delivers HTTP and e-mail through.
//
// Thread-safety: as BuiltinService.
#pragma once

#include <filesystem>
#include <memory>

#include "services/common/builtin_service.h"
#include "services/common/sdk_runner.h"
#include "services/sns/sns.h"

namespace stepwise::services::sns {

// sns:publish (request-response and .waitForTaskToken).
// `any_loop`: as SendMessageRunner's (the built-in Sns may be called from any thread).
class PublishRunner final : public tasks::TaskRunner {
 public:
  PublishRunner(api::Dispatcher& sns, std::uint64_t id_seed, bool any_loop = false)
      : sns_(sns), ids_(id_seed), any_loop_(any_loop) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest&) override {
    return any_loop_ ? this : nullptr;
  }

 private:
  api::Dispatcher& sns_;
  LockedIds ids_;
  bool any_loop_;
};

// The SDK v1 exception an optimized integration reports for an SNS error code ("" for the
// generic AmazonSNSException).
std::string_view optimized_exception(std::string_view code);

struct SnsServiceOptions {
  Clock& clock;
  RecordLog& log;
  Timers& timers;
  Place place = {};
  std::uint64_t id_seed = 0;
  api::Dispatcher* sqs = nullptr;        // the built-in SQS, when running
  EndpointUrl sqs_url = {};              // SQS's pass-through endpoint (SnsOptions::sqs_url)
  std::filesystem::path email_file;      // e-mail deliveries (JSON lines); empty: none
  FunctionInvoker invoke_function = {};  // lambda subscriptions
};

class SnsService final : public BuiltinService {
 public:
  explicit SnsService(SnsServiceOptions options);
  ~SnsService() override;
  std::string_view name() const override { return "sns"; }
  void add_routes(api::Router& router) override;
  Status add_integrations(tasks::IntegrationRegistry& registry) override;
  api::Dispatcher& operations() override { return *sns_; }
  void stop() override;
  Sns& sns() { return *sns_; }

 private:
  std::unique_ptr<ThreadDeliveryWorkers> workers_;
  std::unique_ptr<Sns> sns_;
  PublishRunner publish_;
  SdkRunner sdk_;
};

}  // namespace stepwise::services::sns
