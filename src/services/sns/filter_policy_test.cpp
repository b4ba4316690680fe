// Filter policies: the parser's limits and errors, and matching on attributes and bodies for
// every operator AWS documents.
#include "services/sns/filter_policy.h"

#include <gtest/gtest.h>

namespace stepwise::services::sns {
namespace {

using Scope = FilterPolicy::Scope;

FilterPolicy policy(std::string_view text, Scope scope = Scope::kAttributes) {
  std::string error;
  auto p = FilterPolicy::parse(text, scope, &error);
  EXPECT_TRUE(p.has_value()) << text << ": " << error;
  return p ? *p : *FilterPolicy::parse("{}", scope, nullptr);
}

std::string error_of(std::string_view text, Scope scope = Scope::kAttributes) {
  std::string error;
  auto p = FilterPolicy::parse(text, scope, &error);
  return p ? "" : error;
}

FilterAttributes attrs(std::initializer_list<std::pair<const char*, const char*>> strings) {
  FilterAttributes out;
  for (const auto& [k, v] : strings) out[k] = FilterAttribute{"String", v};
  return out;
}

TEST(FilterPolicy, ExactStringsAndAnd) {
  auto p = policy(R"({"store":["example_corp"],"event":["order_placed","order_cancelled"]})");
  EXPECT_TRUE(p.matches_attributes(attrs({{"store", "example_corp"}, {"event", "order_placed"}})));
  EXPECT_FALSE(p.matches_attributes(attrs({{"store", "example_corp"}})));
  EXPECT_FALSE(p.matches_attributes(attrs({{"store", "other"}, {"event", "order_placed"}})));
}

TEST(FilterPolicy, NumbersMatchNumberAttributesNumerically) {
  auto p = policy(R"({"price":[100]})");
  FilterAttributes a{{"price", {"Number", "100.0"}}};
  EXPECT_TRUE(p.matches_attributes(a));
  FilterAttributes s{{"price", {"String", "100"}}};
  EXPECT_FALSE(p.matches_attributes(s)) << "a number never matches a String attribute";
}

TEST(FilterPolicy, NumericRanges) {
  auto p = policy(R"({"price":[{"numeric":[">",0,"<=",150]}]})");
  EXPECT_TRUE(p.matches_attributes({{"price", {"Number", "150"}}}));
  EXPECT_TRUE(p.matches_attributes({{"price", {"Number", "0.5"}}}));
  EXPECT_FALSE(p.matches_attributes({{"price", {"Number", "0"}}}));
  EXPECT_FALSE(p.matches_attributes({{"price", {"Number", "151"}}}));
  auto eq = policy(R"({"n":[{"numeric":["=",3.5]}]})");
  EXPECT_TRUE(eq.matches_attributes({{"n", {"Number", "3.5"}}}));
}

TEST(FilterPolicy, PrefixSuffixIgnoreCase) {
  auto p = policy(R"({"a":[{"prefix":"ord"}],"b":[{"suffix":".png"}],)"
                  R"("c":[{"equals-ignore-case":"HeLLo"}]})");
  EXPECT_TRUE(p.matches_attributes(attrs({{"a", "order"}, {"b", "x.png"}, {"c", "hello"}})));
  EXPECT_FALSE(p.matches_attributes(attrs({{"a", "xorder"}, {"b", "x.png"}, {"c", "hello"}})));
  EXPECT_FALSE(p.matches_attributes(attrs({{"a", "order"}, {"b", "x.jpg"}, {"c", "hello"}})));
  EXPECT_FALSE(p.matches_attributes(attrs({{"a", "order"}, {"b", "x.png"}, {"c", "hell"}})));
}

TEST(FilterPolicy, AnythingBut) {
  auto list = policy(R"({"event":[{"anything-but":["a","b"]}]})");
  EXPECT_TRUE(list.matches_attributes(attrs({{"event", "c"}})));
  EXPECT_FALSE(list.matches_attributes(attrs({{"event", "a"}})));
  EXPECT_FALSE(list.matches_attributes(attrs({})));
  auto one = policy(R"({"n":[{"anything-but":100}]})");
  EXPECT_TRUE(one.matches_attributes({{"n", {"Number", "99"}}}));
  EXPECT_FALSE(one.matches_attributes({{"n", {"Number", "100"}}}));
  auto prefix = policy(R"({"e":[{"anything-but":{"prefix":"order-"}}]})");
  EXPECT_TRUE(prefix.matches_attributes(attrs({{"e", "invoice-1"}})));
  EXPECT_FALSE(prefix.matches_attributes(attrs({{"e", "order-1"}})));
}

TEST(FilterPolicy, Exists) {
  auto yes = policy(R"({"k":[{"exists":true}]})");
  auto no = policy(R"({"k":[{"exists":false}]})");
  EXPECT_TRUE(yes.matches_attributes(attrs({{"k", "x"}})));
  EXPECT_FALSE(yes.matches_attributes(attrs({})));
  EXPECT_TRUE(no.matches_attributes(attrs({})));
  EXPECT_FALSE(no.matches_attributes(attrs({{"k", "x"}})));
}

TEST(FilterPolicy, StringArraysMatchAnyElement) {
  auto p = policy(R"({"colors":["red"]})");
  EXPECT_TRUE(p.matches_attributes({{"colors", {"String.Array", R"(["blue","red"])"}}}));
  EXPECT_FALSE(p.matches_attributes({{"colors", {"String.Array", R"(["blue"])"}}}));
  FilterAttributes binary{{"colors", {"Binary", "cmVk"}}};
  EXPECT_FALSE(p.matches_attributes(binary));
}

TEST(FilterPolicy, OrAlternatives) {
  auto p = policy(R"({"source":["aws.cloudwatch"],"$or":[{"metric":["CPU"]},)"
                  R"({"namespace":["AWS/EC2"]}]})");
  EXPECT_TRUE(p.matches_attributes(attrs({{"source", "aws.cloudwatch"}, {"metric", "CPU"}})));
  EXPECT_TRUE(
      p.matches_attributes(attrs({{"source", "aws.cloudwatch"}, {"namespace", "AWS/EC2"}})));
  EXPECT_FALSE(p.matches_attributes(attrs({{"source", "aws.cloudwatch"}, {"metric", "RAM"}})));
}

TEST(FilterPolicy, BodyScopeNestedKeys) {
  auto p = policy(R"({"order":{"status":["paid"],"total":[{"numeric":[">=",10]}]}})", Scope::kBody);
  EXPECT_TRUE(p.matches_body(R"({"order":{"status":"paid","total":12}})"));
  EXPECT_FALSE(p.matches_body(R"({"order":{"status":"paid","total":2}})"));
  EXPECT_FALSE(p.matches_body(R"({"order":{"status":"open","total":12}})"));
  EXPECT_FALSE(p.matches_body("not json"));
  auto arr = policy(R"({"items":{"sku":["A1"]}})", Scope::kBody);
  EXPECT_TRUE(arr.matches_body(R"({"items":[{"sku":"B2"},{"sku":"A1"}]})"));
  auto flags = policy(R"({"ok":[true],"gone":[null]})", Scope::kBody);
  EXPECT_TRUE(flags.matches_body(R"({"ok":true,"gone":null})"));
  EXPECT_FALSE(flags.matches_body(R"({"ok":false,"gone":null})"));
}

TEST(FilterPolicy, ErrorsAndLimits) {
  EXPECT_NE(error_of("nope").find("failed to parse JSON"), std::string::npos);
  EXPECT_EQ(error_of("[1]"), "Filter policy must be a JSON object");
  EXPECT_EQ(error_of(R"({"a":[{"regex":"x"}]})"), "Unrecognized match type regex");
  EXPECT_EQ(error_of(R"({"a":[{"prefix":1}]})"), "prefix match pattern must be a string");
  EXPECT_EQ(error_of(R"({"a":[{"exists":"yes"}]})"),
            "exists match pattern must be either true or false.");
  EXPECT_EQ(error_of(R"({"a":[{"numeric":["~",1]}]})"), "Unrecognized numeric range operator: ~");
  EXPECT_EQ(error_of(R"({"a":[]})"), "Empty arrays are not allowed");
  EXPECT_EQ(error_of(R"({"a":{"b":["x"]}})"),
            "Filter policy scope MessageAttributes does not support nested filter policy");
  EXPECT_EQ(error_of(R"({"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]})"),
            "Filter policy can not have more than 5 keys");
  // 6 × 5 × 6 = 180 combinations > 150
  EXPECT_EQ(error_of(R"({"a":["1","2","3","4","5","6"],"b":["1","2","3","4","5"],)"
                     R"("c":["1","2","3","4","5","6"]})"),
            "Filter policy is too complex");
  std::string deep = "1";
  for (int i = 0; i < 40; ++i) deep = R"({"k":)" + (i == 0 ? std::string("[1]") : deep) + "}";
  EXPECT_FALSE(error_of(deep, Scope::kBody).empty());
}

}  // namespace
}  // namespace stepwise::services::sns
