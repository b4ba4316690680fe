// The built-in SQS's integrations started from several engine shards at once: each shard's
// loop calls the runner itself (TaskRunner::any_loop_runner), so the runners' own state (request
// ids, calls in flight for cancel()) is shared between threads. CI runs this binary under TSan.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/event_loop.h"
#include "services/common/record_log.h"
#include "services/common/timers.h"
#include "services/sqs/sqs_service.h"
#include "services/sqs/sqs_test_support.h"
#include "tasks/integrations.h"

namespace stepwise::services::sqs {
namespace {

constexpr int kShards = 3;
constexpr int kCallsPerShard = 200;

TEST(AnyLoopRunners, ShardsCallTheBuiltInSqsAtOnceAndEveryCallIsAnsweredOnItsOwnLoop) {
  BuiltinSqs sqs;
  SqsService& service = sqs.service;
  tasks::IntegrationRegistry& registry = sqs.registry;
  const std::string url = sqs.create_queue("shared");
  ASSERT_FALSE(url.empty());

  tasks::TaskRequest optimized;
  optimized.resource = "arn:aws:states:::sqs:sendMessage";
  tasks::TaskRequest sdk;
  sdk.resource = "arn:aws:states:::aws-sdk:sqs:sendMessage";
  for (tasks::TaskRequest* r : {&optimized, &sdk}) {
    r->parameters = json::object{{"QueueUrl", url}, {"MessageBody", "m"}};
    ASSERT_NE(registry.any_loop_runner(*r), nullptr) << r->resource;
  }

  std::atomic<int> succeeded{0};
  std::atomic<int> answered_elsewhere{0};
  std::vector<std::thread> shards;
  for (int s = 0; s < kShards; ++s) {
    shards.emplace_back([&, s] {
      ManualClock shard_clock(1'700'000'000'000);
      EventLoop loop(shard_clock);
      const std::thread::id self = std::this_thread::get_id();
      for (int i = 0; i < kCallsPerShard; ++i) {
        tasks::TaskRequest r = i % 2 ? sdk : optimized;
        r.task_id = "shard" + std::to_string(s) + "#" + std::to_string(i);
        registry.any_loop_runner(r)->start(r, loop, [&, self](tasks::TaskOutcome o) {
          if (std::this_thread::get_id() != self) ++answered_elsewhere;
          if (o.succeeded) ++succeeded;
        });
        // Every tenth call is cancelled at once: its answer, if it comes, goes to nobody.
        if (i % 10 == 9) registry.any_loop_runner(r)->cancel(r);
      }
      loop.run();
    });
  }
  for (auto& t : shards) t.join();

  const int cancelled = kShards * (kCallsPerShard / 10);
  EXPECT_EQ(succeeded.load(), kShards * kCallsPerShard - cancelled);
  EXPECT_EQ(answered_elsewhere.load(), 0);
  std::optional<api::Response> attrs;
  service.operations().dispatch(
      "GetQueueAttributes",
      json::object{{"QueueUrl", url},
                   {"AttributeNames", json::array{"ApproximateNumberOfMessages"}}},
      {}, [&](api::Response r) { attrs = std::move(r); });
  ASSERT_TRUE(attrs && !attrs->is_error());
  // Cancelled calls were sent all the same (a cancel only drops the answer).
  EXPECT_EQ(attrs->body().at("Attributes").at("ApproximateNumberOfMessages").as_string(),
            std::to_string(kShards * kCallsPerShard));
}

}  // namespace
}  // namespace stepwise::services::sqs
