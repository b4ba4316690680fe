// FunctionRunner: worker pools, URL functions and Event (fire-and-forget) invocations.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "base/clock.h"
#include "base/event_loop.h"
#include "tasks/functions.h"
#include "tasks/test_http_server.h"
#include "tasks/test_run.h"

namespace stepwise::tasks {
namespace {

using testing::TestHttpServer;
using testing::TestRequest;
using testing::TestResponse;

const char* kExec = "arn:aws:states:us-east-1:111111111111:execution:sm:run";

TaskRequest invoke(const std::string& name, json::value payload, const char* type = nullptr) {
  TaskRequest r;
  r.resource = "arn:aws:states:::lambda:invoke";
  json::object p{{"FunctionName", name}, {"Payload", std::move(payload)}};
  if (type != nullptr) p["InvocationType"] = type;
  r.parameters = std::move(p);
  r.execution_arn = kExec;
  r.state_name = "S";
  return r;
}

using testing::run_one;

const char* kSlowWorker = R"(
import json, os, sys, time
for line in sys.stdin:
    req = json.loads(line)
    time.sleep(0.5)
    print(json.dumps({"id": req["id"], "result": os.getpid()}), flush=True)
)";

TEST(FunctionRunnerPool, WorkerConcurrencyServesCallsInParallel) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "slow";
  s.kind = FunctionKind::worker;
  s.argv = {"python3", "-u", "-c", kSlowWorker};
  s.concurrency = 3;
  s.timeout_ms = 10000;
  ASSERT_TRUE(runner.add(s).ok());
  // Warm the three processes up first, so the timing below measures only the calls.
  ManualClock clock(0);
  EventLoop loop(clock);
  std::set<std::int64_t> pids;
  auto batch = [&] {
    for (int i = 0; i < 3; ++i) {
      runner.start(invoke("slow", json::object{}), loop, [&](TaskOutcome o) {
        if (o.succeeded) pids.insert(o.output.at("Payload").as_int64());
      });
    }
    loop.run();
  };
  batch();
  auto began = std::chrono::steady_clock::now();
  batch();
  auto took = std::chrono::steady_clock::now() - began;
  EXPECT_EQ(pids.size(), 3u);  // three processes, reused by the second batch
  EXPECT_LT(took, std::chrono::milliseconds(1400)) << "serialised: 3 x 500 ms";
}

TEST(FunctionRunnerEvent, EventInvocationAnswers202BeforeTheFunctionEnds) {
  auto marker = std::filesystem::temp_directory_path() / "stepwise_event_invocation_marker";
  std::filesystem::remove(marker);
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "later";
  s.argv = {"/bin/sh", "-c", "sleep 0.5; cat > '" + marker.string() + "'"};
  ASSERT_TRUE(runner.add(s).ok());
  auto began = std::chrono::steady_clock::now();
  auto o = run_one(runner, invoke("later", json::object{{"k", 1}}, "Event"));
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(400));
  ASSERT_TRUE(o.succeeded) << o.cause;
  const auto& r = o.output.get_object();
  EXPECT_EQ(json::dump(r.at("StatusCode")), "202");
  EXPECT_EQ(json::dump(r.at("Payload")), "\"\"");
  EXPECT_EQ(r.if_contains("ExecutedVersion"), nullptr);
  EXPECT_EQ(json::dump(r.at("SdkHttpMetadata").at("HttpStatusCode")), "202");
  // The function still runs, with the event.
  for (int i = 0; i < 100 && !std::filesystem::exists(marker); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(std::filesystem::exists(marker));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::filesystem::remove(marker);
}

TEST(FunctionRunnerUrl, UrlFunctionPostsTheEventAndReturnsTheBody) {
  TestHttpServer server([](const TestRequest& req) {
    TestResponse r;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = "{\"got\":" + req.body + "}";
    return r;
  });
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "remote";
  s.kind = FunctionKind::url;
  s.url = server.url("/fn");
  ASSERT_TRUE(runner.add(s).ok());
  auto o = run_one(runner, invoke("remote", json::object{{"x", 1}}));
  ASSERT_TRUE(o.succeeded) << o.error << " " << o.cause;
  EXPECT_EQ(json::dump(o.output.at("Payload")), R"({"got":{"x":1}})");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].headers["content-type"], "application/json");
}

