#include "teststate/test_state.h"

#include <gtest/gtest.h>

namespace stepwise::teststate {
namespace {

class TestStateTest : public ::testing::Test {
 protected:
  Result<json::value> call(const std::string& request_json) {
    auto body = json::parse(request_json);
    EXPECT_TRUE(body.ok()) << request_json;
    TestStateOptions o;
    o.clock = &clock_;
    o.ids = &ids_;
    return test_state(*body, o);
  }
  json::value ok(const std::string& request_json) {
    auto r = call(request_json);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().name + ": " + r.error().cause);
    return r.ok() ? *r : json::value();
  }
  static std::string field(const json::value& v, const char* key) {
    if (!v.is_object() || !v.get_object().contains(key)) return "<absent>";
    const json::value& f = v.at(key);
    return f.is_string() ? std::string(f.get_string()) : json::dump(f);
  }
  ManualClock clock_{1700000000000};
  IdGenerator ids_{7};
};

TEST_F(TestStateTest, PassStateSucceedsWithoutInspectionDataAtInfo) {
  auto r = ok(R"({"definition": "{\"Type\": \"Pass\", \"End\": true}", "input": "{\"a\": 1}"})");
  EXPECT_EQ(field(r, "status"), "SUCCEEDED");
  EXPECT_EQ(field(r, "output"), R"({"a": 1})");
  EXPECT_EQ(field(r, "inspectionData"), "<absent>");
  EXPECT_EQ(field(r, "nextState"), "<absent>");
}

TEST_F(TestStateTest, DebugLevelShowsEachInputOutputStep) {
  auto r = ok(
      R"({"definition": "{\"Type\": \"Pass\", \"InputPath\": \"$.x\", \"Parameters\": {\"v.$\": \"$\"}, \"ResultPath\": \"$.out\", \"Next\": \"After\"}",
                  "input": "{\"x\": 5}", "inspectionLevel": "DEBUG"})");
  EXPECT_EQ(field(r, "status"), "SUCCEEDED");
  EXPECT_EQ(field(r, "nextState"), "After");
  const json::value& d = r.at("inspectionData");
  EXPECT_EQ(field(d, "input"), R"({"x": 5})");
  EXPECT_EQ(field(d, "afterInputPath"), "5");
  EXPECT_EQ(field(d, "afterParameters"), R"({"v": 5})");
  EXPECT_EQ(field(d, "afterResultPath"), R"({"x": 5, "out": {"v": 5}})");
  EXPECT_EQ(field(r, "output"), R"({"x": 5, "out": {"v": 5}})");
}

TEST_F(TestStateTest, AStateThatLoopsToItselfReportsItselfAsNextState) {
  auto r = ok(
      R"({"definition": "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Choice\", \"Choices\": [{\"Variable\": \"$.n\", \"NumericGreaterThan\": 0, \"Next\": \"A\"}], \"Default\": \"B\"}, \"B\": {\"Type\": \"Succeed\"}}}",
                  "stateName": "A", "input": "{\"n\": 1}"})");
  EXPECT_EQ(field(r, "status"), "SUCCEEDED");
  EXPECT_EQ(field(r, "nextState"), "A");
}

TEST_F(TestStateTest, ChoiceReportsTheMatchedBranchAsNextState) {
  auto r = ok(
      R"({"definition": "{\"Type\": \"Choice\", \"Choices\": [{\"Variable\": \"$.n\", \"NumericGreaterThan\": 1, \"Next\": \"Big\"}], \"Default\": \"Small\"}",
                  "input": "{\"n\": 3}"})");
  EXPECT_EQ(field(r, "nextState"), "Big");
}

