// Known-answer vectors were produced by botocore 1.43 (SigV4Auth, an independent
// implementation) signing the requests below; the server must accept exactly those signatures.
#include "api/sigv4.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

namespace stepwise::api {
namespace {

// 2026-11-25T13:03:00Z
constexpr Millis kVector1Ms = 1795611780000;

KeyStore example_keys() {
  KeyStore keys;
  keys.add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  keys.add("AKID2", "secret/two");
  return keys;
}

const char* const kBody =
    R"({"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:demo","input":"{\"a\":1}"})";

SignedRequest botocore_post() {
  SignedRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {
      {"Host", "sync-127.0.0.1:8083"},
      {"Content-Type", "application/x-amz-json-1.0"},
      {"X-Amz-Target", "AWSStepFunctions.StartSyncExecution"},
      {"X-Amz-Date", "20261125T130300Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-3/states/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=1feac81573b6ddfd6f64bc8f66431bc135b9869afe1aa0a75299103397b3d369"},
  };
  r.body = kBody;
  return r;
}

void set_header(SignedRequest& r, const std::string& name, const std::string& value) {
  for (auto& [n, v] : r.headers)
    if (n == name) v = value;
}

TEST(SigV4, AcceptsBotocoreSignedPost) {
  auto keys = example_keys();
  Verified v = verify_sigv4(botocore_post(), keys, kVector1Ms + 5000);
  ASSERT_TRUE(v.ok()) << v.error.type << ": " << v.error.message;
  EXPECT_EQ(v.identity->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(v.identity->region, "eu-west-3");
}

TEST(SigV4, AcceptsBotocoreSignedGetWithQueryDotSegmentsAndSpaces) {
  SignedRequest r;
  r.method = "GET";
  r.target = "/x/a%20b/./c?b=2&a=z%2F&a=1&empty";
  r.headers = {
      {"X-Custom", "  a   b  "},
      {"Host", "localhost:8083"},
      {"X-Amz-Date", "20261125T130306Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKID2/20261125/us-east-1/states/aws4_request, "
       "SignedHeaders=host;x-amz-date;x-custom, "
       "Signature=16bb6f2f283b56b814da61f471a57a291b19c2c20ce9190534328cd4ea2ca945"},
  };
  auto keys = example_keys();
  Verified v = verify_sigv4(r, keys, kVector1Ms);
  ASSERT_TRUE(v.ok()) << v.error.type << ": " << v.error.message;
  EXPECT_EQ(sigv4::canonical_request(r, {"host", "x-amz-date", "x-custom"}),
            "GET\n/x/a%2520b/c\na=1&a=z%2F&b=2&empty=\nhost:localhost:8083\n"
            "x-amz-date:20261125T130306Z\nx-custom:a b\n\nhost;x-amz-date;x-custom\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4, TamperedBodyIsInvalidSignature) {
  auto keys = example_keys();
  SignedRequest r = botocore_post();
  std::string body = std::string(kBody) + " ";
  r.body = body;
  Verified v = verify_sigv4(r, keys, kVector1Ms);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "InvalidSignatureException");
  EXPECT_EQ(v.error.status, 400u);
  EXPECT_NE(v.error.message.find("does not match the signature you provided"), std::string::npos);
}

TEST(SigV4, WrongSecretIsInvalidSignature) {
  KeyStore keys;
  keys.add("AKIDEXAMPLE", "another secret");
  Verified v = verify_sigv4(botocore_post(), keys, kVector1Ms);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "InvalidSignatureException");
}

TEST(SigV4, UnknownKeyIsUnrecognizedClient) {
  KeyStore keys;
  keys.add("SOMEONEELSE", "x");
  Verified v = verify_sigv4(botocore_post(), keys, kVector1Ms);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "UnrecognizedClientException");
  EXPECT_EQ(v.error.message, "The security token included in the request is invalid.");
}

TEST(SigV4, MissingAuthorizationIsMissingAuthenticationToken) {
  SignedRequest r = botocore_post();
  r.headers.pop_back();
  auto keys = example_keys();
  Verified v = verify_sigv4(r, keys, kVector1Ms);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "MissingAuthenticationTokenException");
  EXPECT_EQ(v.error.message, "Missing Authentication Token");
}

TEST(SigV4, SignatureOlderThanFifteenMinutesIsExpired) {
  auto keys = example_keys();
  Millis now = kVector1Ms + 15 * 60 * 1000 + 1000;
  Verified v = verify_sigv4(botocore_post(), keys, now);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "InvalidSignatureException");
  EXPECT_EQ(v.error.message,
            "Signature expired: 20261125T130300Z is now earlier than 20261125T130301Z "
            "(20261125T131801Z - 15 min.)");
  EXPECT_TRUE(verify_sigv4(botocore_post(), keys, kVector1Ms + 15 * 60 * 1000).ok());
}

