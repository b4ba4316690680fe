// The Router through the real Server on an ephemeral port: a request of every protocol kind
// (AWS JSON 1.0 and 1.1, query, REST-XML, REST-JSON, plain GET) reaches its registered test
// handler, with SigV4 off and on; /metrics counts them; malformed requests of each kind get
// that protocol's error shape and status.
#include <gtest/gtest.h>

#include <thread>

#include "api/demo.h"
#include "api/router.h"
#include "api/server.h"
#include "api/test_client.h"
#include "api/xml_writer.h"

namespace stepwise::api {
namespace {

namespace http = boost::beast::http;
namespace net = boost::asio;
using namespace std::chrono_literals;
using testing::Client;
using testing::type_of;

constexpr Millis now_ms = 1'795'000'000'000;  // the fixed server clock of the SigV4 runs
constexpr std::string_view access_key = "AKIDROUTER";
constexpr std::string_view secret_key = "router-secret";
constexpr std::size_t small_body_max = 4096;

// A query service whose answer names the service and the action, so tests see who got it.
QueryHandler query_echo(std::string service) {
  return [service](QueryRequest& q, const RequestInfo& info, RawReply reply) {
    XmlWriter result;
    result.element("Service", service).element("Action", q.action);
    if (const std::string* m = q.form.find("Message")) result.element("Message", *m);
    result.element("Key", info.access_key_id);
    reply(RawAnswer{200,
                    "text/xml",
                    {},
                    query_response_body(q.action, "urn:test", result.finish(), info.request_id)});
  };
}

// A REST handler that answers "<service> <operation> <captures...>" (S3 checks its XML body).
RestHandler rest_echo(std::string service) {
  return [service](RestRequest& r, const RequestInfo&, RawReply reply) {
    std::string text = service + " " + std::string(r.operation);
    for (const auto& [k, v] : r.path_params) text += " " + k + "=" + v;
    for (const auto& [k, v] : r.query) text += " ?" + k + "=" + v;
    if (r.operation == "CreateBucket" && !r.http.body().empty() &&
        !(r.http.body().starts_with("<CreateBucketConfiguration") &&
          r.http.body().ends_with("</CreateBucketConfiguration>")))
      return reply(ApiError{"MalformedXML",
                            "The XML you provided was not well-formed or did not validate "
                            "against our published schema",
                            400});
    reply(RawAnswer{200, "text/plain", {{"x-test", "1"}}, text});
  };
}

class RouterServerTest : public ::testing::TestWithParam<bool> {
 protected:
  bool auth() const { return GetParam(); }

