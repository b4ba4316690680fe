#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <optional>

#include "base/clock.h"
#include "base/event_loop.h"
#include "tasks/functions.h"

namespace stepwise::tasks {
namespace {

const char* kFnArn = "arn:aws:lambda:us-east-1:111111111111:function:";
const char* kInvoke = "arn:aws:states:::lambda:invoke";
const char* kExec = "arn:aws:states:us-east-1:111111111111:execution:sm:run";

// The repository's conformance handlers (STEPWISE_SOURCE_DIR: src/tasks/CMakeLists.txt).
std::string handler(const std::string& file) {
  auto dir = std::filesystem::path(STEPWISE_SOURCE_DIR);
  return (dir / "tests" / "conformance" / "handlers" / file).string();
}

FunctionSpec sh(const std::string& name, const std::string& script, std::int64_t timeout_ms = 0) {
  FunctionSpec s;
  s.name = name;
  s.argv = {"/bin/sh", "-c", script};
  s.timeout_ms = timeout_ms;
  return s;
}

FunctionSpec worker(const std::string& name, const std::string& python) {
  FunctionSpec s;
  s.name = name;
  s.kind = FunctionKind::worker;
  s.argv = {"python3", "-u", "-c", python};
  s.timeout_ms = 5000;
  return s;
}

TaskRequest fn_request(const std::string& name, json::value params) {
  TaskRequest r;
  r.resource = std::string(kFnArn) + name;
  r.parameters = std::move(params);
  r.execution_arn = kExec;
  r.state_name = "S";
  return r;
}

TaskRequest invoke_request(const std::string& name, json::value payload) {
  TaskRequest r;
  r.resource = kInvoke;
  r.parameters = json::object{{"FunctionName", name}, {"Payload", std::move(payload)}};
  r.execution_arn = kExec;
  r.state_name = "S";
  return r;
}

struct Ran {
  std::optional<TaskOutcome> outcome;
  int calls = 0;
};

Ran run(TaskRunner& runner, const TaskRequest& request) {
  ManualClock clock(1700000000000);
  EventLoop loop(clock);
  Ran ran;
  runner.start(request, loop, [&](TaskOutcome o) {
    ran.outcome = std::move(o);
    ++ran.calls;
  });
  loop.run();
  return ran;
}

TaskOutcome run_one(TaskRunner& runner, const TaskRequest& request) {
  Ran ran = run(runner, request);
  EXPECT_EQ(ran.calls, 1);
  return ran.outcome.value_or(TaskOutcome::failure("test", "no outcome"));
}

TEST(FunctionRunner, CommandEchoesTheTaskInputForAFunctionArn) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("echo", "cat")).ok());
  auto o = run_one(runner, fn_request("echo", json::parse(R"({"a":[1,2]})").value()));
  ASSERT_TRUE(o.succeeded) << o.error << o.cause;
  EXPECT_EQ(json::dump(o.output), R"({"a":[1,2]})");
}

TEST(FunctionRunner, LambdaInvokeSendsPayloadAndReturnsTheInvokeResponse) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("echo", "cat")).ok());
  auto o = run_one(runner, invoke_request("echo", json::parse(R"({"body":"x"})").value()));
  ASSERT_TRUE(o.succeeded) << o.error << o.cause;
  EXPECT_EQ(json::dump(o.output.at("Payload")), R"({"body":"x"})");
  EXPECT_EQ(o.output.at("StatusCode").as_int64(), 200);
  EXPECT_EQ(o.output.at("SdkHttpMetadata").at("HttpHeaders").at("Content-Length").as_string(),
            "12");
}

TEST(FunctionRunner, LambdaInvokeAcceptsAFullFunctionArnAsFunctionName) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("echo", "cat")).ok());
  auto o = run_one(runner, invoke_request(std::string(kFnArn) + "echo:3", json::value(nullptr)));
  ASSERT_TRUE(o.succeeded) << o.error << o.cause;
  EXPECT_EQ(json::dump(o.output.at("Payload")), "{}");
  EXPECT_EQ(o.output.at("ExecutedVersion").as_string(), "3");
}

