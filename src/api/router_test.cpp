// Router decisions and the protocol decoders without a server: XML escaping, form decoding and
// its limits, path patterns, virtual-host buckets, the SigV4 scope and S3 signing rules,
// metrics cardinality, and that a Step Functions-only router refuses exactly as decode_call.
#include "api/router.h"

#include <gtest/gtest.h>

#include <atomic>

#include "api/xml_writer.h"

namespace stepwise::api {
namespace {

namespace http = boost::beast::http;

HttpRequest request(http::verb method, std::string target, std::string_view amz_target = {}) {
  HttpRequest r{method, target, 11};
  r.set(http::field::host, "localhost");
  r.set(http::field::content_type, "application/x-amz-json-1.0");
  if (!amz_target.empty()) r.set("X-Amz-Target", amz_target);
  return r;
}

TEST(XmlWriter, EscapesMarkupControlsAndInvalidUtf8) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape(std::string("x\x01y\tz", 5)), "x\xEF\xBF\xBDy\tz");
  EXPECT_EQ(xml_escape("\xC3\x28 \xC3\xA9"), "\xEF\xBF\xBD( \xC3\xA9");
  XmlWriter w(true);
  w.open("A", "urn:x").element("B", "1<2").open("C");
  EXPECT_EQ(w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<A xmlns=\"urn:x\"><B>1&lt;2</B><C></C></A>");
}

TEST(QueryForm, DecodesPlusPercentAndSkipsEmptyItems) {
  FormDecoded d = decode_form("Action=Publish&&Message=a+b%21%2B&Flag");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d.form->params.size(), 3u);
  EXPECT_EQ(*d.form->find("Message"), "a b!+");
  EXPECT_EQ(*d.form->find("Flag"), "");
  EXPECT_EQ(d.form->find("Missing"), nullptr);
}

TEST(QueryForm, RefusesBadEscapesNamelessItemsAndTooManyParameters) {
  for (std::string_view bad : {"a=%", "a=%4", "a=%G1", "=v", "%ZZ=1"})
    EXPECT_EQ(decode_form(bad).error.type, "MalformedQueryString") << bad;
  std::string many;
  for (std::size_t i = 0; i <= query_limits::params_max; ++i) many += "p=1&";
  EXPECT_FALSE(decode_form(many).ok());
  EXPECT_FALSE(decode_form(std::string(query_limits::name_bytes_max + 1, 'n') + "=1").ok());
}

TEST(QueryForm, ContentTypeMatchIgnoresCaseAndParameters) {
  EXPECT_TRUE(is_form_content_type("application/x-www-form-urlencoded"));
  EXPECT_TRUE(is_form_content_type("Application/X-WWW-Form-Urlencoded; charset=utf-8"));
  EXPECT_FALSE(is_form_content_type("application/x-www-form-urlencodedx"));
  EXPECT_FALSE(is_form_content_type("application/json"));
}

TEST(PathPattern, CapturesSegmentsAndAGreedyRest) {
  auto p = PathPattern::compile("/{Bucket}/{Key+}");
  ASSERT_TRUE(p.ok());
  Params params;
  EXPECT_TRUE(p->match("/b/dir/a%20b", &params));
  EXPECT_EQ(params, (Params{{"Bucket", "b"}, {"Key", "dir/a b"}}));
  params.clear();
  EXPECT_FALSE(p->match("/b/", &params));
  EXPECT_FALSE(p->match("/b", &params));
  EXPECT_TRUE(params.empty());
  auto literal = PathPattern::compile("/schedules/{Name}");
  ASSERT_TRUE(literal.ok());
  EXPECT_FALSE(literal->match("/schedules/x/", nullptr));
  EXPECT_FALSE(literal->match("/schedule/x", nullptr));
  EXPECT_FALSE(literal->match("/schedules/%zz", &params));
}

TEST(PathPattern, RefusesMalformedPatterns) {
  for (std::string_view bad : {"", "x/{a}", "/{a", "/{}", "/{a+}/b", "/a{b}", "/{a{b}}"})
    EXPECT_FALSE(PathPattern::compile(bad).ok()) << bad;
}

