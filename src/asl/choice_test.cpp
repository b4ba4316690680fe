#include "asl/choice.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace stepwise::asl {
namespace {

json::value parse_or_die(std::string_view text) {
  auto v = json::parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : json::value();
}

ChoiceRule compile_ok(std::string_view rule) {
  auto r = ChoiceRule::compile(parse_or_die(rule));
  EXPECT_TRUE(r.ok()) << rule << " : " << (r.ok() ? "" : r.error().cause);
  return r.ok() ? *r : ChoiceRule();
}

// Evaluates `rule` against `input`; "error: <cause>" when evaluation fails.
std::string eval(std::string_view rule, std::string_view input) {
  ChoiceRule r = compile_ok(rule);
  json::value in = parse_or_die(input);
  jsonpath::EvalContext ctx;
  ctx.input = &in;
  auto res = r.evaluate(ctx);
  if (!res.ok()) return "error: " + res.error().name + ": " + res.error().cause;
  return *res ? "true" : "false";
}

TEST(ChoiceRule, StringComparisonsAreCodePointOrdered) {
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringEquals":"Hello"})", R"({"v":"Hello"})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringEquals":"Hello"})", R"({"v":"hello"})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringLessThan":"AB"})", R"({"v":"A"})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringGreaterThan":"ABC"})", R"({"v":"AB"})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringLessThanEquals":""})", R"({"v":""})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringGreaterThanEquals":"A"})", R"({"v":"AB"})"), "true");
}

TEST(ChoiceRule, TypeMismatchIsFalseNotAnError) {
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringEquals":"1"})", R"({"v":1})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","NumericEquals":0})", R"({"v":false})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","BooleanEquals":false})", R"({"v":0})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","TimestampEquals":"2012-10-09T19:00:55Z"})", R"({"v":null})"),
            "false");
}

TEST(ChoiceRule, NumericComparisonsIgnoreIntegerVersusDouble) {
  EXPECT_EQ(eval(R"({"Variable":"$.v","NumericEquals":0})", R"({"v":0.0})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","NumericEquals":2.22})", R"({"v":2.22})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","NumericGreaterThan":0})", R"({"v":1})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","NumericLessThan":1})", R"({"v":1})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","NumericLessThanEquals":1})", R"({"v":1.0})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","NumericGreaterThanEquals":1})", R"({"v":0})"), "false");
}

TEST(ChoiceRule, PathOperatorsCompareTwoSelectedValues) {
  EXPECT_EQ(eval(R"({"Variable":"$.a","NumericLessThanPath":"$.b"})", R"({"a":0,"b":1})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.a","StringEqualsPath":"$.b"})", R"({"a":"x","b":"x"})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.a","BooleanEqualsPath":"$.b"})", R"({"a":false,"b":true})"),
            "false");
  EXPECT_EQ(eval(R"({"Variable":"$.a","TimestampLessThanPath":"$.b"})",
                 R"({"a":"2012-10-09T19:00:55Z","b":"2012-10-09T19:00:56Z"})"),
            "true");
  EXPECT_EQ(eval(R"({"Variable":"$.a","NumericEqualsPath":"$.b"})", R"({"a":"1","b":1})"), "false");
}

TEST(ChoiceRule, TimestampsCompareAsInstants) {
  EXPECT_EQ(eval(R"({"Variable":"$.v","TimestampEquals":"2012-10-09T19:00:55Z"})",
                 R"({"v":"2012-10-09T20:00:55+01:00"})"),
            "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","TimestampGreaterThan":"2012-10-09T19:00:55Z"})",
                 R"({"v":"2012-10-09T19:00:56Z"})"),
            "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","TimestampLessThanEquals":"2012-10-09T19:00:55Z"})",
                 R"({"v":"2012-10-09T19:00:55"})"),
            "false");
}

