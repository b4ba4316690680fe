// The pass-through client: SigV4 signing against AWS's published test vectors (the Signature
// Version 4 test suite's get-vanilla group), credentials resolution, the protocol encoders and
// decoders, and a call through a local HTTP server that the server's own SigV4 verifier accepts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "api/query_protocol.h"
#include "api/sigv4.h"
#include "services/remote/aws_client.h"
#include "services/remote/credentials.h"
#include "services/remote/remote_json.h"
#include "services/remote/remote_query.h"
#include "services/remote/remote_s3.h"
#include "services/remote/remote_services.h"
#include "services/s3/s3_wire.h"
#include "services/sns/sns_query.h"
#include "tasks/test_http_server.h"

namespace stepwise::services::remote {
namespace {

// The suite's credentials, scope and time (20150830T123600Z).
constexpr Millis kSuiteTime = 1440938160000;
const Credentials kSuiteKeys{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

Endpoint suite_endpoint() {
  auto e = parse_endpoint("https://example.amazonaws.com", "us-east-1", "service");
  EXPECT_TRUE(e.ok());
  return *e;
}

std::string signature_of(const OutboundRequest& r) {
  std::string auth = header_value(r.headers, "Authorization");
  auto at = auth.find("Signature=");
  return at == std::string::npos ? std::string() : auth.substr(at + 10);
}

OutboundRequest signed_suite_request(std::string method, std::string target,
                                     std::vector<std::pair<std::string, std::string>> headers,
                                     std::string body) {
  OutboundRequest r{std::move(method), std::move(target), std::move(headers), std::move(body)};
  sign(r, suite_endpoint(), kSuiteKeys, kSuiteTime, false);
  return r;
}

TEST(SigV4Suite, GetVanilla) {
  auto r = signed_suite_request("GET", "/", {}, "");
  EXPECT_EQ(header_value(r.headers, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(header_value(r.headers, "X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(header_value(r.headers, "Host"), "example.amazonaws.com");
}

TEST(SigV4Suite, GetVanillaCanonicalRequestHash) {
  api::SignedRequest r{
      "GET", "/", {{"host", "example.amazonaws.com"}, {"x-amz-date", "20150830T123600Z"}}, ""};
  EXPECT_EQ(api::sigv4::sha256_hex(api::sigv4::canonical_request(r, {"host", "x-amz-date"})),
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

TEST(SigV4Suite, GetVanillaQueryOrderKeyCase) {
  EXPECT_EQ(signature_of(signed_suite_request("GET", "/?Param2=value2&Param1=value1", {}, "")),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Suite, GetVanillaQueryOrderValue) {
  EXPECT_EQ(signature_of(signed_suite_request("GET", "/?Param1=value2&Param1=value1", {}, "")),
            "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694");
}

TEST(SigV4Suite, GetUnreserved) {
  EXPECT_EQ(
      signature_of(signed_suite_request(
          "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {}, "")),
      "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");
}

TEST(SigV4Suite, PostXWwwFormUrlencoded) {
  auto r = signed_suite_request(
      "POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1");
  EXPECT_NE(
      header_value(r.headers, "Authorization").find("SignedHeaders=content-type;host;x-amz-date,"),
      std::string::npos);
  EXPECT_EQ(signature_of(r), "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(Sign, SessionTokenIsSentAndSignedAndS3SendsThePayloadHash) {
  Credentials keys = kSuiteKeys;
  keys.session_token = "TOKEN";
  OutboundRequest r{"PUT", "/b/k", {}, "abc"};
  sign(r, suite_endpoint(), keys, kSuiteTime, true);
  EXPECT_EQ(header_value(r.headers, "X-Amz-Security-Token"), "TOKEN");
  EXPECT_EQ(header_value(r.headers, "X-Amz-Content-Sha256"), api::sigv4::sha256_hex("abc"));
  EXPECT_NE(header_value(r.headers, "Authorization")
                .find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
}

TEST(Sign, WithoutCredentialsTheRequestIsUnsigned) {
  OutboundRequest r{"POST", "/", {}, "{}"};
  sign(r, suite_endpoint(), Credentials{}, kSuiteTime, false);
  EXPECT_EQ(header_value(r.headers, "Authorization"), "");
  EXPECT_EQ(header_value(r.headers, "Host"), "example.amazonaws.com");
}

TEST(Endpoint, ParsesSchemeHostAndPortAndRefusesTheRest) {
  auto e = parse_endpoint("http://127.0.0.1:4566/", "eu-west-1", "sqs");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->url, "http://127.0.0.1:4566");
  EXPECT_EQ(e->host, "127.0.0.1:4566");
  auto https = parse_endpoint("https://sqs.eu-west-1.amazonaws.com:443", "eu-west-1", "sqs");
  ASSERT_TRUE(https.ok());
  EXPECT_EQ(https->host, "sqs.eu-west-1.amazonaws.com");
  for (const char* bad : {"ftp://x", "http://", "http://h/path", "http://u@h", "localhost:1"})
    EXPECT_FALSE(parse_endpoint(bad, "r", "s").ok()) << bad;
  EXPECT_EQ(aws_endpoint_url("events", "eu-west-1"), "https://events.eu-west-1.amazonaws.com");
  EXPECT_EQ(endpoint_variable("secretsmanager"), "SECRETSMANAGER_ENDPOINT");
}

// ---- credentials ----

class CredentialFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stepwise-remote-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    write("credentials",
          "# comment\n[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = s1\n"
          "[work]\naws_access_key_id=AKWORK\naws_secret_access_key=s2\naws_session_token=t2\n");
    write("config",
          "[default]\nregion = eu-west-1\n[profile cfg]\naws_access_key_id = AKCFG\n"
          "aws_secret_access_key = s3\nregion = ap-south-1\ns3 =\n  max_concurrent = 3\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const char* name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  CredentialSources sources() const {
    CredentialSources s;
    s.credentials_file = (dir_ / "credentials").string();
    s.config_file = (dir_ / "config").string();
    return s;
  }
  std::filesystem::path dir_;
};

TEST_F(CredentialFiles, EnvironmentKeysComeFirst) {
  auto s = sources();
  s.access_key_id = "AKENV";
  s.secret_access_key = "senv";
  s.session_token = "tenv";
  auto r = resolve_credentials(s);
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_EQ(r->credentials.access_key_id, "AKENV");
  EXPECT_EQ(r->credentials.session_token, "tenv");
  EXPECT_EQ(r->region, "eu-west-1");  // the default profile's region in the config file
}

TEST_F(CredentialFiles, DefaultAndNamedProfilesOfBothFiles) {
  auto r = resolve_credentials(sources());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->credentials.access_key_id, "AKDEFAULT");
  auto s = sources();
  s.profile = "work";
  s.region = "us-west-2";
  r = resolve_credentials(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->credentials.access_key_id, "AKWORK");
  EXPECT_EQ(r->credentials.session_token, "t2");
  EXPECT_EQ(r->region, "us-west-2");
  s.profile = "cfg";
  s.region = "";
  r = resolve_credentials(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->credentials.access_key_id, "AKCFG");
  EXPECT_EQ(r->region, "ap-south-1");
}

TEST_F(CredentialFiles, ErrorsNameWhatIsWrong) {
  auto s = sources();
  s.profile = "nope";
  auto r = resolve_credentials(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().cause.find("'nope'"), std::string::npos);
  s = sources();
  s.access_key_id = "AK";
  EXPECT_FALSE(resolve_credentials(s).ok());
  // No files at all: nothing found, which is not an error (requests go unsigned).
  CredentialSources none;
  none.credentials_file = (dir_ / "none").string();
  r = resolve_credentials(none);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->credentials.empty());
  EXPECT_FALSE(parse_ini("[broken\nk=v\n").ok());
}

// ---- AWS JSON ----

TEST(RemoteJson, RequestCarriesTargetAndContentType) {
  auto r = json_request({"AmazonSQS", "1.0", true}, "SendMessage",
                        json::object{{"QueueUrl", "u"}, {"MessageBody", "b"}});
  EXPECT_EQ(header_value(r.headers, "X-Amz-Target"), "AmazonSQS.SendMessage");
  EXPECT_EQ(header_value(r.headers, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(header_value(r.headers, "x-amzn-query-mode"), "true");
  EXPECT_EQ(r.body, R"({"QueueUrl":"u","MessageBody":"b"})");
}

TEST(RemoteJson, ErrorsLoseTheirNamespaceAndKeepTheQueryCode) {
  tasks::HttpResponse res;
  res.status = 400;
  res.headers = {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}};
  res.body = R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"})";
  api::Response r = json_response(res);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "QueueDoesNotExist");
  EXPECT_EQ(r.error().message, "gone");
  EXPECT_EQ(r.error().query_code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(r.error().status, 400u);
  res.body = R"({"__type":"ResourceNotFoundException:http://x","Message":"no table"})";
  res.headers.clear();
  r = json_response(res);
  EXPECT_EQ(r.error().type, "ResourceNotFoundException");
  EXPECT_EQ(r.error().message, "no table");
  res.status = 503;
  res.body = "<html>";
  EXPECT_EQ(json_response(res).error().type, "InternalFailure");
  res.status = 200;
  res.body = R"({"MessageId":"m"})";
  EXPECT_EQ(json::dump(json_response(res).body()), R"({"MessageId":"m"})");
  res.body = "not json";
  EXPECT_TRUE(json_response(res).is_error());
}

// ---- SNS query ----

TEST(RemoteSns, RequestIsTheFormTheBuiltInDecodesBackToTheSameJson) {
  json::object request{
      {"TopicArn", "arn:aws:sns:us-east-1:1:t"},
      {"Message", "hi & bye"},
      {"MessageAttributes",
       json::object{{"color", json::object{{"DataType", "String"}, {"StringValue", "red"}}}}},
      {"PublishBatchRequestEntries", json::array{json::object{{"Id", "1"}, {"Message", "a"}},
                                                 json::object{{"Id", "2"}, {"Message", "b"}}}},
      {"Attributes", json::object{{"RawMessageDelivery", "true"}}}};
  OutboundRequest r = sns_request("Publish", request);
  EXPECT_TRUE(r.body.starts_with("Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns"));
  EXPECT_NE(r.body.find("&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value."
                        "DataType=String"),
            std::string::npos);
  EXPECT_NE(r.body.find("&PublishBatchRequestEntries.member.2.Id=2"), std::string::npos);
  EXPECT_NE(r.body.find("&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value="
                        "true"),
            std::string::npos);
  auto form = api::decode_form(r.body);
  ASSERT_TRUE(form.ok());
  auto back = sns::form_to_json(*form.form);
  ASSERT_FALSE(back.error);
  EXPECT_TRUE(json::equal(back.request, request)) << json::dump(back.request);
}

TEST(RemoteSns, AnswersReadBackWhatTheBuiltInWrites) {
  const std::vector<std::pair<std::string, json::object>> answers = {
      {"Publish", json::object{{"MessageId", "m-1"}}},
      {"ListTopics", json::object{{"Topics", json::array{json::object{{"TopicArn", "a"}},
                                                         json::object{{"TopicArn", "b"}}}},
                                  {"NextToken", "n"}}},
      {"ListSubscriptions", json::object{{"Subscriptions", json::array{}}}},
      {"GetTopicAttributes",
       json::object{{"Attributes", json::object{{"Policy", "{\"a\":1}"}, {"Owner", "1"}}}}},
      {"PublishBatch",
       json::object{{"Successful", json::array{json::object{{"Id", "1"}, {"MessageId", "m"}}}},
                    {"Failed", json::array{json::object{{"Id", "2"},
                                                        {"Code", "InvalidParameter"},
                                                        {"Message", "bad"},
                                                        {"SenderFault", true}}}}}},
      {"DeleteTopic", json::object{}},
  };
  for (const auto& [action, answer] : answers) {
    tasks::HttpResponse res;
    res.status = 200;
    res.body = sns::response_xml(action, answer, "rid");
    api::Response r = sns_response(action, res);
    ASSERT_FALSE(r.is_error()) << action << ": " << r.error().message;
    EXPECT_TRUE(json::equal(r.body(), answer))
        << action << ": " << json::dump(r.body()) << " from " << res.body;
  }
}

TEST(RemoteSns, ErrorResponsesBecomeTheBuiltInsErrors) {
  tasks::HttpResponse res;
  res.status = 404;
  res.body =
      "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender"
      "</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>x"
      "</RequestId></ErrorResponse>";
  api::Response r = sns_response("Publish", res);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "NotFound");
  EXPECT_EQ(r.error().message, "Topic does not exist");
  EXPECT_EQ(r.error().status, 404u);
  res.status = 200;
  res.body = "<Other/>";
  EXPECT_TRUE(sns_response("Publish", res).is_error());
}

// ---- S3 REST ----

TEST(RemoteS3, PutObjectIsAPathStylePutWithTheSdksHeaders) {
  json::object r{{"Bucket", "b"},
                 {"Key", "dir/a key+é.txt"},
                 {"Body", "\"hello\""},
                 {"ContentType", "text/plain"},
                 {"Metadata", json::object{{"Owner", "me"}}},
                 {"CacheControl", "no-cache"},
                 {"ChecksumAlgorithm", "CRC32"}};
  S3Encoded e = s3_request("PutObject", r);
  ASSERT_TRUE(e.request);
  EXPECT_EQ(e.request->method, "PUT");
  EXPECT_EQ(e.request->target, "/b/dir/a%20key%2B%C3%A9.txt");
  EXPECT_EQ(e.request->body, "\"hello\"");
  EXPECT_EQ(header_value(e.request->headers, "x-amz-meta-owner"), "me");
  EXPECT_EQ(header_value(e.request->headers, "Cache-Control"), "no-cache");
  EXPECT_EQ(header_value(e.request->headers, "x-amz-checksum-crc32"),
            s3::checksum_base64("CRC32", "\"hello\""));
}

TEST(RemoteS3, ListingsCopiesAndDeletesEncodeTheirParameters) {
  auto list = s3_request(
      "ListObjectsV2",
      json::object{{"Bucket", "b"}, {"Prefix", "a b/"}, {"Delimiter", "/"}, {"MaxKeys", 5}});
  ASSERT_TRUE(list.request);
  EXPECT_EQ(list.request->target, "/b?list-type=2&prefix=a%20b%2F&delimiter=%2F&max-keys=5");
  auto copy = s3_request("CopyObject",
                         json::object{{"Bucket", "b"}, {"Key", "k2"}, {"CopySource", "src/a b"}});
  ASSERT_TRUE(copy.request);
  EXPECT_EQ(header_value(copy.request->headers, "x-amz-copy-source"), "src/a%20b");
  copy = s3_request(
      "CopyObject",
      json::object{{"Bucket", "b"}, {"Key", "k2"}, {"CopySource", "src/k?versionId=v1"}});
  ASSERT_TRUE(copy.request);
  EXPECT_EQ(header_value(copy.request->headers, "x-amz-copy-source"), "src/k?versionId=v1");
  auto del = s3_request(
      "DeleteObjects",
      json::object{{"Bucket", "b"},
                   {"Delete", json::object{{"Objects", json::array{json::object{{"Key", "a<"}}}},
                                           {"Quiet", true}}}});
  ASSERT_TRUE(del.request);
  EXPECT_EQ(del.request->target, "/b?delete=");
  EXPECT_NE(del.request->body.find("<Quiet>true</Quiet><Object><Key>a&lt;</Key></Object>"),
            std::string::npos);
  EXPECT_EQ(header_value(del.request->headers, "Content-MD5").size(), 24u);
  EXPECT_FALSE(s3_request("GetObject", json::object{{"Bucket", "b"}}).request);
  auto multipart = s3_request("UploadPart", json::object{{"Bucket", "b"}, {"Key", "k"}});
  ASSERT_FALSE(multipart.request);
  EXPECT_EQ(multipart.error.type, "NotImplemented");
}

TEST(RemoteS3, GetObjectHeadersBecomeTheBuiltInsMembers) {
  tasks::HttpResponse res;
  res.status = 200;
  res.headers = {{"Accept-Ranges", "bytes"},
                 {"Content-Length", "7"},
                 {"Content-Type", "text/plain"},
                 {"ETag", "\"abc\""},
                 {"Last-Modified", "Tue, 02 Dec 2025 10:00:09 GMT"},
                 {"x-amz-meta-owner", "me"},
                 {"x-amz-server-side-encryption", "AES256"}};
  res.body = "\"hello\"";
  api::Response r = s3_response("GetObject", json::object{}, res);
  ASSERT_FALSE(r.is_error());
  EXPECT_EQ(json::dump(r.body()),
            R"({"AcceptRanges":"bytes","ContentLength":7,"ContentType":"text/plain",)"
            R"("ETag":"\"abc\"","LastModified":"2025-12-02T10:00:09Z",)"
            R"("Metadata":{"owner":"me"},"ServerSideEncryption":"AES256",)"
            R"("Body":"\"hello\""})");
}

TEST(RemoteS3, ListingXmlBecomesJson) {
  tasks::HttpResponse res;
  res.status = 200;
  res.body =
      "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
      "<IsTruncated>false</IsTruncated><Contents><Key>a</Key><LastModified>"
      "2025-01-02T03:04:05.000Z</LastModified><ETag>\"e\"</ETag><Size>3</Size><StorageClass>"
      "STANDARD</StorageClass></Contents><CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes>"
      "</ListBucketResult>";
  api::Response r = s3_response("ListObjectsV2", json::object{}, res);
  ASSERT_FALSE(r.is_error());
  EXPECT_EQ(json::dump(r.body()),
            R"({"Name":"b","Prefix":"","KeyCount":2,"MaxKeys":1000,"IsTruncated":false,)"
            R"("Contents":[{"Key":"a","LastModified":"2025-01-02T03:04:05Z","ETag":"\"e\"",)"
            R"("Size":3,"StorageClass":"STANDARD"}],"CommonPrefixes":[{"Prefix":"d/"}]})");
}

TEST(RemoteS3, ErrorsComeFromTheDocumentOrTheStatus) {
  tasks::HttpResponse res;
  res.status = 404;
  res.body =
      "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
      "</Error>";
  api::Response r = s3_response("GetObject", json::object{}, res);
  EXPECT_EQ(r.error().type, "NoSuchKey");
  EXPECT_EQ(r.error().message, "The specified key does not exist.");
  res.body.clear();
  EXPECT_EQ(s3_response("HeadObject", json::object{}, res).error().type, "NoSuchKey");
  EXPECT_EQ(s3_response("HeadObject", json::object{}, res).error().message, "null");
  EXPECT_EQ(s3_response("HeadBucket", json::object{}, res).error().type, "NoSuchBucket");
  res.status = 403;
  EXPECT_EQ(s3_response("HeadObject", json::object{}, res).error().type, "Forbidden");
  EXPECT_EQ(s3_time("2026-12-02T10:00:00.123Z"), "2026-12-02T10:00:00Z");
  EXPECT_EQ(s3_time("Wed, 02 Dec 2026 10:00:00 GMT"), "2026-12-02T10:00:00Z");
  EXPECT_EQ(s3_time("garbage"), "garbage");
}

// ---- over HTTP ----

TEST(AwsClient, ACallReachesTheEndpointSignedAsTheServerVerifies) {
  tasks::testing::TestHttpServer server([](const tasks::testing::TestRequest&) {
    tasks::testing::TestResponse res;
    res.headers = {{"Content-Type", "application/x-amz-json-1.0"}};
    res.body = R"({"QueueUrl":"http://q/1/q"})";
    return res;
  });
  ManualClock clock(kSuiteTime + 86'400'000);
  AwsClient client(clock, Credentials{"AKIDTEST", "secret-test", ""});
  auto endpoint = parse_endpoint(server.url(""), "eu-west-1", "sqs");
  ASSERT_TRUE(endpoint.ok());
  RemoteJsonDispatcher sqs(client, *endpoint, {"AmazonSQS", "1.0", true});
  std::promise<api::Response> answer;
  sqs.dispatch("GetQueueUrl", json::object{{"QueueName", "q"}}, api::RequestInfo{},
               [&](api::Response r) { answer.set_value(std::move(r)); });
  api::Response r = answer.get_future().get();
  ASSERT_FALSE(r.is_error()) << r.error().message;
  EXPECT_EQ(json::dump(r.body()), R"({"QueueUrl":"http://q/1/q"})");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  api::SignedRequest got{seen[0].method, seen[0].target, {}, seen[0].body};
  for (const auto& [k, v] : seen[0].headers) got.headers.emplace_back(k, v);
  api::KeyStore keys;
  keys.add("AKIDTEST", "secret-test");
  auto verified = api::verify_sigv4(got, keys, clock.now_ms(), {.service = "sqs"});
  EXPECT_TRUE(verified.ok()) << verified.error.type << ": " << verified.error.message;
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified.identity->region, "eu-west-1");
  keys = api::KeyStore();
  keys.add("AKIDTEST", "another-secret");
  EXPECT_FALSE(api::verify_sigv4(got, keys, clock.now_ms(), {.service = "sqs"}).ok());
}

TEST(AwsClient, UnreachableEndpointsAndOversizeAnswersFailInTheServicesShape) {
  tasks::testing::TestHttpServer server([](const tasks::testing::TestRequest&) {
    tasks::testing::TestResponse res;
    res.body = std::string(9 * 1024 * 1024, 'x');  // over remote_limits::response_bytes_max
    return res;
  });
  ManualClock clock(kSuiteTime);
  AwsClient client(clock, Credentials{});
  for (const std::string& url : {server.url(""), std::string("http://127.0.0.1:1")}) {
    auto endpoint = parse_endpoint(url, "us-east-1", "sqs");
    ASSERT_TRUE(endpoint.ok()) << url;
    RemoteJsonDispatcher sqs(client, *endpoint, {"AmazonSQS", "1.0", true});
    std::promise<api::Response> answer;
    sqs.dispatch("ListQueues", json::object{}, api::RequestInfo{},
                 [&](api::Response r) { answer.set_value(std::move(r)); });
    api::Response r = answer.get_future().get();
    ASSERT_TRUE(r.is_error()) << url;
    EXPECT_EQ(r.error().type, "ServiceUnavailable");
    EXPECT_NE(r.error().message.find(endpoint->url), std::string::npos) << r.error().message;
  }
}

TEST(RemoteServices, RegistersTheBuiltInsIntegrationNamesAndRefusesUnknownServices) {
  ManualClock clock(kSuiteTime);
  auto remote = RemoteServices::open({.clock = clock,
                                      .credentials = {},
                                      .region = "us-east-1",
                                      .endpoints = {{"sqs", "http://127.0.0.1:9", ""},
                                                    {"s3", "aws", "eu-west-1"},
                                                    {"events", "http://127.0.0.1:9", ""}}});
  ASSERT_TRUE(remote.ok()) << remote.error().cause;
  tasks::IntegrationRegistry registry;
  ASSERT_TRUE((*remote)->add_integrations(registry).ok());
  EXPECT_NE(registry.runner_named("sqs:sendMessage"), nullptr);
  EXPECT_EQ(registry.runner_named("sns:publish"), nullptr);
  EXPECT_NE((*remote)->find("s3"), nullptr);
  EXPECT_EQ((*remote)->routes()[1].second, "https://s3.eu-west-1.amazonaws.com");
  tasks::TaskRequest event_task;
  event_task.resource = "arn:aws:states:::aws-sdk:eventbridge:putEvents";
  EXPECT_NE(registry.runner_for(event_task), nullptr);
  auto refused = [&](std::vector<EndpointSetting> endpoints) {
    return !RemoteServices::open({.clock = clock,
                                  .credentials = {},
                                  .region = "us-east-1",
                                  .endpoints = std::move(endpoints)})
                .ok();
  };
  EXPECT_TRUE(refused({{"lambda", "http://h", ""}}));
  EXPECT_TRUE(refused({{"sqs", "http://h", ""}, {"sqs", "http://i", ""}}));
  EXPECT_TRUE(refused({{"sqs", "h:1", ""}}));
}

TEST(RemoteServices, ReloadSwapsEndpointsAndCredentialsOrChangesNothing) {
  ManualClock clock(kSuiteTime);
  auto remote = RemoteServices::open(
      {.clock = clock,
       .credentials = {},
       .region = "us-east-1",
       .endpoints = {{"sqs", "http://127.0.0.1:9", ""}, {"s3", "http://127.0.0.1:10", ""}}});
  ASSERT_TRUE(remote.ok()) << remote.error().cause;
  RemoteServices& r = **remote;
  EXPECT_FALSE(r.signs());
  const Credentials keys{"AKIDNEW", "new-secret", "token"};
  // Each refusal leaves the routes and the (absent) credentials as they were.
  auto refused = [&](std::vector<EndpointSetting> endpoints) {
    auto s = r.reload(keys, "us-east-1", endpoints);
    return !s.ok() && s.error().name == "Usage" && r.url_of("sqs") == "http://127.0.0.1:9" &&
           !r.signs();
  };
  EXPECT_TRUE(refused({{"sqs", "http://127.0.0.1:11", ""}}));  // s3 lost its endpoint
  EXPECT_TRUE(refused({{"sqs", "http://127.0.0.1:11", ""},
                       {"s3", "http://127.0.0.1:10", ""},
                       {"sns", "http://127.0.0.1:12", ""}}));  // sns routed anew
  EXPECT_TRUE(refused({{"sqs", "ftp://h", ""}, {"s3", "http://127.0.0.1:10", ""}}));
  EXPECT_TRUE(refused({{"sqs", "http://a", ""}, {"sqs", "http://b", ""}}));

  ASSERT_TRUE(
      r.reload(keys, "eu-west-1", {{"s3", "aws", ""}, {"sqs", "http://127.0.0.1:11", ""}}).ok());
  EXPECT_EQ(r.url_of("sqs"), "http://127.0.0.1:11");
  EXPECT_EQ(r.url_of("s3"), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(r.url_of("sns"), "");
  EXPECT_TRUE(r.signs());
  EXPECT_EQ(r.routes()[0], (std::pair<std::string, std::string>{"sqs", "http://127.0.0.1:11"}));
}

}  // namespace
}  // namespace stepwise::services::remote
