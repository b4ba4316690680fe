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
  c.definition_path =
      write("fail.json",
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
  c.functions_files = {write("functions.yaml",
                             "functions:\n  double: {command: [python3, -c, 'import json,sys; "
                             "print(json.dumps({\"n\": json.load(sys.stdin)[\"n\"] * 2}))']}\n")};
  c.input = R"({"n":21})";
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), "{\"n\":42}\n");
}

TEST_F(Commands, RunAnswersTasksFromTheMockConfigTestCase) {
  RunCommand c;
  c.definition_path = write("mocked.json", task_machine);
  c.mock_config_file = write(
      "mock.json", R"({"StateMachines":{"mocked":{"TestCases":{"Happy":{"T":"R"}}}},)"
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
  ValidateCommand ok{write("v_ok.json", pass_machine), false, false};
  EXPECT_EQ(validate_command(ok, out, err), 0);
  EXPECT_EQ(out.str(), "{\"diagnostics\":[],\"result\":\"OK\",\"truncated\":false}\n");

  std::ostringstream out2;
  ValidateCommand bad{write("v_bad.json", R"({"States":{}})"), false, false};
  EXPECT_EQ(validate_command(bad, out2, err), 1);
  EXPECT_NE(out2.str().find("\"result\":\"FAIL\""), std::string::npos);

  ValidateCommand missing{"/nonexistent/definition.json", false, false};
  EXPECT_EQ(validate_command(missing, out, err), 2);
}

// `orders.asl.json` is the machine `orders`: a mock config naming it is found without --name.
TEST_F(Commands, MockConfigFindsTheMachineNamedAfterTheWholeDefinitionSuffix) {
  RunCommand c;
  c.definition_path = write("orders.asl.json", task_machine);
  c.mock_config_file = write(
      "orders_mock.json", R"({"StateMachines":{"orders":{"TestCases":{"Happy":{"T":"R"}}}},)"
                          R"("MockedResponses":{"R":{"0":{"Return":{"Payload":{"order":1}}}}}})");
  c.test_case = "Happy";
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), "{\"order\":1}\n");
}

// The server's quota and words: StartExecution refuses an input over 256 KiB.
TEST_F(Commands, RunRefusesAnInputOverThePayloadQuotaAsStartExecutionDoes) {
  RunCommand c;
  c.definition_path = write("quota.json", pass_machine);
  std::string big = "{\"s\":\"" + std::string(256 * 1024, 'x') + "\"}";
  c.input = "@" + write("big_input.json", big);
  EXPECT_EQ(run_command(c, out, err), 2);
  EXPECT_NE(err.str().find("ValidationException: 1 validation error detected: Value at 'input' "
                           "failed to satisfy constraint: Member must have length less than or "
                           "equal to 262144"),
            std::string::npos)
      << err.str();
  // Just under the quota runs (with room for the 12 bytes the Pass state adds to it).
  std::ostringstream out2, err2;
  c.input = "{\"s\":\"" + std::string(256 * 1024 - 100, 'x') + "\"}";
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out2, err2), 0) << err2.str();
}

constexpr const char* sqs_machine =
    R"({"StartAt":"Send","States":{"Send":{"Type":"Task",)"
    R"("Resource":"arn:aws:states:::sqs:sendMessage","Parameters":{"QueueUrl":"q",)"
    R"("MessageBody":"m"},"End":true}}})";

TEST_F(Commands, RunRefusesAnIntegrationItCannotRunAndNamesTheSupportedOnes) {
  RunCommand c;
  c.definition_path = write("sqs.json", sqs_machine);
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out, err), 2);
  const std::string e = err.str();
  EXPECT_NE(e.find("UnsupportedIntegration"), std::string::npos) << e;
  EXPECT_NE(e.find("state 'Send' (sqs:sendMessage"), std::string::npos) << e;
  EXPECT_NE(e.find("lambda:invoke"), std::string::npos) << e;
  // A mock config answering that state makes it runnable.
  std::ostringstream out2, err2;
  c.mock_config_file =
      write("sqs_mock.json", R"({"StateMachines":{"sqs":{"TestCases":{"T":{"Send":"R"}}}},)"
                             R"("MockedResponses":{"R":{"0":{"Return":{"MessageId":"1"}}}}})");
  c.test_case = "T";
  EXPECT_EQ(run_command(c, out2, err2), 0) << err2.str();
}

