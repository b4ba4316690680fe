// EventBridge tags through the dispatcher, on a manual clock and an in-memory RecordLog: Tags on
// PutRule and CreateEventBus, TagResource/UntagResource/ListTagsForResource on rule (default
// and custom bus) and bus ARNs, AWS's errors and limits, tags read back from the records after
// a restart and gone with their resource.
#include <gtest/gtest.h>

#include <string>

#include "services/common/resource_tags.h"
#include "services/events/events.h"
#include "services/events/events_test_support.h"

namespace stepwise::services::events {
namespace {

using test_support::call;

constexpr const char* kPattern = R"({"source": ["app.orders"]})";
constexpr const char* kPrefix = "arn:aws:events:us-east-1:123456789012:";

json::array tag_list(std::initializer_list<std::pair<std::string, std::string>> tags) {
  json::array a;
  for (const auto& [k, v] : tags) a.push_back(json::object{{"Key", k}, {"Value", v}});
  return a;
}

class TagsTest : public ::testing::Test {
 protected:
  TagsTest() { EXPECT_TRUE(events_.load().ok()); }
  json::object ok(std::string_view op, json::object request) {
    return test_support::ok(events_, op, std::move(request));
  }
  api::ApiError error(std::string_view op, json::object request) {
    return test_support::error(events_, op, std::move(request));
  }
  // The resource's tags as "k=v,k=v", in the order answered.
  std::string tags_of(Events& e, const std::string& arn) {
    auto r = call(e, "ListTagsForResource", {{"ResourceARN", arn}});
    EXPECT_FALSE(r.is_error()) << (r.is_error() ? r.error().message : "");
    if (r.is_error()) return "<error>";
    std::string out;
    for (const auto& t : r.body().as_object().at("Tags").as_array())
      out += (out.empty() ? "" : ",") + std::string(t.as_object().at("Key").as_string()) + "=" +
             std::string(t.as_object().at("Value").as_string());
    return out;
  }
  std::string tags_of(const std::string& arn) { return tags_of(events_, arn); }

