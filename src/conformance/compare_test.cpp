#include "conformance/compare.h"

#include <gtest/gtest.h>

namespace stepwise::conformance {
namespace {

json::value J(const char* text) { return json::parse(text).value(); }

TEST(LooseEqual, IntegerEqualsDoubleOfSameValue) {
  EXPECT_TRUE(loose_equal(J("1"), J("1.0")));
  EXPECT_TRUE(loose_equal(J("{\"a\":[2.5,3]}"), J("{\"a\":[2.5,3.0]}")));
  EXPECT_FALSE(loose_equal(J("1"), J("1.5")));
}

TEST(LooseEqual, BooleansAreNotNumbers) {
  EXPECT_FALSE(loose_equal(J("true"), J("1")));
  EXPECT_FALSE(loose_equal(J("0"), J("false")));
  EXPECT_TRUE(loose_equal(J("false"), J("false")));
}

TEST(LooseEqual, PlaceholderInExpectedTextIsAWildcard) {
  EXPECT_TRUE(
      loose_equal(J("\"arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:x\""),
                  J("\"arn:<partition>:states:eu-west-1:111111111111:execution:sm-1:x\"")));
  EXPECT_FALSE(loose_equal(J("\"arn:<partition>:states:<region>:111111111111:execution\""),
                           J("\"arn:aws:states:us-east-1:222222222222:execution\"")));
}

TEST(LooseEqual, DateWordMatchesAnyTextButNotInsideAWord) {
  EXPECT_TRUE(loose_equal(J("\"started date\""), J("\"started 2024-01-01\"")));
  EXPECT_FALSE(loose_equal(J("\"datetime\""), J("\"anything\"")));
}

TEST(LooseEqual, WholePlaceholderMatchesANonString) {
  EXPECT_TRUE(loose_equal(J("\"<uuid:1>\""), J("42")));
  EXPECT_TRUE(loose_equal(J("\"timestamp\""), J("1700000000.5")));
  EXPECT_TRUE(loose_equal(J("\"datetime\""), J("1700000000.5")));
  EXPECT_FALSE(loose_equal(J("\"plain\""), J("42")));
}

TEST(LooseEqual, RoleTokenIsAWildcard) {
  EXPECT_TRUE(loose_equal(J("\"snf_role_arn\""), J("\"arn:aws:iam::1:role/r\"")));
}

TEST(LooseEqual, DynamicPlaceholdersAreWildcards) {
  EXPECT_FALSE(loose_equal(J("\"id generated-uuid\""), J("\"id 1234\"")));
  EXPECT_TRUE(loose_equal(J("\"id generated-uuid\""), J("\"id 1234\""), {"generated-uuid"}));
}

TEST(LooseEqual, RegexCharactersInExpectedAreLiteral) {
  EXPECT_TRUE(loose_equal(J("\"a.b* (c) <x>\""), J("\"a.b* (c) zzz\"")));
  EXPECT_FALSE(loose_equal(J("\"a.b* (c) <x>\""), J("\"aXb* (c) zzz\"")));
}

TEST(LooseEqual, ObjectsNeedTheSameKeys) {
  EXPECT_FALSE(loose_equal(J("{\"a\":1}"), J("{\"a\":1,\"b\":2}")));
  EXPECT_FALSE(loose_equal(J("{\"a\":1,\"b\":2}"), J("{\"a\":1}")));
  EXPECT_TRUE(loose_equal(J("{\"a\":1,\"b\":2}"), J("{\"b\":2,\"a\":1}")));
}

TEST(FirstDifference, NamesThePathAndBothSides) {
  auto d = first_difference(J("{\"out\":{\"items\":[1,{\"n\":\"a\"}]}}"),
                            J("{\"out\":{\"items\":[1,{\"n\":\"b\"}]}}"));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->path, "out.items[1].n");
  EXPECT_EQ(d->describe(), "out.items[1].n: expected \"a\", got \"b\"");
}

TEST(FirstDifference, ReportsMissingAndUnexpectedKeys) {
  auto missing = first_difference(J("{\"a\":1}"), J("{}"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->actual, "(missing)");
  auto extra = first_difference(J("{}"), J("{\"z\":1}"));
  ASSERT_TRUE(extra.has_value());
  EXPECT_EQ(extra->path, "z");
  EXPECT_EQ(extra->expected, "(absent)");
}

TEST(FirstDifference, ReportsArrayLengths) {
  auto d = first_difference(J("[1,2]"), J("[1,2,3]"));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->expected, "2 items");
}

TEST(StripKeys, DropsSdkMetadataAtAnyDepth) {
  auto v = strip_keys(J("{\"a\":{\"SdkHttpMetadata\":1,\"b\":[{\"SdkResponseMetadata\":2}]}}"),
                      sdk_metadata_keys());
  EXPECT_EQ(json::dump(v), "{\"a\":{\"b\":[{}]}}");
}

TEST(RemovePaths, RemovesDeepKeysAndIndexedPaths) {
  auto v =
      J("{\"events\":[{\"id\":1,\"previousEventId\":0},{\"id\":2,\"previousEventId\":1}],"
        "\"x\":{\"RedriveCount\":0}}");
  remove_paths(v, {"$..RedriveCount", "$..events[1].previousEventId"});
  EXPECT_EQ(json::dump(v), "{\"events\":[{\"id\":1,\"previousEventId\":0},{\"id\":2}],\"x\":{}}");
}

TEST(RemovePaths, DeepDottedPathOnlyMatchesTheChain) {
  auto v = J("{\"output\":{\"Cause\":\"c\"},\"Cause\":\"keep\"}");
  remove_paths(v, {"$..output.Cause"});
  EXPECT_EQ(json::dump(v), "{\"output\":{},\"Cause\":\"keep\"}");
}

TEST(RemovePaths, IgnoresPathsItCannotRead) {
  auto v = J("{\"a\":1}");
  remove_paths(v, {"a", "$[", "$..a[x]"});
  EXPECT_EQ(json::dump(v), "{\"a\":1}");
}

}  // namespace
}  // namespace stepwise::conformance

namespace stepwise::conformance {
namespace {
TEST(Compare, ABareTokenMatchesAPlaceholderFormOfTheSameValue) {
  EXPECT_TRUE(
      text_matches("arn:<partition>:iam::111111111111:role/<resource:1>", "snf_role_arn", {}));
  EXPECT_FALSE(text_matches("arn:aws:iam::111111111111:role/x", "snf_role_arn", {}));
  EXPECT_FALSE(text_matches("<resource:1>", "other", {}) == false);
}
}  // namespace
}  // namespace stepwise::conformance
