// EventBridge rule matching and target delivery on a manual clock and manual timers, with fake
// SQS and SNS peers and fake Step Functions and Lambda hooks: each target kind, the target
// input (Input, InputPath, InputTransformer, not delivered), disabled rules, retries then the
// dead-letter queue, the event-age limit, targets that are gone (not retried), the pending
// bound, rules read back after a restart delivering again, and scheduled rules firing on the
// manual timers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "services/events/events.h"
#include "services/events/events_limits.h"
#include "services/events/events_test_support.h"

namespace stepwise::services::events {
namespace {

// A peer service that records each call and answers what `answer` says (success: {}).
class FakePeer final : public api::Dispatcher {
 public:
  struct Call {
    std::string op;
    json::object request;
  };
  void dispatch(std::string_view op, json::value request, const api::RequestInfo& /*info*/,
                api::Reply reply) override {
    calls.push_back(Call{std::string(op), request.as_object()});
    reply(answer ? answer(calls.back()) : api::Response(json::object{}));
  }
  std::vector<Call> calls;
  std::function<api::Response(const Call&)> answer;
};

constexpr const char* kQueue = "arn:aws:sqs:us-east-1:123456789012:orders";
constexpr const char* kDlq = "arn:aws:sqs:us-east-1:123456789012:dead";

json::object parsed(const json::value& text) {
  auto v = json::parse(std::string_view(text.as_string()));
  EXPECT_TRUE(v.ok() && v->is_object()) << json::dump(text);
  return v.ok() && v->is_object() ? v->get_object() : json::object{};
}

class DeliveryTest : public ::testing::Test {
 protected:
  DeliveryTest() { EXPECT_TRUE(events_.load().ok()); }
  json::object ok(std::string_view op, json::object request) {
    return test_support::ok(events_, op, std::move(request));
  }
  void rule(const std::string& name, json::array targets,
            const std::string& pattern = R"({"source": ["app.orders"]})",
            const std::string& bus = "default") {
    ok("PutRule", {{"Name", name}, {"EventPattern", pattern}, {"EventBusName", bus}});
    auto put =
        ok("PutTargets", {{"Rule", name}, {"EventBusName", bus}, {"Targets", std::move(targets)}});
    EXPECT_EQ(put["FailedEntryCount"].as_int64(), 0);
  }
  static json::object target(std::string id, std::string arn = kQueue) {
    return json::object{{"Id", std::move(id)}, {"Arn", std::move(arn)}};
  }
  void put(const std::string& source = "app.orders", const std::string& detail = R"({"n": 1})",
           const std::string& bus = "default") {
    ok("PutEvents", {{"Entries", json::array{json::object{{"Source", source},
                                                          {"DetailType", "OrderPlaced"},
                                                          {"Detail", detail},
                                                          {"EventBusName", bus}}}}});
  }
  // Runs what is due now (first attempts, matching) on the manual timers.
  void drain() { timers_.advance(0); }

