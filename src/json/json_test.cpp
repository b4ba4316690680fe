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

TEST(Json, SeventeenDigitDoublesRoundTripExactly) {
  auto v = parse("[-1.4666666626666667,0.1,123456789.12345679,1e-300,2.5E10]");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->get_array()[0].get_double(), -1.4666666626666667);
  EXPECT_EQ(dump(*v), "[-1.4666666626666667,0.1,1.2345678912345679E8,1.0E-300,2.5E10]");
}

TEST(Json, RejectsTrailingText) { EXPECT_FALSE(parse("{} x").ok()); }

TEST(Json, NumbersCompareByValue) {
  EXPECT_TRUE(equal(value(1), value(1.0)));
  EXPECT_FALSE(equal(value(1), value("1")));
}

}  // namespace stepwise::json
