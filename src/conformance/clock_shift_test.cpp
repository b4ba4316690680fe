#include "conformance/clock_shift.h"

#include <gtest/gtest.h>

namespace stepwise::conformance {
namespace {

Case make_case(const char* doc) {
  Case c;
  c.file = "case.json";
  c.doc = json::parse(doc).value().as_object();
  return c;
}

constexpr Millis day_ms = 24LL * 3600 * 1000;

TEST(ClockShift, InputTimestampsAndTheirPatternsMoveByTheTimeSinceExtraction) {
  Millis extracted = 0;
  ASSERT_TRUE(parse_rfc3339("2026-11-25T11:38:35Z", &extracted));
  Case c = make_case(R"({"clock":{"extracted_at":"2026-11-25T11:38:35Z"},
      "input":{"start_at":"2094-12-14T11:38:35.000Z","plain":"2030-01-01T00:00:00Z",
               "list":["x 2030-01-01T00:00:00Z y"]},
      "normalisation":{"replacements":[{"pattern":"2094-12-14T11:38:35.000Z"},
                                       {"pattern":"us\\-east\\-1"}]}})");
  ASSERT_TRUE(shift_clock_relative(c, extracted + 7 * day_ms + 1500).ok());
  const auto& in = c.doc.at("input").as_object();
  EXPECT_EQ(in.at("start_at").as_string(), "2094-12-21T11:38:36.500Z");
  EXPECT_EQ(in.at("plain").as_string(), "2030-01-08T00:00:01Z");  // no fraction: none added
  EXPECT_EQ(in.at("list").as_array()[0].as_string(), "x 2030-01-08T00:00:01Z y");
  const auto& reps = c.doc.at("normalisation").at("replacements").as_array();
  EXPECT_EQ(reps[0].at("pattern").as_string(), "2094-12-21T11:38:36.500Z");
  EXPECT_EQ(reps[1].at("pattern").as_string(), "us\\-east\\-1");
}

TEST(ClockShift, ACaseWithoutExtractionTimeIsUntouched) {
  Case c = make_case(R"({"input":{"t":"2094-12-14T11:38:35.000Z"}})");
  ASSERT_TRUE(shift_clock_relative(c, 123456789).ok());
  EXPECT_EQ(c.doc.at("input").at("t").as_string(), "2094-12-14T11:38:35.000Z");
}

TEST(ClockShift, ABadExtractionTimeIsAnError) {
  Case c = make_case(R"({"clock":{"extracted_at":"yesterday"},"input":{}})");
  EXPECT_FALSE(shift_clock_relative(c, 0).ok());
}

}  // namespace
}  // namespace stepwise::conformance
