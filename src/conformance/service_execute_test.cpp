#include "conformance/service_execute.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace stepwise::conformance {
namespace {

Case make_case(const std::string& doc_json) {
  Case c;
  c.name = "synthetic";
  c.category = "activities";
  c.kind = "execution";
  auto doc = json::parse(doc_json);
  EXPECT_TRUE(doc.ok());
  c.doc = doc->get_object();
  return c;
}

// Answers like the Service would, and writes down each call (and when time was let run).
class FakeService final : public CaseService {
 public:
  explicit FakeService(std::vector<std::string>* log) : log_(log) {}
  void dispatch(std::string_view operation, json::value request, const api::RequestInfo&,
                api::Reply reply) override {
    const auto& r = request.get_object();
    std::string op(operation);
    log_->push_back(op + " " +
                    (r.contains("name") ? string_of(r, "name") : string_of(r, "stateMachineArn")));
    if (op == "CreateStateMachine")
      return reply(json::object{{"stateMachineArn", "sm:" + string_of(r, "name")}});
    if (op == "StartExecution")
      return reply(json::object{{"executionArn", "ex:" + string_of(r, "stateMachineArn")}});
    if (op == "DescribeExecution")
      return reply(json::object{{"status", ++describes_ < 3 ? "RUNNING" : "SUCCEEDED"},
                                {"output", "{\"a\":1}"},
                                {"executionArn", string_of(r, "executionArn")},
                                {"startDate", 1.5},
                                {"stopDate", 2.25}});
    if (op == "GetExecutionHistory") {
      json::object page{{"events", json::array{json::object{{"id", pages_ + 1}}}}};
      if (++pages_ < 2) page["nextToken"] = "next";
      return reply(std::move(page));
    }
    reply(json::object{});
  }
  void release_clock() override { log_->push_back("release"); }

 private:
  std::vector<std::string>* log_;
  int describes_ = 0;
  int pages_ = 0;
};

constexpr const char* kActivityCase = R"({
  "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
  "input": {"x": 1},
  "requires": ["activity"],
  "resources": {
    "state_machines": {"arn:t": {"name": "target", "definition": {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}}},
    "activities": {"arn:act": {"name": "act-1", "worker_state_machines": [{"StartAt": "W", "States": {"W": {"Type": "Succeed"}}}],
                               "worker_execution_input": {"ActivityArn": "arn:act"}}}},
  "names_used_when_traced": {"state_machine_name": "main", "execution_name": "exec-1"}
})";

TEST(ServiceExecute, CreatesEverythingAndStartsBeforeTimeRuns) {
  std::vector<std::string> log;
  RunnerConfig config;
  config.case_service_factory =
      [&log](const CaseServiceOptions&) -> Result<std::unique_ptr<CaseService>> {
    return std::unique_ptr<CaseService>(std::make_unique<FakeService>(&log));
  };
  auto actual = execute_case_with_service(make_case(kActivityCase), config);
  ASSERT_TRUE(actual.ok()) << actual.error().cause;
  std::vector<std::string> expected = {"CreateStateMachine target",
                                       "CreateActivity act-1",
                                       "CreateStateMachine conformance-worker-1",
                                       "CreateStateMachine main",
                                       "StartExecution exec-1",
                                       "StartExecution sm:conformance-worker-1",
                                       "release"};
  ASSERT_GE(log.size(), expected.size());
  EXPECT_EQ(std::vector<std::string>(log.begin(), log.begin() + 7), expected);
}

TEST(ServiceExecute, WaitsForTheEndAndReadsEveryHistoryPage) {
  std::vector<std::string> log;
  RunnerConfig config;
  config.case_service_factory =
      [&log](const CaseServiceOptions&) -> Result<std::unique_ptr<CaseService>> {
    return std::unique_ptr<CaseService>(std::make_unique<FakeService>(&log));
  };
  auto actual = execute_case_with_service(make_case(kActivityCase), config);
  ASSERT_TRUE(actual.ok()) << actual.error().cause;
  EXPECT_EQ(actual->status, "SUCCEEDED");
  EXPECT_EQ(json::dump(*actual->output), "{\"a\":1}");
  EXPECT_EQ(actual->events.size(), 2u);
  EXPECT_EQ(actual->execution_arn, "ex:sm:main");
  EXPECT_EQ(actual->start_ms, 1500);
  EXPECT_EQ(actual->stop_ms, 2250);
}

TEST(ServiceExecute, OnlyApiRequirementsNeedTheService) {
  EXPECT_TRUE(needs_service(make_case(R"({"requires": ["lambda", "nested_sfn"]})")));
  EXPECT_TRUE(needs_service(make_case(R"({"requires": ["task_token"]})")));
  EXPECT_FALSE(needs_service(make_case(R"({"requires": ["lambda"]})")));
}

TEST(ServiceExecute, WithoutAFactoryTheCaseCannotRun) {
  auto actual = execute_case_with_service(make_case(kActivityCase), RunnerConfig{});
  EXPECT_FALSE(actual.ok());
}

}  // namespace
}  // namespace stepwise::conformance
