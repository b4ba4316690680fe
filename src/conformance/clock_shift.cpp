#include "conformance/clock_shift.h"

#include <map>
#include <regex>
#include <string>

namespace stepwise::conformance {
namespace {

// ISO 8601 / RFC 3339 instants as the recorder wrote them: seconds, an optional fraction, `Z`.
const std::regex& instant_pattern() {
  static const std::regex rx(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
  return rx;
}

// `text` moved by delta_ms, in text's own format (fraction digits kept, or none).
std::string shifted(const std::string& text, Millis delta_ms) {
  Millis t = 0;
  if (!parse_rfc3339(text, &t)) return text;
  std::string out = format_iso8601_ms(t + delta_ms);  // YYYY-MM-DDTHH:MM:SS.mmmZ
  const auto dot = text.find('.');
  if (dot == std::string::npos) return out.substr(0, 19) + "Z";
  const std::size_t digits = text.size() - dot - 2;  // between '.' and 'Z'
  std::string fraction = out.substr(20, 3);
  fraction.resize(digits, '0');
  return out.substr(0, 20) + fraction + "Z";
}

// Rewrites every instant inside string values of `v`, remembering old → new.
void shift_value(json::value& v, Millis delta_ms, std::map<std::string, std::string>& moved) {
  if (v.is_string()) {
    std::string s(v.get_string());
    std::string out;
    auto last = s.cbegin();
    bool any = false;
    for (std::sregex_iterator it(s.begin(), s.end(), instant_pattern()), end; it != end; ++it) {
      const std::string old = it->str();
      const std::string now = shifted(old, delta_ms);
      moved.emplace(old, now);
      out.append(last, (*it)[0].first).append(now);
      last = (*it)[0].second;
      any = true;
    }
    if (any) v = json::value(out.append(last, s.cend()));
  } else if (v.is_array()) {
    for (auto& x : v.get_array()) shift_value(x, delta_ms, moved);
  } else if (v.is_object()) {
    for (auto& kv : v.get_object()) shift_value(kv.value(), delta_ms, moved);
  }
}

}  // namespace

Status shift_clock_relative(Case& c, Millis now_ms) {
  const json::object& clock = object_of(c.doc, "clock");
  const std::string extracted = string_of(clock, "extracted_at");
  if (extracted.empty()) return ok_status();
  Millis extracted_ms = 0;
  if (!parse_rfc3339(extracted, &extracted_ms))
    return Error{"CaseUnreadable", c.file + ": clock.extracted_at is not a timestamp"};
  const Millis delta_ms = now_ms - extracted_ms;
  std::map<std::string, std::string> moved;
  if (auto* input = c.doc.if_contains("input")) shift_value(*input, delta_ms, moved);
  if (auto* raw = c.doc.if_contains("input_raw")) shift_value(*raw, delta_ms, moved);
  // The normalisation's patterns name the input's timestamps literally (as regexes whose only
  // special character in an instant is `.`): the same text, moved the same way.
  auto* norm = c.doc.if_contains("normalisation");
  auto* replacements =
      norm && norm->is_object() ? norm->get_object().if_contains("replacements") : nullptr;
  if (replacements && replacements->is_array()) {
    for (auto& r : replacements->get_array()) {
      if (!r.is_object()) continue;
      auto* pattern = r.get_object().if_contains("pattern");
      if (!pattern || !pattern->is_string()) continue;
      auto it = moved.find(std::string(pattern->get_string()));
      if (it != moved.end()) *pattern = json::value(it->second);
    }
  }
  return ok_status();
}

}  // namespace stepwise::conformance
