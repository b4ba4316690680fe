// EventBridge rules and targets through the dispatcher, on a manual clock and an in-memory
// RecordLog: PutRule/DescribeRule/ListRules/DeleteRule/EnableRule/DisableRule and
// PutTargets/RemoveTargets/ListTargetsByRule/ListRuleNamesByTarget with AWS's errors and
// limits, and rules with their targets read back from the records after a restart.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "services/events/events.h"
#include "services/events/events_limits.h"
#include "services/events/events_test_support.h"

namespace stepwise::services::events {
namespace {

using test_support::call;

constexpr const char* kPattern = R"({"source": ["app.orders"]})";
constexpr const char* kQueue = "arn:aws:sqs:us-east-1:123456789012:orders";

class RulesTest : public ::testing::Test {
 protected:
  RulesTest() { EXPECT_TRUE(events_.load().ok()); }
  json::object ok(std::string_view op, json::object request) {
    return test_support::ok(events_, op, std::move(request));
  }
  api::ApiError error(std::string_view op, json::object request) {
    return test_support::error(events_, op, std::move(request));
  }
  json::object rule(std::string name, std::string pattern = kPattern) {
    return ok("PutRule", {{"Name", std::move(name)}, {"EventPattern", std::move(pattern)}});
  }
  static json::object target(std::string id, std::string arn = kQueue) {
    return json::object{{"Id", std::move(id)}, {"Arn", std::move(arn)}};
  }

