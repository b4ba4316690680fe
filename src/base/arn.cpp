#include "base/arn.h"

namespace stepwise::arn {

std::string make(std::string_view service, std::string_view region, std::string_view account,
                 std::string_view resource, std::string_view partition) {
  std::string out = prefix(service, region, account, partition);
  out += resource;
  return out;
}

std::string prefix(std::string_view service, std::string_view region, std::string_view account,
                   std::string_view partition) {
  std::string out;
  out.reserve(9 + partition.size() + service.size() + region.size() + account.size());
  out += "arn:";
  out += partition;
  out += ':';
  out += service;
  out += ':';
  out += region;
  out += ':';
  out += account;
  out += ':';
  return out;
}

std::string iam_role(std::string_view account, std::string_view name, std::string_view partition) {
  return make("iam", "", account, std::string("role/") + std::string(name), partition);
}

std::string states_integration(std::string_view integration, std::string_view partition) {
  return make("states", "", "", integration, partition);
}

std::optional<Parts> parse(std::string_view text) {
  if (!text.starts_with("arn:")) return std::nullopt;
  std::string_view rest = text.substr(4);
  std::string_view fields[4];
  for (auto& field : fields) {
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    field = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  return Parts{fields[0], fields[1], fields[2], fields[3], rest};
}

}  // namespace stepwise::arn