TEST(ChoiceRule, TimestampsKeepSubMillisecondPrecision) {
  EXPECT_EQ(eval(R"({"Variable":"$.v","TimestampLessThan":"2012-10-09T19:00:55.0000002Z"})",
                 R"({"v":"2012-10-09T19:00:55.0000001Z"})"),
            "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","TimestampEquals":"2012-10-09T19:00:55.5Z"})",
                 R"({"v":"2012-10-09T19:00:55.500000Z"})"),
            "true");
}

TEST(ChoiceRule, TypeTestsHonourTheirBooleanOperand) {
  EXPECT_EQ(eval(R"({"Variable":"$.v","IsNull":true})", R"({"v":null})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","IsNull":false})", R"({"v":null})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","IsNumeric":true})", R"({"v":1.1})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","IsString":false})", R"({"v":[]})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","IsBoolean":true})", R"({"v":false})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","IsTimestamp":true})", R"({"v":"2012-10-09T19:00:55Z"})"),
            "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","IsTimestamp":true})", R"({"v":"2023-02-24"})"), "false");
}

TEST(ChoiceRule, IsPresentNeverFailsOnAMissingPath) {
  EXPECT_EQ(eval(R"({"Variable":"$.v","IsPresent":true})", R"({"v":null})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.nope","IsPresent":true})", R"({"v":1})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.nope","IsPresent":false})", R"({"v":1})"), "true");
}

TEST(ChoiceRule, MissingVariableIsAwsRuntimeError) {
  EXPECT_EQ(eval(R"({"Variable":"$.x","StringEquals":"a"})", R"({"v":1})"),
            "error: States.Runtime: Invalid path '$.x' : No results for path: $['x']");
  EXPECT_EQ(eval(R"({"Variable":"$.a.b.c","IsNull":true})", R"({"v":1})"),
            "error: States.Runtime: Invalid path '$.a.b.c' : Missing property in path $['a']");
  EXPECT_EQ(eval(R"({"Variable":"$.v","NumericEqualsPath":"$.w"})", R"({"v":1})"),
            "error: States.Runtime: Invalid path '$.w' : No results for path: $['w']");
}

TEST(ChoiceRule, StringMatchesSupportsStarsAndEscapes) {
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringMatches":"log-*.txt"})", R"({"v":"log-1.txt"})"),
            "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringMatches":"*"})", R"({"v":""})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringMatches":"a*b*c"})", R"({"v":"abbbc"})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringMatches":"a*b*c"})", R"({"v":"acb"})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringMatches":"a*a"})", R"({"v":"a"})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringMatches":"a\\*"})", R"({"v":"a*"})"), "true");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringMatches":"a\\*"})", R"({"v":"ab"})"), "false");
  EXPECT_EQ(eval(R"({"Variable":"$.v","StringMatches":"a\\\\*"})", R"({"v":"a\\bc"})"), "true");
}

TEST(ChoiceRule, BooleanCombinatorsShortCircuit) {
  // The second Or branch would fail on a missing path: short-circuit never reaches it.
  EXPECT_EQ(eval(R"({"Or":[{"Variable":"$.v","NumericEquals":1},
                            {"Variable":"$.x","NumericEquals":1}]})",
                 R"({"v":1})"),
            "true");
  EXPECT_EQ(eval(R"({"And":[{"Variable":"$.v","NumericGreaterThanEquals":20},
                             {"Variable":"$.v","NumericLessThan":30}]})",
                 R"({"v":22})"),
            "true");
  EXPECT_EQ(eval(R"({"Not":{"Variable":"$.t","StringEquals":"Private"}})", R"({"t":"Private"})"),
            "false");
}

TEST(ChoiceRule, CompileRejectsMalformedRulesWithLocation) {
  std::string where;
  auto r = ChoiceRule::compile(parse_or_die(R"({"And":[{"Variable":"$.a","IsNull":true},
      {"Variable":"$.b","NumericEquals":"x"}]})"),
                               &where);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(where, "/And[1]/NumericEquals");
  EXPECT_FALSE(ChoiceRule::compile(parse_or_die(R"({"Variable":"$.a"})")).ok());
  EXPECT_FALSE(ChoiceRule::compile(parse_or_die(R"({"Variable":"$.a","IsNull":true,
                                                    "IsString":true})"))
                   .ok());
  EXPECT_FALSE(ChoiceRule::compile(parse_or_die(R"({"And":[]})")).ok());
  EXPECT_FALSE(
      ChoiceRule::compile(parse_or_die(R"({"Variable":"$.a","TimestampEquals":"yesterday"})"))
          .ok());
}