TEST(FunctionRunner, FunctionErrorUsesErrorTypeAsTheErrorName) {
  FunctionRunner runner;
  ASSERT_TRUE(
      runner.add(sh("fail", R"(printf '{"errorMessage":"m","errorType":"MyError"}'; exit 1)"))
          .ok());
  auto o = run_one(runner, fn_request("fail", json::object{}));
  EXPECT_FALSE(o.succeeded);
  EXPECT_EQ(o.error, "MyError");
  EXPECT_EQ(o.cause, R"({"errorMessage":"m","errorType":"MyError"})");  // as printed
}

TEST(FunctionRunner, PythonHandlerErrorMatchesTheRecordedRuntimeShape) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "raise";
  s.argv = {"python3", handler("raise_exception.py")};
  ASSERT_TRUE(runner.add(s).ok());
  auto legacy = run_one(runner, fn_request("raise", json::value(nullptr)));
  EXPECT_EQ(legacy.error, "Exception");
  auto cause = json::parse(legacy.cause).value();
  EXPECT_EQ(cause.at("errorMessage").as_string(), "Some exception was raised.");
  EXPECT_EQ(cause.at("stackTrace").at(0).as_string(),
            "  File \"/var/task/handler.py\", line 2, in handler\n"
            "    raise Exception(\"Some exception was raised.\")\n");
  // Function ARN: the Python runtime's own layout; lambda:invoke: re-encoded compactly.
  EXPECT_EQ(legacy.cause.substr(0, 60),
            R"({"errorMessage": "Some exception was raised.", "errorType": )");
  auto invoked = run_one(runner, invoke_request("raise", json::value(nullptr)));
  EXPECT_EQ(invoked.error, "Exception");
  EXPECT_EQ(invoked.cause.substr(0, 57),
            R"({"errorMessage":"Some exception was raised.","errorType":)");
}

TEST(FunctionRunner, CrashWithoutErrorObjectIsRuntimeExitError) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("crash", "echo oops; exit 3")).ok());
  auto o = run_one(runner, fn_request("crash", json::object{}));
  EXPECT_EQ(o.error, "Runtime.ExitError");
  EXPECT_NE(o.cause.find("Runtime exited with error: exit status 3"), std::string::npos);
}

TEST(FunctionRunner, KilledBySignalIsRuntimeExitError) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("segv", "kill -SEGV $$")).ok());
  auto o = run_one(runner, fn_request("segv", json::object{}));
  EXPECT_EQ(o.error, "Runtime.ExitError");
  EXPECT_NE(o.cause.find("signal: segmentation fault"), std::string::npos);
}

TEST(FunctionRunner, TimeoutKillsTheCommandAndReportsSandboxTimedout) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("slow", "sleep 30", 200)).ok());
  auto t0 = std::chrono::steady_clock::now();
  auto o = run_one(runner, fn_request("slow", json::object{}));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(o.error, "Sandbox.Timedout");
  EXPECT_NE(o.cause.find("Task timed out after 0.20 seconds"), std::string::npos);
}

TEST(FunctionRunner, GarbageOutputIsReturnedAsAString) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("raw", "printf 'not json'")).ok());
  auto o = run_one(runner, fn_request("raw", json::object{}));
  ASSERT_TRUE(o.succeeded);
  EXPECT_EQ(json::dump(o.output), "\"not json\"");
}

TEST(FunctionRunner, CommandThatIgnoresALargeEventStillAnswers) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("ignore", "echo 7")).ok());
  auto o = run_one(runner, fn_request("ignore", json::value(std::string(200 * 1024, 'x'))));
  ASSERT_TRUE(o.succeeded) << o.cause;
  EXPECT_EQ(o.output.as_int64(), 7);
}

TEST(FunctionRunner, EmptyOutputIsNull) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("quiet", "true")).ok());
  auto o = run_one(runner, fn_request("quiet", json::object{}));
  ASSERT_TRUE(o.succeeded);
  EXPECT_TRUE(o.output.is_null());
}

TEST(FunctionRunner, OutputAboveThePayloadQuotaIsDataLimitExceeded) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("big", "head -c 263168 /dev/zero | tr '\\0' a")).ok());
  auto o = run_one(runner, fn_request("big", json::object{}));
  EXPECT_EQ(o.error, "States.DataLimitExceeded");
  EXPECT_EQ(o.cause, std::string("The state/task '") + kFnArn +
                         "big' returned a result with a size exceeding the maximum number of "
                         "bytes service limit.");
  auto via_invoke = run_one(runner, invoke_request("big", json::object{}));
  EXPECT_EQ(via_invoke.error, "States.DataLimitExceeded");
  EXPECT_NE(via_invoke.cause.find("'lambda'"), std::string::npos);
}