TEST(RestDecoding, VirtualHostBuckets) {
  EXPECT_EQ(bucket_from_host("photos.localhost:4566"), "photos");
  EXPECT_EQ(bucket_from_host("my.dotted.bucket.localhost"), "my.dotted.bucket");
  EXPECT_EQ(bucket_from_host("logs.s3.us-east-1.amazonaws.com"), "logs");
  EXPECT_EQ(bucket_from_host("localhost:8083"), std::nullopt);
  EXPECT_EQ(bucket_from_host("127.0.0.1:8083"), std::nullopt);
  EXPECT_EQ(bucket_from_host("s3.amazonaws.com"), std::nullopt);
  EXPECT_EQ(bucket_from_host("[::1]:8083"), std::nullopt);
  EXPECT_EQ(bucket_from_host(".localhost"), std::nullopt);
}

TEST(SigV4Scope, NamesTheServiceOfAWellFormedCredential) {
  EXPECT_EQ(sigv4::scope_service("AWS4-HMAC-SHA256 Credential=AK/20261125/us-east-1/sqs/"
                                 "aws4_request, SignedHeaders=host, Signature=00"),
            "sqs");
  EXPECT_EQ(sigv4::scope_service("AWS4-HMAC-SHA256 Credential=AK/20261125/us-east-1/sqs"), "");
  EXPECT_EQ(sigv4::scope_service("AWS4-HMAC-SHA256 Credential=AK/d/r/s/x/aws4_request"), "");
  EXPECT_EQ(sigv4::scope_service(""), "");
}