  ManualClock clock_{1'700'000'000'000};
  MemoryRecordLog log_;
  Events events_{EventsOptions{.clock = clock_, .log = log_, .id_seed = 3}};
};

TEST_F(RulesTest, PutRuleAnswersArnsAndDescribeRuleEchoesTheRule) {
  EXPECT_EQ(rule("orders")["RuleArn"].as_string(),
            "arn:aws:events:us-east-1:123456789012:rule/orders");
  ok("CreateEventBus", {{"Name", "shop"}});
  auto custom = ok("PutRule", {{"Name", "orders"},
                               {"EventBusName", "shop"},
                               {"EventPattern", kPattern},
                               {"State", "DISABLED"},
                               {"Description", "all orders"}});
  EXPECT_EQ(custom["RuleArn"].as_string(),
            "arn:aws:events:us-east-1:123456789012:rule/shop/orders");
  auto d = ok("DescribeRule", {{"Name", "orders"}, {"EventBusName", "shop"}});
  EXPECT_EQ(d["State"].as_string(), "DISABLED");
  EXPECT_EQ(d["Description"].as_string(), "all orders");
  EXPECT_EQ(d["EventPattern"].as_string(), kPattern);
  EXPECT_EQ(d["EventBusName"].as_string(), "shop");
  EXPECT_EQ(ok("DescribeRule", {{"Name", "orders"}})["State"].as_string(), "ENABLED");
  // PutRule again replaces the settings: no State is ENABLED.
  ok("PutRule", {{"Name", "orders"}, {"EventBusName", "shop"}, {"EventPattern", kPattern}});
  EXPECT_EQ(ok("DescribeRule", {{"Name", "orders"}, {"EventBusName", "shop"}})["State"].as_string(),
            "ENABLED");
}

TEST_F(RulesTest, PutRuleRefusesWhatAwsRefuses) {
  EXPECT_EQ(error("PutRule", {{"EventPattern", kPattern}}).type, "ValidationException");
  EXPECT_EQ(error("PutRule", {{"Name", "bad/name"}, {"EventPattern", kPattern}}).type,
            "ValidationException");
  EXPECT_EQ(error("PutRule", {{"Name", std::string(65, 'a')}, {"EventPattern", kPattern}}).type,
            "ValidationException");
  EXPECT_EQ(error("PutRule", {{"Name", "r"}}).message,
            "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  auto bad = error("PutRule", {{"Name", "r"}, {"EventPattern", R"({"source": "x"})"}});
  EXPECT_EQ(bad.type, "InvalidEventPatternException");
  EXPECT_TRUE(bad.message.starts_with("Event pattern is not valid. Reason: ")) << bad.message;
  EXPECT_EQ(error("PutRule", {{"Name", "r"}, {"EventPattern", std::string(4097, ' ')}}).type,
            "ValidationException");
  EXPECT_EQ(error("PutRule", {{"Name", "r"}, {"EventPattern", kPattern}, {"State", "ON"}}).type,
            "ValidationException");
  EXPECT_EQ(
      error("PutRule", {{"Name", "r"}, {"EventPattern", kPattern}, {"EventBusName", "no"}}).type,
      "ResourceNotFoundException");
  // Schedules: AWS's message for one that is not valid; cron's L, W and # are refused, never
  // accepted and ignored; only the default bus takes them; an empty one is no schedule.
  EXPECT_EQ(error("PutRule", {{"Name", "r"}, {"ScheduleExpression", "rate(5 minute)"}}).message,
            "Parameter ScheduleExpression is not valid.");
  auto last = error("PutRule", {{"Name", "r"}, {"ScheduleExpression", "cron(0 0 L * ? *)"}});
  EXPECT_EQ(last.type, "ValidationException");
  EXPECT_NE(last.message.find("not supported"), std::string::npos) << last.message;
  ok("CreateEventBus", {{"Name", "shop"}});
  EXPECT_EQ(
      error("PutRule",
            {{"Name", "r"}, {"EventBusName", "shop"}, {"ScheduleExpression", "rate(5 minutes)"}})
          .message,
      "ScheduleExpression is supported only on the default event bus.");
  ok("PutRule", {{"Name", "s"}, {"ScheduleExpression", "rate(5 minutes)"}});
  EXPECT_EQ(ok("DescribeRule", {{"Name", "s"}})["ScheduleExpression"].as_string(),
            "rate(5 minutes)");
  ok("PutRule", {{"Name", "r"}, {"EventPattern", kPattern}, {"ScheduleExpression", ""}});
  EXPECT_FALSE(ok("DescribeRule", {{"Name", "r"}}).contains("ScheduleExpression"));
  EXPECT_EQ(error("DescribeRule", {{"Name", "none"}}).message,
            "Rule none does not exist on EventBus default.");
  EXPECT_EQ(error("EnableRule", {{"Name", "none"}}).type, "ResourceNotFoundException");
}

TEST_F(RulesTest, RulesPerBusAreBounded) {
  for (std::size_t i = 0; i < events_limits::rules_per_bus_max; ++i) rule("r" + std::to_string(i));
  EXPECT_EQ(error("PutRule", {{"Name", "one-more"}, {"EventPattern", kPattern}}).type,
            "LimitExceededException");
  rule("r0");  // replacing one is not adding one
  ok("CreateEventBus", {{"Name", "other"}});
  ok("PutRule", {{"Name", "x"}, {"EventBusName", "other"}, {"EventPattern", kPattern}});
}

TEST_F(RulesTest, ListRulesPagesByNameWithAPrefix) {
  for (const char* n : {"b-1", "a-1", "a-2", "a-3"}) rule(n);
  auto page = ok("ListRules", {{"NamePrefix", "a-"}, {"Limit", 2}});
  ASSERT_EQ(page["Rules"].as_array().size(), 2u);
  EXPECT_EQ(page["Rules"].as_array()[0].as_object().at("Name").as_string(), "a-1");
  const std::string token(page["NextToken"].as_string());
  auto rest = ok("ListRules", {{"NamePrefix", "a-"}, {"Limit", 2}, {"NextToken", token}});
  ASSERT_EQ(rest["Rules"].as_array().size(), 1u);
  EXPECT_EQ(rest["Rules"].as_array()[0].as_object().at("Name").as_string(), "a-3");
  EXPECT_FALSE(rest.contains("NextToken"));
  EXPECT_EQ(ok("ListRules", {})["Rules"].as_array().size(), 4u);
  EXPECT_EQ(error("ListRules", {{"Limit", 0}}).type, "ValidationException");
}

TEST_F(RulesTest, EnableAndDisableRule) {
  rule("r");
  ok("DisableRule", {{"Name", "r"}});
  EXPECT_EQ(ok("DescribeRule", {{"Name", "r"}})["State"].as_string(), "DISABLED");
  ok("EnableRule", {{"Name", "r"}});
  EXPECT_EQ(ok("DescribeRule", {{"Name", "r"}})["State"].as_string(), "ENABLED");
}

TEST_F(RulesTest, TargetsAreAddedReplacedListedAndRemoved) {
  rule("r");
  auto put = ok("PutTargets", {{"Rule", "r"}, {"Targets", json::array{target("q"), target("t")}}});
  EXPECT_EQ(put["FailedEntryCount"].as_int64(), 0);
  EXPECT_TRUE(put["FailedEntries"].as_array().empty());
  json::object replaced = target("q", "arn:aws:sns:us-east-1:123456789012:topic");
  replaced["Input"] = R"({"fixed": true})";
  ok("PutTargets", {{"Rule", "r"}, {"Targets", json::array{replaced}}});
  auto list = ok("ListTargetsByRule", {{"Rule", "r"}});
  ASSERT_EQ(list["Targets"].as_array().size(), 2u);
  const auto& first = list["Targets"].as_array()[0].as_object();
  EXPECT_EQ(first.at("Id").as_string(), "q");
  EXPECT_EQ(first.at("Input").as_string(), R"({"fixed": true})");
  auto page = ok("ListTargetsByRule", {{"Rule", "r"}, {"Limit", 1}});
  EXPECT_EQ(page["NextToken"].as_string(), "q");
  auto rest = ok("ListTargetsByRule", {{"Rule", "r"}, {"NextToken", "q"}});
  EXPECT_EQ(rest["Targets"].as_array()[0].as_object().at("Id").as_string(), "t");
  auto names = ok("ListRuleNamesByTarget", {{"TargetArn", kQueue}});
  ASSERT_EQ(names["RuleNames"].as_array().size(), 1u);
  EXPECT_EQ(names["RuleNames"].as_array()[0].as_string(), "r");
  // A rule with targets cannot be deleted, as AWS answers.
  EXPECT_EQ(error("DeleteRule", {{"Name", "r"}}).message,
            "Rule can't be deleted since it has targets.");
  ok("RemoveTargets", {{"Rule", "r"}, {"Ids", json::array{"q", "t", "never"}}});
  EXPECT_TRUE(ok("ListTargetsByRule", {{"Rule", "r"}})["Targets"].as_array().empty());
  ok("DeleteRule", {{"Name", "r"}});
  EXPECT_EQ(error("DescribeRule", {{"Name", "r"}}).type, "ResourceNotFoundException");
  ok("DeleteRule", {{"Name", "r"}});  // deleting no rule succeeds
}

TEST_F(RulesTest, PutTargetsRefusesWhatAwsRefuses) {
  EXPECT_EQ(error("PutTargets", {{"Rule", "none"}, {"Targets", json::array{target("q")}}}).type,
            "ResourceNotFoundException");
  rule("r");
  EXPECT_EQ(error("PutTargets", {{"Rule", "r"}, {"Targets", json::array{}}}).type,
            "ValidationException");
  EXPECT_EQ(error("PutTargets", {{"Rule", "r"}, {"Targets", json::array{target("bad id")}}}).type,
            "ValidationException");
  json::object two_inputs = target("q");
  two_inputs["Input"] = "{}";
  two_inputs["InputPath"] = "$.detail";
  EXPECT_EQ(error("PutTargets", {{"Rule", "r"}, {"Targets", json::array{two_inputs}}}).message,
            "Only one of Input, InputPath, or InputTransformer must be provided for target q.");
  json::object placeholder = target("q");
  placeholder["InputTransformer"] = json::object{{"InputTemplate", R"({"a": <missing>})"}};
  EXPECT_EQ(error("PutTargets", {{"Rule", "r"}, {"Targets", json::array{placeholder}}}).message,
            "InputTemplate for target q contains invalid placeholder missing.");
  json::object fifo = target("q", "arn:aws:sqs:us-east-1:123456789012:orders.fifo");
  EXPECT_EQ(error("PutTargets", {{"Rule", "r"}, {"Targets", json::array{fifo}}}).type,
            "ValidationException");
  json::object retry = target("q");
  retry["RetryPolicy"] = json::object{{"MaximumRetryAttempts", 186}};
  EXPECT_EQ(error("PutTargets", {{"Rule", "r"}, {"Targets", json::array{retry}}}).type,
            "ValidationException");
  json::object dlq = target("q");
  dlq["DeadLetterConfig"] = json::object{{"Arn", "arn:aws:sns:us-east-1:123456789012:t"}};
  EXPECT_EQ(error("PutTargets", {{"Rule", "r"}, {"Targets", json::array{dlq}}}).type,
            "ValidationException");
  EXPECT_EQ(
      error("PutTargets",
            {{"Rule", "r"},
             {"Targets", json::array{target(
                             "self", "arn:aws:events:us-east-1:123456789012:event-bus/default")}}})
          .type,
      "ValidationException");
  // Five targets per rule.
  json::array five;
  for (int i = 0; i < 5; ++i) five.push_back(target("t" + std::to_string(i)));
  ok("PutTargets", {{"Rule", "r"}, {"Targets", five}});
  EXPECT_EQ(error("PutTargets", {{"Rule", "r"}, {"Targets", json::array{target("t5")}}}).type,
            "LimitExceededException");
  ok("PutTargets", {{"Rule", "r"}, {"Targets", json::array{target("t4")}}});  // a replacement
  // A kind this server does not deliver to is a failed entry; the others are added.
  ok("RemoveTargets", {{"Rule", "r"}, {"Ids", json::array{"t0", "t1", "t2", "t3", "t4"}}});
  auto mixed = ok(
      "PutTargets",
      {{"Rule", "r"},
       {"Targets",
        json::array{target("k", "arn:aws:kinesis:us-east-1:123456789012:stream/s"), target("q")}}});
  EXPECT_EQ(mixed["FailedEntryCount"].as_int64(), 1);
  EXPECT_EQ(mixed["FailedEntries"].as_array()[0].as_object().at("TargetId").as_string(), "k");
  EXPECT_EQ(ok("ListTargetsByRule", {{"Rule", "r"}})["Targets"].as_array().size(), 1u);
}

TEST_F(RulesTest, RulesAndTargetsComeBackFromTheRecords) {
  ok("CreateEventBus", {{"Name", "shop"}});
  ok("PutRule", {{"Name", "r"},
                 {"EventBusName", "shop"},
                 {"EventPattern", kPattern},
                 {"State", "DISABLED"},
                 {"Description", "d"}});
  json::object t = target("q");
  t["RetryPolicy"] = json::object{{"MaximumRetryAttempts", 2}};
  ok("PutTargets", {{"Rule", "r"}, {"EventBusName", "shop"}, {"Targets", json::array{t}}});
  rule("gone");
  ok("DeleteRule", {{"Name", "gone"}});
  Events again{EventsOptions{.clock = clock_, .log = log_, .id_seed = 4}};
  std::size_t damaged = 0;
  ASSERT_TRUE(again.load(&damaged).ok());
  EXPECT_EQ(damaged, 0u);
  auto d = call(again, "DescribeRule", {{"Name", "r"}, {"EventBusName", "shop"}});
  ASSERT_FALSE(d.is_error());
  EXPECT_EQ(d.body().as_object().at("State").as_string(), "DISABLED");
  EXPECT_EQ(d.body().as_object().at("Arn").as_string(),
            "arn:aws:events:us-east-1:123456789012:rule/shop/r");
  auto targets = call(again, "ListTargetsByRule", {{"Rule", "r"}, {"EventBusName", "shop"}});
  ASSERT_FALSE(targets.is_error());
  EXPECT_EQ(json::dump(targets.body().as_object().at("Targets").as_array()[0]), json::dump(t));
  EXPECT_TRUE(call(again, "DescribeRule", {{"Name", "gone"}}).is_error());
  // Deleting the bus takes its rules with it.
  ASSERT_FALSE(call(again, "DeleteEventBus", {{"Name", "shop"}}).is_error());
  Events third{EventsOptions{.clock = clock_, .log = log_}};
  ASSERT_TRUE(third.load().ok());
  ASSERT_FALSE(call(third, "CreateEventBus", {{"Name", "shop"}}).is_error());
  EXPECT_TRUE(call(third, "DescribeRule", {{"Name", "r"}, {"EventBusName", "shop"}}).is_error());
}

}  // namespace
}  // namespace stepwise::services::events
