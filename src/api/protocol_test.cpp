#include "api/protocol.h"

#include <gtest/gtest.h>

#include <random>

namespace stepwise::api {
namespace {

namespace http = boost::beast::http;

HttpRequest make(std::string target_header, std::string body, http::verb verb = http::verb::post,
                 std::string path = "/") {
  HttpRequest r{verb, path, 11};
  if (!target_header.empty()) r.set("X-Amz-Target", target_header);
  r.set(http::field::content_type, "application/x-amz-json-1.0");
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

TEST(Protocol, DecodesOperationAndObjectBody) {
  Decoded d = decode_call(make("AWSStepFunctions.StartExecution", R"({"name":"e1"})"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.call->operation, "StartExecution");
  EXPECT_EQ(json::dump(d.call->input), R"({"name":"e1"})");
}

TEST(Protocol, EmptyBodyIsEmptyObject) {
  Decoded d = decode_call(make("AWSStepFunctions.ListStateMachines", ""));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(json::dump(d.call->input), "{}");
}

TEST(Protocol, QueryStringOnRootPathIsIgnored) {
  Decoded d = decode_call(make("AWSStepFunctions.ListActivities", "{}", http::verb::post, "/?x=1"));
  EXPECT_TRUE(d.ok());
}

TEST(Protocol, WrongOrMissingTargetIsUnknownOperation) {
  for (const char* t : {"", "AWSStepFunctions.", "AWSStepFunctions", "DynamoDB_20120810.ListTables",
                        "AWSStepFunctions.List-Things", "awsstepfunctions.ListActivities"}) {
    Decoded d = decode_call(make(t, "{}"));
    ASSERT_FALSE(d.ok()) << t;
    EXPECT_EQ(d.error.type, "UnknownOperationException") << t;
    EXPECT_EQ(d.error.status, 400u);
  }
}

TEST(Protocol, WrongMethodOrPathIsUnknownOperation) {
  EXPECT_EQ(decode_call(make("AWSStepFunctions.ListActivities", "", http::verb::get)).error.type,
            "UnknownOperationException");
  EXPECT_EQ(
      decode_call(make("AWSStepFunctions.ListActivities", "{}", http::verb::post, "/x")).error.type,
      "UnknownOperationException");
}

TEST(Protocol, BodiesThatAreNotJsonObjectsAreSerializationErrors) {
  for (std::string body :
       {std::string("garbage"), std::string("[1,2]"), std::string("\"s\""), std::string("{\"a\":"),
        std::string("{\"a\":\"\xff\"}"), std::string("42"), std::string("{} {}")}) {
    Decoded d = decode_call(make("AWSStepFunctions.StartExecution", body));
    ASSERT_FALSE(d.ok()) << body;
    EXPECT_EQ(d.error.type, "SerializationException") << body;
  }
}

TEST(Protocol, DeeplyNestedBodyIsRejectedNotRecursed) {
  std::string body = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  Decoded d = decode_call(make("AWSStepFunctions.StartExecution", body));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error.type, "SerializationException");
}

TEST(Protocol, SuccessResponseCarriesJsonAndRequestId) {
  HttpResponse r = encode_response(Response(json::object{{"a", 1}}), "rid-1", 11, true);
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r[http::field::content_type], "application/x-amz-json-1.0");
  EXPECT_EQ(r["x-amzn-RequestId"], "rid-1");
  EXPECT_EQ(r.body(), R"({"a":1})");
  EXPECT_TRUE(r.keep_alive());
  EXPECT_EQ(r[http::field::content_length], "7");
}

TEST(Protocol, ErrorResponseHasTypeInBodyAndHeader) {
  HttpResponse r = encode_response(Response(ApiError{"StateMachineDoesNotExist", "no \"x\"", 400}),
                                   "rid-2", 11, false);
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_EQ(r["x-amzn-ErrorType"], "StateMachineDoesNotExist");
  EXPECT_EQ(r.body(), R"({"__type":"StateMachineDoesNotExist","message":"no \"x\""})");
  EXPECT_FALSE(r.keep_alive());
}

TEST(Protocol, Utf8ValidatorRejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                             // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));                         // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));                     // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));                             // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));                                 // lone continuation
}

TEST(Protocol, TimestampsAreEpochSeconds) {
  EXPECT_EQ(json::dump(epoch_seconds(1700000000000)), "1700000000");
  EXPECT_EQ(json::dump(epoch_seconds(1700000000123)), "1.700000000123E9");
  EXPECT_DOUBLE_EQ(epoch_seconds(1700000000123).as_double(), 1700000000.123);
}

TEST(Protocol, TransportErrorsUseAwsTypesAndStatuses) {
  EXPECT_EQ(entity_too_large(1024).status, 413u);
  EXPECT_EQ(entity_too_large(1024).type, "RequestEntityTooLargeException");
  EXPECT_EQ(request_timeout().status, 408u);
  EXPECT_EQ(malformed_request("x").type, "MalformedHttpRequestException");
  EXPECT_EQ(service_unavailable("x").status, 503u);
}

TEST(Protocol, RandomBodiesAndTargetsNeverCrash) {
  std::mt19937 rng(20261125);
  const std::string alphabet =
      std::string("{}[]\":,.0123456789eE+-truefalsnl \\\x80\xc3\xff") + '\0' + "abc";
  for (int i = 0; i < 3000; ++i) {
    std::string body, target = "AWSStepFunctions.";
    std::size_t n = rng() % 64;
    for (std::size_t k = 0; k < n; ++k) body += alphabet[rng() % alphabet.size()];
    for (std::size_t k = rng() % 8; k > 0; --k) target += alphabet[rng() % alphabet.size()];
    Decoded d = decode_call(make(target, body));
    if (d.ok()) {
      EXPECT_TRUE(d.call->input.is_object());
    } else {
      EXPECT_TRUE(d.error.type == "SerializationException" ||
                  d.error.type == "UnknownOperationException")
          << d.error.type;
    }
  }
}

}  // namespace
}  // namespace stepwise::api
