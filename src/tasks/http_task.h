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
// Thread-safety: add_connection() before the first start(); start()/cancel() on the loop thread.
// Calls block pool threads owned by the runner; results come back through loop.post().
#pragma once

#include <memory>
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

class HttpTaskRunner final : public TaskRunner {
 public:
  HttpTaskRunner();
  ~HttpTaskRunner() override;
  HttpTaskRunner(const HttpTaskRunner&) = delete;
  HttpTaskRunner& operator=(const HttpTaskRunner&) = delete;

  void add_connection(ConnectionSpec connection);

  void start(const TaskRequest& request, EventLoop& loop, TaskDone done) override;
  void cancel(const TaskRequest& request) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepwise::tasks