TEST(FunctionRunnerUrl, ErrorStatusWithErrorObjectIsAFunctionError) {
  TestHttpServer server([](const TestRequest&) {
    TestResponse r;
    r.status = 500;
    r.reason = "Internal Server Error";
    r.body = R"({"errorMessage":"bad input","errorType":"ValueError"})";
    return r;
  });
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "remote";
  s.kind = FunctionKind::url;
  s.url = server.url("/fn");
  ASSERT_TRUE(runner.add(s).ok());
  auto o = run_one(runner, invoke("remote", json::object{}));
  EXPECT_EQ(o.error, "ValueError");
  EXPECT_EQ(o.cause, R"({"errorMessage":"bad input","errorType":"ValueError"})");
}

TEST(FunctionRunnerUrl, UnreachableUrlIsALambdaServiceError) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "remote";
  s.kind = FunctionKind::url;
  s.url = "http://127.0.0.1:1/fn";
  ASSERT_TRUE(runner.add(s).ok());
  auto o = run_one(runner, invoke("remote", json::object{}));
  EXPECT_EQ(o.error, "Lambda.ServiceException");
}

TEST(FunctionRunnerLogs, WorkerStderrReachesTheLogSinkAndLogResult) {
  const char* chatty = R"(
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    print("working on", req["id"], file=sys.stderr, flush=True)
    print(json.dumps({"id": req["id"], "result": "done"}), flush=True)
)";
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "chatty";
  s.kind = FunctionKind::worker;
  s.argv = {"python3", "-u", "-c", chatty};
  s.timeout_ms = 10000;
  ASSERT_TRUE(runner.add(s).ok());
  std::mutex mu;
  std::vector<std::string> logged;
  runner.set_log_sink([&](const std::string& fn, const std::string&, const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    logged.push_back(fn + ": " + text);
  });
  auto req = invoke("chatty", json::object{});
  req.parameters.get_object()["LogType"] = "Tail";
  auto o = run_one(runner, req);
  ASSERT_TRUE(o.succeeded) << o.cause;
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "chatty: working on 1\n");
  EXPECT_TRUE(o.output.get_object().contains("LogResult"));
}

TEST(FunctionRunnerLogs, CommandStderrReachesTheLogSink) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "noisy";
  s.argv = {"/bin/sh", "-c", "cat >/dev/null; echo oops >&2; echo 1"};
  ASSERT_TRUE(runner.add(s).ok());
  std::mutex mu;
  std::string logged;
  runner.set_log_sink([&](const std::string&, const std::string&, const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    logged += text;
  });
  auto o = run_one(runner, invoke("noisy", json::object{}));
  ASSERT_TRUE(o.succeeded) << o.cause;
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(logged, "oops\n");
}

// A Python function that raises: its traceback reaches the cause as Lambda's Python runtime
// reports it (errorType = the class, errorMessage, stackTrace frames), and its log.
TEST(FunctionRunnerErrors, PythonTracebackBecomesTheLambdaErrorWithItsStackTrace) {
  const char* failing = R"(
import json, sys
def charge(event):
    print("charging", event["amount"], file=sys.stderr)
    raise ValueError("card declined: " + str(event["amount"]))
charge(json.load(sys.stdin))
)";
  // From a file, as a handler is: its frames then show their source lines.
  const auto script = std::filesystem::temp_directory_path() / "stepwise_charge_handler.py";
  std::ofstream(script) << failing;
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "charge";
  s.argv = {"python3", script.string()};
  s.timeout_ms = 10000;
  ASSERT_TRUE(runner.add(s).ok());
  std::mutex mu;
  std::string logged;
  runner.set_log_sink([&](const std::string&, const std::string&, const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    logged += text;
  });
  TaskRequest req;
  req.resource = "arn:aws:lambda:us-east-1:111111111111:function:charge";
  req.parameters = json::object{{"amount", 42}};
  req.execution_arn = kExec;
  req.state_name = "S";
  auto o = run_one(runner, req);
  ASSERT_FALSE(o.succeeded);
  EXPECT_EQ(o.error, "ValueError");
  // A function ARN keeps the runtime's json.dumps layout.
  auto cause = json::parse(o.cause);
  ASSERT_TRUE(cause.ok()) << o.cause;
  EXPECT_EQ(
      o.cause.rfind(R"({"errorMessage": "card declined: 42", "errorType": "ValueError", )", 0), 0u)
      << o.cause;
  const auto& trace = cause->at("stackTrace").as_array();
  ASSERT_EQ(trace.size(), 2u) << o.cause;  // <module>, then charge
  EXPECT_NE(std::string(trace[1].as_string()).find("in charge\n    raise ValueError("),
            std::string::npos)
      << o.cause;
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(logged.find("charging 42\nTraceback (most recent call last):"), std::string::npos)
      << logged;
}