TEST_F(TestStateTest, MockedErrorMatchingACatcherIsCaughtWithCatchIndex) {
  auto r = ok(
      R"({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"Parameters\": {\"FunctionName\": \"f\"}, \"Catch\": [{\"ErrorEquals\": [\"Other\"], \"Next\": \"A\"}, {\"ErrorEquals\": [\"States.ALL\"], \"ResultPath\": \"$.err\", \"Next\": \"B\"}], \"End\": true}",
                  "input": "{}", "inspectionLevel": "DEBUG", "mock": {"errorOutput": {"error": "Boom", "cause": "why"}}})");
  EXPECT_EQ(field(r, "status"), "CAUGHT_ERROR");
  EXPECT_EQ(field(r, "nextState"), "B");
  EXPECT_EQ(field(r, "error"), "Boom");
  EXPECT_EQ(field(r, "cause"), "why");
  EXPECT_EQ(field(r, "output"), R"({"err": {"Error": "Boom", "Cause": "why"}})");
  EXPECT_EQ(field(r.at("inspectionData"), "errorDetails"), R"({"catchIndex":1})");
}

TEST_F(TestStateTest, RetrierWithAttemptsLeftIsRetriableWithItsBackoff) {
  const std::string def =
      R"("definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"Parameters\": {}, \"Retry\": [{\"ErrorEquals\": [\"Boom\"], \"IntervalSeconds\": 2, \"MaxAttempts\": 3, \"BackoffRate\": 3}], \"End\": true}")";
  auto r = ok(
      "{" + def +
      R"(, "inspectionLevel": "DEBUG", "stateConfiguration": {"retrierRetryCount": 2}, "mock": {"errorOutput": {"error": "Boom", "cause": "c"}}})");
  EXPECT_EQ(field(r, "status"), "RETRIABLE");
  EXPECT_EQ(field(r.at("inspectionData"), "errorDetails"),
            R"({"retryIndex":0,"retryBackoffIntervalSeconds":18})");
  auto exhausted = ok(
      "{" + def +
      R"(, "stateConfiguration": {"retrierRetryCount": 3}, "mock": {"errorOutput": {"error": "Boom", "cause": "c"}}})");
  EXPECT_EQ(field(exhausted, "status"), "FAILED");
}

TEST_F(TestStateTest, FailStateFailsWithItsErrorAndCause) {
  auto r = ok(R"({"definition": "{\"Type\": \"Fail\", \"Error\": \"E\", \"Cause\": \"C\"}"})");
  EXPECT_EQ(field(r, "status"), "FAILED");
  EXPECT_EQ(field(r, "error"), "E");
  EXPECT_EQ(field(r, "cause"), "C");
}

TEST_F(TestStateTest, FailStateWithoutCauseAnswersNoCause) {
  auto r = ok(R"({"definition": "{\"Type\": \"Fail\", \"Error\": \"E\"}"})");
  EXPECT_EQ(field(r, "error"), "E");
  EXPECT_EQ(field(r, "cause"), "<absent>");
}

TEST_F(TestStateTest, StateNameSelectsAStateOfAMachineIncludingNestedOnes) {
  auto r = ok(
      R"({"definition": "{\"StartAt\": \"M\", \"States\": {\"M\": {\"Type\": \"Map\", \"ItemProcessor\": {\"StartAt\": \"Inner\", \"States\": {\"Inner\": {\"Type\": \"Pass\", \"Result\": 7, \"End\": true}}}, \"End\": true}}}",
                  "stateName": "Inner"})");
  EXPECT_EQ(field(r, "output"), "7");
  auto missing = call(
      R"({"definition": "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true}}}", "stateName": "Nope"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().name, "ValidationException");
  EXPECT_EQ(missing.error().cause, "State not found in definition");
}

