// Local functions: what `--functions FILE` configures, and the runner that calls them.
//
// A local function stands in for a Lambda function of the same name. It is either
//  - a command: spawned per call without a shell (argv, env, cwd), the event JSON on stdin, the
//    result on stdout (exit 0) or a Lambda-style error object on stdout (non-zero exit); or
//  - a worker: one long-lived process per function, one JSON request per line on stdin
//    (`{"id":N,"event":...}`), one answer per line on stdout (`{"id":N,"result":...}` or
//    `{"id":N,"error":{...}}`); restarted when it dies; calls to one worker process are
//    serialised, and `concurrency` processes (default 1) serve a function's calls in parallel; or
//  - a URL: the event is POSTed as JSON, the response body is the result (2xx) or a Lambda-style
//    error object (any other status).
// The file format is documented in docs/FUNCTIONS.md.
//
// FunctionRunner answers both Lambda forms (see lambda_arn.h): for a function ARN the task input
// is the event and the result is the payload; for lambda:invoke the Payload parameter is the event
// and the result is Lambda's Invoke response (ExecutedVersion, Payload, SdkHttpMetadata,
// SdkResponseMetadata, StatusCode). A function error becomes error = errorType and cause = the
// error text as the function printed it (function ARN: the Python runtime's layout survives) or
// re-encoded compactly (lambda:invoke), as AWS records them; an unknown function, a crash, a
// timeout or an oversized result become the errors AWS gives for them.
//
// For `lambda:invoke.waitForTaskToken` the function is invoked the same way, then the task waits in
// the CallbackRegistry for its token; an invocation failure fails the task at once.
//
// Thread-safety: add() before the first start(); replace_functions() from any thread, any time;
// start()/cancel() on the loop thread(s). Calls run
// on a small pool of threads owned by the runner; results come back through loop.post().
// Destroying the runner kills the processes still running and joins its threads; the EventLoop
// given to start() must outlive the calls (their results are posted to it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "tasks/callbacks.h"
#include "tasks/task_runner.h"

namespace stepwise::tasks {

enum class FunctionKind { command, worker, url };

struct FunctionSpec {
  std::string name;  // Lambda function name (no ARN, no qualifier)
  FunctionKind kind = FunctionKind::command;
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing in) the
                                                         // runner's own environment
  std::string cwd;                                       // empty: the runner's working directory
  std::int64_t timeout_ms = 0;                           // 0: limits::function_timeout_ms_default
  std::string url;              // FunctionKind::url: http:// or https:// URL to POST to
  std::size_t concurrency = 1;  // FunctionKind::worker: worker processes (1..max)

  bool operator==(const FunctionSpec&) const = default;
};

// Reads a functions file (YAML, or JSON, which YAML reads too). Relative `cwd` values are
// resolved against the file's directory; a function without `cwd` runs in that directory, so a
// config can name scripts next to it. Errors: name "FunctionsConfig", cause says where.
Result<std::vector<FunctionSpec>> load_functions_file(const std::string& path);
// Same, from text; `base_dir` plays the file's directory.
Result<std::vector<FunctionSpec>> parse_functions(std::string_view text,
                                                  const std::string& base_dir);

class FunctionRunner final : public TaskRunner {
 public:
  FunctionRunner();
  ~FunctionRunner() override;
  FunctionRunner(const FunctionRunner&) = delete;
  FunctionRunner& operator=(const FunctionRunner&) = delete;

  // Registers (or replaces) a function. Fails on an empty name or argv.
  Status add(FunctionSpec spec);
  bool has(const std::string& name) const;
  // Replaces every function at once (a config reload), from any thread: either all of `specs`
  // take effect or, when one is invalid, none (the error names it). Calls in flight finish on
  // the function they started with; a worker whose spec is unchanged keeps its processes, the
  // others' processes end once their last call is done.
  Status replace_functions(std::vector<FunctionSpec> specs);
  // Where `lambda:invoke.waitForTaskToken` tasks wait for their token after the function ran
  // (not owned). Without one such tasks fail with States.Runtime.
  void set_callbacks(CallbackRegistry* callbacks);
  // Receives each call's stderr (its last limits::function_log_tail_bytes_max bytes; commands and
  // workers alike) when it wrote any: the function's log. Called on pool threads, so it must be
  // thread-safe. Without a sink the text only feeds LogResult. Set before the first start().
  using LogSink = tasks::LogSink;  // (function name, request id, text)
  void set_log_sink(LogSink sink);

  void start(const TaskRequest& request, EventLoop& loop, TaskDone done) override;
  void cancel(const TaskRequest& request) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepwise::tasks
