// The catalog: every integration a Task's Resource may name, with the patterns AWS supports for
// it. This is AWS's list of optimized integrations (as data, in catalog.cpp, with its source),
// plus the three forms that are not "SERVICE:ACTION": a bare Lambda function ARN, an activity
// ARN and the aws-sdk integrations (one service-wide entry: AWS lists over two hundred services).
//
// What the catalog holds is what CreateStateMachine accepts, whether or not Stepwise runs it
// yet: an integration with no runner registered (tasks/integrations.h) fails at run time with
// States.Runtime, as AWS would accept the machine. What the catalog lacks is refused at create
// with AWS's "The resource provided ... is not recognized" error (resource.h).
//
// Thread-safety: immutable static data.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "integrations/integration.h"

namespace stepwise::integrations {

struct CatalogEntry {
  std::string_view name;  // "lambda:invoke", "lambda:function", "activity", "aws-sdk:*"
  Patterns patterns;      // what AWS supports for it
};

// Fixed places of the entries that are not SERVICE:ACTION (checked in catalog.cpp).
inline constexpr IntegrationId kFunctionArnId = 0;  // "lambda:function"
inline constexpr IntegrationId kActivityId = 1;     // "activity"
inline constexpr IntegrationId kAwsSdkId = 2;       // "aws-sdk:*"

std::span<const CatalogEntry> catalog();

// The entry named `name` ("sqs:sendMessage"), or nullopt.
std::optional<IntegrationId> find_integration(std::string_view name);

}  // namespace stepwise::integrations
