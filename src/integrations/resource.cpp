#include "integrations/resource.h"

#include <array>

#include "integrations/catalog.h"

namespace stepwise::integrations {
namespace {

constexpr std::string_view kStatesPrefix = "states:::";
constexpr std::string_view kAwsSdk = "aws-sdk:";

struct ArnParts {
  std::string_view service, region, account, rest;
};

// arn:PARTITION:SERVICE:REGION:ACCOUNT:REST (the partition non-empty).
bool split_arn(std::string_view arn, ArnParts* out) {
  if (!arn.starts_with("arn:")) return false;
  std::array<std::string_view, 4> fields;
  std::size_t start = 4;
  for (auto& f : fields) {
    std::size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    f = arn.substr(start, colon - start);
    start = colon + 1;
  }
  if (fields[0].empty()) return false;
  *out = {fields[1], fields[2], fields[3], arn.substr(start)};
  return true;
}

// Splits the pattern suffix off "SERVICE:ACTION.suffix".
IntegrationPattern strip_pattern(std::string_view* rest) {
  for (auto p : {IntegrationPattern::kSync2, IntegrationPattern::kSync,
                 IntegrationPattern::kWaitForTaskToken}) {
    if (rest->ends_with(pattern_suffix(p))) {
      rest->remove_suffix(pattern_suffix(p).size());
      return p;
    }
  }
  return IntegrationPattern::kRequestResponse;
}

bool name_part(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c == ':' || c == '.' || c == '/' || c == ' ') return false;
  }
  return true;
}

// An integration of arn:PARTITION:states:::REST, or nullopt.
std::optional<Resource> service_integration(std::string_view rest) {
  Resource r;
  const std::string_view with_suffix = rest;
  r.integration.pattern = strip_pattern(&rest);
  std::string_view type = rest;
  std::string_view action;
  const bool sdk = rest.starts_with(kAwsSdk);
  std::size_t colon = rest.find(':', sdk ? kAwsSdk.size() : 0);
  if (colon == std::string_view::npos) return std::nullopt;
  type = rest.substr(0, colon);
  action = rest.substr(colon + 1);
  if (!name_part(action) || !name_part(type.substr(sdk ? kAwsSdk.size() : 0))) return std::nullopt;
  std::optional<IntegrationId> id = sdk ? kAwsSdkId : find_integration(rest);
  if (!id || !catalog()[*id].patterns.has(r.integration.pattern)) return std::nullopt;
  r.integration.id = *id;
  r.type = std::string(type);
  r.action = std::string(with_suffix.substr(colon + 1));
  return r;
}

}  // namespace

std::string not_recognized_message(std::string_view arn) {
  return "The resource provided " + std::string(arn) +
         " is not recognized. The value is not a valid resource ARN, or the resource is not "
         "available in this region.";
}

Result<Resource> resolve(std::string_view arn) {
  ArnParts parts;
  if (split_arn(arn, &parts)) {
    if (parts.service == "lambda" && parts.rest.starts_with("function:") && parts.rest.size() > 9) {
      Resource r;
      r.integration.id = kFunctionArnId;
      r.region = std::string(parts.region);
      return r;
    }
    if (parts.service == "states" && !parts.region.empty() && parts.rest.starts_with("activity:") &&
        parts.rest.size() > 9) {
      Resource r;
      r.integration.id = kActivityId;
      r.region = std::string(parts.region);
      return r;
    }
    if (parts.service == "states" && parts.region.empty() && parts.account.empty()) {
      if (auto r = service_integration(parts.rest)) return std::move(*r);
    }
  }
  return Error{"SCHEMA_VALIDATION_FAILED", not_recognized_message(arn)};
}

Integration integration_of(std::string_view arn) {
  auto r = resolve(arn);
  return r ? r->integration : Integration{};
}

std::string_view aws_sdk_service(std::string_view arn) {
  std::size_t at = arn.find(kStatesPrefix);
  if (at == std::string_view::npos) return {};
  std::string_view rest = arn.substr(at + kStatesPrefix.size());
  if (!rest.starts_with(kAwsSdk)) return {};
  rest.remove_prefix(kAwsSdk.size());
  return rest.substr(0, rest.find(':'));
}

}  // namespace stepwise::integrations
