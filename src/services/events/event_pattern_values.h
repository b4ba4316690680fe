// The value forms event patterns compare, as AWS's matcher (event-ruler) defines them:
//   - comparable numbers: a decimal text as an exact count of millionths, within
//     -5,000,000,000..5,000,000,000 and at most 6 decimals (other numbers compare by text only);
//   - IP addresses and CIDR ranges (IPv4 and IPv6, with AWS's error texts; a range runs from
//     the address as written to that address with every host bit set);
//   - wildcard texts: `*` for any run of characters, `\*` and `\\` for the characters, with
//     AWS's checks and its complexity bound over all wildcards of one field.
// Pure functions, no state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stepwise::services::events {

// `text` (a JSON number's text) times 1,000,000, exactly; nullopt (and why, in AWS's words,
// when `why` is given) when it has more than 6 decimals or lies outside +-5e9.
std::optional<std::int64_t> comparable_micros(std::string_view text, std::string* why = nullptr);

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  std::size_t size = 0;  // 4 or 16
};
// A dotted-quad IPv4 or a textual IPv6 address (with "::" and a trailing dotted quad).
std::optional<IpAddress> parse_ip(std::string_view text);

struct IpRange {
  IpAddress low;
  IpAddress high;
  bool contains(const IpAddress& ip) const;
};
// "address/bits"; false and AWS's reason in `why` when malformed.
bool parse_cidr(std::string_view text, IpRange* out, std::string* why);
// The range an exact IP address string stands for (that one address).
IpRange single_address(const IpAddress& ip);

// A wildcard text as bytes, with kWildcardStar for each unescaped `*`.
inline constexpr int kWildcardStar = -1;
using WildcardTokens = std::vector<int>;
// False and AWS's reason ("Consecutive wildcard characters at pos N", "Invalid escape
// character at pos N": positions count the value's opening quote) when malformed.
bool parse_wildcard(std::string_view text, WildcardTokens* out, std::string* why);
bool wildcard_matches(const WildcardTokens& pattern, std::string_view value);
// The most states the field's wildcard patterns can have active at once for one input (each
// pattern's bytes between the quotes AWS's matcher adds), counting up to `cap` + 1 only.
std::size_t wildcard_complexity(const std::vector<const WildcardTokens*>& patterns,
                                std::size_t cap);

}  // namespace stepwise::services::events
