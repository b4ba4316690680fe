// Lambda resource names: which local function a Task state calls.
//
// A Task reaches Lambda two ways: a bare function ARN as its Resource
// (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`), or the optimised integration
// `arn:aws:states:::lambda:invoke[.waitForTaskToken]` whose `FunctionName` parameter is a name, a
// name with a qualifier, a partial ARN (`ACCOUNT:function:NAME`) or a full ARN, as Lambda accepts.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "integrations/integration.h"

namespace stepwise::tasks {

enum class LambdaForm {
  none,            // not a Lambda resource
  function_arn,    // legacy: the Resource is the function ARN; input = parameters, result = payload
  invoke,          // arn:aws:states:::lambda:invoke; result = Lambda's Invoke response
  invoke_callback  // arn:aws:states:::lambda:invoke.waitForTaskToken
};

// Which Lambda form a resolved Resource is (the compiler resolved it: no text is read).
LambdaForm lambda_form(const integrations::Integration& integration);
// The same from the Resource's text (resolved first: for text that did not pass the compiler).
LambdaForm lambda_form(std::string_view resource);

// Region, account and partition a bare function name is resolved in (taken from the execution's
// or state machine's ARN: Lambda names are resolved in the caller's account and region).
struct AwsScope {
  std::string partition = "aws";
  std::string region = "us-east-1";
  std::string account = "123456789012";
};

// `arn:PARTITION:states:REGION:ACCOUNT:...` → its scope; `fallback` when the text is no such ARN.
AwsScope scope_from_arn(std::string_view arn, const AwsScope& fallback = AwsScope{});

struct LambdaTarget {
  std::string name;       // function name, the key of the local function config
  std::string qualifier;  // version or alias, empty for $LATEST
  AwsScope scope;
  // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME
  std::string arn() const;
  // Version Lambda reports as executed: the qualifier when it is a version number, else $LATEST.
  std::string executed_version() const;
};

// Parses a function ARN Resource or a FunctionName parameter. Fails (name
// "Lambda.AWSLambdaException", a ValidationException-style cause) on text Lambda would reject.
Result<LambdaTarget> parse_function_name(std::string_view text, const AwsScope& scope);

}  // namespace stepwise::tasks
