#include <gtest/gtest.h>

#include "json/json.h"

namespace stepwise::json {

TEST(Json, DumpsCompactlyInInsertionOrder) {
  auto v = parse(R"({"b": 1, "a": [true, null, "x\"y"]})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(dump(*v), R"({"b":1,"a":[true,null,"x\"y"]})");
}

TEST(Json, DoublesFollowJavaDoubleToString) {
  EXPECT_EQ(format_double(1.5), "1.5");
  EXPECT_EQ(format_double(1.0), "1.0");
  EXPECT_EQ(format_double(100.25), "100.25");
  EXPECT_EQ(format_double(1e20), "1.0E20");
  EXPECT_EQ(format_double(0.0001), "1.0E-4");
  EXPECT_EQ(format_double(0.001), "0.001");
  EXPECT_EQ(format_double(-12345678.9), "-1.23456789E7");
}

TEST(Json, RejectsTooDeepDocumentWithError) {
  std::string deep(100000, '[');
  auto v = parse(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().name, "Json.ParseError");
}

TEST(Json, RejectsMalformedText) {
  EXPECT_FALSE(parse("{\"a\":").ok());
  EXPECT_FALSE(parse("{'a':1}").ok());
}

TEST(Json, NumbersCompareByValue) {
  EXPECT_TRUE(equal(value(1), value(1.0)));
  EXPECT_FALSE(equal(value(1), value("1")));
}

}  // namespace stepwise::json
