#include "tasks/http_task.h"

#include <gtest/gtest.h>

#include <optional>

#include "base/clock.h"
#include "base/event_loop.h"
#include "tasks/task_limits.h"
#include "tasks/test_http_server.h"
#include "tasks/test_run.h"

namespace stepwise::tasks {
namespace {

using testing::TestHttpServer;
using testing::TestRequest;
using testing::TestResponse;

const char* kHttp = "arn:aws:states:::http:invoke";

json::value params_of(const std::string& text) { return json::parse(text).value(); }

TaskRequest http_request(json::value params) {
  TaskRequest r;
  r.resource = kHttp;
  r.parameters = std::move(params);
  r.execution_arn = "arn:aws:states:us-east-1:111111111111:execution:sm:run";
  r.state_name = "Call";
  return r;
}

using testing::run_one;

TestResponse json_response(int status, const std::string& reason, const std::string& body) {
  TestResponse r;
  r.status = status;
  r.reason = reason;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = body;
  return r;
}

TEST(HttpTaskEncoding, UrlEncodedArrayFormats) {
  auto body = params_of(R"({"a":["x","y z"],"n":1})");
  EXPECT_EQ(url_encoded_body(body, "INDICES").value(), "a%5B0%5D=x&a%5B1%5D=y%20z&n=1");
  EXPECT_EQ(url_encoded_body(body, "REPEAT").value(), "a=x&a=y%20z&n=1");
  EXPECT_EQ(url_encoded_body(body, "BRACKETS").value(), "a%5B%5D=x&a%5B%5D=y%20z&n=1");
  EXPECT_EQ(url_encoded_body(body, "COMMAS").value(), "a=x%2Cy%20z&n=1");
}

TEST(HttpTaskEncoding, UrlEncodedNestedObjectsUseBrackets) {
  auto body = params_of(R"({"o":{"k":"v","b":true}})");
  EXPECT_EQ(url_encoded_body(body, "INDICES").value(), "o%5Bk%5D=v&o%5Bb%5D=true");
}

TEST(HttpTaskEncoding, UrlEncodedRejectsUnknownFormatAndNonObjects) {
  EXPECT_FALSE(url_encoded_body(params_of(R"({"a":1})"), "SEMICOLONS").ok());
  EXPECT_FALSE(url_encoded_body(params_of("[1]"), "INDICES").ok());
}

TEST(HttpTaskRequest, QueryParametersAppendToTheEndpoint) {
  auto req = http_task_request(params_of(R"({"ApiEndpoint":"https://h/p?x=1","Method":"GET",
                    "QueryParameters":{"q":"a b","tag":["t1","t2"]}})"),
                               nullptr);
  ASSERT_TRUE(req.ok()) << req.error().cause;
  EXPECT_EQ(req->url, "https://h/p?x=1&q=a%20b&tag=t1&tag=t2");
  EXPECT_FALSE(req->has_body);
}

TEST(HttpTaskRequest, JsonBodyGetsJsonContentType) {
  auto req = http_task_request(
      params_of(R"({"ApiEndpoint":"https://h","Method":"POST","RequestBody":{"a":[1,2]}})"),
      nullptr);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->body, R"({"a":[1,2]})");
  bool json_type = false;
  for (const auto& [n, v] : req->headers)
    json_type |= n == "Content-Type" && v == "application/json";
  EXPECT_TRUE(json_type);
}

TEST(HttpTaskRequest, ConnectionParametersWinOverTheTasks) {
  ConnectionSpec c;
  c.name = "c";
  c.invocation.headers = {{"x-env", "prod"}};
  c.invocation.query = {{"q", "conn"}};
  c.invocation.body = {{"k", "conn"}};
  auto req = http_task_request(
      params_of(R"({"ApiEndpoint":"https://h","Method":"POST","Headers":{"X-Env":"test"},
                    "QueryParameters":{"q":"task"},"RequestBody":{"k":"task","o":1}})"),
      &c);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->url, "https://h?q=conn");
  EXPECT_EQ(req->body, R"({"k":"conn","o":1})");
  EXPECT_EQ(req->headers[0], (std::pair<std::string, std::string>{"X-Env", "prod"}));
}

