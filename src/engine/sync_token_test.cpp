// `.sync` tasks get a task token ($$.Task.Token), as AWS gives them one, drawn from
// ExecutionInfo::sync_token_random when set so the execution's main PRNG stream is untouched.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "asl/compile.h"
#include "engine/interpreter.h"

namespace stepwise::engine {
namespace {

std::shared_ptr<const asl::StateMachine> machine(const std::string& resource) {
  auto m = asl::compile_text(
      std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") + resource +
      R"(","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:)"
      R"(stateMachine:child","Input":{"Token.$":"$$.Task.Token"}},"End":true}}})");
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().cause);
  return m.ok() ? std::shared_ptr<const asl::StateMachine>(std::move(*m)) : nullptr;
}

struct Started {
  std::optional<std::string> token;
  json::value parameters;
  int main_draws = 0;
  int sync_draws = 0;
};

Started start(const std::string& resource, bool own_stream) {
  Started out;
  ExecutionInfo info;
  info.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:m:e";
  if (own_stream) info.sync_token_random = [&out] { return 100 + ++out.sync_draws; };
  Execution exec(machine(resource), info, [&out] { return 7 + ++out.main_draws; });
  exec.start(json::object{}, 1000);
  for (const Command& c : exec.commands()) {
    if (c.kind != Command::Kind::kInvokeTask) continue;
    out.token = c.request->task_token;
    out.parameters = c.request->parameters;
  }
  return out;
}

TEST(SyncToken, SyncAndSync2TasksGetATokenInTheirContext) {
  for (const char* r : {"arn:aws:states:::states:startExecution.sync",
                        "arn:aws:states:::states:startExecution.sync:2"}) {
    Started s = start(r, true);
    ASSERT_TRUE(s.token.has_value()) << r;
    EXPECT_EQ(s.token->size(), 64u);
    EXPECT_EQ(std::string(s.parameters.at("Input").at("Token").as_string()), *s.token) << r;
    EXPECT_EQ(s.main_draws, 0) << "the main stream is left alone";
    EXPECT_EQ(s.sync_draws, 4) << r;  // 64 hex digits: four 64-bit draws
  }
}

TEST(SyncToken, WithoutItsOwnStreamTheMainOneIsUsed) {
  Started s = start("arn:aws:states:::states:startExecution.sync", false);
  ASSERT_TRUE(s.token.has_value());
  EXPECT_EQ(s.main_draws, 4);
}

TEST(SyncToken, ARequestResponseTaskHasNone) {
  auto m = machine("arn:aws:states:::states:startExecution");
  ASSERT_NE(m, nullptr);
  ExecutionInfo info;
  Execution exec(m, info, [] { return std::uint64_t{1}; });
  exec.start(json::object{}, 1000);
  // $$.Task.Token cannot be found: the state fails (States.Runtime), no task is started.
  EXPECT_EQ(exec.status(), "FAILED");
  EXPECT_EQ(exec.error().value_or(""), "States.Runtime");
}

}  // namespace
}  // namespace stepwise::engine
