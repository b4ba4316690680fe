#include "services/events/event_pattern_values.h"

#include <algorithm>
#include <set>
#include <utility>

namespace stepwise::services::events {

namespace {

constexpr std::int64_t kMicrosMax = 5'000'000'000LL * 1'000'000LL;
constexpr int kDecimalsMax = 6;

bool is_dec(char c) { return c >= '0' && c <= '9'; }

int hex_of(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One IPv4 part: 0-255 without leading zeros (AWS's address pattern).
std::optional<std::uint8_t> ipv4_part(std::string_view s) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (!is_dec(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > 255) return std::nullopt;
  return static_cast<std::uint8_t>(v);
}

bool parse_ipv4(std::string_view s, std::uint8_t* out) {
  for (int i = 0; i < 4; ++i) {
    const std::size_t dot = i < 3 ? s.find('.') : s.size();
    if (dot == std::string_view::npos) return false;
    auto part = ipv4_part(s.substr(0, dot));
    if (!part) return false;
    out[i] = *part;
    s = i < 3 ? s.substr(dot + 1) : std::string_view();
  }
  return true;
}

// Groups of up to 4 hex digits separated by ':' (a trailing dotted quad counts as two).
bool parse_ipv6_groups(std::string_view s, std::vector<std::uint16_t>* out) {
  if (s.empty()) return true;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = s.find(':', start);
    std::string_view g = s.substr(start, colon == std::string_view::npos ? s.npos : colon - start);
    if (colon == std::string_view::npos && g.find('.') != std::string_view::npos) {
      std::uint8_t v4[4];
      if (!parse_ipv4(g, v4)) return false;
      out->push_back(static_cast<std::uint16_t>(v4[0] << 8 | v4[1]));
      out->push_back(static_cast<std::uint16_t>(v4[2] << 8 | v4[3]));
      return true;
    }
    if (g.empty() || g.size() > 4) return false;
    std::uint16_t v = 0;
    for (char c : g) {
      const int h = hex_of(c);
      if (h < 0) return false;
      v = static_cast<std::uint16_t>(v * 16 + h);
    }
    out->push_back(v);
    if (colon == std::string_view::npos) return true;
    start = colon + 1;
  }
}

bool parse_ipv6(std::string_view s, std::uint8_t* out) {
  std::vector<std::uint16_t> head, tail;
  const std::size_t gap = s.find("::");
  if (gap == std::string_view::npos) {
    if (!parse_ipv6_groups(s, &head) || head.size() != 8) return false;
  } else {
    if (s.find("::", gap + 1) != std::string_view::npos) return false;
    if (!parse_ipv6_groups(s.substr(0, gap), &head)) return false;
    if (!parse_ipv6_groups(s.substr(gap + 2), &tail)) return false;
    if (head.size() + tail.size() > 7) return false;
  }
  std::vector<std::uint16_t> groups = head;
  groups.resize(8 - tail.size(), 0);
  groups.insert(groups.end(), tail.begin(), tail.end());
  for (std::size_t i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xFF);
  }
  return true;
}

// Java's Integer.parseInt: an optional sign and decimal digits within int32.
std::optional<std::int64_t> java_int(std::string_view s) {
  std::size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) negative = s[i++] == '-';
  if (i == s.size()) return std::nullopt;
  std::int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (!is_dec(s[i])) return std::nullopt;
    v = v * 10 + (s[i] - '0');
    if (v > 2'147'483'648LL) return std::nullopt;
  }
  if (!negative && v > 2'147'483'647LL) return std::nullopt;
  return negative ? -v : v;
}

}  // namespace

std::optional<std::int64_t> comparable_micros(std::string_view text, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<std::int64_t> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  std::size_t i = 0;
  const bool negative = i < text.size() && text[i] == '-';
  if (negative) ++i;
  std::string digits;  // the significant digits, the decimal point dropped
  long scale = 0;      // digits / 10^scale is the magnitude
  for (; i < text.size() && is_dec(text[i]); ++i) digits += text[i];
  if (i < text.size() && text[i] == '.')
    for (++i; i < text.size() && is_dec(text[i]); ++i, ++scale) digits += text[i];
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    const bool down = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    long e = 0;
    for (; i < text.size() && is_dec(text[i]); ++i) e = std::min(e * 10 + (text[i] - '0'), 100000L);
    scale += down ? e : -e;
  }
  if (digits.empty() || i != text.size()) return fail("Value must be numeric");
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    --scale;
  }
  if (digits.empty()) return 0;
  if (scale > kDecimalsMax) return fail("Only values upto 6 decimals are supported");
  // digits * 10^(6 - scale) must stay within 5e15, which has 16 digits.
  const long zeros = kDecimalsMax - scale;
  if (static_cast<long>(digits.size()) + zeros > 16)
    return fail("Value must be between -5000000000 and 5000000000, inclusive");
  std::int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  for (long z = 0; z < zeros; ++z) v *= 10;
  if (v > kMicrosMax) return fail("Value must be between -5000000000 and 5000000000, inclusive");
  return negative ? -v : v;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    if (!parse_ipv4(text, ip.bytes.data())) return std::nullopt;
    ip.size = 4;
    return ip;
  }
  if (!parse_ipv6(text, ip.bytes.data())) return std::nullopt;
  ip.size = 16;
  return ip;
}

