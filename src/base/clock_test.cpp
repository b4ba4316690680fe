#include <gtest/gtest.h>

#include <functional>

#include "base/clock.h"
#include "base/event_loop.h"
#include "base/ids.h"

namespace stepwise {

TEST(Clock, ParsesRfc3339WithZuluAndOffset) {
  Millis t = 0;
  ASSERT_TRUE(parse_rfc3339("2016-03-14T01:59:00Z", &t));
  EXPECT_EQ(t, 1457920740000);
  ASSERT_TRUE(parse_rfc3339("2016-03-14T02:59:00.250+01:00", &t));
  EXPECT_EQ(t, 1457920740250);
  EXPECT_FALSE(parse_rfc3339("2016-03-14t01:59:00Z", &t));
  EXPECT_FALSE(parse_rfc3339("2016-02-30T01:59:00Z", &t));
  EXPECT_FALSE(parse_rfc3339("2016-03-14T01:59:00", &t));
}

TEST(Clock, FormatsMillisecondsAsAwsDoes) {
  EXPECT_EQ(format_iso8601_ms(1457920740250), "2016-03-14T01:59:00.250Z");
}

TEST(EventLoop, ManualClockJumpsToNextTimer) {
  ManualClock clock(1000);
  EventLoop loop(clock);
  std::vector<int> order;
  loop.schedule_at(1000 + 86400000LL * 365, [&] { order.push_back(2); });
  loop.schedule_at(2000, [&] { order.push_back(1); });
  loop.post([&] { order.push_back(0); });
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(clock.now_ms(), 1000 + 86400000LL * 365);
}

TEST(EventLoop, CancelledTimerNeverFires) {
  ManualClock clock(0);
  EventLoop loop(clock);
  bool fired = false;
  auto id = loop.schedule_at(5, [&] { fired = true; });
  loop.cancel(id);
  loop.run();
  EXPECT_FALSE(fired);
}

TEST(EventLoop, DueTimersFireWhilePostsKeepArriving) {
  // A busy loop (every callback posts another) must still fire a due timer: a server answering
  // commits all the time cannot starve its Wait states.
  RealClock clock;
  EventLoop loop(clock);
  bool fired = false;
  int spins = 0;
  const Millis start = clock.now_ms();
  std::function<void()> spin = [&] {
    ++spins;
    // Bounded so that a regression fails the test instead of hanging it.
    if (!fired && clock.now_ms() - start < 5000) loop.post(spin);
  };
  loop.post(spin);
  loop.schedule_at(start + 20, [&] { fired = true; });
  loop.run();
  EXPECT_TRUE(fired);
  EXPECT_LT(clock.now_ms() - start, 1000);
  EXPECT_GT(spins, 1);
  EXPECT_EQ(loop.timer_stats().fired, 1u);
  EXPECT_LT(loop.timer_stats().max_late_ms, 1000);
}

TEST(Ids, SeededGeneratorIsDeterministicAndV4) {
  IdGenerator a(42), b(42);
  std::string u = a.uuid_v4();
  EXPECT_EQ(u, b.uuid_v4());
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
}

}  // namespace stepwise
