#include "conformance/api_cases.h"

#include <gtest/gtest.h>

namespace stepwise::conformance {
namespace {

Case make_case(const std::string& kind, const std::string& doc_json) {
  Case c;
  c.name = "synthetic";
  c.category = "test_state_api";
  c.kind = kind;
  auto doc = json::parse(doc_json);
  EXPECT_TRUE(doc.ok());
  c.doc = doc->get_object();
  return c;
}

TEST(ApiCases, RecordedOperationNamesBecomeApiOperationNames) {
  EXPECT_EQ(operation_name("stepfunctions.create_state_machine"), "CreateStateMachine");
  EXPECT_EQ(operation_name("stepfunctions.test_state"), "TestState");
  EXPECT_EQ(operation_name("list_executions"), "ListExecutions");
}

TEST(ApiCases, TestStateCaseComparesTheNormalisedResponse) {
  const std::string base = R"({"definition": {"Type": "Pass", "End": true}, "input": {"a": [1, 2]},
      "request": {"inspectionLevel": "INFO"}, "normalisation": {}, "expected": {"response": )";
  RunnerConfig config;
  auto good =
      make_case("test_state", base + R"({"output": {"a": [1, 2]}, "status": "SUCCEEDED"}}})");
  EXPECT_FALSE(run_test_state_case(good, config).failure.has_value());
  auto bad = make_case("test_state", base + R"({"output": {"a": [1]}, "status": "SUCCEEDED"}}})");
  EXPECT_TRUE(run_test_state_case(bad, config).failure.has_value());
}

TEST(ApiCases, TestStateApiErrorsRunWithoutADispatcher) {
  auto c = make_case("api_error", R"({"operation": "stepfunctions.test_state",
      "definition": {"Type": "Pass", "End": true},
      "request": {"mock": {"result": "{}"}}, "normalisation": {},
      "expected": {"error_code": "ValidationException",
                   "error_message": "State type 'Pass' is not supported when a mock is specified"}})");
  RunnerConfig config;
  EXPECT_EQ(api_error_skip_reason(c, config), "");
  EXPECT_FALSE(run_api_error_case(c, config).failure.has_value());
  auto other = make_case("api_error", R"({"operation": "stepfunctions.list_executions"})");
  EXPECT_NE(api_error_skip_reason(other, config), "");
}

TEST(ApiCases, ParametersTheClientRefusesNeverReachTheService) {
  auto c = make_case("api_error", R"({"operation": "stepfunctions.list_executions",
      "request": {"nextToken": ""}, "normalisation": {},
      "expected": {"error_code": "ParamValidationError",
                   "error_message": "Parameter validation failed:\nInvalid length for parameter nextToken, value: 0, valid min length: 1"}})");
  RunnerConfig config;
  config.dispatcher_factory = [] { return std::unique_ptr<api::Dispatcher>(); };  // never used
  EXPECT_FALSE(run_api_error_case(c, config).failure.has_value());
}

}  // namespace
}  // namespace stepwise::conformance