TEST(FunctionRunner, EndlessOutputIsCutOffAndNeverHangs) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("yes", "yes", 10000)).ok());
  auto t0 = std::chrono::steady_clock::now();
  auto o = run_one(runner, fn_request("yes", json::object{}));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
  EXPECT_EQ(o.error, "States.DataLimitExceeded");
}

TEST(FunctionRunner, UnknownFunctionIsResourceNotFound) {
  FunctionRunner runner;
  auto o = run_one(runner, invoke_request("nope", json::value(nullptr)));
  EXPECT_EQ(o.error, "Lambda.ResourceNotFoundException");
  EXPECT_EQ(o.cause.substr(0, 90),
            "Function not found: arn:aws:lambda:us-east-1:111111111111:function:nope:$LATEST "
            "(Service: ");
}

TEST(FunctionRunner, MissingExecutableIsAClearError) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "ghost";
  s.argv = {"/no/such/program"};
  ASSERT_TRUE(runner.add(s).ok());
  auto o = run_one(runner, fn_request("ghost", json::object{}));
  EXPECT_EQ(o.error, "Runtime.InvalidEntrypoint");
  EXPECT_NE(o.cause.find("/no/such/program"), std::string::npos);
}

TEST(FunctionRunner, EnvAndCwdReachTheCommand) {
  FunctionRunner runner;
  FunctionSpec s = sh("env", R"sh(printf '{"v":"%s","d":"%s"}' "$GREETING" "$(pwd)")sh");
  s.env = {{"GREETING", "hi"}};
  s.cwd = "/tmp";
  ASSERT_TRUE(runner.add(s).ok());
  auto o = run_one(runner, fn_request("env", json::object{}));
  ASSERT_TRUE(o.succeeded) << o.cause;
  EXPECT_EQ(json::dump(o.output), R"({"v":"hi","d":"/tmp"})");
}

TEST(FunctionRunner, CancelKillsTheCallAndSkipsDone) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("slow", "sleep 30", 60000)).ok());
  ManualClock clock(0);
  EventLoop loop(clock);
  TaskRequest req = fn_request("slow", json::object{});
  req.task_id = "t1";
  int calls = 0;
  runner.start(req, loop, [&](TaskOutcome) { ++calls; });
  loop.schedule_at(100, [&] { runner.cancel(req); });
  auto t0 = std::chrono::steady_clock::now();
  loop.run();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(calls, 0);
}

TEST(FunctionRunner, ConcurrentCallsAllAnswer) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(sh("echo", "cat")).ok());
  ManualClock clock(0);
  EventLoop loop(clock);
  int ok = 0;
  for (int i = 0; i < 20; ++i) {
    runner.start(fn_request("echo", json::value(i)), loop, [&, i](TaskOutcome o) {
      if (o.succeeded && o.output.as_int64() == i) ++ok;
    });
  }
  loop.run();
  EXPECT_EQ(ok, 20);
}

const char* kCounter = R"(
import json, os, sys
n = 0
for line in sys.stdin:
    req = json.loads(line)
    n += 1
    print(json.dumps({"id": req["id"], "result": {"n": n, "pid": os.getpid(), "e": req["event"]}}))
)";

TEST(FunctionRunner, WorkerProcessIsReusedAcrossCalls) {
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(worker("count", kCounter)).ok());
  auto a = run_one(runner, fn_request("count", json::value("x")));
  auto b = run_one(runner, fn_request("count", json::value("y")));
  ASSERT_TRUE(a.succeeded && b.succeeded) << a.cause << b.cause;
  EXPECT_EQ(a.output.at("n").as_int64(), 1);
  EXPECT_EQ(b.output.at("n").as_int64(), 2);
  EXPECT_EQ(a.output.at("pid"), b.output.at("pid"));
  EXPECT_EQ(b.output.at("e").as_string(), "y");
}

TEST(FunctionRunner, WorkerThatDiesIsRestarted) {
  const char* once = R"(
import json, os, sys
req = json.loads(sys.stdin.readline())
print(json.dumps({"id": req["id"], "result": os.getpid()}))
)";
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(worker("once", once)).ok());
  auto a = run_one(runner, fn_request("once", json::object{}));
  auto b = run_one(runner, fn_request("once", json::object{}));
  ASSERT_TRUE(a.succeeded && b.succeeded) << a.cause << " / " << b.cause;
  EXPECT_NE(json::dump(a.output), json::dump(b.output));
}