TEST_F(Commands, ValidateReportsAnUnsupportedIntegrationUnlessAwsOnly) {
  // The server runs sqs:sendMessage (built in); AWS's athena integration it does not run.
  std::string athena_machine = sqs_machine;
  for (auto at = athena_machine.find("sqs:sendMessage"); at != std::string::npos;
       at = athena_machine.find("sqs:sendMessage"))
    athena_machine.replace(at, 15, "athena:startQueryExecution");
  ValidateCommand v{write("v_athena.json", athena_machine), false, false};
  EXPECT_EQ(validate_command(v, out, err), 1);
  EXPECT_NE(out.str().find("UNSUPPORTED_INTEGRATION"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("states:startExecution"), std::string::npos) << out.str();
  std::ostringstream out2;
  v.aws_only = true;
  EXPECT_EQ(validate_command(v, out2, err), 0) << out2.str();
  // A Resource AWS does not know is refused as CreateStateMachine refuses it.
  std::ostringstream out3;
  ValidateCommand unknown{
      write("v_unknown.json", R"({"StartAt":"T","States":{"T":{"Type":"Task",)"
                              R"("Resource":"arn:aws:states:::nosuch:thing","End":true}}})"),
      false, true};
  EXPECT_EQ(validate_command(unknown, out3, err), 1);
  EXPECT_NE(out3.str().find("is not recognized"), std::string::npos) << out3.str();
}

// A Python function's traceback is in the failure's cause on stderr (and in its log block).
TEST_F(Commands, FailingPythonFunctionShowsItsTracebackOnStderr) {
  RunCommand c;
  c.definition_path = write("boom.json", task_machine);
  c.functions_files = {write("boom_functions.yaml",
                             "functions:\n  double: {command: [python3, -c, 'import json,sys; "
                             "n = json.load(sys.stdin)[\"n\"]; "
                             "raise ZeroDivisionError(\"cannot double \" + str(n))']}\n")};
  c.input = R"({"n":7})";
  c.fast_time = true;
  EXPECT_EQ(run_command(c, out, err), 1);
  auto last_line = err.str().substr(err.str().rfind("{\"status\""));
  auto failure = json::parse(last_line);
  ASSERT_TRUE(failure.ok()) << err.str();
  EXPECT_EQ(failure->at("error").as_string(), "ZeroDivisionError");
  auto cause = json::parse(std::string(failure->at("cause").as_string()));
  ASSERT_TRUE(cause.ok()) << err.str();
  EXPECT_EQ(cause->at("errorMessage").as_string(), "cannot double 7");
  EXPECT_EQ(cause->at("stackTrace").as_array().size(), 1u);
}

TEST_F(Commands, TracePrintsEachStateWithInputOutputAndTime) {
  RunCommand c;
  c.definition_path = write(
      "trace.json",
      R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"ResultPath":"$.a","Next":"W"},)"
      R"("W":{"Type":"Wait","Seconds":5,"End":true}}})");
  c.input = R"({"in":true})";
  c.fast_time = true;
  c.trace = true;
  EXPECT_EQ(run_command(c, out, err), 0) << err.str();
  const std::string t = err.str();
  EXPECT_NE(t.find("enter A (Pass)  input {\"in\":true}"), std::string::npos) << t;
  EXPECT_NE(t.find("exit  A  after 0.000s  output {\"in\":true,\"a\":1}"), std::string::npos) << t;
  // The Wait took its 5 (virtual) seconds.
  EXPECT_NE(t.find("exit  W  after 5.000s"), std::string::npos) << t;
}

}  // namespace
}  // namespace stepwise::app
