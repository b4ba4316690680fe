// HttpTaskRunner: `arn:aws:states:::http:invoke`, the HTTP Task, against real endpoints.
//
// Parameters as AWS documents them: ApiEndpoint and Method (required), Headers, QueryParameters,
// RequestBody, Transform {RequestBodyEncoding: "URL_ENCODED", RequestEncodingOptions:
// {ArrayFormat: INDICES (default) | REPEAT | COMMAS | BRACKETS}}, Authentication {ConnectionArn}.
// The connection (by name, from the config: tasks_config.h) adds its authorization header and its
// extra headers, query and body parameters, which win over the Task's on equal keys.
//
// Result: {Headers: {name: [values]}, ResponseBody (JSON when the response says JSON, else text),
// StatusCode, StatusText}. A non-2xx status fails with States.Http.StatusCode.NNN and the same
// object as cause; no connection, a reset or a timeout fail with States.Http.Socket. Redirects are
// not followed. A call ends after 60 s (AWS's limit) or the Task's TimeoutSeconds if shorter.
//
// A connection may name a Secrets Manager secret that holds its authorization
// (ConnectionSpec::secret): start() reads it through the secret reader, on the loop thread.
//
// Thread-safety: add_connection() and set_secret_reader() before the first start();
// start()/cancel() on the loop thread.
// Calls block pool threads owned by the runner; results come back through loop.post().
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "json/json.h"
#include "tasks/http_client.h"
#include "tasks/task_runner.h"
#include "tasks/tasks_config.h"

namespace stepwise::tasks {

// The request an HTTP Task's parameters describe, before the connection's authorization header
// (which may need a token request) is added. Errors: name "States.Runtime", cause says which field.
Result<HttpRequest> http_task_request(const json::value& parameters,
                                      const ConnectionSpec* connection);

// Body of a URL_ENCODED request: `array_format` is INDICES, REPEAT, COMMAS or BRACKETS.
Result<std::string> url_encoded_body(const json::value& body, const std::string& array_format);

// The Task result for a response (`json_body` when the response declares a JSON content type).
json::value http_task_result(const HttpResponse& response);

// The connection with the authorization its secret holds (`secret_text`: the secret's current
// SecretString; nullopt: no such secret, or no value). Keys, as EventBridge stores them:
// api_key_name/api_key_value (API key), username/password (basic), client_id/client_secret
// (OAuth, with the connection's own endpoint, or the secret's authorization_endpoint and
// http_method). The connection's auth kind wins; without one the secret's keys choose it.
// Errors: name "States.Runtime", the cause says what is wrong with the secret.
Result<ConnectionSpec> connection_with_secret(const ConnectionSpec& connection,
                                              const std::optional<std::string>& secret_text);

class HttpTaskRunner final : public TaskRunner {
 public:
  HttpTaskRunner();
  ~HttpTaskRunner() override;
  HttpTaskRunner(const HttpTaskRunner&) = delete;
  HttpTaskRunner& operator=(const HttpTaskRunner&) = delete;

  void add_connection(ConnectionSpec connection);
  // How a connection's secret is read: its current SecretString by name or ARN, nullopt when
  // there is none. Unset: a connection that names a secret fails its tasks (States.Runtime).
  using SecretReader = std::function<std::optional<std::string>(const std::string& secret_id)>;
  void set_secret_reader(SecretReader reader);

  void start(const TaskRequest& request, EventLoop& loop, TaskDone done) override;
  void cancel(const TaskRequest& request) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepwise::tasks
