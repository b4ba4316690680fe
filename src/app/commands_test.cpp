#include "app/commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace stepwise::app {
namespace {

class Commands : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() / "stepwise_app_test";
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::ostringstream out, err;
};

constexpr const char* pass_machine =
    R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","End":true}}})";

TEST_F(Commands, RunPrintsTheOutputAndExitsZero) {
  RunCommand c;
  c.definition_path = write("pass.json", pass_machine);
  c.input = R"({"in":true})";
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), "{\"in\":true,\"r\":{\"x\":1}}\n");
}

TEST_F(Commands, RunWithHistoryPrintsEventsAfterTheOutput) {
  RunCommand c;
  c.definition_path = write("pass_h.json", pass_machine);
  c.history = true;
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out, err), 0) << err.str();
  std::string text = out.str();
  auto second_line = text.substr(text.find('\n') + 1);
  EXPECT_EQ(second_line.rfind("{\"events\":[", 0), 0u) << text;
  EXPECT_NE(second_line.find("ExecutionSucceeded"), std::string::npos);
}

TEST_F(Commands, FailedExecutionPutsErrorAndCauseOnStderrAndExitsOne) {
  RunCommand c;
  c.definition_path = write("fail.json",
      R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Oops","Cause":"because"}}})");
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "{\"status\":\"FAILED\",\"error\":\"Oops\",\"cause\":\"because\"}\n");
}

TEST_F(Commands, InvalidDefinitionOrInputExitsTwo) {
  RunCommand c;
  c.definition_path = write("bad.json", R"({"StartAt":"Nowhere","States":{}})");
  EXPECT_EQ(run_command(c, out, err), 2);
  EXPECT_NE(err.str().find("InvalidDefinition"), std::string::npos) << err.str();

  RunCommand d;
  d.definition_path = write("pass_i.json", pass_machine);
  d.input = "not json";
  EXPECT_EQ(run_command(d, out, err), 2);
  RunCommand missing;
  missing.definition_path = "/nonexistent/definition.json";
  EXPECT_EQ(run_command(missing, out, err), 2);
}

constexpr const char* task_machine =
    R"({"StartAt":"T","States":{"T":{"Type":"Task",)"
    R"("Resource":"arn:aws:lambda:us-east-1:123456789012:function:double","End":true}}})";

TEST_F(Commands, RunCallsALocalFunctionFromTheFunctionsFile) {
  RunCommand c;
  c.definition_path = write("task.json", task_machine);
  c.functions_file = write("functions.yaml",
      "functions:\n  double: {command: [python3, -c, 'import json,sys; "
      "print(json.dumps({\"n\": json.load(sys.stdin)[\"n\"] * 2}))']}\n");
  c.input = R"({"n":21})";
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), "{\"n\":42}\n");
}

TEST_F(Commands, RunAnswersTasksFromTheMockConfigTestCase) {
  RunCommand c;
  c.definition_path = write("mocked.json", task_machine);
  c.mock_config_file = write("mock.json",
      R"({"StateMachines":{"mocked":{"TestCases":{"Happy":{"T":"R"}}}},)"
      R"("MockedResponses":{"R":{"0":{"Return":{"Payload":{"mocked":true}}}}}})");
  c.test_case = "Happy";
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), "{\"mocked\":true}\n");

  RunCommand unknown = c;
  unknown.test_case = "Nope";
  EXPECT_EQ(run_command(unknown, out, err), 2);
}

TEST_F(Commands, ValidateAnswersOkOrFailWithExitStatus) {
  ValidateCommand ok{write("v_ok.json", pass_machine), false};
  EXPECT_EQ(validate_command(ok, out, err), 0);
  EXPECT_EQ(out.str(), "{\"diagnostics\":[],\"result\":\"OK\",\"truncated\":false}\n");

  std::ostringstream out2;
  ValidateCommand bad{write("v_bad.json", R"({"States":{}})"), false};
  EXPECT_EQ(validate_command(bad, out2, err), 1);
  EXPECT_NE(out2.str().find("\"result\":\"FAIL\""), std::string::npos);

  ValidateCommand missing{"/nonexistent/definition.json", false};
  EXPECT_EQ(validate_command(missing, out, err), 2);
}

}  // namespace
}  // namespace stepwise::app
