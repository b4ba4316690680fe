// CaseReplay's post calls: the snapshot forms (each_list_item, snapshot_path/response_path),
// boto3's value types, ResponseMetadata and the soft paths, and receives repeated until the
// recorded count of messages arrived, sorted as the test sorted them.
#include "conformance/service_calls.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stepwise::conformance {
namespace {

Case make_case(const std::string& doc_json) {
  Case c;
  c.name = "synthetic";
  c.category = "service_integrations";
  c.kind = "execution";
  auto doc = json::parse(doc_json);
  EXPECT_TRUE(doc.ok()) << doc_json;
  c.doc = doc->get_object();
  return c;
}

// A built-in "s3" whose GetObject answers a fixed object and writes down each request.
class FakeS3 final : public api::Dispatcher {
 public:
  void dispatch(std::string_view operation, json::value request, const api::RequestInfo&,
                api::Reply reply) override {
    requests.push_back(std::string(operation) + " " + json::dump(request));
    reply(json::object{{"Body", "{\"Dict\":\"Value\"}"},
                       {"ContentLength", 16},
                       {"ContentType", "application/json"},
                       {"ETag", "\"49e3\""},
                       {"LastModified", "2025-01-02T03:04:05.000Z"},
                       {"Metadata", json::object{}}});
  }
  std::vector<std::string> requests;
};

// A built-in "sqs" whose ReceiveMessage answers nothing, then one message per call, from
// `bodies` in order.
class FakeSqs final : public api::Dispatcher {
 public:
  void dispatch(std::string_view, json::value, const api::RequestInfo&, api::Reply reply) override {
    ++calls;
    if (calls == 1 || bodies.empty()) return reply(json::object{});
    json::array messages{json::object{{"Body", bodies.front()}}};
    bodies.erase(bodies.begin());
    reply(json::object{{"Messages", std::move(messages)}});
  }
  std::vector<std::string> bodies;
  int calls = 0;
};

class FakeService final : public CaseService {
 public:
  void dispatch(std::string_view, json::value, const api::RequestInfo&, api::Reply reply) override {
    reply(json::object{});
  }
  void release_clock() override {}
  api::Dispatcher* builtin(std::string_view service) override {
    if (service == "sqs") return &sqs;
    return service == "s3" ? &s3 : nullptr;
  }
  FakeS3 s3;
  FakeSqs sqs;
};

// A case with one s3.get_object post call recording `recorded` as `from` describes.
std::string post_call_case(const std::string& recorded, const std::string& from) {
  return R"({"normalisation": {"replacements": [],
                               "localstack_skip_verify_paths": ["$..ContentType"]},
             "post_calls": [{"service": "s3", "operation": "get_object",
                             "params": {"Bucket": "b", "Key": "k"},
                             "snapshot_key": "get-s3-object", "recorded": )" +
         recorded + R"(, "snapshot_value_from": )" + from + "}]}";
}

constexpr const char* kWhole = R"([{"snapshot_path": [], "response_path": []}])";

Status finish(FakeService& svc, const std::string& doc, std::vector<std::string>& soft) {
  Case c = make_case(doc);
  CaseReplay replay(c, svc);
  json::value input = json::object{};
  return replay.finish(input, nullptr, soft);
}

TEST(CaseReplayPostCalls, WholeAnswerSnapshotMatchesWithDatetimeAndMetadataIgnored) {
  FakeService svc;
  std::vector<std::string> soft;
  auto s = finish(svc,
                  post_call_case(R"({"Body": {"Dict": "Value"}, "ContentLength": 16,
                                     "ContentType": "text/plain", "ETag": "\"49e3\"",
                                     "LastModified": "datetime", "Metadata": {},
                                     "ResponseMetadata": {"HTTPStatusCode": 200}})",
                                 kWhole),
                  soft);
  EXPECT_TRUE(s.ok()) << s.error().cause;
  // ContentType differs only on a soft path: noted, not failed.
  ASSERT_EQ(soft.size(), 1u);
  EXPECT_NE(soft[0].find("ContentType"), std::string::npos) << soft[0];
  // The read asks for the checksum, as boto3 does.
  ASSERT_EQ(svc.s3.requests.size(), 1u);
  EXPECT_NE(svc.s3.requests[0].find(R"("ChecksumMode":"ENABLED")"), std::string::npos);
}