TEST(FunctionRunnerErrors, WorkerDyingOfAnExceptionReportsItsTraceback) {
  const char* dying = R"(
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    raise KeyError(req["event"]["missing"])
)";
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "dying";
  s.kind = FunctionKind::worker;
  s.argv = {"python3", "-u", "-c", dying};
  s.timeout_ms = 10000;
  ASSERT_TRUE(runner.add(s).ok());
  auto o = run_one(runner, invoke("dying", json::object{{"missing", "customerId"}}));
  ASSERT_FALSE(o.succeeded);
  EXPECT_EQ(o.error, "KeyError");
  auto cause = json::parse(o.cause);
  ASSERT_TRUE(cause.ok()) << o.cause;
  EXPECT_EQ(cause->at("errorMessage").as_string(), "'customerId'");
  EXPECT_EQ(cause->at("stackTrace").as_array().size(), 1u) << o.cause;
}

TEST(FunctionRunnerErrors, ExitWithoutTracebackStaysRuntimeExitError) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "quits";
  s.argv = {"/bin/sh", "-c", "cat >/dev/null; echo 'disk full' >&2; exit 3"};
  ASSERT_TRUE(runner.add(s).ok());
  auto o = run_one(runner, invoke("quits", json::object{}));
  ASSERT_FALSE(o.succeeded);
  EXPECT_EQ(o.error, "Runtime.ExitError");
  EXPECT_NE(o.cause.find("exit status 3"), std::string::npos) << o.cause;
}

// A reload (SIGHUP) swaps the functions while a call is in flight: that call finishes on the
// function it started with, the next one runs the new definition, an invalid set changes nothing.
TEST(FunctionRunnerReload, ReplacingFunctionsKeepsInFlightCallsAndServesTheNewOnes) {
  FunctionRunner runner;
  FunctionSpec v1;
  v1.name = "greet";
  v1.argv = {"/bin/sh", "-c", "cat >/dev/null; sleep 1; echo '\"v1\"'"};
  v1.timeout_ms = 10000;
  ASSERT_TRUE(runner.add(v1).ok());
  ManualClock clock(1700000000000);
  EventLoop loop(clock);
  std::optional<TaskOutcome> first;
  runner.start(invoke("greet", json::object{}), loop, [&](TaskOutcome o) { first = std::move(o); });
  // Swapped from another thread while the first call sleeps.
  std::thread reload([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    FunctionSpec v2 = v1;
    v2.argv = {"/bin/sh", "-c", "cat >/dev/null; echo '\"v2\"'"};
    FunctionSpec broken;
    broken.name = "other";  // no argv: the whole set is refused, v2 included
    EXPECT_FALSE(runner.replace_functions({v2, broken}).ok());
    EXPECT_TRUE(runner.replace_functions({v2}).ok());
  });
  loop.run();
  reload.join();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(first->succeeded) << first->cause;
  EXPECT_EQ(json::dump(first->output.at("Payload")), "\"v1\"");
  auto second = run_one(runner, invoke("greet", json::object{}));
  ASSERT_TRUE(second.succeeded) << second.cause;
  EXPECT_EQ(json::dump(second.output.at("Payload")), "\"v2\"");
  EXPECT_FALSE(runner.has("other"));
}

}  // namespace
}  // namespace stepwise::tasks