TEST(SigV4, SignatureFromTheFutureIsNotYetCurrent) {
  auto keys = example_keys();
  Verified v = verify_sigv4(botocore_post(), keys, kVector1Ms - 16 * 60 * 1000);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "InvalidSignatureException");
  EXPECT_EQ(v.error.message.rfind("Signature not yet current: 20261125T130300Z", 0), 0u);
}

TEST(SigV4, WrongServiceInScopeIsRejected) {
  auto keys = example_keys();
  SignedRequest r = botocore_post();
  set_header(r, "Authorization",
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-3/lambda/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00");
  Verified v = verify_sigv4(r, keys, kVector1Ms);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "InvalidSignatureException");
  EXPECT_EQ(v.error.message, "Credential should be scoped to correct service: 'states'. ");
}

TEST(SigV4, MissingPartsAreIncompleteSignature) {
  auto keys = example_keys();
  SignedRequest r = botocore_post();
  set_header(r, "Authorization",
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/x/states/aws4_request");
  Verified v = verify_sigv4(r, keys, kVector1Ms);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "IncompleteSignatureException");
  EXPECT_NE(v.error.message.find("requires 'Signature' parameter"), std::string::npos);
  EXPECT_NE(v.error.message.find("requires 'SignedHeaders' parameter"), std::string::npos);
}

TEST(SigV4, HostMustBeSigned) {
  auto keys = example_keys();
  SignedRequest r = botocore_post();
  set_header(r, "Authorization",
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-3/states/aws4_request, "
             "SignedHeaders=content-type;x-amz-date, Signature=00");
  Verified v = verify_sigv4(r, keys, kVector1Ms);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "IncompleteSignatureException");
}

TEST(SigV4, ScopeDateMustMatchAmzDate) {
  auto keys = example_keys();
  SignedRequest r = botocore_post();
  set_header(r, "X-Amz-Date", "20261126T000000Z");
  Verified v = verify_sigv4(r, keys, kVector1Ms);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error.type, "InvalidSignatureException");
  EXPECT_NE(v.error.message.find("'20261125' != '20261126'"), std::string::npos);
}

TEST(SigV4, GarbageAuthorizationNeverCrashes) {
  auto keys = example_keys();
  for (const char* h : {"", " ", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ,,,===,", "Bearer x",
                        "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=",
                        "AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=zz"}) {
    SignedRequest r = botocore_post();
    set_header(r, "Authorization", h);
    EXPECT_FALSE(verify_sigv4(r, keys, kVector1Ms).ok()) << h;
  }
}

TEST(SigV4, OwnSignerRoundTripsThroughVerifier) {
  SignedRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "127.0.0.1:8083"},
               {"X-Amz-Date", sigv4::amz_date(kVector1Ms)},
               {"X-Amz-Target", "AWSStepFunctions.ListStateMachines"}};
  r.body = "{}";
  r.headers.emplace_back("Authorization",
                         sigv4::authorization(r, "AKID2", "secret/two", "ap-south-1", "states",
                                              sigv4::amz_date(kVector1Ms)));
  auto keys = example_keys();
  Verified v = verify_sigv4(r, keys, kVector1Ms);
  ASSERT_TRUE(v.ok()) << v.error.message;
  EXPECT_EQ(v.identity->region, "ap-south-1");
}

TEST(SigV4, Sha256AndHmacMatchRfcVectors) {
  EXPECT_EQ(sigv4::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(sigv4::hex(sigv4::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SigV4, EveryOneByteChangeToASignedHeaderValueIsRejected) {
  auto keys = example_keys();
  std::mt19937 rng(7);
  const SignedRequest good = botocore_post();
  int checked = 0;
  for (int i = 0; i < 3000; ++i) {
    SignedRequest r = good;
    std::string& value = r.headers[rng() % r.headers.size()].second;
    std::size_t pos = rng() % value.size();
    char replacement = static_cast<char>(rng() % 256);
    if (replacement == value[pos]) continue;
    value[pos] = replacement;
    ++checked;
    Verified v = verify_sigv4(r, keys, kVector1Ms);
    EXPECT_FALSE(v.ok()) << r.headers[0].second << " | " << value;
  }
  EXPECT_GT(checked, 2900);
}

TEST(KeyStore, ParsesJsonObjectOfKeys) {
  auto keys = KeyStore::parse(R"({"AKIA1": "s1", "AKIA2": "s2"})");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
  ASSERT_NE(keys->secret_for("AKIA2"), nullptr);
  EXPECT_EQ(*keys->secret_for("AKIA2"), "s2");
  EXPECT_EQ(keys->secret_for("AKIA3"), nullptr);
}

TEST(KeyStore, RejectsMalformedFiles) {
  for (const char* text : {"", "[]", "{}", R"({"a": 1})", R"({"a": ""})", "not json"})
    EXPECT_FALSE(KeyStore::parse(text).ok()) << text;
  EXPECT_FALSE(KeyStore::load_file("/nonexistent/keys.json").ok());
}

}  // namespace
}  // namespace stepwise::api