TEST(SigV4Rules, S3SignsThePathAsSentAndAnUnsignedPayload) {
  KeyStore keys;
  keys.add("AK", "secret");
  const Millis now = 1'795'000'000'000;
  SignedRequest r;
  r.method = "PUT";
  r.target = "/bucket/a/./b%2Bc";
  r.headers = {{"Host", "localhost"},
               {"X-Amz-Date", sigv4::amz_date(now)},
               {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  r.body = "object bytes";
  r.headers.emplace_back("Authorization",
                         sigv4::authorization(r, "AK", "secret", "us-east-1", "s3",
                                              sigv4::amz_date(now), true, "UNSIGNED-PAYLOAD"));
  SigningRules s3{"s3", true, true};
  EXPECT_TRUE(verify_sigv4(r, keys, now, s3).ok());
  SigningRules normalised{"s3", false, true};
  EXPECT_EQ(verify_sigv4(r, keys, now, normalised).error.type, "InvalidSignatureException");
  EXPECT_NE(verify_sigv4(r, keys, now).error.message.find("'states'"), std::string::npos);
  SigningRules body_hash{"s3", true, false};  // UNSIGNED-PAYLOAD not allowed: the body counts
  EXPECT_FALSE(verify_sigv4(r, keys, now, body_hash).ok());
}

TEST(RouterJson, StepFunctionsOnlyRouterRefusesAsDecodeCallDid) {
  OperationTable table;
  Router router;
  router.add_json_service("AWSStepFunctions.", "states", table);
  const HttpRequest cases[] = {
      request(http::verb::post, "/", "AWSStepFunctions.StartExecution"),
      request(http::verb::post, "/?x=1", "AWSStepFunctions.ListStateMachines"),
      request(http::verb::get, "/", "AWSStepFunctions.StartExecution"),
      request(http::verb::post, "/other", "AWSStepFunctions.StartExecution"),
      request(http::verb::post, "/", "AWSStepFunctions."),
      request(http::verb::post, "/", "AWSStepFunctions.Start-Execution"),
      request(http::verb::post, "/", "AmazonSQS.SendMessage"),
      request(http::verb::post, "/"),
      request(http::verb::get, "/anything"),
      request(http::verb::delete_, "/"),
      [] {  // a form: no query service here, so AWS JSON's answer as before
        HttpRequest r = request(http::verb::post, "/");
        r.set(http::field::content_type, "application/x-www-form-urlencoded");
        r.body() = "Action=ListQueues";
        return r;
      }(),
  };
  for (const HttpRequest& r : cases) {
    Route route = router.route(r);
    Decoded legacy = decode_call(r);
    EXPECT_EQ(route.error.has_value(), !legacy.ok()) << r.target();
    if (route.error) {
      EXPECT_EQ(route.error->type, legacy.error.type) << r.target();
      EXPECT_EQ(route.error->message, legacy.error.message) << r.target();
      EXPECT_EQ(route.encoding.json_content_type, json_content_type);
    } else {
      EXPECT_EQ(route.operation, legacy.call->operation);
      EXPECT_EQ(route.signing.service, "states");
    }
  }
}

TEST(RouterJson, OperationIsAViewIntoTheTargetHeader) {
  OperationTable table;
  Router router;
  router.add_json_service("AWSStepFunctions.", "states", table);
  HttpRequest r = request(http::verb::post, "/", "AWSStepFunctions.StartSyncExecution");
  Route route = router.route(r);
  std::string_view header = r["X-Amz-Target"];
  EXPECT_EQ(route.operation, "StartSyncExecution");
  EXPECT_GE(route.operation.data(), header.data());
  EXPECT_LE(route.operation.data() + route.operation.size(), header.data() + header.size());
}

TEST(RouterGet, HealthAndMetricsNeedNoAuthAndOthersFallThrough) {
  Router router;
  Route health = router.route(request(http::verb::get, "/health"));
  EXPECT_EQ(health.protocol, Protocol::plain);
  EXPECT_FALSE(health.needs_auth);
  ASSERT_NE(health.get, nullptr);
  RawResponse answer =
      (*health.get)(GetRequest{request(http::verb::get, "/health"), "/health", {}, nullptr});
  EXPECT_EQ(answer.answer().body, R"({"status":"ok"})");
  EXPECT_TRUE(router.route(request(http::verb::post, "/health")).error.has_value());
}

TEST(Metrics, OperationNamesAreBoundedPerService) {
  Metrics metrics;
  ServiceMetrics& s = metrics.service("svc");
  EXPECT_EQ(&metrics.service("svc"), &s);
  EXPECT_EQ(s.find("Op"), nullptr);
  for (std::size_t i = 0; i < ServiceMetrics::operations_per_service_max + 10; ++i)
    s.get("Op" + std::to_string(i)).record(Outcome::success, std::chrono::microseconds(300));
  EXPECT_EQ(s.get("Op0").count(Outcome::success), 1u);
  EXPECT_EQ(s.get(ServiceMetrics::other_operation).count(Outcome::success), 10u);
  s.unknown().record(Outcome::client_error, std::chrono::milliseconds(2));
  std::string text = metrics.render(ServerStats{});
  EXPECT_NE(text.find("stepwise_requests_total{service=\"svc\",operation=\"_unknown\","
                      "outcome=\"client_error\"} 1\n"),
            std::string::npos);
  // 300 µs lands in the 0.0005 bucket, not the 0.00025 one.
  EXPECT_NE(text.find("operation=\"Op0\",outcome=\"success\",le=\"0.00025\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("operation=\"Op0\",outcome=\"success\",le=\"0.0005\"} 1\n"),
            std::string::npos);
}

TEST(Metrics, GaugesAreSampledAtEveryRender) {
  Metrics metrics;
  std::atomic<std::uint64_t> bytes{4096};
  metrics.add_gauge("stepwise_store_bytes", "Bytes the store takes on disk.",
                    [&] { return bytes.load(); });
  EXPECT_NE(metrics.render(ServerStats{})
                .find("# TYPE stepwise_store_bytes gauge\n"
                      "stepwise_store_bytes 4096\n"),
            std::string::npos);
  bytes = 8192;
  EXPECT_NE(metrics.render(ServerStats{}).find("stepwise_store_bytes 8192\n"), std::string::npos);
}

}  // namespace
}  // namespace stepwise::api
