#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tasks/functions.h"

namespace stepwise::tasks {
namespace {

TEST(FunctionsConfig, YamlDefinesCommandsAndWorkers) {
  auto specs = parse_functions(R"(
functions:
  greet:
    command: [python3, greet.py, --fast]
    env: {GREETING: hello, EMPTY: ""}
    timeout_seconds: 2.5
  count:
    worker: [./counter]
    cwd: /srv/fn
    timeout_ms: 750
)",
                               "/etc/stepwise");
  ASSERT_TRUE(specs.ok()) << specs.error().cause;
  ASSERT_EQ(specs->size(), 2u);
  const auto& greet = specs->at(0);
  EXPECT_EQ(greet.name, "greet");
  EXPECT_EQ(greet.kind, FunctionKind::command);
  EXPECT_EQ(greet.argv, (std::vector<std::string>{"python3", "greet.py", "--fast"}));
  ASSERT_EQ(greet.env.size(), 2u);
  EXPECT_EQ(greet.env[0], (std::pair<std::string, std::string>{"GREETING", "hello"}));
  EXPECT_EQ(greet.timeout_ms, 2500);
  EXPECT_EQ(greet.cwd, "/etc/stepwise");  // the file's directory by default
  const auto& count = specs->at(1);
  EXPECT_EQ(count.kind, FunctionKind::worker);
  EXPECT_EQ(count.cwd, "/srv/fn");
  EXPECT_EQ(count.timeout_ms, 750);
}

TEST(FunctionsConfig, JsonIsAcceptedToo) {
  auto specs = parse_functions(R"({"functions": {"f": {"command": ["cat"], "cwd": "sub"}}})",
                               "/base");
  ASSERT_TRUE(specs.ok()) << specs.error().cause;
  EXPECT_EQ(specs->at(0).argv, std::vector<std::string>{"cat"});
  EXPECT_EQ(specs->at(0).cwd, "/base/sub");
}

TEST(FunctionsConfig, MistakesAreReportedWithTheirPlace) {
  struct Case {
    const char* text;
    const char* where;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"functions: {f: {command: [cat], tiemout_seconds: 3}}", "functions.f.tiemout_seconds"},
           {"functions: {f: {command: cat}}", "functions.f.command"},
           {"functions: {f: {command: [cat], worker: [cat]}}", "exactly one"},
           {"functions: {f: {env: {A: b}}}", "exactly one"},
           {"functions: {f: {command: [cat], timeout_seconds: 901}}", "900 seconds"},
           {"functions: {f: {command: [cat], timeout_seconds: -1}}", "positive"},
           {"functions: [a, b]", "top level"},
           {"other: 1", "top level"},
           {"functions: {f: {command: [cat]", "line"},
       }) {
    auto specs = parse_functions(c.text, "");
    ASSERT_FALSE(specs.ok()) << c.text;
    EXPECT_EQ(specs.error().name, "FunctionsConfig");
    EXPECT_NE(specs.error().cause.find(c.where), std::string::npos) << specs.error().cause;
  }
}

TEST(FunctionsConfig, HostileNestingIsRefusedWithoutRecursing) {
  std::string deep = "functions: " + std::string(100000, '[') + std::string(100000, ']');
  auto specs = parse_functions(deep, "");
  ASSERT_FALSE(specs.ok());
  EXPECT_NE(specs.error().cause.find("nesting too deep"), std::string::npos);
}

TEST(FunctionsConfig, FileRelativeDirectoriesResolveAgainstTheFile) {
  auto dir = std::filesystem::temp_directory_path() / "stepwise_functions_config_test";
  std::filesystem::create_directories(dir);
  auto path = dir / "fns.yaml";
  std::ofstream(path) << "functions:\n  f:\n    command: [cat]\n    cwd: handlers\n";
  auto specs = load_functions_file(path.string());
  ASSERT_TRUE(specs.ok()) << specs.error().cause;
  EXPECT_EQ(specs->at(0).cwd, (dir / "handlers").string());
  std::filesystem::remove_all(dir);
  auto missing = load_functions_file((dir / "nope.yaml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().cause.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace stepwise::tasks
