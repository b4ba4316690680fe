#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "json/clamp.h"
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

// Found by fuzz_json: 1e400 read as infinity, which no JSON output can carry back.
TEST(Json, NumbersPastTheDoubleRangeAreRefusedAndTinyOnesReadAsZero) {
  EXPECT_FALSE(parse("[1e400]").ok());
  EXPECT_FALSE(parse("{\"a\":-912931348623157e308}").ok());
  auto tiny = parse("[1E-400]");
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(dump(*tiny), "[0.0]");
  EXPECT_TRUE(parse("18446744073309551616").ok());  // past uint64: a double, in range
}

TEST(Json, RejectsTrailingText) { EXPECT_FALSE(parse("{} x").ok()); }

TEST(Json, NumbersCompareByValue) {
  EXPECT_TRUE(equal(value(1), value(1.0)));
  EXPECT_FALSE(equal(value(1), value("1")));
}

// The three escaping styles differ only in hex case and in what they do with non-ASCII text;
// each expectation is the text the named serialiser writes (Jackson, JSON.stringify,
// Python's json.dumps) for the same input.
TEST(JsonQuote, JacksonEscapesControlsUpperCaseAndKeepsUtf8) {
  EXPECT_EQ(quote("a\"b\\c\n\r\t\b\f"), R"("a\"b\\c\n\r\t\b\f")");
  EXPECT_EQ(quote(std::string("\x01\x1f", 2)), R"("\u0001\u001F")");
  EXPECT_EQ(quote("caf\xC3\xA9 \x7F"), "\"caf\xC3\xA9 \x7F\"");
  EXPECT_EQ(quote("x"), dump(value("x")));  // dump writes strings in this style
}

TEST(JsonQuote, JavaScriptEscapesControlsLowerCaseAndKeepsUtf8) {
  EXPECT_EQ(quote(std::string("\x1f\"\n", 3), QuoteStyle::kJavaScript), R"("\u001f\"\n")");
  EXPECT_EQ(quote("caf\xC3\xA9", QuoteStyle::kJavaScript), "\"caf\xC3\xA9\"");
}

TEST(JsonQuote, PythonEscapesEverythingOutsidePrintableAscii) {
  auto py = [](std::string_view s) { return quote(s, QuoteStyle::kPython); };
  EXPECT_EQ(py("a\"b\\ ~"), R"("a\"b\\ ~")");
  EXPECT_EQ(py(std::string("\x1f\x7f\n", 3)), R"("\u001f\u007f\n")");
  EXPECT_EQ(py("caf\xC3\xA9"), R"("caf\u00e9")");          // two-byte UTF-8
  EXPECT_EQ(py("\xE2\x82\xAC"), R"("\u20ac")");            // three bytes
  EXPECT_EQ(py("\xF0\x9F\x98\x80"), R"("\ud83d\ude00")");  // above U+FFFF: a surrogate pair
  EXPECT_EQ(py("\xFF"
               "a"),
            R"("\ufffda")");                       // an invalid byte reads as U+FFFD
  EXPECT_EQ(py("\xE2\x82"), R"("\ufffd\ufffd")");  // truncated: one U+FFFD per byte
  std::string appended = "x=";
  quote_to("\xC3\xA9", appended, QuoteStyle::kPython);
  EXPECT_EQ(appended, R"(x="\u00e9")");
}

TEST(JsonQuote, NextCodePointDecodesUtf8AndStepsOverBadBytes) {
  std::string s = "a\xC3\xA9\xF0\x9F\x98\x80\x80";
  std::size_t i = 0;
  EXPECT_EQ(next_code_point(s, &i), 0x61u);
  EXPECT_EQ(next_code_point(s, &i), 0xE9u);
  EXPECT_EQ(next_code_point(s, &i), 0x1F600u);
  EXPECT_EQ(i, 7u);
  EXPECT_EQ(next_code_point(s, &i), 0xFFFDu);  // a lone continuation byte
  EXPECT_EQ(i, s.size());
}

}  // namespace stepwise::json

TEST(Json, IntegersClampToInt64InsteadOfOverflowing) {
  using stepwise::json::as_int64_clamped;
  using stepwise::json::clamp_to_int64;
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(clamp_to_int64(3.9), 3);
  EXPECT_EQ(clamp_to_int64(-3.9), -3);
  EXPECT_EQ(clamp_to_int64(3.2e42), max);
  EXPECT_EQ(clamp_to_int64(-3.2e42), min);
  EXPECT_EQ(clamp_to_int64(9223372036854775808.0), max);
  EXPECT_EQ(clamp_to_int64(std::nan("")), 0);
  EXPECT_EQ(clamp_to_int64(std::numeric_limits<double>::infinity()), max);
  EXPECT_EQ(as_int64_clamped(boost::json::value(std::uint64_t{18446744073709551615ULL})), max);
  EXPECT_EQ(as_int64_clamped(boost::json::value(std::int64_t{-5})), -5);
  EXPECT_EQ(as_int64_clamped(boost::json::value(1e300)), max);
  EXPECT_EQ(as_int64_clamped(boost::json::value("7")), 0);
}