TEST(ChoiceRule, DeepNestingIsRefusedNotRecursedForever) {
  std::string rule = R"({"Variable":"$.a","IsNull":true})";
  for (std::size_t i = 0; i < choice_rule_depth_max + 5; ++i) rule = R"({"Not":)" + rule + "}";
  EXPECT_FALSE(ChoiceRule::compile(parse_or_die(rule)).ok());
}

// ---- recorded AWS cases ----------------------------------------------------------------------

std::string conformance_dir() {
  if (const char* env = std::getenv("STEPWISE_CONFORMANCE_DIR")) return env;
  return STEPWISE_CONFORMANCE_DIR_DEFAULT;
}

// Runs the start state of a recorded JSONPath Choice case: the first matching rule (or Default)
// names the next state, whose output is checked against AWS's (a Pass state's Result, or the
// input passed through).
enum class Outcome { kPass, kFail, kSkip };

Outcome run_choice_case(const json::object& c, std::string* why) {
  const auto& def = c.at("definition").as_object();
  const auto& states = def.at("States").as_object();
  const auto& start = states.at(def.at("StartAt").as_string()).as_object();
  if (start.at("Type") != "Choice" || start.contains("QueryLanguage") ||
      def.contains("QueryLanguage") || start.contains("InputPath")) {
    return Outcome::kSkip;
  }
  json::value input = c.contains("input") ? c.at("input") : json::value(json::object());
  jsonpath::EvalContext ctx;
  ctx.input = &input;
  std::string target;
  for (const auto& rule : start.at("Choices").as_array()) {
    auto compiled = ChoiceRule::compile(rule);
    if (!compiled.ok()) {
      *why = "compile: " + compiled.error().cause;
      return Outcome::kFail;
    }
    auto matched = compiled->evaluate(ctx);
    if (!matched.ok()) {
      *why = "evaluate: " + matched.error().cause;
      return Outcome::kFail;
    }
    if (*matched) {
      target = std::string(rule.at("Next").as_string());
      break;
    }
  }
  if (target.empty() && start.contains("Default"))
    target = std::string(start.at("Default").as_string());
  const auto& expected = c.at("expected").as_object();
  if (!expected.contains("output") || !states.contains(target)) return Outcome::kSkip;
  const auto& next = states.at(target).as_object();
  if (next.at("Type") != "Pass") return Outcome::kSkip;
  const json::value& want_output = expected.at("output");
  const json::value& got = next.contains("Result") ? next.at("Result") : input;
  if (json::equal(got, want_output)) return Outcome::kPass;
  *why = "went to " + target + ", AWS output " + json::dump(want_output);
  return Outcome::kFail;
}

TEST(ChoiceConformance, RecordedChoiceCasesMatchAws) {
  std::filesystem::path dir = conformance_dir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no conformance cases at " << dir;
  int total = 0;
  int passed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string file = entry.path().filename().string();
    if (file.rfind("choice", 0) != 0 || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = json::parse(ss.str());
    if (!parsed.ok() || !parsed->is_object()) continue;
    std::string why;
    Outcome o = Outcome::kSkip;
    try {
      o = run_choice_case(parsed->as_object(), &why);
    } catch (const std::exception& e) {
      o = Outcome::kSkip;  // a case shape this runner does not model
    }
    if (o == Outcome::kSkip) continue;
    ++total;
    if (o == Outcome::kPass) {
      ++passed;
    } else {
      ADD_FAILURE() << file << ": " << why;
    }
  }
  std::cout << "[ conformance ] choice rules: " << passed << "/" << total << " passed\n";
  EXPECT_GT(total, 0);
}

}  // namespace
}  // namespace stepwise::asl
