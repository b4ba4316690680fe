// The whole `--functions FILE` config: local functions (functions.h), named connections for HTTP
// tasks (what an EventBridge connection holds: authorization and extra request parameters), and
// jobs (a command standing in for a Batch job definition, ECS task definition, Glue job, SageMaker
// training job or EMR step). Format: docs/FUNCTIONS.md.
//
// Thread-safety: plain values; the loaders are pure functions of their input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "tasks/functions.h"

namespace stepwise::tasks {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Extra request parameters, as EventBridge's InvocationHttpParameters / OAuthHttpParameters.
struct HttpParameters {
  KeyValues headers;
  KeyValues query;
  KeyValues body;  // merged into a JSON object body as string fields
};

enum class AuthKind { none, api_key, basic, oauth_client_credentials };

struct ConnectionSpec {
  std::string name;  // the connection's name: arn:aws:events:R:A:connection/NAME/UUID
  AuthKind auth = AuthKind::none;
  std::string api_key_name;    // api_key: header name
  std::string api_key_value;   // api_key: header value
  std::string username;        // basic
  std::string password;        // basic
  std::string oauth_endpoint;  // oauth: token URL (client-credentials grant)
  std::string oauth_method = "POST";
  std::string client_id;
  std::string client_secret;
  HttpParameters oauth_parameters;  // sent to the token endpoint
  HttpParameters invocation;        // added to every request through the connection
  // A Secrets Manager secret (name or ARN, in the built-in Secrets Manager) whose SecretString
  // holds the authorization as EventBridge stores a connection's: {"api_key_name",
  // "api_key_value"}, {"username", "password"} or {"client_id", "client_secret"}. Read at each
  // call, so a new value (PutSecretValue) takes effect on the next one. Empty: none.
  std::string secret;
};

struct JobSpec {
  std::string name;  // JobDefinition / TaskDefinition family / Glue JobName / TrainingJobName /
                     // EMR step Name
  std::vector<std::string> argv;
  KeyValues env;
  std::string cwd;
  std::int64_t timeout_ms = 0;  // 0: limits::job_timeout_ms_default
};

// A pass-through endpoint (`endpoints:`, docs/SERVICES.md): the integrations of `service` go
// to `url` instead of the built-in service. Service names are checked where they are used.
struct EndpointSpec {
  std::string service;  // sqs, sns, s3, dynamodb, secretsmanager, events
  std::string url;      // http(s)://host[:port], or "aws": the service's AWS endpoint
  std::string region;   // empty: the default region
};

struct TasksConfig {
  std::vector<FunctionSpec> functions;
  std::vector<ConnectionSpec> connections;
  std::vector<JobSpec> jobs;
  std::vector<EndpointSpec> endpoints;
};

// Reads a config file (YAML or JSON) with any of the top-level maps `functions`, `connections`,
// `jobs` and `endpoints`. Relative `cwd` values are resolved against the file's directory. Errors:
// name "FunctionsConfig", cause says where.
Result<TasksConfig> load_tasks_config(const std::string& path);
Result<TasksConfig> parse_tasks_config(std::string_view text, const std::string& base_dir);

// The connection name of a connection ARN (`arn:aws:events:R:A:connection/NAME/UUID`), or the
// text itself when it is not an ARN (so a config may name connections plainly).
std::string connection_name_of(std::string_view arn);

}  // namespace stepwise::tasks
