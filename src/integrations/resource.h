// resolve(): the one place a Task's Resource ARN is classified.
//
//   arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]  → "lambda:function"
//   arn:PARTITION:states:REGION:ACCOUNT:activity:NAME               → "activity"
//   arn:PARTITION:states:::aws-sdk:SERVICE:ACTION[.waitForTaskToken] → "aws-sdk:*"
//   arn:PARTITION:states:::SERVICE:ACTION[.sync|.sync:2|.waitForTaskToken] → "SERVICE:ACTION"
//
// Anything else, a SERVICE:ACTION the catalog lacks, or a pattern its entry does not support
// (http:invoke.sync, dynamodb:putItem.waitForTaskToken, aws-sdk:...:x.sync) is AWS's
// SCHEMA_VALIDATION_FAILED "The resource provided ... is not recognized" (the wording of the
// recorded case validation__test_invalid_integration). The compiler calls this once per Task
// state at CreateStateMachine (and ValidateStateMachineDefinition, TestState, `stepwise run`).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "integrations/integration.h"

namespace stepwise::integrations {

struct Resource {
  Integration integration;
  // As the history shows a service integration: resourceType "lambda" or "aws-sdk:s3", resource
  // "invoke", "startExecution.sync" or "getObject" (empty for function and activity ARNs).
  std::string type;
  std::string action;
  std::string region;  // the ARN's region field (empty for arn:aws:states:::...)
};

Result<Resource> resolve(std::string_view arn);

// AWS's message for a Resource resolve() refuses.
std::string not_recognized_message(std::string_view arn);

// Just the integration (unresolved when resolve() refuses the ARN): for requests made without
// the compiler, such as tests and hand-built TaskRequests.
Integration integration_of(std::string_view arn);

// "sfn" for arn:aws:states:::aws-sdk:sfn:startExecution; empty for other resources.
std::string_view aws_sdk_service(std::string_view arn);

}  // namespace stepwise::integrations