TEST(CaseReplayPostCalls, WholeAnswerSnapshotReportsTheFirstDifference) {
  FakeService svc;
  std::vector<std::string> soft;
  auto s = finish(svc,
                  post_call_case(R"({"Body": {"Dict": "Other"}, "ContentLength": 16,
                                     "ContentType": "text/plain", "ETag": "\"49e3\"",
                                     "LastModified": "datetime", "Metadata": {}})",
                                 kWhole),
                  soft);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().name, "PostCallSnapshot");
  EXPECT_NE(s.error().cause.find("Body.Dict"), std::string::npos) << s.error().cause;
}

TEST(CaseReplayPostCalls, APartPlacedAtItsSnapshotPath) {
  FakeService svc;
  std::vector<std::string> soft;
  const std::string from =
      R"([{"snapshot_path": ["tag"], "response_path": ["ETag"]},
          {"snapshot_path": ["body", "text"], "response_path": ["Body", "$json", "Dict"]}])";
  auto ok =
      finish(svc, post_call_case(R"({"tag": "\"49e3\"", "body": {"text": "Value"}})", from), soft);
  EXPECT_TRUE(ok.ok()) << ok.error().cause;
  auto missing = finish(svc, post_call_case(R"({"tag": "\"49e3\""})", from), soft);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().cause.find("body"), std::string::npos) << missing.error().cause;
}

TEST(CaseReplayPostCalls, AResponsePathThatReachesNothingFails) {
  FakeService svc;
  std::vector<std::string> soft;
  auto s = finish(
      svc,
      post_call_case(R"({"x": 1})", R"([{"snapshot_path": ["x"], "response_path": ["Nope"]}])"),
      soft);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().name, "PostCallFailed");
}

TEST(CaseReplayPostCalls, AnUnknownSpecIsRefused) {
  FakeService svc;
  std::vector<std::string> soft;
  auto s = finish(svc, post_call_case(R"({"x": 1})", R"([{"somehow": []}])"), soft);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().cause.find("unsupported snapshot spec"), std::string::npos);
}

TEST(CaseReplayPostCalls, ADatetimeSnapshotDoesNotMatchPlainText) {
  FakeService svc;
  std::vector<std::string> soft;
  // ETag is text in boto3's answer too: "datetime" is no wildcard for it.
  auto s = finish(svc,
                  post_call_case(R"({"ETag": "datetime"})",
                                 R"([{"snapshot_path": ["ETag"], "response_path": ["ETag"]}])"),
                  soft);
  EXPECT_FALSE(s.ok());
}

TEST(CaseReplayPostCalls, ReceivesUntilTheRecordedCountArrivedSortedByDetail) {
  FakeService svc;
  svc.sqs.bodies = {R"({"id": "b", "detail": {"Message": "B"}})",
                    R"({"id": "a", "detail": {"Message": "A"}})"};
  std::vector<std::string> soft;
  const std::string semantics =
      "repeat ReceiveMessage until 2 message(s) were received in all (polled up to 60 s); the "
      "snapshot holds the Body of each message, sorted by json.dumps(event['detail'])";
  auto s = finish(svc,
                  R"({"normalisation": {"replacements": []},
      "post_calls": [{"service": "sqs", "operation": "receive_message",
                      "params": {"QueueUrl": "q"}, "snapshot_key": "stepfunctions_events",
                      "recorded": [{"id": "a", "detail": {"Message": "A"}},
                                   {"id": "b", "detail": {"Message": "B"}}],
                      "snapshot_value_from": [{"each_list_item":
                                               ["Messages", "*", "Body", "$json"]}],
                      "semantics": ")" +
                      semantics + R"("}]})",
                  soft);
  EXPECT_TRUE(s.ok()) << s.error().cause;
  EXPECT_EQ(svc.sqs.calls, 3);  // an empty answer, then one message each
}

}  // namespace
}  // namespace stepwise::conformance
