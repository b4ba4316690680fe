// Schedule: a rule's ScheduleExpression read once, and when it fires next. AWS's two forms:
//
//   rate(N unit)   every N minutes, hours or days (unit singular when N is 1, plural
//                  otherwise, as AWS asks), counted from when the schedule was set
//   cron(Minutes Hours Day-of-month Month Day-of-week Year), in UTC: each field `*`, a value,
//                  a range `a-b`, a step `a/n` or `a-b/n` or `*/n`, or a list of those;
//                  months JAN-DEC or 1-12, days of the week SUN-SAT or 1-7 (1 is Sunday);
//                  exactly one of Day-of-month and Day-of-week is `?`; years 1970-2199
//
// Not supported yet (refused with a reason, never ignored): cron's `L`, `W` and `#`.
//
// Thread-safety: immutable once parsed.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace stepwise::services::events {

class Schedule {
 public:
  // nullopt and `reason` set when `text` is not a schedule this server runs.
  static std::optional<Schedule> parse(std::string_view text, std::string* reason);

  // When the schedule fires first strictly after `after_ms`: a rate counts its periods from
  // `anchor_ms`; nullopt when a cron's years are over.
  std::optional<Millis> next(Millis after_ms, Millis anchor_ms) const;

 private:
  static constexpr int kYearFirst = 1970;
  static constexpr int kYears = 230;  // 1970-2199, AWS's range

  std::optional<Millis> next_cron(Millis after_ms) const;
  bool day_matches(int year, unsigned month, unsigned day, unsigned weekday) const;

  Millis period_ms_ = 0;  // a rate; 0: a cron
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;       // 1-31
  std::bitset<13> months_;     // 1-12
  std::bitset<8> weekdays_;    // 1-7, 1 is Sunday
  std::bitset<kYears> years_;  // from kYearFirst
  bool any_day_ = false;       // Day-of-month is `?`: Day-of-week decides
};

}  // namespace stepwise::services::events
