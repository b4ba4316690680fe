#include "tasks/lambda_arn.h"

#include <optional>
#include <vector>

#include "base/arn.h"
#include "integrations/catalog.h"
#include "integrations/resource.h"

namespace stepwise::tasks {
namespace {

std::vector<std::string_view> split_colons(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = s.find(':', start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// Lambda: function names are 1-64 of [a-zA-Z0-9-_].
bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Lambda: a qualifier is $LATEST, a version number or an alias (1-128 of [a-zA-Z0-9-_]).
bool valid_qualifier(std::string_view q) {
  if (q == "$LATEST") return true;
  if (q.empty() || q.size() > 128) return false;
  return valid_name(q.substr(0, 64)) && (q.size() <= 64 || valid_name(q.substr(64)));
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

Error invalid_name(std::string_view text) {
  // Lambda answers a malformed name with a 400 ValidationException; Step Functions reports a
  // service exception it cannot classify as Lambda.AWSLambdaException.
  return Error{"Lambda.AWSLambdaException",
               "1 validation error detected: Value '" + std::string(text) +
                   "' at 'functionName' failed to satisfy constraint: Member must satisfy "
                   "regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-"
                   "[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|"
                   "[a-zA-Z0-9-_]+))? (Service: AWSLambda; Status Code: 400; Error Code: "
                   "ValidationException; Proxy: null)"};
}

Result<LambdaTarget> finish(LambdaTarget t, std::string_view text) {
  if (!valid_name(t.name) || text.back() == ':') return invalid_name(text);
  if (!t.qualifier.empty() && !valid_qualifier(t.qualifier)) return invalid_name(text);
  if (t.qualifier == "$LATEST") t.qualifier.clear();
  return t;
}

}  // namespace

LambdaForm lambda_form(const integrations::Integration& integration) {
  static const std::optional<integrations::IntegrationId> invoke =
      integrations::find_integration("lambda:invoke");
  if (integration.function_arn()) return LambdaForm::function_arn;
  if (!invoke || integration.id != *invoke) return LambdaForm::none;
  return integration.pattern == integrations::IntegrationPattern::kWaitForTaskToken
             ? LambdaForm::invoke_callback
             : LambdaForm::invoke;
}

LambdaForm lambda_form(std::string_view resource) {
  return lambda_form(integrations::integration_of(resource));
}

AwsScope scope_from_arn(std::string_view arn, const AwsScope& fallback) {
  auto p = arn::parse(arn);
  if (!p || p->partition.empty() || p->region.empty() || p->account.empty()) return fallback;
  return AwsScope{std::string(p->partition), std::string(p->region), std::string(p->account)};
}

std::string LambdaTarget::arn() const {
  return arn::make("lambda", scope.region, scope.account, "function:" + name, scope.partition);
}

std::string LambdaTarget::executed_version() const {
  return all_digits(qualifier) ? qualifier : "$LATEST";
}

Result<LambdaTarget> parse_function_name(std::string_view text, const AwsScope& scope) {
  if (text.empty() || text.size() > 170) return invalid_name(text);
  auto parts = split_colons(text);
  LambdaTarget t;
  t.scope = scope;
  if (parts[0] == "arn") {
    // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
    if ((parts.size() != 7 && parts.size() != 8) || parts[2] != "lambda" ||
        parts[5] != "function" || !all_digits(parts[4]) || parts[3].empty()) {
      return invalid_name(text);
    }
    t.scope = AwsScope{std::string(parts[1]), std::string(parts[3]), std::string(parts[4])};
    t.name = std::string(parts[6]);
    if (parts.size() == 8) t.qualifier = std::string(parts[7]);
    return finish(std::move(t), text);
  }
  if (parts.size() >= 3 && parts[1] == "function") {
    // ACCOUNT:function:NAME[:QUALIFIER]
    if (parts.size() > 4 || !all_digits(parts[0])) return invalid_name(text);
    t.scope.account = std::string(parts[0]);
    t.name = std::string(parts[2]);
    if (parts.size() == 4) t.qualifier = std::string(parts[3]);
    return finish(std::move(t), text);
  }
  // NAME[:QUALIFIER]
  if (parts.size() > 2) return invalid_name(text);
  t.name = std::string(parts[0]);
  if (parts.size() == 2) t.qualifier = std::string(parts[1]);
  return finish(std::move(t), text);
}

}  // namespace stepwise::tasks