  ManualClock clock_{1'700'000'000'000};
  ManualTimers timers_{&clock_};
  MemoryRecordLog log_;
  FakePeer sqs_, sns_;
  Events events_{EventsOptions{
      .clock = clock_, .log = log_, .id_seed = 3, .timers = &timers_, .sqs = &sqs_, .sns = &sns_}};
};

TEST_F(DeliveryTest, AMatchingEventReachesAnSqsTargetOffTheWritersThread) {
  rule("r", json::array{target("q")});
  put("app.orders");
  put("app.other");
  EXPECT_TRUE(sqs_.calls.empty());  // PutEvents answered; delivery waits for the timers' thread
  drain();
  ASSERT_EQ(sqs_.calls.size(), 1u);
  EXPECT_EQ(sqs_.calls[0].op, "SendMessage");
  EXPECT_EQ(sqs_.calls[0].request.at("QueueUrl").as_string(),
            "http://localhost:8083/123456789012/orders");
  json::object body = parsed(sqs_.calls[0].request.at("MessageBody"));
  EXPECT_EQ(body.at("source").as_string(), "app.orders");
  EXPECT_EQ(body.at("detail-type").as_string(), "OrderPlaced");
  EXPECT_EQ(body.at("detail").as_object().at("n").as_int64(), 1);
  EXPECT_EQ(body.at("account").as_string(), "123456789012");
  EXPECT_FALSE(sqs_.calls[0].request.contains("MessageGroupId"));
  EXPECT_EQ(events_.delivery_stats().delivered, 1u);
}

TEST_F(DeliveryTest, ADisabledRuleDeliversNothingUntilEnabled) {
  rule("r", json::array{target("q")});
  ok("DisableRule", {{"Name", "r"}});
  put();
  drain();
  EXPECT_TRUE(sqs_.calls.empty());
  ok("EnableRule", {{"Name", "r"}});
  put();
  drain();
  EXPECT_EQ(sqs_.calls.size(), 1u);
}

TEST_F(DeliveryTest, TargetsGetTheirInputInputPathOrTransformedInput) {
  json::object constant = target("constant");
  constant["Input"] = R"({"fixed": true})";
  json::object path = target("path");
  path["InputPath"] = "$.detail";
  json::object transformed = target("transformed");
  transformed["InputTransformer"] =
      json::object{{"InputPathsMap", json::object{{"n", "$.detail.n"}}},
                   {"InputTemplate", R"({"count": <n>, "rule": "<aws.events.rule-name>"})"}};
  json::object broken = target("broken");
  // An object inside a JSON string: no longer JSON once filled, so AWS does not deliver it.
  broken["InputTransformer"] = json::object{{"InputPathsMap", json::object{{"d", "$.detail"}}},
                                            {"InputTemplate", R"({"text": "<d>"})"}};
  rule("r", json::array{constant, path, transformed, broken});
  put("app.orders", R"({"n": 7})");
  drain();
  ASSERT_EQ(sqs_.calls.size(), 3u);
  EXPECT_EQ(sqs_.calls[0].request.at("MessageBody").as_string(), R"({"fixed": true})");
  EXPECT_EQ(sqs_.calls[1].request.at("MessageBody").as_string(), R"({"n":7})");
  json::object t = parsed(sqs_.calls[2].request.at("MessageBody"));
  EXPECT_EQ(t.at("count").as_int64(), 7);
  EXPECT_EQ(t.at("rule").as_string(), "r");
  EXPECT_EQ(events_.delivery_stats().not_delivered, 1u);
}

TEST_F(DeliveryTest, FifoQueuesGetTheGroupAndTheEventIdAsDeduplicationId) {
  json::object fifo = target("f", "arn:aws:sqs:us-east-1:123456789012:orders.fifo");
  fifo["SqsParameters"] = json::object{{"MessageGroupId", "g1"}};
  rule("r", json::array{fifo});
  put();
  drain();
  ASSERT_EQ(sqs_.calls.size(), 1u);
  EXPECT_EQ(sqs_.calls[0].request.at("MessageGroupId").as_string(), "g1");
  json::object body = parsed(sqs_.calls[0].request.at("MessageBody"));
  EXPECT_EQ(sqs_.calls[0].request.at("MessageDeduplicationId"), body.at("id"));
}

TEST_F(DeliveryTest, SnsStepFunctionsAndLambdaTargets) {
  std::vector<std::pair<std::string, std::string>> started;
  events_.set_execution_starter(
      [&](const std::string& arn, std::string input, std::function<void(bool, std::string)> done) {
        started.emplace_back(arn, std::move(input));
        done(true, "");
      });
  std::vector<std::pair<std::string, json::value>> invoked;
  events_.set_function_invoker(
      [&](const std::string& arn, json::value event, std::function<void(bool)> done) {
        invoked.emplace_back(arn, std::move(event));
        done(true);
      });
  const std::string machine = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
  const std::string function = "arn:aws:lambda:us-east-1:123456789012:function:f";
  const std::string topic = "arn:aws:sns:us-east-1:123456789012:t";
  rule("r", json::array{target("sfn", machine), target("fn", function), target("sns", topic)});
  put();
  drain();
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].first, machine);
  EXPECT_EQ(parsed(json::value(started[0].second)).at("source").as_string(), "app.orders");
  ASSERT_EQ(invoked.size(), 1u);
  EXPECT_EQ(invoked[0].first, function);
  EXPECT_EQ(invoked[0].second.as_object().at("detail-type").as_string(), "OrderPlaced");
  ASSERT_EQ(sns_.calls.size(), 1u);
  EXPECT_EQ(sns_.calls[0].op, "Publish");
  EXPECT_EQ(sns_.calls[0].request.at("TopicArn").as_string(), topic);
  EXPECT_EQ(parsed(sns_.calls[0].request.at("Message")).at("source").as_string(), "app.orders");
  EXPECT_EQ(events_.delivery_stats().delivered, 3u);
}

TEST_F(DeliveryTest, AnEventBusTargetPutsTheEventOnThatBus) {
  ok("CreateEventBus", {{"Name", "other"}});
  rule("forward",
       json::array{target("bus", "arn:aws:events:us-east-1:123456789012:event-bus/other")});
  rule("onward", json::array{target("q")}, R"({"detail-type": ["OrderPlaced"]})", "other");
  put("app.orders", R"({"n": 3})");
  drain();
  EXPECT_EQ(events_.last_seq("other"), 1u);
  ASSERT_EQ(sqs_.calls.size(), 1u);
  json::object body = parsed(sqs_.calls[0].request.at("MessageBody"));
  EXPECT_EQ(body.at("source").as_string(), "app.orders");
  EXPECT_EQ(body.at("detail").as_object().at("n").as_int64(), 3);
}

