// Amazon Resource Names: the one place that writes and splits them.
//
//   arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
//
// Every service builds its ARNs here from its configured place (region, account; the partition
// is "aws" unless a caller says otherwise), so the shape cannot drift between services. Checks
// of one service's own ARN rules (Step Functions' InvalidArn messages, Lambda's function names)
// stay with that service and use parse() for the split.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stepwise::arn {

inline constexpr std::string_view kDefaultPartition = "aws";

// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (region and account may be empty, as IAM's and
// the Step Functions integrations' ARNs have them).
std::string make(std::string_view service, std::string_view region, std::string_view account,
                 std::string_view resource, std::string_view partition = kDefaultPartition);

// arn:PARTITION:SERVICE:REGION:ACCOUNT: — what one service's ARNs in one place start with.
std::string prefix(std::string_view service, std::string_view region, std::string_view account,
                   std::string_view partition = kDefaultPartition);

// arn:PARTITION:iam::ACCOUNT:role/NAME
std::string iam_role(std::string_view account, std::string_view name,
                     std::string_view partition = kDefaultPartition);

// arn:PARTITION:states:::INTEGRATION, a Task state's service integration Resource
// ("lambda:invoke", "aws-sdk:s3:putObject", ...).
std::string states_integration(std::string_view integration,
                               std::string_view partition = kDefaultPartition);

// The fields of an ARN; views into the text given to parse().
struct Parts {
  std::string_view partition;
  std::string_view service;
  std::string_view region;
  std::string_view account;
  std::string_view resource;  // everything after the fifth colon (colons and slashes included)
};

// Splits text at its first five colons; nullopt unless it starts with "arn:" and has them. The
// fields are not checked: each caller knows which may be empty.
std::optional<Parts> parse(std::string_view text);

}  // namespace stepwise::arn