  void SetUp() override {
    add_demo_operations(states_, io_.get_executor());
    events_.add_sync("PutEvents", [](const json::value& r, const RequestInfo&) -> Response {
      return json::object{{"echo", r}, {"service", "events"}};
    });
    sqs_.add_sync("GetQueueUrl", [](const json::value&, const RequestInfo&) -> Response {
      ApiError e{"QueueDoesNotExist", "The specified queue does not exist.", 400};
      e.query_code = "AWS.SimpleQueueService.NonExistentQueue";
      return e;
    });
    router_.add_json_service("AWSStepFunctions.", "states", states_);
    router_.add_json_service("AWSEvents.", "events", events_, {.version = JsonVersion::v1_1});
    router_.add_json_service("AmazonSQS.", "sqs", sqs_, {.query_compatible = true});
    router_.add_query_service("sns", {"Publish", "TagResource"}, query_echo("sns"),
                              {.xmlns = "http://sns.amazonaws.com/doc/2010-03-31/"});
    router_.add_query_service("sqs", {"ListQueues", "TagResource"}, query_echo("sqs"));
    router_.set_default_query_service("sns");
    using http::verb;
    ASSERT_TRUE(
        router_
            .add_rest_service("scheduler",
                              {.flavor = RestFlavor::json,
                               .routes = {{verb::post, "/schedules/{Name}", "CreateSchedule"},
                                          {verb::get, "/schedules/{Name}", "GetSchedule"},
                                          {verb::get, "/schedules", "ListSchedules"}}},
                              rest_echo("scheduler"))
            .ok());
    ASSERT_TRUE(router_
                    .add_rest_service("s3",
                                      {.routes = {{verb::put, "/{Bucket}", "CreateBucket"},
                                                  {verb::put, "/{Bucket}/{Key+}", "PutObject"},
                                                  {verb::get, "/{Bucket}/{Key+}", "GetObject"}},
                                       .catch_all = true,
                                       .virtual_host = true,
                                       .s3_errors = true},
                                      rest_echo("s3"))
                    .ok());
    router_.add_static("/console/", [](std::string_view path) -> std::optional<StaticFile> {
      if (path != "index.html") return std::nullopt;
      return StaticFile{"<html>console</html>", "text/html; charset=utf-8", "public, max-age=60",
                        "\"v1\""};
    });
    keys_.add(std::string(access_key), std::string(secret_key));
    ServerOptions options;
    options.bind = "127.0.0.1";
    options.port = 0;
    options.body_bytes_max = small_body_max;
    options.request_id_seed = 42;
    if (auth()) {
      options.keys = &keys_;
      options.clock = &clock_;
    }
    server_ = std::make_unique<Server>(io_, options, router_);
    ASSERT_TRUE(server_->start().ok());
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    server_->stop(100ms);
    auto end = std::chrono::steady_clock::now() + 3s;
    while (server_->stats().connections_open > 0 && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(5ms);
    io_.stop();
    thread_.join();
  }

  static HttpRequest make(http::verb method, std::string target, std::string body = {},
                          std::string content_type = {}) {
    HttpRequest r{method, target, 11};
    r.set(http::field::host, "localhost");
    if (!content_type.empty()) r.set(http::field::content_type, content_type);
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
  }

  static HttpRequest json_call(std::string target, std::string body,
                               std::string content_type = "application/x-amz-json-1.0") {
    HttpRequest r = make(http::verb::post, "/", std::move(body), std::move(content_type));
    r.set("X-Amz-Target", target);
    return r;
  }

  static HttpRequest form(std::string body) {
    return make(http::verb::post, "/", std::move(body),
                "application/x-www-form-urlencoded; charset=utf-8");
  }

  // Signs when auth is on (for `service`); S3 signs its path as sent and UNSIGNED-PAYLOAD.
  HttpResponse send(HttpRequest r, std::string_view service) {
    if (auth()) sign(r, service);
    Client c(server_->port());
    c.send(r);
    return c.receive();
  }

  static void sign(HttpRequest& r, std::string_view service) {
    bool s3 = service == "s3";
    r.set("X-Amz-Date", sigv4::amz_date(now_ms));
    if (s3) r.set("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    SignedRequest s;
    s.method = std::string(r.method_string());
    s.target = std::string(r.target());
    for (const auto& f : r)
      if (f.name() != http::field::content_length)
        s.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    s.body = r.body();
    r.set(http::field::authorization,
          sigv4::authorization(s, access_key, secret_key, "us-east-1", service,
                               sigv4::amz_date(now_ms), s3, s3 ? "UNSIGNED-PAYLOAD" : ""));
  }

  std::string scrape() {
    return Client(server_->port()).call_raw(make(http::verb::get, "/metrics")).body();
  }

  net::io_context io_;
  OperationTable states_, events_, sqs_;
  Router router_;
  KeyStore keys_;
  ManualClock clock_{now_ms};
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

INSTANTIATE_TEST_SUITE_P(SigV4, RouterServerTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

TEST_P(RouterServerTest, Json10ReachesStepFunctionsAsBefore) {
  HttpResponse r = send(json_call("AWSStepFunctions.Echo", R"({"a":1})"), "states");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), R"({"a":1})");
  EXPECT_EQ(r[http::field::content_type], "application/x-amz-json-1.0");
  EXPECT_FALSE(r["x-amzn-RequestId"].empty());
}

TEST_P(RouterServerTest, Json11ReachesItsServiceAndAnswersJson11) {
  HttpResponse r =
      send(json_call("AWSEvents.PutEvents", R"({"Entries":[]})", "application/x-amz-json-1.1"),
           "events");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), R"({"echo":{"Entries":[]},"service":"events"})");
  EXPECT_EQ(r[http::field::content_type], "application/x-amz-json-1.1");
}

TEST_P(RouterServerTest, QueryCompatibleJsonErrorsCarryTheQueryErrorHeader) {
  HttpResponse r = send(json_call("AmazonSQS.GetQueueUrl", R"({"QueueName":"q"})"), "sqs");
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_EQ(type_of(r), "QueueDoesNotExist");
  EXPECT_EQ(r["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender");
}

TEST_P(RouterServerTest, QueryFormReachesTheServiceOwningTheAction) {
  HttpResponse r = send(form("Action=Publish&Version=2010-03-31&Message=hi+there%21"), "sns");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_NE(r.body().find("<PublishResponse xmlns=\"urn:test\"><PublishResult>"
                          "<Service>sns</Service><Action>Publish</Action>"
                          "<Message>hi there!</Message>"),
            std::string::npos)
      << r.body();
  EXPECT_NE(r.body().find("<RequestId>" + std::string(r["x-amzn-RequestId"]) + "</RequestId>"),
            std::string::npos);
  EXPECT_EQ(r.body().find("<Key>" + std::string(access_key)) != std::string::npos, auth());
}

TEST_P(RouterServerTest, SharedQueryActionGoesToTheScopeServiceThenTheDefault) {
  HttpResponse to_sqs = send(form("Action=TagResource"), "sqs");
  EXPECT_EQ(to_sqs.result_int(), 200u);
  if (auth()) {
    EXPECT_NE(to_sqs.body().find("<Service>sqs</Service>"), std::string::npos) << to_sqs.body();
  } else {
    EXPECT_NE(to_sqs.body().find("<Service>sns</Service>"), std::string::npos) << to_sqs.body();
  }
  HttpResponse only_sqs = send(form("Action=ListQueues"), "sqs");
  EXPECT_NE(only_sqs.body().find("<Service>sqs</Service>"), std::string::npos);
}

TEST_P(RouterServerTest, RestJsonRoutesByMethodAndPath) {
  HttpResponse r =
      send(make(http::verb::post, "/schedules/nightly%20run?x=1", "{}", "application/json"),
           "scheduler");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), "scheduler CreateSchedule Name=nightly run ?x=1");
  EXPECT_EQ(send(make(http::verb::get, "/schedules"), "scheduler").body(),
            "scheduler ListSchedules");
}

TEST_P(RouterServerTest, RestXmlPathAndVirtualHostStylesReachS3) {
  HttpResponse put = send(make(http::verb::put, "/bucket/dir/a%2Bb.txt", "bytes"), "s3");
  EXPECT_EQ(put.result_int(), 200u);
  EXPECT_EQ(put.body(), "s3 PutObject Bucket=bucket Key=dir/a+b.txt");
  EXPECT_EQ(put["x-test"], "1");
  HttpRequest vh = make(http::verb::get, "/dir/a.txt?versionId=3");
  vh.set(http::field::host, "photos.localhost:4566");
  EXPECT_EQ(send(vh, "s3").body(), "s3 GetObject Bucket=photos Key=dir/a.txt ?versionId=3");
  HttpRequest s3_host = make(http::verb::put, "/");
  s3_host.set(http::field::host, "logs.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(send(s3_host, "s3").body(), "s3 CreateBucket Bucket=logs");
  // No other route claims it: the catch-all takes it, with no operation.
  EXPECT_EQ(send(make(http::verb::delete_, "/bucket"), "s3").body(), "s3 ");
}

TEST_P(RouterServerTest, ScopeServiceS3TakesAPathAnotherServiceAlsoMatches) {
  if (!auth()) GTEST_SKIP() << "the scope decides only for signed requests";
  EXPECT_EQ(send(make(http::verb::get, "/schedules/x"), "s3").body(),
            "s3 GetObject Bucket=schedules Key=x");
  EXPECT_EQ(send(make(http::verb::get, "/schedules/x"), "scheduler").body(),
            "scheduler GetSchedule Name=x");
}

TEST_P(RouterServerTest, GetRoutesNeedNoSignature) {
  Client c(server_->port());
  HttpResponse health = c.call_raw(make(http::verb::get, "/health"));
  EXPECT_EQ(health.result_int(), 200u);
  EXPECT_EQ(health.body(), R"({"status":"ok"})");
  HttpResponse file = c.call_raw(make(http::verb::get, "/console/index.html"));
  EXPECT_EQ(file.result_int(), 200u);
  EXPECT_EQ(file.body(), "<html>console</html>");
  EXPECT_EQ(file[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(file[http::field::cache_control], "public, max-age=60");
  HttpRequest again = make(http::verb::get, "/console/index.html");
  again.set(http::field::if_none_match, "\"v1\"");
  EXPECT_EQ(c.call_raw(again).result_int(), 304u);
  EXPECT_EQ(c.call_raw(make(http::verb::get, "/console/missing.js")).result_int(), 404u);
  EXPECT_EQ(c.call_raw(make(http::verb::get, "/console/..%2Fsecret")).result_int(), 404u);
}

TEST_P(RouterServerTest, HeadAnswersTheLengthWithoutTheBody) {
  Client c(server_->port());
  c.send(make(http::verb::head, "/health"));
  HttpResponse r = c.receive_head();
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r[http::field::content_length], "15");
  EXPECT_EQ(c.call_raw(make(http::verb::get, "/health")).result_int(), 200u);  // still in step
}

TEST_P(RouterServerTest, MetricsCountRequestsPerServiceOperationAndOutcome) {
  send(json_call("AWSStepFunctions.Echo", "{}"), "states");
  send(json_call("AWSStepFunctions.Echo", "{}"), "states");
  send(json_call("AWSStepFunctions.Nope", "{}"), "states");
  send(form("Action=Publish"), "sns");
  send(make(http::verb::put, "/b", "<bad"), "s3");
  std::string m = scrape();
  EXPECT_NE(m.find("stepwise_requests_total{service=\"states\",operation=\"Echo\","
                   "outcome=\"success\"} 2\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("stepwise_requests_total{service=\"states\",operation=\"_unknown\","
                   "outcome=\"client_error\"} 1\n"),
            std::string::npos);
  EXPECT_NE(m.find("{service=\"sns\",operation=\"Publish\",outcome=\"success\"} 1"),
            std::string::npos);
  EXPECT_NE(m.find("{service=\"s3\",operation=\"CreateBucket\",outcome=\"client_error\"} 1"),
            std::string::npos);
  EXPECT_NE(m.find("stepwise_request_duration_seconds_bucket{service=\"states\",operation="
                   "\"Echo\",outcome=\"success\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(m.find("# TYPE stepwise_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(m.find("stepwise_connections_accepted_total 6\n"), std::string::npos) << m;
  EXPECT_NE(m.find("\nstepwise_connections_open "), std::string::npos);
  EXPECT_NE(m.find("stepwise_http_requests_total 6\n"), std::string::npos);
}

TEST_P(RouterServerTest, MalformedJsonGetsSerializationException) {
  HttpResponse r =
      send(json_call("AWSEvents.PutEvents", "{nope", "application/x-amz-json-1.1"), "events");
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_EQ(type_of(r), "SerializationException");
  EXPECT_EQ(r[http::field::content_type], "application/x-amz-json-1.1");
}

TEST_P(RouterServerTest, UnknownTargetGetsUnknownOperationException) {
  HttpResponse r = send(json_call("DynamoDB_20120810.GetItem", "{}"), "dynamodb");
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_EQ(type_of(r), "UnknownOperationException");
  EXPECT_EQ(r["x-amzn-ErrorType"], "UnknownOperationException");
}

TEST_P(RouterServerTest, BadFormEncodingAndUnknownActionGetQueryXmlErrors) {
  HttpResponse bad = send(form("Action=Publish&Message=%ZZ"), "sns");
  EXPECT_EQ(bad.result_int(), 400u);
  EXPECT_EQ(bad[http::field::content_type], "text/xml");
  EXPECT_NE(bad.body().find("<ErrorResponse><Error><Type>Sender</Type>"
                            "<Code>MalformedQueryString</Code>"),
            std::string::npos)
      << bad.body();
  HttpResponse unknown = send(form("Action=Frobnicate&Version=1"), "sns");
  EXPECT_EQ(unknown.result_int(), 400u);
  EXPECT_NE(unknown.body().find("<Code>InvalidAction</Code><Message>The action Frobnicate is "
                                "not valid for this endpoint.</Message></Error><RequestId>"),
            std::string::npos)
      << unknown.body();
  HttpResponse missing = send(form("Version=1"), "sns");
  EXPECT_NE(missing.body().find("<Code>MissingAction</Code>"), std::string::npos);
}

TEST_P(RouterServerTest, BadXmlBodyGetsS3ErrorShape) {
  HttpResponse r = send(make(http::verb::put, "/bucket", "<CreateBucketConfiguration>"), "s3");
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_EQ(r[http::field::content_type], "application/xml");
  EXPECT_NE(r.body().find("<Error><Code>MalformedXML</Code><Message>The XML you provided"),
            std::string::npos)
      << r.body();
  EXPECT_NE(r.body().find("<Resource>/bucket</Resource><RequestId>" +
                          std::string(r["x-amz-request-id"]) + "</RequestId></Error>"),
            std::string::npos)
      << r.body();
}

TEST_P(RouterServerTest, BodyOverTheLimitGetsEachProtocolsShape) {
  std::string big(small_body_max + 1, 'a');
  HttpResponse json = send(json_call("AWSStepFunctions.Echo", big), "states");
  EXPECT_EQ(json.result_int(), 413u);
  EXPECT_EQ(type_of(json), "RequestEntityTooLargeException");
  HttpResponse query = send(form("Action=Publish&Message=" + big), "sns");
  EXPECT_EQ(query.result_int(), 413u);
  EXPECT_NE(query.body().find("<Code>RequestEntityTooLargeException</Code>"), std::string::npos)
      << query.body();
  HttpResponse s3 = send(make(http::verb::put, "/bucket/key", big), "s3");
  EXPECT_EQ(s3.result_int(), 413u);
  EXPECT_NE(s3.body().find("<Error><Code>RequestEntityTooLargeException</Code>"), std::string::npos)
      << s3.body();
}

TEST_P(RouterServerTest, WrongSignatureIsRefusedInTheProtocolsShape) {
  if (!auth()) GTEST_SKIP() << "SigV4 is off";
  HttpRequest r = form("Action=Publish");
  sign(r, "sns");
  r.body() = "Action=Publish&Message=tampered";
  r.prepare_payload();
  Client c(server_->port());
  c.send(r);
  HttpResponse answer = c.receive();
  EXPECT_EQ(answer.result_int(), 400u);
  EXPECT_NE(answer.body().find("<Code>InvalidSignatureException</Code>"), std::string::npos)
      << answer.body();
  HttpRequest wrong_service = json_call("AWSStepFunctions.Echo", "{}");
  sign(wrong_service, "sqs");
  c.send(wrong_service);
  HttpResponse scoped = c.receive();
  EXPECT_EQ(type_of(scoped), "InvalidSignatureException");
  EXPECT_NE(scoped.body().find("scoped to correct service: 'states'"), std::string::npos);
}

// A router with only an XML REST service (no S3 catch-all): unknown paths and methods.
TEST(RouterNoCatchAll, UnknownPathIs404AndWrongMethodIs405InXml) {
  net::io_context io;
  Router router;
  ASSERT_TRUE(router
                  .add_rest_service("xmlsvc",
                                    {.routes = {{http::verb::get, "/things/{Id}", "GetThing"}}},
                                    rest_echo("xmlsvc"))
                  .ok());
  ServerOptions options;
  options.port = 0;
  Server server(io, options, router);
  ASSERT_TRUE(server.start().ok());
  std::thread t([&] { io.run(); });
  Client c(server.port());
  HttpRequest get{http::verb::get, "/things/7", 11};
  get.set(http::field::host, "localhost");
  EXPECT_EQ(c.call_raw(get).body(), "xmlsvc GetThing Id=7");
  HttpRequest nowhere{http::verb::get, "/nowhere", 11};
  nowhere.set(http::field::host, "localhost");
  HttpResponse r404 = c.call_raw(nowhere);
  EXPECT_EQ(r404.result_int(), 404u);
  EXPECT_NE(r404.body().find("<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code>"),
            std::string::npos)
      << r404.body();
  HttpRequest del{http::verb::delete_, "/things/7", 11};
  del.set(http::field::host, "localhost");
  HttpResponse r405 = c.call_raw(del);
  EXPECT_EQ(r405.result_int(), 405u);
  EXPECT_NE(r405.body().find("<Code>MethodNotAllowed</Code>"), std::string::npos);
  server.stop(100ms);
  io.stop();
  t.join();
}

}  // namespace
}  // namespace stepwise::api