TEST_F(DeliveryTest, FailedAttemptsAreRetriedThenSentToTheDeadLetterQueue) {
  sqs_.answer = [](const FakePeer::Call& c) -> api::Response {
    if (c.request.at("QueueUrl").as_string().ends_with("/orders"))
      return api::ApiError{"InternalError", "try later", 500};
    return json::object{};
  };
  json::object t = target("q");
  t["RetryPolicy"] = json::object{{"MaximumRetryAttempts", 2}};
  t["DeadLetterConfig"] = json::object{{"Arn", kDlq}};
  rule("r", json::array{t});
  put();
  drain();
  EXPECT_EQ(sqs_.calls.size(), 1u);
  timers_.advance(events_limits::retry_delay_ms_first - 1);
  EXPECT_EQ(sqs_.calls.size(), 1u);  // the first retry waits a second
  timers_.advance(1);
  EXPECT_EQ(sqs_.calls.size(), 2u);
  timers_.advance(2 * events_limits::retry_delay_ms_first);
  ASSERT_EQ(sqs_.calls.size(), 4u);  // the second retry, then the dead letter
  const auto& dead = sqs_.calls[3].request;
  EXPECT_EQ(dead.at("QueueUrl").as_string(), "http://localhost:8083/123456789012/dead");
  EXPECT_EQ(dead.at("MessageBody"), sqs_.calls[0].request.at("MessageBody"));
  const auto& attributes = dead.at("MessageAttributes").as_object();
  auto attribute = [&](const char* name) {
    return std::string(attributes.at(name).as_object().at("StringValue").as_string());
  };
  EXPECT_EQ(attribute("RULE_ARN"), "arn:aws:events:us-east-1:123456789012:rule/r");
  EXPECT_EQ(attribute("TARGET_ARN"), kQueue);
  EXPECT_EQ(attribute("ERROR_CODE"), "InternalError");
  EXPECT_EQ(attribute("RETRY_ATTEMPTS"), "2");
  EXPECT_EQ(attribute("EXHAUSTED_RETRY_CONDITION"), "MaximumRetryAttempts");
  auto stats = events_.delivery_stats();
  EXPECT_EQ(stats.retried, 2u);
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.dead_lettered, 1u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(DeliveryTest, RetriesEndWhenTheEventIsOlderThanItsMaximumAge) {
  sqs_.answer = [](const FakePeer::Call&) -> api::Response {
    return api::ApiError{"InternalError", "down", 500};
  };
  json::object t = target("q");
  t["RetryPolicy"] = json::object{{"MaximumEventAgeInSeconds", 60}};
  rule("r", json::array{t});
  put();
  drain();
  timers_.advance(10 * 60 * 1000);
  // Waits of 1, 2, 4, 8, 16 s: the next (32 s) would pass 60 s.
  EXPECT_EQ(sqs_.calls.size(), 6u);
  EXPECT_EQ(events_.delivery_stats().failed, 1u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(DeliveryTest, ATargetThatIsGoneIsNotRetried) {
  sqs_.answer = [](const FakePeer::Call&) -> api::Response {
    return api::ApiError{"QueueDoesNotExist", "The specified queue does not exist."};
  };
  rule("r", json::array{target("q")});
  put();
  drain();
  EXPECT_EQ(sqs_.calls.size(), 1u);
  EXPECT_EQ(events_.delivery_stats().failed, 1u);
  EXPECT_EQ(timers_.pending(), 0u);
  // No hook for Step Functions yet: retried, as the service may come.
  rule("s", json::array{target("m", "arn:aws:states:us-east-1:123456789012:stateMachine:m")});
  put();
  drain();
  EXPECT_EQ(events_.delivery_stats().retried, 1u);
}

TEST_F(DeliveryTest, PendingDeliveriesAreBounded) {
  rule("r", json::array{target("q")});
  for (std::size_t i = 0; i <= events_limits::deliveries_pending_max; ++i) put();
  EXPECT_EQ(events_.delivery_stats().dropped, 1u);
  drain();
  EXPECT_EQ(sqs_.calls.size(), events_limits::deliveries_pending_max);
}

TEST_F(DeliveryTest, RulesReadBackAfterARestartDeliver) {
  rule("r", json::array{target("q")});
  events_.stop();
  FakePeer sqs;
  Events again{EventsOptions{
      .clock = clock_, .log = log_, .id_seed = 4, .timers = &timers_, .sqs = &sqs, .sns = &sns_}};
  ASSERT_TRUE(again.load().ok());
  test_support::ok(again, "PutEvents",
                   {{"Entries", json::array{json::object{{"Source", "app.orders"},
                                                         {"DetailType", "OrderPlaced"},
                                                         {"Detail", "{}"}}}}});
  drain();
  EXPECT_EQ(sqs.calls.size(), 1u);
  EXPECT_TRUE(sqs_.calls.empty());
}

TEST_F(DeliveryTest, AScheduledRuleFiresOnItsRateUntilDisabled) {
  ok("PutRule", {{"Name", "tick"}, {"ScheduleExpression", "rate(1 minute)"}});
  ok("PutTargets", {{"Rule", "tick"}, {"Targets", json::array{target("q")}}});
  timers_.advance(59'999);
  EXPECT_TRUE(sqs_.calls.empty());
  timers_.advance(1);
  ASSERT_EQ(sqs_.calls.size(), 1u);
  json::object body = parsed(sqs_.calls[0].request.at("MessageBody"));
  EXPECT_EQ(body.at("source").as_string(), "aws.events");
  EXPECT_EQ(body.at("detail-type").as_string(), "Scheduled Event");
  EXPECT_EQ(json::dump(body.at("resources")),
            R"(["arn:aws:events:us-east-1:123456789012:rule/tick"])");
  EXPECT_EQ(json::dump(body.at("detail")), "{}");
  timers_.advance(2 * 60'000);
  EXPECT_EQ(sqs_.calls.size(), 3u);
  ok("DisableRule", {{"Name", "tick"}});
  timers_.advance(5 * 60'000);
  EXPECT_EQ(sqs_.calls.size(), 3u);
  EXPECT_EQ(timers_.pending(), 0u);
  ok("EnableRule", {{"Name", "tick"}});
  timers_.advance(60'000);
  EXPECT_EQ(sqs_.calls.size(), 4u);
  // Replacing the schedule re-arms it; removing the targets and the rule ends it.
  ok("PutRule", {{"Name", "tick"}, {"ScheduleExpression", "rate(10 minutes)"}});
  timers_.advance(9 * 60'000);
  EXPECT_EQ(sqs_.calls.size(), 4u);
  timers_.advance(60'000);
  EXPECT_EQ(sqs_.calls.size(), 5u);
  ok("RemoveTargets", {{"Rule", "tick"}, {"Ids", json::array{"q"}}});
  ok("DeleteRule", {{"Name", "tick"}});
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(DeliveryTest, ASchedulePutBackFromTheRecordsFiresAgain) {
  ok("PutRule", {{"Name", "tick"}, {"ScheduleExpression", "rate(5 minutes)"}});
  ok("PutTargets", {{"Rule", "tick"}, {"Targets", json::array{target("q")}}});
  events_.stop();
  EXPECT_EQ(timers_.pending(), 0u);
  FakePeer sqs;
  Events again{EventsOptions{
      .clock = clock_, .log = log_, .id_seed = 4, .timers = &timers_, .sqs = &sqs, .sns = &sns_}};
  ASSERT_TRUE(again.load().ok());
  timers_.advance(5 * 60'000);
  EXPECT_EQ(sqs.calls.size(), 1u);
  EXPECT_TRUE(sqs_.calls.empty());
}

// On the real timer thread: stop() returns only once the delivery running on it has ended, so
// the owner may destroy what the delivery uses.
TEST(DeliveryStop, WaitsForTheDeliveryRunningOnTheTimersThread) {
  ManualClock clock{1'700'000'000'000};
  ThreadTimers timers;
  MemoryRecordLog log;
  std::atomic<bool> entered{false}, left{false};
  FakePeer sqs;
  sqs.answer = [&](const FakePeer::Call&) -> api::Response {
    entered = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left = true;
    return json::object{};
  };
  Events events{EventsOptions{.clock = clock, .log = log, .timers = &timers, .sqs = &sqs}};
  ASSERT_TRUE(events.load().ok());
  test_support::ok(events, "PutRule", {{"Name", "r"}, {"EventPattern", R"({"source": ["a"]})"}});
  test_support::ok(
      events, "PutTargets",
      {{"Rule", "r"}, {"Targets", json::array{json::object{{"Id", "q"}, {"Arn", kQueue}}}}});
  test_support::ok(events, "PutEvents",
                   {{"Entries", json::array{json::object{
                                    {"Source", "a"}, {"DetailType", "t"}, {"Detail", "{}"}}}}});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!entered && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(entered);
  events.stop();
  EXPECT_TRUE(left);
}

}  // namespace
}  // namespace stepwise::services::events
