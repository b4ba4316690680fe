// Schedule: rate() and cron() read as AWS reads them (and refused as AWS refuses them, or as
// not supported yet), and the next firing computed on the UTC calendar.
#include "services/events/events_schedule.h"

#include <gtest/gtest.h>

#include <string>

namespace stepwise::services::events {
namespace {

// 2026-12-04T14:30:00Z (a Friday).
constexpr Millis kNow = 1'796'394'600'000;
constexpr Millis kMinute = 60'000;

Schedule read(const std::string& text) {
  std::string reason;
  auto s = Schedule::parse(text, &reason);
  EXPECT_TRUE(s.has_value()) << text << ": " << reason;
  return s.value_or(*Schedule::parse("rate(1 day)", &reason));
}

std::string refused(const std::string& text) {
  std::string reason;
  EXPECT_FALSE(Schedule::parse(text, &reason).has_value()) << text;
  return reason;
}

TEST(Schedule, RatesCountWholePeriodsFromTheirAnchor) {
  EXPECT_EQ(read("rate(1 minute)").next(kNow, kNow), kNow + kMinute);
  EXPECT_EQ(read("rate(5 minutes)").next(kNow + 7 * kMinute, kNow), kNow + 10 * kMinute);
  EXPECT_EQ(read("rate(2 hours)").next(kNow, kNow), kNow + 120 * kMinute);
  EXPECT_EQ(read("rate(1 day)").next(kNow + 1, kNow), kNow + 1440 * kMinute);
}

TEST(Schedule, RatesRefusedAsAwsRefusesThem) {
  EXPECT_EQ(refused("rate(1 minutes)"), "Parameter ScheduleExpression is not valid.");
  refused("rate(5 minute)");
  refused("rate(0 minutes)");
  refused("rate(-1 minutes)");
  refused("rate(5 weeks)");
  refused("rate(5)");
  refused("rate(1234567890 minutes)");
  refused("every 5 minutes");
}

TEST(Schedule, CronFiresOnTheNextMatchingMinuteInUtc) {
  // Every day at 12:00.
  EXPECT_EQ(read("cron(0 12 * * ? *)").next(kNow, 0), kNow - 150 * kMinute + 1440 * kMinute);
  // Every 15 minutes: 14:45 is next after 14:30 (strictly after).
  EXPECT_EQ(read("cron(0/15 * * * ? *)").next(kNow, 0), kNow + 15 * kMinute);
  // Weekdays at 10:15: Friday 14:30 → Monday 10:15 (3 days less 4 h 15 min).
  EXPECT_EQ(read("cron(15 10 ? * MON-FRI *)").next(kNow, 0),
            kNow + 3 * 1440 * kMinute - 255 * kMinute);
  // The first of January 2030, midnight: 1,893,456,000 s.
  EXPECT_EQ(read("cron(0 0 1 JAN ? 2030)").next(kNow, 0), 1'893'456'000'000);
  // Sundays (1) at 08:00 in December: Sunday 6 December 2026.
  EXPECT_EQ(read("cron(0 8 ? 12 1 *)").next(kNow, 0), kNow + 2 * 1440 * kMinute - 390 * kMinute);
  // A year that is over fires no more.
  EXPECT_FALSE(read("cron(0 0 1 1 ? 1999)").next(kNow, 0).has_value());
}

TEST(Schedule, CronRefusedAsAwsRefusesIt) {
  refused("cron(0 12 * * * *)");   // neither day field is ?
  refused("cron(0 12 ? * ? *)");   // both are
  refused("cron(0 12 * * ?)");     // five fields
  refused("cron(60 12 * * ? *)");  // minutes 0-59
  refused("cron(0 24 * * ? *)");
  refused("cron(0 0 32 * ? *)");
  refused("cron(0 0 ? * 8 *)");
  refused("cron(0 0 1 1 ? 2200)");
  refused("cron(0 0 5-1 * ? *)");
  refused("cron(0/0 * * * ? *)");
  refused("cron(a b c d e f)");
  for (const char* unsupported :
       {"cron(0 0 L * ? *)", "cron(0 0 15W * ? *)", "cron(0 0 ? * 6#3 *)", "cron(0 0 ? * 6L *)"})
    EXPECT_NE(refused(unsupported).find("not supported"), std::string::npos) << unsupported;
}

}  // namespace
}  // namespace stepwise::services::events