  ManualClock clock_{1'700'000'000'000};
  MemoryRecordLog log_;
  Events events_{EventsOptions{.clock = clock_, .log = log_, .id_seed = 3}};
};

TEST_F(TagsTest, TagsOnCreateAreListedTaggedAndUntagged) {
  const std::string bus_arn =
      ok("CreateEventBus", {{"Name", "shop"}, {"Tags", tag_list({{"team", "a"}, {"env", "t"}})}})
          .at("EventBusArn")
          .as_string()
          .c_str();
  EXPECT_EQ(bus_arn, std::string(kPrefix) + "event-bus/shop");
  EXPECT_EQ(tags_of(bus_arn), "team=a,env=t");
  const std::string rule_arn = ok("PutRule", {{"Name", "r"},
                                              {"EventBusName", "shop"},
                                              {"EventPattern", kPattern},
                                              {"Tags", tag_list({{"owner", "me"}})}})
                                   .at("RuleArn")
                                   .as_string()
                                   .c_str();
  EXPECT_EQ(rule_arn, std::string(kPrefix) + "rule/shop/r");
  EXPECT_EQ(tags_of(rule_arn), "owner=me");

  ok("TagResource", {{"ResourceARN", rule_arn}, {"Tags", tag_list({{"owner", "you"}, {"x", ""}})}});
  EXPECT_EQ(tags_of(rule_arn), "owner=you,x=");
  ok("UntagResource", {{"ResourceARN", rule_arn}, {"TagKeys", json::array{"owner", "absent"}}});
  EXPECT_EQ(tags_of(rule_arn), "x=");
  // PutRule again without Tags keeps the rule's tags; with Tags adds to them.
  ok("PutRule", {{"Name", "r"}, {"EventBusName", "shop"}, {"EventPattern", kPattern}});
  EXPECT_EQ(tags_of(rule_arn), "x=");
  ok("PutRule", {{"Name", "r"},
                 {"EventBusName", "shop"},
                 {"EventPattern", kPattern},
                 {"Tags", tag_list({{"y", "1"}})}});
  EXPECT_EQ(tags_of(rule_arn), "x=,y=1");

  // The default bus and a rule on it (rule/NAME).
  ok("TagResource", {{"ResourceARN", std::string(kPrefix) + "event-bus/default"},
                     {"Tags", tag_list({{"d", "1"}})}});
  EXPECT_EQ(tags_of(std::string(kPrefix) + "event-bus/default"), "d=1");
  ok("PutRule", {{"Name", "plain"}, {"EventPattern", kPattern}});
  ok("TagResource",
     {{"ResourceARN", std::string(kPrefix) + "rule/plain"}, {"Tags", tag_list({{"p", "2"}})}});
  EXPECT_EQ(tags_of(std::string(kPrefix) + "rule/plain"), "p=2");
  EXPECT_EQ(tags_of(bus_arn), "team=a,env=t");  // each resource keeps its own
}

TEST_F(TagsTest, UnknownResourcesAndBadArnsAnswerAwsErrors) {
  auto e = error("ListTagsForResource", {{"ResourceARN", std::string(kPrefix) + "rule/nope"}});
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Rule nope does not exist on EventBus default.");
  e = error("TagResource", {{"ResourceARN", std::string(kPrefix) + "rule/shop/nope"},
                            {"Tags", tag_list({{"a", "b"}})}});
  EXPECT_EQ(e.message, "Rule nope does not exist on EventBus shop.");
  e = error("UntagResource", {{"ResourceARN", std::string(kPrefix) + "event-bus/nope"},
                              {"TagKeys", json::array{"a"}}});
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Event bus nope does not exist.");
  // The default bus of another account or region is not here.
  e = error("ListTagsForResource",
            {{"ResourceARN", "arn:aws:events:eu-west-1:123456789012:event-bus/default"}});
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  for (const char* bad : {"nope", "arn:aws:sqs:us-east-1:123456789012:q",
                          "arn:aws:events:us-east-1:123456789012:archive/a"}) {
    e = error("ListTagsForResource", {{"ResourceARN", bad}});
    EXPECT_EQ(e.type, "ValidationException") << bad;
  }
  EXPECT_EQ(error("ListTagsForResource", {}).message,
            "1 validation error detected: Value at 'resourceARN' failed to satisfy constraint: "
            "Member must not be null");
  EXPECT_EQ(
      error("TagResource", {{"ResourceARN", std::string(kPrefix) + "event-bus/default"}}).message,
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member "
      "must not be null");
  EXPECT_EQ(
      error("UntagResource", {{"ResourceARN", std::string(kPrefix) + "event-bus/default"}}).message,
      "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: "
      "Member must not be null");
}

TEST_F(TagsTest, BadTagsAndTooManyAreRefused) {
  const std::string bus = std::string(kPrefix) + "event-bus/default";
  auto e = error("TagResource", {{"ResourceARN", bus}, {"Tags", tag_list({{"", "v"}})}});
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1");
  e = error("TagResource", {{"ResourceARN", bus},
                            {"Tags", tag_list({{"ok", "v"}, {std::string(129, 'k'), "v"}})}});
  EXPECT_NE(e.message.find("at 'tags.2.member.key'"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("less than or equal to 128"), std::string::npos) << e.message;
  e = error("TagResource",
            {{"ResourceARN", bus}, {"Tags", tag_list({{"k", std::string(257, 'v')}})}});
  EXPECT_NE(e.message.find("at 'tags.1.member.value'"), std::string::npos) << e.message;
  // Limits count characters: 128 two-byte characters are a good key, 256 a good value.
  std::string wide_key;
  for (int i = 0; i < 128; ++i) wide_key += "\xC3\xA9";
  std::string wide_value = wide_key + wide_key;
  ok("TagResource", {{"ResourceARN", bus}, {"Tags", tag_list({{wide_key, wide_value}})}});
  e = error("TagResource",
            {{"ResourceARN", bus}, {"Tags", json::array{json::object{{"Key", "k"}}}}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(error("TagResource", {{"ResourceARN", bus}, {"Tags", "k=v"}}).type,
            "SerializationException");
  EXPECT_EQ(error("UntagResource", {{"ResourceARN", bus}, {"TagKeys", json::array{""}}}).type,
            "ValidationException");
  EXPECT_EQ(error("PutRule", {{"Name", "r"}, {"EventPattern", kPattern}, {"Tags", "x"}}).type,
            "SerializationException");

  // 50 tags a resource: the 51st is refused and nothing changes; replacing a value still works.
  json::array fifty;
  for (std::size_t i = 1; i < tag_limits::tags_per_resource_max; ++i)
    fifty.push_back(json::object{{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
  ok("TagResource", {{"ResourceARN", bus}, {"Tags", fifty}});  // 49 + the wide one
  e = error("TagResource", {{"ResourceARN", bus}, {"Tags", tag_list({{"one-more", "v"}})}});
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message, "Number of tags exceeds the limit of 50 tags per resource.");
  ok("TagResource", {{"ResourceARN", bus}, {"Tags", tag_list({{"k1", "new"}})}});
  fifty.push_back(json::object{{"Key", "k50"}, {"Value", "v"}});
  fifty.push_back(json::object{{"Key", "k51"}, {"Value", "v"}});
  EXPECT_EQ(error("CreateEventBus", {{"Name", "many"}, {"Tags", fifty}}).message,
            "Number of tags exceeds the limit of 50 tags per resource.");
  EXPECT_EQ(error("PutRule", {{"Name", "many"}, {"EventPattern", kPattern}, {"Tags", fifty}}).type,
            "ValidationException");
  EXPECT_TRUE(call(events_, "DescribeEventBus", {{"Name", "many"}}).is_error());
  EXPECT_TRUE(call(events_, "DescribeRule", {{"Name", "many"}}).is_error());
}

TEST_F(TagsTest, TagsComeBackFromTheRecordsAndGoWithTheirResource) {
  ok("CreateEventBus", {{"Name", "shop"}, {"Tags", tag_list({{"team", "a"}})}});
  ok("PutRule", {{"Name", "r"},
                 {"EventBusName", "shop"},
                 {"EventPattern", kPattern},
                 {"Tags", tag_list({{"owner", "me"}})}});
  ok("PutRule", {{"Name", "d"}, {"EventPattern", kPattern}});
  const std::string rule_arn = std::string(kPrefix) + "rule/shop/r";
  const std::string bus_arn = std::string(kPrefix) + "event-bus/shop";
  ok("TagResource", {{"ResourceARN", rule_arn}, {"Tags", tag_list({{"x", "1"}})}});
  ok("UntagResource", {{"ResourceARN", bus_arn}, {"TagKeys", json::array{"team"}}});
  ok("TagResource", {{"ResourceARN", bus_arn}, {"Tags", tag_list({{"b", "2"}})}});
  ok("TagResource",
     {{"ResourceARN", std::string(kPrefix) + "rule/d"}, {"Tags", tag_list({{"dd", "3"}})}});
  ok("TagResource", {{"ResourceARN", std::string(kPrefix) + "event-bus/default"},
                     {"Tags", tag_list({{"def", "4"}})}});

  Events again{EventsOptions{.clock = clock_, .log = log_, .id_seed = 4}};
  std::size_t damaged = 0;
  ASSERT_TRUE(again.load(&damaged).ok());
  EXPECT_EQ(damaged, 0u);
  EXPECT_EQ(tags_of(again, rule_arn), "owner=me,x=1");
  EXPECT_EQ(tags_of(again, bus_arn), "b=2");
  EXPECT_EQ(tags_of(again, std::string(kPrefix) + "rule/d"), "dd=3");
  EXPECT_EQ(tags_of(again, std::string(kPrefix) + "event-bus/default"), "def=4");

  // A rule deleted and made again, and a bus deleted and made again, start with no tags.
  ASSERT_FALSE(call(again, "DeleteRule", {{"Name", "d"}}).is_error());
  ASSERT_FALSE(call(again, "PutRule", {{"Name", "d"}, {"EventPattern", kPattern}}).is_error());
  EXPECT_EQ(tags_of(again, std::string(kPrefix) + "rule/d"), "");
  ASSERT_FALSE(call(again, "DeleteEventBus", {{"Name", "shop"}}).is_error());
  EXPECT_EQ(call(again, "ListTagsForResource", {{"ResourceARN", rule_arn}}).error().type,
            "ResourceNotFoundException");
  Events third{EventsOptions{.clock = clock_, .log = log_}};
  ASSERT_TRUE(third.load().ok());
  EXPECT_EQ(call(third, "ListTagsForResource", {{"ResourceARN", bus_arn}}).error().type,
            "ResourceNotFoundException");
  ASSERT_FALSE(call(third, "CreateEventBus", {{"Name", "shop"}}).is_error());
  EXPECT_EQ(tags_of(third, bus_arn), "");
  EXPECT_EQ(tags_of(third, std::string(kPrefix) + "event-bus/default"), "def=4");
}

TEST_F(TagsTest, AHugeListOfDistinctTagsIsRefusedInOnePass) {
  // 200,000 distinct keys: refused as over the limit at the 51st, not after a quadratic merge.
  json::array many;
  for (int i = 0; i < 200'000; ++i)
    many.push_back(json::object{{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
  const std::string bus_arn = std::string(kPrefix) + "event-bus/default";
  EXPECT_EQ(error("TagResource", {{"ResourceARN", bus_arn}, {"Tags", many}}).message,
            "Number of tags exceeds the limit of 50 tags per resource.");
  EXPECT_EQ(error("PutRule", {{"Name", "r"}, {"EventPattern", kPattern}, {"Tags", many}}).message,
            "Number of tags exceeds the limit of 50 tags per resource.");
  EXPECT_EQ(tags_of(bus_arn), "");
}

}  // namespace
}  // namespace stepwise::services::events
