#include <gtest/gtest.h>

#include "json/json.h"

namespace stepwise::json {
namespace {

// dumped_size counts without writing: it must agree with dump() byte for byte.
void expect_size_matches_dump(std::string_view text) {
  auto v = parse(text);
  ASSERT_TRUE(v.ok()) << text;
  EXPECT_EQ(dumped_size(*v), dump(*v).size()) << text;
}

TEST(JsonSize, DumpedSizeMatchesDumpForScalarsAndContainers) {
  expect_size_matches_dump("null");
  expect_size_matches_dump("[true,false,null]");
  expect_size_matches_dump(R"({"a":-12,"b":18446744073709551615,"c":[],"d":{}})");
  expect_size_matches_dump(R"({"x":1.5,"y":1e20,"z":-0.0001,"w":[1.0,2.25]})");
  expect_size_matches_dump(R"({"id":0,"payload":{"a":1,"b":"x"},"last":{"step":3}})");
}

TEST(JsonSize, DumpedSizeCountsEscapes) {
  expect_size_matches_dump(R"(["q\"b\\s\/n\nr\rt\tb\bf\f"])");
  expect_size_matches_dump(R"({"k\u0001\u001f":"\u0000x\u0010"})");
  expect_size_matches_dump(R"(["é日本語 plain"])");
}

TEST(JsonSize, DumpEscapesControlCharactersAsJacksonDoes) {
  auto v = parse(R"(["a\u0001b\"c\\d\ne"])");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(dump(*v), R"(["a\u0001b\"c\\d\ne"])");
}

}  // namespace
}  // namespace stepwise::json
