// Target inputs: the event as is, Input, InputPath, and InputTransformer templates filled as AWS
// fills them (JSON templates, string templates, missing paths, predefined variables), the
// "not delivered" rule, and PutTargets' checks.
#include "services/events/input_transformer.h"

#include <gtest/gtest.h>

namespace stepwise::services::events {
namespace {

json::value event() {
  return json::parse(R"({"version": "0", "id": "e1", "detail-type": "Order", "source": "shop",)"
                     R"( "account": "123", "time": "2026-01-01T00:00:00Z", "region": "us-east-1",)"
                     R"( "resources": [], "detail": {"id": "a-1", "n": 7, "ok": true,)"
                     R"( "tags": ["x", "y"], "item": {"sku": "s", "qty": 2}}})")
      .value();
}

TargetInputSpec transformer(std::string templ) {
  TargetInputSpec t;
  t.id = "t1";
  t.has_transformer = true;
  t.paths_map = {{"id", "$.detail.id"},         {"n", "$.detail.n"},
                 {"tags", "$.detail.tags"},     {"item", "$.detail.item"},
                 {"first", "$.detail.tags[0]"}, {"none", "$.detail.no"}};
  t.input_template = std::move(templ);
  return t;
}

std::optional<std::string> fill(std::string templ) {
  return target_input(transformer(std::move(templ)), event(), DeliveryContext{"arn", "r", "t0"});
}

TEST(InputTransformer, WithoutInputMembersTheEventIsDelivered) {
  TargetInputSpec t;
  EXPECT_EQ(json::parse(*target_input(t, event(), {})).value(), event());
  t.input = R"({"fixed": 1})";
  EXPECT_EQ(*target_input(t, event(), {}), R"({"fixed": 1})");
}

TEST(InputTransformer, InputPathSelectsPartOfTheEvent) {
  TargetInputSpec t;
  t.input_path = "$.detail.item";
  EXPECT_EQ(*target_input(t, event(), {}), R"({"sku":"s","qty":2})");
  t.input_path = "$.detail['tags'][1]";
  EXPECT_EQ(*target_input(t, event(), {}), R"("y")");
  t.input_path = "$.detail.missing";
  EXPECT_FALSE(target_input(t, event(), {}).has_value());
}

TEST(InputTransformer, JsonTemplatesQuoteStringsOutsideStrings) {
  EXPECT_EQ(*fill(R"({"id": <id>, "in": "x/<id>/<n>", "n": <n>, "t": <tags>})"),
            R"({"id": "a-1", "in": "x/a-1/7", "n": 7, "t": ["x","y"]})");
  EXPECT_EQ(*fill(R"([<first>, <none>])"), R"(["x", ""])");
  EXPECT_EQ(*fill(R"({"a": "<none>"})"), R"({"a": ""})");
}

// A path the event lacks fills a JSON template's value with "", not null, as AWS delivered
// {"command": ""} for {"command": <command>} with $.detail.notinmessage (LocalStack's
// test_put_events_with_input_transformer_input_template_json, recorded against AWS).
TEST(InputTransformer, AMissingValueOutsideAStringIsAnEmptyString) {
  EXPECT_EQ(*fill(R"({"detailType": <id>,  "command": <none>})"),
            R"({"detailType": "a-1",  "command": ""})");
  EXPECT_EQ(*fill(R"({"n": <none>, "in": "<none>"})"), R"({"n": "", "in": ""})");
}

TEST(InputTransformer, AJsonTemplateThatStopsBeingJsonIsNotDelivered) {
  EXPECT_FALSE(fill(R"({"a": "<item>"})").has_value());
  EXPECT_FALSE(fill(R"({"a": "<tags>"})").has_value());
}

TEST(InputTransformer, StringTemplatesDropQuotesFromValues) {
  EXPECT_EQ(*fill(R"("<id> has <item> and <tags>, <none>.")"),
            R"("a-1 has {sku:s,qty:2} and [x,y], .")");
  // What the template starts with decides, not what the filled text does.
  EXPECT_EQ(*fill("<item> is an item"), "{sku:s,qty:2} is an item");
}

TEST(InputTransformer, PredefinedVariables) {
  EXPECT_EQ(
      *fill(R"("<aws.events.rule-name> <aws.events.rule-arn> <aws.events.event.ingestion-time>")"),
      R"("r arn t0")");
  auto out =
      json::parse(*fill(R"({"e": <aws.events.event>, "j": <aws.events.event.json>})")).value();
  EXPECT_EQ(out.at("e").at("detailType"), json::value("Order"));
  EXPECT_EQ(out.at("e").at("time"), json::value("t0"));
  EXPECT_FALSE(out.at("e").as_object().contains("detail"));
  EXPECT_EQ(out.at("j"), event());
}

TEST(InputTransformer, PutTargetsRefusesConflictsAndUnknownPlaceholders) {
  TargetInputSpec t = transformer("\"<id> <nope>\"");
  EXPECT_EQ(check_target_input(t),
            "InputTemplate for target t1 contains invalid placeholder nope.");
  t.input_template = "\"a < b and <id> and <aws.events.rule-name>\"";
  EXPECT_FALSE(check_target_input(t).has_value());
  t.input_path = "$.detail";
  EXPECT_EQ(check_target_input(t),
            "Only one of Input, InputPath, or InputTransformer must be provided for target t1.");
  t.input_template = std::string(9000, 'x');
  t.input_path.reset();
  EXPECT_TRUE(check_target_input(t).has_value());
}

}  // namespace
}  // namespace stepwise::services::events