bool IpRange::contains(const IpAddress& ip) const {
  if (ip.size != low.size) return false;
  const auto* b = ip.bytes.data();
  return !std::lexicographical_compare(b, b + ip.size, low.bytes.data(),
                                       low.bytes.data() + ip.size) &&
         !std::lexicographical_compare(high.bytes.data(), high.bytes.data() + ip.size, b,
                                       b + ip.size);
}

IpRange single_address(const IpAddress& ip) { return IpRange{ip, ip}; }

bool parse_cidr(std::string_view text, IpRange* out, std::string* why) {
  // Java's String.split("/"): the parts, trailing empty ones dropped.
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == text.npos ? text.npos : slash - start));
    if (slash == text.npos) break;
    start = slash + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  if (parts.size() != 2) return *why = "Malformed CIDR, one '/' required", false;
  const auto bits = java_int(parts[1]);
  if (!bits) return *why = "Malformed CIDR, mask bits must be an integer", false;
  if (*bits < 0) return *why = "Malformed CIDR, mask bits must not be negative", false;
  const auto ip = parse_ip(parts[0]);
  if (!ip) return *why = "Nonstandard IP address: " + std::string(parts[0]), false;
  if (ip->size == 4 && *bits > 31) return *why = "IPv4 mask bits must be < 32", false;
  if (ip->size == 16 && *bits > 127) return *why = "IPv6 mask bits must be < 128", false;
  out->low = *ip;
  out->high = *ip;
  // Every host bit set on the address as written (AWS does not clear them in the low end).
  long host_bits = static_cast<long>(ip->size) * 8 - *bits;
  for (std::size_t i = ip->size; i-- > 0 && host_bits > 0; host_bits -= 8)
    out->high.bytes[i] |= static_cast<std::uint8_t>(host_bits >= 8 ? 0xFF : (1 << host_bits) - 1);
  return true;
}

bool parse_wildcard(std::string_view text, WildcardTokens* out, std::string* why) {
  out->clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t pos = i + 1;  // AWS counts the opening quote
    if (text[i] == '*') {
      if (i + 1 < text.size() && text[i + 1] == '*')
        return *why = "Consecutive wildcard characters at pos " + std::to_string(pos), false;
      out->push_back(kWildcardStar);
    } else if (text[i] == '\\') {
      if (i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '\\')) {
        out->push_back(static_cast<unsigned char>(text[++i]));
        continue;
      }
      return *why = "Invalid escape character at pos " + std::to_string(pos), false;
    } else {
      out->push_back(static_cast<unsigned char>(text[i]));
    }
  }
  return true;
}

bool wildcard_matches(const WildcardTokens& pattern, std::string_view value) {
  std::vector<std::string> parts(1);
  for (int t : pattern) {
    if (t == kWildcardStar)
      parts.emplace_back();
    else
      parts.back() += static_cast<char>(t);
  }
  if (parts.size() == 1) return value == parts[0];
  const std::string& first = parts.front();
  const std::string& last = parts.back();
  if (value.size() < first.size() + last.size()) return false;
  if (value.substr(0, first.size()) != first) return false;
  if (value.substr(value.size() - last.size()) != last) return false;
  const std::size_t end = value.size() - last.size();
  std::size_t at = first.size();
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    const std::size_t found = value.find(parts[i], at);
    if (found == std::string_view::npos || found + parts[i].size() > end) return false;
    at = found + parts[i].size();  // the leftmost fit leaves the most room for the rest
  }
  return true;
}

std::size_t wildcard_complexity(const std::vector<const WildcardTokens*>& patterns,
                                std::size_t cap) {
  // Each pattern as AWS's matcher holds it: between the value's quotes.
  std::vector<WildcardTokens> nfa;
  std::set<int> alphabet = {256};  // 256: a byte no pattern names (only stars take it)
  for (const auto* p : patterns) {
    WildcardTokens t = {'"'};
    t.insert(t.end(), p->begin(), p->end());
    t.push_back('"');
    for (int b : t)
      if (b != kWildcardStar) alphabet.insert(b);
    nfa.push_back(std::move(t));
  }
  using State = std::set<std::pair<std::size_t, std::size_t>>;  // (pattern, position)
  auto closure = [&](State s) {
    State out;
    for (auto [k, pos] : s) {
      for (; pos < nfa[k].size() && nfa[k][pos] == kWildcardStar; ++pos) out.insert({k, pos});
      out.insert({k, pos});
    }
    return out;
  };
  State start;
  for (std::size_t k = 0; k < nfa.size(); ++k) start.insert({k, 0});
  std::set<State> seen = {closure(start)};
  std::vector<State> pending = {closure(start)};
  std::size_t most = 0;
  // Each distinct set is expanded once; the cap on their number bounds hostile patterns.
  constexpr std::size_t kSetsMax = 4096;
  while (!pending.empty() && seen.size() <= kSetsMax) {
    State s = std::move(pending.back());
    pending.pop_back();
    for (int b : alphabet) {
      State step;
      for (auto [k, pos] : s) {
        if (pos >= nfa[k].size()) continue;
        if (nfa[k][pos] == kWildcardStar) step.insert({k, pos});
        if (nfa[k][pos] == b) step.insert({k, pos + 1});
      }
      if (step.empty()) continue;
      State next = closure(std::move(step));
      most = std::max(most, next.size());
      if (most > cap) return most;
      if (seen.insert(next).second) pending.push_back(std::move(next));
    }
  }
  return most;
}

}  // namespace stepwise::services::events