TEST(HttpTaskRequest, MissingFieldsAndBadMethodFail) {
  EXPECT_EQ(http_task_request(params_of(R"({"Method":"GET"})"), nullptr).error().name,
            "States.Runtime");
  EXPECT_FALSE(http_task_request(params_of(R"({"ApiEndpoint":"https://h"})"), nullptr).ok());
  EXPECT_FALSE(
      http_task_request(params_of(R"({"ApiEndpoint":"https://h","Method":"FETCH"})"), nullptr)
          .ok());
  EXPECT_FALSE(
      http_task_request(params_of(R"({"ApiEndpoint":"ftp://h","Method":"GET"})"), nullptr).ok());
}

TEST(HttpTask, JsonResponseBecomesTheResult) {
  TestHttpServer server(
      [](const TestRequest&) { return json_response(200, "OK", R"({"items":[1,2]})"); });
  HttpTaskRunner runner;
  auto o =
      run_one(runner, http_request(json::object{{"ApiEndpoint", server.url("/items")},
                                                {"Method", "GET"},
                                                {"QueryParameters", json::object{{"page", 2}}}}));
  ASSERT_TRUE(o.succeeded) << o.error << " " << o.cause;
  const auto& r = o.output.get_object();
  EXPECT_EQ(json::dump(r.at("ResponseBody")), R"({"items":[1,2]})");
  EXPECT_EQ(json::dump(r.at("StatusCode")), "200");
  EXPECT_EQ(r.at("StatusText").get_string(), "OK");
  EXPECT_EQ(json::dump(r.at("Headers").at("Content-Type")), R"(["application/json"])");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/items?page=2");
}

TEST(HttpTask, NonJsonResponseBodyStaysText) {
  TestHttpServer server([](const TestRequest&) {
    TestResponse r;
    r.headers = {{"Content-Type", "text/plain"}};
    r.body = "{\"looks\":\"like json\"}";
    return r;
  });
  HttpTaskRunner runner;
  auto o = run_one(runner,
                   http_request(json::object{{"ApiEndpoint", server.url("/")}, {"Method", "GET"}}));
  ASSERT_TRUE(o.succeeded);
  EXPECT_EQ(o.output.get_object().at("ResponseBody").get_string(), "{\"looks\":\"like json\"}");
}

TEST(HttpTask, ErrorStatusFailsWithStatusCodeError) {
  TestHttpServer server([](const TestRequest&) {
    return json_response(404, "Not Found", R"({"message":"no such item"})");
  });
  HttpTaskRunner runner;
  auto o = run_one(
      runner, http_request(json::object{{"ApiEndpoint", server.url("/x")}, {"Method", "DELETE"}}));
  ASSERT_FALSE(o.succeeded);
  EXPECT_EQ(o.error, "States.Http.StatusCode.404");
  auto cause = json::parse(o.cause);
  ASSERT_TRUE(cause.ok());
  EXPECT_EQ(json::dump(cause->at("StatusCode")), "404");
  EXPECT_EQ(json::dump(cause->at("ResponseBody")), R"({"message":"no such item"})");
  EXPECT_EQ(server.requests().at(0).method, "DELETE");
}

TEST(HttpTask, RedirectsAreNotFollowed) {
  TestHttpServer server([](const TestRequest& req) {
    if (req.target == "/old") {
      TestResponse r;
      r.status = 302;
      r.reason = "Found";
      r.headers = {{"Location", "/new"}};
      return r;
    }
    return json_response(200, "OK", "{}");
  });
  HttpTaskRunner runner;
  auto o = run_one(
      runner, http_request(json::object{{"ApiEndpoint", server.url("/old")}, {"Method", "GET"}}));
  EXPECT_EQ(o.error, "States.Http.StatusCode.302");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpTask, RefusedConnectionIsASocketError) {
  int port;
  {
    TestHttpServer server([](const TestRequest&) { return TestResponse{}; });
    port = std::stoi(server.url("").substr(17));
  }  // closed: nothing listens on the port now
  HttpTaskRunner runner;
  auto o = run_one(runner, http_request(json::object{
                               {"ApiEndpoint", "http://127.0.0.1:" + std::to_string(port) + "/"},
                               {"Method", "GET"}}));
  EXPECT_EQ(o.error, "States.Http.Socket");
}

TEST(HttpTask, TaskTimeoutBoundsTheCall) {
  TestHttpServer server([](const TestRequest&) {
    TestResponse r;
    r.delay_ms = 1500;
    return r;
  });
  HttpTaskRunner runner;
  auto req = http_request(json::object{{"ApiEndpoint", server.url("/slow")}, {"Method", "GET"}});
  req.timeout_seconds = 1;
  auto o = run_one(runner, req);
  EXPECT_EQ(o.error, "States.Http.Socket");
  EXPECT_NE(o.cause.find("timed out"), std::string::npos);
}

TEST(HttpTask, OversizedResponseFailsWithDataLimit) {
  TestHttpServer server([](const TestRequest&) {
    TestResponse r;
    r.body.assign(limits::http_response_bytes_max + 10, 'x');
    return r;
  });
  HttpTaskRunner runner;
  auto o = run_one(
      runner, http_request(json::object{{"ApiEndpoint", server.url("/big")}, {"Method", "GET"}}));
  EXPECT_EQ(o.error, "States.DataLimitExceeded");
}

TEST(HttpTask, UrlEncodedTransformSendsAForm) {
  TestHttpServer server([](const TestRequest&) { return json_response(200, "OK", "{}"); });
  HttpTaskRunner runner;
  auto o = run_one(runner, http_request(params_of(R"({"ApiEndpoint":")" + server.url("/form") +
                                                  R"(","Method":"POST","RequestBody":{"ids":[1,2]},
                   "Transform":{"RequestBodyEncoding":"URL_ENCODED",
                                "RequestEncodingOptions":{"ArrayFormat":"BRACKETS"}}})")));
  ASSERT_TRUE(o.succeeded) << o.cause;
  auto got = server.requests().at(0);
  EXPECT_EQ(got.body, "ids%5B%5D=1&ids%5B%5D=2");
  EXPECT_EQ(got.headers["content-type"], "application/x-www-form-urlencoded");
}

TEST(HttpTask, ApiKeyAndBasicConnectionsAddTheirHeaders) {
  TestHttpServer server([](const TestRequest&) { return json_response(200, "OK", "{}"); });
  HttpTaskRunner runner;
  ConnectionSpec key;
  key.name = "Keyed";
  key.auth = AuthKind::api_key;
  key.api_key_name = "X-Api-Key";
  key.api_key_value = "s3cret";
  runner.add_connection(key);
  ConnectionSpec basic;
  basic.name = "Basic";
  basic.auth = AuthKind::basic;
  basic.username = "user";
  basic.password = "pass";
  runner.add_connection(basic);
  for (const char* name : {"Keyed", "Basic"}) {
    std::string arn =
        std::string("arn:aws:events:us-east-1:111111111111:connection/") + name + "/0b1c2d3e";
    auto o = run_one(runner, http_request(json::object{
                                 {"ApiEndpoint", server.url("/")},
                                 {"Method", "GET"},
                                 {"Authentication", json::object{{"ConnectionArn", arn}}}}));
    EXPECT_TRUE(o.succeeded) << o.cause;
  }
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].headers["x-api-key"], "s3cret");
  EXPECT_EQ(reqs[1].headers["authorization"], "Basic dXNlcjpwYXNz");
}

TEST(HttpTask, OAuthTokenIsFetchedOnceAndSentAsBearer) {
  TestHttpServer server([](const TestRequest& req) {
    if (req.target == "/token")
      return json_response(200, "OK", R"({"access_token":"tok-1","expires_in":3600})");
    return json_response(200, "OK", "{}");
  });
  HttpTaskRunner runner;
  ConnectionSpec c;
  c.name = "OAuthed";
  c.auth = AuthKind::oauth_client_credentials;
  c.oauth_endpoint = server.url("/token");
  c.client_id = "id";
  c.client_secret = "secret";
  runner.add_connection(c);
  for (int i = 0; i < 2; ++i) {
    auto o = run_one(runner, http_request(json::object{
                                 {"ApiEndpoint", server.url("/api")},
                                 {"Method", "GET"},
                                 {"Authentication", json::object{{"ConnectionArn", "OAuthed"}}}}));
    EXPECT_TRUE(o.succeeded) << o.cause;
  }
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].target, "/token");
  EXPECT_EQ(reqs[0].body, "grant_type=client_credentials");
  EXPECT_EQ(reqs[0].headers["authorization"], "Basic aWQ6c2VjcmV0");
  EXPECT_EQ(reqs[1].headers["authorization"], "Bearer tok-1");
  EXPECT_EQ(reqs[2].headers["authorization"], "Bearer tok-1");
}

TEST(HttpTask, UnknownConnectionFailsAtOnce) {
  HttpTaskRunner runner;
  auto o = run_one(runner, http_request(json::object{
                               {"ApiEndpoint", "http://127.0.0.1:1/"},
                               {"Method", "GET"},
                               {"Authentication", json::object{{"ConnectionArn", "nope"}}}}));
  EXPECT_EQ(o.error, "States.Runtime");
}

TEST(HttpTask, CancelledCallNeverAnswers) {
  TestHttpServer server([](const TestRequest&) {
    TestResponse r;
    r.delay_ms = 300;
    return r;
  });
  HttpTaskRunner runner;
  ManualClock clock(1700000000000);
  EventLoop loop(clock);
  int calls = 0;
  auto req = http_request(json::object{{"ApiEndpoint", server.url("/")}, {"Method", "GET"}});
  req.task_id = "t1";
  runner.start(req, loop, [&](TaskOutcome) { ++calls; });
  runner.cancel(req);
  loop.run();
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace stepwise::tasks

namespace stepwise::tasks {
namespace {

TEST(HttpTaskConnectionSecret, SecretKeysChooseAndFillTheAuthorization) {
  ConnectionSpec c;
  c.name = "payments";
  c.secret = "payments/api";
  auto key = connection_with_secret(c, R"({"api_key_name":"X-Key","api_key_value":"k1"})");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->auth, AuthKind::api_key);
  EXPECT_EQ(key->api_key_name, "X-Key");
  EXPECT_EQ(key->api_key_value, "k1");
  auto basic = connection_with_secret(c, R"({"username":"u","password":"p"})");
  ASSERT_TRUE(basic.ok());
  EXPECT_EQ(basic->auth, AuthKind::basic);
  EXPECT_EQ(basic->password, "p");
  // OAuth needs an endpoint: the connection's, or the secret's.
  EXPECT_FALSE(connection_with_secret(c, R"({"client_id":"i","client_secret":"s"})").ok());
  auto oauth = connection_with_secret(
      c, R"({"client_id":"i","client_secret":"s","authorization_endpoint":"http://h/t"})");
  ASSERT_TRUE(oauth.ok());
  EXPECT_EQ(oauth->auth, AuthKind::oauth_client_credentials);
  EXPECT_EQ(oauth->oauth_endpoint, "http://h/t");
  // The connection's own kind wins; the secret fills its fields.
  c.auth = AuthKind::basic;
  auto kept = connection_with_secret(c, R"({"username":"svc","api_key_name":"X"})");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->auth, AuthKind::basic);
  EXPECT_EQ(kept->username, "svc");
}

TEST(HttpTaskConnectionSecret, MissingOrUnusableSecretsAreRuntimeErrors) {
  ConnectionSpec c;
  c.name = "payments";
  c.secret = "gone";
  for (const std::optional<std::string>& text :
       {std::optional<std::string>(), std::optional<std::string>("not json"),
        std::optional<std::string>("[1]"), std::optional<std::string>(R"({"other":1})")}) {
    auto r = connection_with_secret(c, text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().name, "States.Runtime");
    EXPECT_NE(r.error().cause.find("'gone'"), std::string::npos) << r.error().cause;
  }
}

}  // namespace
}  // namespace stepwise::tasks
