// Map Run child names and ARNs (see map_run.h).
#include "history/map_run.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace stepwise::history {

namespace {
constexpr std::string_view kRun = ":mapRun:";
constexpr std::string_view kExecution = ":execution:";
constexpr std::size_t kUuidChars = 36;
constexpr std::size_t kPrefixChars = 24;  // "8-4-4-4-"
}  // namespace

std::string map_run_child_name(std::string_view map_run_arn, std::int64_t index) {
  std::string_view id = map_run_arn.substr(map_run_arn.rfind(':') + 1);
  char hex[16];
  std::snprintf(hex, sizeof hex, "%012llx",
                static_cast<unsigned long long>(index) & 0xffffffffffffULL);
  std::string name(id.substr(0, std::min(id.size(), kPrefixChars)));
  if (name.size() < kPrefixChars) name += '-';
  return name + hex;
}

std::string map_run_child_arn(std::string_view map_run_arn, std::int64_t index) {
  const std::size_t at = map_run_arn.find(kRun);
  const std::size_t last = map_run_arn.rfind(':');
  if (at == std::string_view::npos || last <= at) return std::string(map_run_arn);
  std::string out(map_run_arn.substr(0, at));
  out += kExecution;
  out += map_run_arn.substr(at + kRun.size(), last + 1 - at - kRun.size());
  return out + map_run_child_name(map_run_arn, index);
}

std::optional<MapRunChildRef> parse_map_run_child_arn(std::string_view arn) {
  const std::size_t at = arn.find(kExecution);
  const std::size_t last = arn.rfind(':');
  if (at == std::string_view::npos || last <= at) return std::nullopt;
  std::string_view machine_label =
      arn.substr(at + kExecution.size(), last - at - kExecution.size());
  std::string_view name = arn.substr(last + 1);
  if (machine_label.find('/') == std::string_view::npos || name.size() != kUuidChars)
    return std::nullopt;
  std::string_view digits = name.substr(kPrefixChars);
  MapRunChildRef ref;
  std::uint64_t index = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index, 16);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  ref.index = static_cast<std::int64_t>(index);
  ref.run_prefix = std::string(arn.substr(0, at)) + std::string(kRun) + std::string(machine_label) +
                   ":" + std::string(name.substr(0, kPrefixChars));
  return ref;
}

}  // namespace stepwise::history