TEST(FunctionRunner, WorkerErrorAnswerBecomesAFunctionError) {
  const char* failing = R"(
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    print("log line, not an answer")
    print(json.dumps({"id": req["id"], "error": {"errorMessage": "no", "errorType": "Nope"}}))
)";
  FunctionRunner runner;
  ASSERT_TRUE(runner.add(worker("failing", failing)).ok());
  auto o = run_one(runner, invoke_request("failing", json::object{}));
  EXPECT_EQ(o.error, "Nope");
  EXPECT_EQ(o.cause, R"({"errorMessage":"no","errorType":"Nope"})");
  auto legacy = run_one(runner, fn_request("failing", json::object{}));
  EXPECT_EQ(legacy.cause, R"({"errorMessage": "no", "errorType": "Nope"})");
}

TEST(FunctionRunner, WorkerThatHangsTimesOutAndIsReplaced) {
  // A shell worker (fast to start, so the short timeout measures only the hang).
  const char* hang = R"sh(while IFS= read -r line; do
  case "$line" in *hang*) sleep 60;; esac
  id=$(echo "$line" | sed 's/.*"id":\([0-9]*\).*/\1/')
  echo "{\"id\":$id,\"result\":\"ok\"}"
done)sh";
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "hang";
  s.kind = FunctionKind::worker;
  s.argv = {"/bin/sh", "-c", hang};
  s.timeout_ms = 300;
  ASSERT_TRUE(runner.add(s).ok());
  auto a = run_one(runner, fn_request("hang", json::value("hang")));
  EXPECT_EQ(a.error, "Sandbox.Timedout");
  auto b = run_one(runner, fn_request("hang", json::value("fine")));
  ASSERT_TRUE(b.succeeded) << b.cause;
  EXPECT_EQ(b.output.as_string(), "ok");
}

TEST(FunctionRunner, PythonHandlerServesAsAWorker) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "id";
  s.kind = FunctionKind::worker;
  s.argv = {"python3", handler("id_function.py"), "--worker"};
  ASSERT_TRUE(runner.add(s).ok());
  auto o = run_one(runner, invoke_request("id", json::value("\"HelloWorld\"")));
  ASSERT_TRUE(o.succeeded) << o.cause;
  EXPECT_EQ(o.output.at("Payload").as_string(), "HelloWorld");
}

}  // namespace
}  // namespace stepwise::tasks

namespace stepwise::tasks {
namespace {

// The conformance handlers, registered from their own functions.yaml, behave as their recorded
// Lambda counterparts (lambda_handlers.json).
TEST(ConformanceHandlers, BehaveAsTheRecordedLambdaFunctions) {
  auto specs = load_functions_file(handler("functions.yaml"));
  ASSERT_TRUE(specs.ok()) << specs.error().cause;
  FunctionRunner runner;
  for (auto& s : specs.value()) ASSERT_TRUE(runner.add(s).ok());
  auto bytes = run_one(runner, fn_request("return_bytes_str", json::object{}));
  EXPECT_EQ(json::dump(bytes.output), "\"HelloWorld!\"");
  auto echo = run_one(runner, fn_request("echo_function", json::value(1)));
  EXPECT_EQ(json::dump(echo.output), R"({"Return":"HelloWorld"})");
  auto decorated = run_one(
      runner, fn_request("return_decorated_input", json::parse(R"({"a":true,"b":null})").value()));
  EXPECT_EQ(decorated.output.as_string(), "input-event-{'a': True, 'b': None}");
  auto large = run_one(runner, invoke_request("large_output_string", json::value(nullptr)));
  EXPECT_EQ(large.error, "States.DataLimitExceeded");
  auto custom = run_one(runner, invoke_request("raise_custom_exception", json::value(nullptr)));
  EXPECT_EQ(custom.error, "CustomException");
  auto cause = json::parse(custom.cause).value();
  EXPECT_EQ(cause.at("errorMessage").as_string(), "");
  EXPECT_EQ(cause.at("stackTrace").at(0).as_string(),
            "  File \"/var/task/handler.py\", line 9, in handler\n    raise CustomException()\n");
}

}  // namespace
}  // namespace stepwise::tasks