TEST_F(TestStateTest, RequestRulesAnswerWithAwsErrors) {
  auto pass_mock =
      call(R"({"definition": "{\"Type\": \"Pass\", \"End\": true}", "mock": {"result": "{}"}})");
  ASSERT_FALSE(pass_mock.ok());
  EXPECT_EQ(pass_mock.error().cause, "State type 'Pass' is not supported when a mock is specified");
  auto map = call(
      R"({"definition": "{\"Type\": \"Map\", \"ItemProcessor\": {\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}}, \"End\": true}"})");
  ASSERT_FALSE(map.ok());
  EXPECT_EQ(map.error().name, "InvalidDefinition");
  auto both = call(
      R"({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true}", "mock": {"result": "1", "errorOutput": {"error": "E"}}})");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().cause,
            "A test mock should have only one of the following fields: [result, errorOutput].");
  auto no_role = call(
      R"({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true}"})");
  ASSERT_FALSE(no_role.ok());
  EXPECT_EQ(no_role.error().cause, "RoleArn must be specified when testing a Task state");
}

TEST_F(TestStateTest, MockResultIsCheckedAgainstTheApiShape) {
  auto bad = call(
      R"({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true}", "mock": {"result": "{\"StatusCode\": \"200\"}"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().cause,
            "Mock result schema validation error: Field 'StatusCode' must be a number");
  auto unchecked = ok(
      R"({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true}", "mock": {"result": "{\"StatusCode\": \"200\"}", "fieldValidationMode": "NONE"}})");
  EXPECT_EQ(field(unchecked, "output"), R"({"StatusCode": "200"})");
}

TEST_F(TestStateTest, SchemaChecksEnumsLengthsAndEveryArrayItem) {
  auto enum_bad = call(
      R"({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::aws-sdk:s3:getObject\", \"End\": true}", "mock": {"result": "{\"StorageClass\": \"Papyrus\"}"}})");
  ASSERT_FALSE(enum_bad.ok());
  EXPECT_EQ(enum_bad.error().cause,
            "Mock result schema validation error: Field 'StorageClass' is not an expected value");
  auto item_bad = call(
      R"({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::events:putEvents\", \"End\": true}", "mock": {"result": "{\"Entries\": [{\"EventId\": \"a\"}, {\"EventId\": 1}]}"}})");
  ASSERT_FALSE(item_bad.ok());
  EXPECT_EQ(item_bad.error().cause,
            "Mock result schema validation error: Field 'EventId' must be a string");
  auto strict_missing = call(
      R"({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::states:startExecution\", \"End\": true}", "mock": {"result": "{}"}})");
  EXPECT_FALSE(strict_missing.ok());
  auto present_missing = ok(
      R"({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::states:startExecution\", \"End\": true}", "mock": {"result": "{}", "fieldValidationMode": "PRESENT"}})");
  EXPECT_EQ(field(present_missing, "status"), "SUCCEEDED");
}

TEST_F(TestStateTest, ContextAndVariablesFromTheRequestAreVisibleToTheState) {
  auto r = ok(
      R"({"definition": "{\"QueryLanguage\": \"JSONata\", \"Type\": \"Pass\", \"Output\": {\"c\": \"{% $states.context.Execution.Name %}\", \"v\": \"{% $x %}\"}, \"End\": true}",
                  "context": "{\"Execution\": {\"Name\": \"given\"}}", "variables": "{\"x\": 42}"})");
  EXPECT_EQ(field(r, "output"), R"({"c": "given", "v": 42})");
}

TEST_F(TestStateTest, InspectionShowsTheVariablesAfterTheStateAssigns) {
  auto r =
      ok(R"({"definition": "{\"Type\": \"Pass\", \"Assign\": {\"y.$\": \"$.v\"}, \"End\": true}",
                  "input": "{\"v\": 2}", "variables": "{\"x\": 1}", "inspectionLevel": "DEBUG"})");
  EXPECT_EQ(field(r.at("inspectionData"), "variables"), R"({"x": 1, "y": 2})");
}

