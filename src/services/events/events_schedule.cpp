// Schedule: reading rate() and cron() expressions, and the next time one fires (UTC calendar
// arithmetic on days since 1970, so no time-zone or C library clock is involved).
#include "services/events/events_schedule.h"

#include <cstdint>
#include <vector>

namespace stepwise::services::events {
namespace {

constexpr Millis kMinuteMs = 60'000;
constexpr Millis kDayMs = 86'400'000;
// rate()'s N: up to 9 digits (this server's bound: a period of a billion days still fits).
constexpr std::size_t rate_digits_max = 9;

std::vector<std::string_view> split(std::string_view text, char by) {
  std::vector<std::string_view> out;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == by) {
      if (by != ' ' || i > from) out.push_back(text.substr(from, i - from));
      from = i + 1;
    }
  }
  return out;
}

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

// A number, or a name from `names` (index + first): "JAN" in months is 1.
bool value_of(std::string_view text, int first, const std::vector<std::string_view>& names,
              int& out) {
  if (text.empty() || text.size() > 4) return false;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (text == names[i]) {
      out = static_cast<int>(i) + first;
      return true;
    }
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// One cron field into `bits` (bit v set when value v is allowed); false when it is not valid.
template <std::size_t N>
bool read_field(std::string_view field, int lo, int hi, const std::vector<std::string_view>& names,
                std::bitset<N>& bits, int offset, std::string* reason) {
  for (std::string_view part : split(field, ',')) {
    if (part.find_first_of("LW#") != std::string_view::npos) {
      *reason = "cron's L, W and # are not supported by this server yet";
      return false;
    }
    int from = lo, to = hi, step = 1;
    std::string_view range = part;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      range = part.substr(0, slash);
      if (!value_of(part.substr(slash + 1), 0, {}, step) || step < 1) return false;
    }
    if (range != "*") {
      auto dash = range.find('-');
      if (!value_of(range.substr(0, dash), lo, names, from)) return false;
      to = dash == std::string_view::npos ? (part.find('/') != std::string_view::npos ? hi : from)
                                          : 0;
      if (dash != std::string_view::npos && !value_of(range.substr(dash + 1), lo, names, to))
        return false;
    }
    if (from < lo || to > hi || from > to) return false;
    for (int v = from; v <= to; v += step) bits.set(static_cast<std::size_t>(v - offset));
  }
  return true;
}

}  // namespace

std::optional<Schedule> Schedule::parse(std::string_view text, std::string* reason) {
  *reason = "Parameter ScheduleExpression is not valid.";
  Schedule s;
  if (text.starts_with("rate(") && text.ends_with(")")) {
    auto words = split(text.substr(5, text.size() - 6), ' ');
    if (words.size() != 2 || words[0].empty() || words[0].size() > rate_digits_max)
      return std::nullopt;
    std::int64_t count = 0;
    for (char c : words[0]) {
      if (c < '0' || c > '9') return std::nullopt;
      count = count * 10 + (c - '0');
    }
    const std::string_view unit = words[1];
    const bool one = count == 1;
    Millis per = 0;
    if (unit == (one ? "minute" : "minutes")) per = kMinuteMs;
    if (unit == (one ? "hour" : "hours")) per = 60 * kMinuteMs;
    if (unit == (one ? "day" : "days")) per = kDayMs;
    if (count < 1 || per == 0) return std::nullopt;
    s.period_ms_ = count * per;
    return s;
  }
  if (!text.starts_with("cron(") || !text.ends_with(")")) return std::nullopt;
  auto fields = split(text.substr(5, text.size() - 6), ' ');
  if (fields.size() != 6) return std::nullopt;
  static const std::vector<std::string_view> months = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  static const std::vector<std::string_view> weekdays = {"SUN", "MON", "TUE", "WED",
                                                         "THU", "FRI", "SAT"};
  // Exactly one of Day-of-month and Day-of-week is "?" (AWS's rule).
  if ((fields[2] == "?") == (fields[4] == "?")) return std::nullopt;
  s.any_day_ = fields[2] == "?";
  const bool ok =
      read_field(fields[0], 0, 59, {}, s.minutes_, 0, reason) &&
      read_field(fields[1], 0, 23, {}, s.hours_, 0, reason) &&
      (s.any_day_ || read_field(fields[2], 1, 31, {}, s.days_, 0, reason)) &&
      read_field(fields[3], 1, 12, months, s.months_, 0, reason) &&
      (!s.any_day_ || read_field(fields[4], 1, 7, weekdays, s.weekdays_, 0, reason)) &&
      read_field(fields[5], kYearFirst, kYearFirst + kYears - 1, {}, s.years_, kYearFirst, reason);
  if (!ok) return std::nullopt;
  return s;
}

std::optional<Millis> Schedule::next(Millis after_ms, Millis anchor_ms) const {
  if (period_ms_ == 0) return next_cron(after_ms);
  if (after_ms < anchor_ms) return anchor_ms + period_ms_;
  return anchor_ms + ((after_ms - anchor_ms) / period_ms_ + 1) * period_ms_;
}

bool Schedule::day_matches(int year, unsigned month, unsigned day, unsigned weekday) const {
  if (year < kYearFirst || year >= kYearFirst + kYears) return false;
  if (!years_.test(static_cast<std::size_t>(year - kYearFirst)) || !months_.test(month))
    return false;
  return any_day_ ? weekdays_.test(weekday) : days_.test(day);
}

std::optional<Millis> Schedule::next_cron(Millis after_ms) const {
  // The first whole minute strictly after `after_ms`, at or after 1970.
  const Millis start = after_ms < 0 ? 0 : (after_ms / kMinuteMs + 1) * kMinuteMs;
  const std::int64_t first_day = start / kDayMs;
  const int first_minute = static_cast<int>((start % kDayMs) / kMinuteMs);
  const std::int64_t last_day = days_from_civil(kYearFirst + kYears, 1, 1);
  for (std::int64_t d = first_day; d < last_day; ++d) {
    int y = 0;
    unsigned m = 0, dd = 0;
    civil_from_days(d, y, m, dd);
    if (y < kYearFirst || !years_.test(static_cast<std::size_t>(y - kYearFirst))) {
      d = days_from_civil(y + 1, 1, 1) - 1;  // the next year
      continue;
    }
    const auto weekday = static_cast<unsigned>((d + 4) % 7 + 1);  // 1970-01-01 was a Thursday
    if (!day_matches(y, m, dd, weekday)) continue;
    for (int h = 0; h < 24; ++h) {
      if (!hours_.test(static_cast<std::size_t>(h))) continue;
      for (int mi = 0; mi < 60; ++mi) {
        if (!minutes_.test(static_cast<std::size_t>(mi))) continue;
        if (d == first_day && h * 60 + mi < first_minute) continue;
        return d * kDayMs + (h * 60 + mi) * kMinuteMs;
      }
    }
  }
  return std::nullopt;
}

}  // namespace stepwise::services::events
