#include "conformance/suite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace stepwise::conformance {
namespace {

TEST(KnownFailures, IgnoresCommentsAndBlankLines) {
  auto names = parse_known_failures("# reason A\ncase_one\n\n  case_two   # flaky\r\n#x\n");
  EXPECT_EQ(names, (std::set<std::string>{"case_one", "case_two"}));
}

class SuiteDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stepwise_suite_test_" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(SuiteDir, EndsWithTheSummaryLineAndSkipsUnsupportedKinds) {
  write("a.json", R"({"name":"a","category":"api","kind":"api_error","requires":[]})");
  write("b.json", R"({"name":"b","category":"act","kind":"execution","requires":["activity"]})");
  SuiteOptions o;
  o.dir = dir_.string();
  std::ostringstream out, err;
  EXPECT_EQ(run_suite(o, out, err), 0);
  std::string text = out.str();
  EXPECT_EQ(text.substr(text.rfind('\n', text.size() - 2) + 1), "0 passed, 0 failed, 2 skipped\n");
}

TEST_F(SuiteDir, UnreadableCaseFailsAndFiltersApply) {
  write("bad.json", "{not json");
  write("c.json", R"({"name":"c","category":"x","kind":"api_error","requires":[]})");
  SuiteOptions o;
  o.dir = dir_.string();
  o.categories = {"y"};
  std::ostringstream out, err;
  EXPECT_EQ(run_suite(o, out, err), 1);
  EXPECT_NE(out.str().find("0 passed, 1 failed, 0 skipped"), std::string::npos) << out.str();
}

constexpr const char* accepted_create_error =
    R"({"name":"accepted","category":"v","kind":"create_error","requires":[],)"
    R"("definition":{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},)"
    R"("expected":{"error_code":"InvalidDefinition","error_message":"Invalid"}})";
constexpr const char* valid_definition =
    R"({"name":"valid","category":"v","kind":"validate_definition","requires":[],)"
    R"("request":{"definition":"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}"},)"
    R"("expected":{"response":{"diagnostics":[],"result":"OK","truncated":false}}})";

TEST_F(SuiteDir, ListedFailureIsKnownAndDoesNotFailTheRun) {
  write("accepted.json", accepted_create_error);
  write("known.txt", "# reason\naccepted\n");
  SuiteOptions o;
  o.dir = dir_.string();
  std::ostringstream out, err;
  EXPECT_EQ(run_suite(o, out, err), 1);
  EXPECT_NE(out.str().find("FAIL accepted: definition accepted"), std::string::npos) << out.str();

  o.known_failures_file = (dir_ / "known.txt").string();
  std::ostringstream out2;
  EXPECT_EQ(run_suite(o, out2, err), 0) << out2.str();
  EXPECT_NE(out2.str().find("known failures: 1 still failing, 0 fixed"), std::string::npos);
}

TEST_F(SuiteDir, ListedCaseThatPassesFailsTheRunSoTheListShrinks) {
  write("valid.json", valid_definition);
  write("known.txt", "valid\n");
  SuiteOptions o;
  o.dir = dir_.string();
  o.known_failures_file = (dir_ / "known.txt").string();
  std::ostringstream out, err;
  EXPECT_EQ(run_suite(o, out, err), 1);
  EXPECT_NE(out.str().find("FIXED valid"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("1 passed, 0 failed, 0 skipped"), std::string::npos);
}

TEST(KnownFailures, WithoutFixedDropsOnlyThoseNames) {
  EXPECT_EQ(without_fixed("# group\na\nb  # why\nc\n", {"b"}), "# group\na\nc\n");
}

TEST_F(SuiteDir, PruneRewritesTheListWithoutFixedCases) {
  write("valid.json", valid_definition);
  write("known.txt", "# keep\nvalid\nother\n");
  SuiteOptions o;
  o.dir = dir_.string();
  o.known_failures_file = (dir_ / "known.txt").string();
  o.prune_known_failures = true;
  std::ostringstream out, err;
  EXPECT_EQ(run_suite(o, out, err), 0) << out.str();
  std::ifstream in(dir_ / "known.txt");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "# keep\nother\n");
}

TEST_F(SuiteDir, MissingDirectoryIsAUsageError) {
  SuiteOptions o;
  o.dir = (dir_ / "nope").string();
  std::ostringstream out, err;
  EXPECT_EQ(run_suite(o, out, err), 2);
}

}  // namespace
}  // namespace stepwise::conformance