TEST_F(TestStateTest, MockedMapShowsItsItemsAndEachSelectedItem) {
  auto r = ok(
      R"({"definition": "{\"Type\": \"Map\", \"ItemsPath\": \"$.xs\", \"ItemSelector\": {\"v.$\": \"$$.Map.Item.Value\", \"i.$\": \"$$.Map.Item.Index\", \"k.$\": \"$.k\"}, \"ItemProcessor\": {\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}}, \"End\": true}",
                  "input": "{\"xs\": [\"a\", \"b\"], \"k\": 1}", "inspectionLevel": "DEBUG", "mock": {"result": "[1, 2]"}})");
  const json::value& d = r.at("inspectionData");
  EXPECT_EQ(field(d, "afterItemsPath"), R"(["a", "b"])");
  EXPECT_EQ(field(d, "afterItemSelector"),
            R"([{"v": "a", "i": 0, "k": 1}, {"v": "b", "i": 1, "k": 1}])");
  EXPECT_EQ(field(r, "output"), "[1, 2]");
}

TEST_F(TestStateTest, MockedMapOverItsToleranceFailsWithThreshold) {
  const std::string def =
      R"("definition": "{\"Type\": \"Map\", \"ItemProcessor\": {\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}}, \"ToleratedFailureCount\": 1, \"End\": true}")";
  auto r = ok(
      "{" + def +
      R"(, "mock": {"result": "[1, 2, 3]"}, "stateConfiguration": {"mapIterationFailureCount": 2}})");
  EXPECT_EQ(field(r, "status"), "FAILED");
  EXPECT_EQ(field(r, "error"), "States.ExceedToleratedFailureThreshold");
  auto within = ok(
      "{" + def +
      R"(, "mock": {"result": "[1, 2, 3]"}, "stateConfiguration": {"mapIterationFailureCount": 1}})");
  EXPECT_EQ(field(within, "output"), "[1, 2, 3]");
  auto too_many = call(
      "{" + def +
      R"(, "mock": {"result": "[1]"}, "stateConfiguration": {"mapIterationFailureCount": 2}})");
  ASSERT_FALSE(too_many.ok());
}

TEST_F(TestStateTest, HostileRequestsAreRefusedNotCrashed) {
  EXPECT_FALSE(call(R"([1, 2])").ok());
  EXPECT_FALSE(call(R"({"definition": 5})").ok());
  EXPECT_FALSE(call(R"({"definition": "not json"})").ok());
  EXPECT_FALSE(call(R"({"definition": "{\"Type\": \"Pass\", \"End\": true}", "input": "{"})").ok());
  EXPECT_FALSE(
      call(R"({"definition": "{\"Type\": \"Pass\", \"End\": true}", "inspectionLevel": "LOUD"})")
          .ok());
}

// The request's field checks speak as every other operation does: Jackson's words for input
// that is not JSON, "Value null" for a missing member, no value echoed for a sensitive one,
// SerializationException for a member of the wrong JSON type.
TEST_F(TestStateTest, RequestChecksFollowTheApiWording) {
  const std::string pass = R"("definition": "{\"Type\": \"Pass\", \"End\": true}")";
  auto r = call("{" + pass + R"(, "input": "{'a': 1}"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "InvalidExecutionInput");
  EXPECT_EQ(r.error().cause,
            "Invalid State Machine Execution Input: 'Unexpected character (''' (code 39)): was "
            "expecting double-quote to start field name'");
  r = call(R"({"input": "{}"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause,
            "1 validation error detected: Value null at 'definition' failed to satisfy "
            "constraint: Member must not be null");
  r = call("{" + pass + R"(, "input": ")" + std::string(256 * 1024 + 1, ' ') + R"("})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause,
            "1 validation error detected: Value at 'input' failed to satisfy constraint: Member "
            "must have length less than or equal to 262144");
  r = call("{" + pass + R"(, "roleArn": 5})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "SerializationException");
  EXPECT_EQ(r.error().cause, "Unexpected value for 'roleArn': expected a string");
}

}  // namespace
}  // namespace stepwise::teststate
