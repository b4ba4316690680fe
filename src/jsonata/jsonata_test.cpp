// Behaviour of the public JSONata API: results, undefined vs null, errors, limits and the
// AWS additions. The language itself is covered by suite_test.cpp.
#include "jsonata/jsonata.h"
#include "jsonata/internal.h"

#include <gtest/gtest.h>

namespace stepwise::jsonata {
namespace {

json::value parse_json(std::string_view text) { return *json::parse(text); }

// Evaluates text against input (JSON text, or nullptr for no input); returns the result dumped
// as JSON, "undefined", or "error <code>".
std::string run(std::string_view text, const char* input = nullptr, const Bindings& vars = {},
                const EvalOptions& opts = {}) {
  auto expr = Expression::compile(text);
  if (!expr.ok()) return "error " + expr.error().name;
  json::value in;
  if (input) in = parse_json(input);
  auto result = expr->evaluate(input ? &in : nullptr, vars, opts);
  if (!result.ok()) return "error " + result.error().name;
  if (!result->has_value()) return "undefined";
  return json::dump(**result);
}

TEST(Jsonata, PathOverArrayFlattensAndCollapsesSingletons) {
  EXPECT_EQ(run("a.b", R"({"a":[{"b":1},{"b":[2,3]}]})"), "[1,2,3]");
  EXPECT_EQ(run("a.b", R"({"a":[{"b":1}]})"), "1");
  EXPECT_EQ(run("a.b[]", R"({"a":[{"b":1}]})"), "[1]");
}

TEST(Jsonata, MissingFieldIsUndefinedButNullIsAValue) {
  EXPECT_EQ(run("missing", R"({"a":1})"), "undefined");
  EXPECT_EQ(run("a", R"({"a":null})"), "null");
  EXPECT_EQ(run("$", nullptr), "undefined");
}

TEST(Jsonata, IntegralNumbersAreWrittenAsIntegers) {
  EXPECT_EQ(run("6 / 2"), "3");
  EXPECT_EQ(run("$string(1/3)"), R"("0.333333333333333")");
  EXPECT_EQ(run("$string(1e21)"), R"("1e+21")");
  EXPECT_EQ(run("$string(0.0000001)"), R"("1e-7")");
}

TEST(Jsonata, BindingsAreVisibleAsVariables) {
  Bindings vars;
  vars["states"] = parse_json(R"({"input":{"n":41}})");
  EXPECT_EQ(run("$states.input.n + 1", nullptr, vars), "42");
}

TEST(Jsonata, CompileErrorsCarryJsonataCodes) {
  auto expr = Expression::compile("1 +");
  ASSERT_FALSE(expr.ok());
  EXPECT_EQ(expr.error().name, "S0207");
  auto bad = Expression::compile("\"abc");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().name, "S0101");
}

TEST(Jsonata, EvaluationErrorsCarryCodeAndMessage) {
  auto expr = Expression::compile("1 + 'a'");
  ASSERT_TRUE(expr.ok());
  auto result = expr->evaluate(nullptr);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().name, "T2002");
  EXPECT_EQ(result.error().cause, "The right side of the \"+\" operator must evaluate to a number");
}

TEST(Jsonata, LambdasClosuresAndPartialApplication) {
  EXPECT_EQ(run("($add := function($x, $y){$x + $y}; $inc := $add(1, ?); $inc(41))"), "42");
  EXPECT_EQ(run("($f := function($n){ function($x){ $x * $n } }; $f(3)(5))"), "15");
  EXPECT_EQ(run("[1,2,3] ~> $map(function($v){$v * 2})"), "[2,4,6]");
}

TEST(Jsonata, TailRecursionRunsInConstantDepth) {
  EvalOptions opts;
  opts.depth_max = 200;
  EXPECT_EQ(run("($loop := function($n, $acc){ $n = 0 ? $acc : $loop($n - 1, $acc + 1) }; "
                "$loop(5000, 0))",
                nullptr, {}, opts),
            "5000");
}

TEST(Jsonata, DeepRecursionFailsWithU1001InsteadOfCrashing) {
  EvalOptions opts;
  opts.depth_max = 300;
  EXPECT_EQ(
      run("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))", nullptr, {}, opts),
      "error U1001");
}

TEST(Jsonata, InfiniteLoopStopsAtTheStepBudget) {
  EvalOptions opts;
  opts.steps_max = 1'000'000;
  EXPECT_EQ(run("($f := function(){ $f() }; $f())", nullptr, {}, opts), "error U1001");
}

// The budget counts evaluation steps, not time: the same expression needs the same number of
// steps on every run, so a budget just below it fails every time and one at it never does.
TEST(Jsonata, StepBudgetIsExactAndRepeatable) {
  const char* loop = "$sum([1..200].($ * 2))";
  std::uint64_t lo = 1, hi = 1'000'000;  // smallest budget that succeeds, by bisection
  while (lo < hi) {
    EvalOptions opts;
    opts.steps_max = (lo + hi) / 2;
    if (run(loop, nullptr, {}, opts) == "40200")
      hi = opts.steps_max;
    else
      lo = opts.steps_max + 1;
  }
  for (int i = 0; i < 20; ++i) {
    EvalOptions enough, short_by_one;
    enough.steps_max = lo;
    short_by_one.steps_max = lo - 1;
    EXPECT_EQ(run(loop, nullptr, {}, enough), "40200");
    EXPECT_EQ(run(loop, nullptr, {}, short_by_one), "error U1001");
  }
}

TEST(Jsonata, DeeplyNestedExpressionIsRejectedAtCompile) {
  std::string text(100000, '(');
  auto expr = Expression::compile(text);
  ASSERT_FALSE(expr.ok());
}

TEST(Jsonata, RegexDoesNotBacktrackCatastrophically) {
  std::string input = "\"" + std::string(50000, 'a') + "!\"";
  EXPECT_EQ(run("$contains($, /^(a+)+$/)", input.c_str()), "false");
}

TEST(Jsonata, RegexReplaceUsesGroupReferences) {
  EXPECT_EQ(run(R"($replace("John Smith", /(\w+)\s(\w+)/, "$2, $1"))"), R"("Smith, John")");
  EXPECT_EQ(run(R"($match("abc", /x*/))"), "error D1004");
}

// A regex called as a function takes a string, as $match does: anything else is refused with
// $match's signature error rather than read as one (fuzz_jsonata found `/a/(false)`).
TEST(Jsonata, RegexCalledDirectlyTakesOnlyAString) {
  EXPECT_EQ(run(R"(/b+/("abbc").match)"), R"("bb")");
  EXPECT_EQ(run("/b/(missing)", "{}"), "undefined");
  EXPECT_EQ(run("/b/(false)"), "error T0410");
  EXPECT_EQ(run("/b/(5)"), "error T0410");
  EXPECT_EQ(run("/\\0/($=z)", "{}"), "error T0410");
  EXPECT_EQ(run("/b/({})"), "error T0410");
}

TEST(Jsonata, TransformCopiesAndUpdates) {
  EXPECT_EQ(run(R"($ ~> |a|{"c":3},["b"]|)", R"({"a":{"b":1},"x":2})"), R"({"a":{"c":3},"x":2})");
  EXPECT_EQ(run("a", R"({"a":{"b":1}})"), R"({"b":1})");
}

TEST(Jsonata, OrderByAndGroupBy) {
  EXPECT_EQ(run("items^(>v).k", R"({"items":[{"k":"a","v":1},{"k":"b","v":3},{"k":"c","v":2}]})"),
            R"(["b","c","a"])");
  EXPECT_EQ(
      run("items{k: $sum(v)}", R"({"items":[{"k":"a","v":1},{"k":"a","v":3},{"k":"c","v":2}]})"),
      R"({"a":4,"c":2})");
}

TEST(Jsonata, EvalIsNotAvailable) { EXPECT_EQ(run("$eval('1')"), "error T1006"); }

TEST(Jsonata, AwsPartitionRangeHashParse) {
  EXPECT_EQ(run("$partition([1,2,3,4,5], 2)"), "[[1,2],[3,4],[5]]");
  EXPECT_EQ(run("$range(0, 10, 5)"), "[0,5,10]");
  EXPECT_EQ(run("$hash('abc', 'SHA-256')"),
            R"("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")");
  EXPECT_EQ(run(R"($parse('{"a":[1,2]}').a[1])"), "2");
}

TEST(Jsonata, SeededRandomIsReproducible) {
  EXPECT_EQ(run("$random(7)"), run("$random(7)"));
  EXPECT_NE(run("$random(7)"), run("$random(8)"));
  EXPECT_EQ(run("$length($uuid())"), "36");
}

TEST(Jsonata, NowIsFixedForOneEvaluation) {
  EvalOptions opts;
  opts.now_millis = 1700000000000;
  EXPECT_EQ(run("$now()", nullptr, {}, opts), R"("2023-11-14T22:13:20.000Z")");
  EXPECT_EQ(run("$millis() = $millis()", nullptr, {}, opts), "true");
}

TEST(Jsonata, ExpressionIsReusableAcrossEvaluations) {
  auto expr = Expression::compile("$sum(xs)");
  ASSERT_TRUE(expr.ok());
  json::value a = parse_json(R"({"xs":[1,2]})");
  json::value b = parse_json(R"({"xs":[3,4]})");
  EXPECT_EQ(json::dump(**expr->evaluate(&a)), "3");
  EXPECT_EQ(json::dump(**expr->evaluate(&b)), "7");
}

TEST(Jsonata, DocumentIsReusableAcrossExpressions) {
  auto doc = Document::from_json(parse_json(R"({"a":[1,2,3],"o":{"k":"v"}})"));
  ASSERT_TRUE(doc.ok());
  DocumentBindings vars;
  vars.emplace("states", *doc);
  auto sum = Expression::compile("$sum(a) + $count($states.a)");
  auto transform = Expression::compile("$ ~> |o|{\"k\":\"w\"}|");
  auto read = Expression::compile("o.k");
  ASSERT_TRUE(sum.ok() && transform.ok() && read.ok());
  EXPECT_EQ(json::dump(**sum->evaluate_documents(&*doc, vars)), "9");
  EXPECT_EQ(json::dump(**transform->evaluate_documents(&*doc, vars)),
            R"({"a":[1,2,3],"o":{"k":"w"}})");
  // The transform worked on a copy: the shared document is unchanged.
  EXPECT_EQ(json::dump(**read->evaluate_documents(&*doc, vars)), R"("v")");
}

TEST(Jsonata, DeeplyNestedValueIsReleasedWithoutRecursion) {
  EXPECT_EQ(run("$count([$reduce([1..300000], function($a, $x){ {\"a\": $a} }, {})])"), "1");
  EXPECT_EQ(run("$reduce([1..5000], function($a, $x){ {\"a\": $a} }, {})"), "error U1001");
}

TEST(Jsonata, FunctionResultIsNullUnlessRejected) {
  auto e = Expression::compile("$fn := function($x){$x}");
  ASSERT_TRUE(e.ok());
  auto as_null = e->evaluate(nullptr);
  ASSERT_TRUE(as_null.ok());
  EXPECT_EQ(json::dump(**as_null), "null");
  EvalOptions options;
  options.reject_function_result = true;
  auto rejected = e->evaluate(nullptr, {}, options);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().name, function_result_error);
}

}  // namespace
}  // namespace stepwise::jsonata

// A lambda bound to a name in its own environment forms a reference cycle (frame → lambda →
// frame). The evaluation's end must break it, or a long-running server leaks every closure.
TEST(Jsonata, RecursiveClosuresAreFreedAfterEvaluation) {
  const auto before = stepwise::jsonata::Frame::live_count().load();
  for (const char* text : {"($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(10))",
                           "($o := {'g': function($x){ $x + 1 }}; $o.g(1))",
                           "($map([1,2,3], function($v){ ($h := function(){ $h }; $v) }))"}) {
    auto e = stepwise::jsonata::Expression::compile(text);
    ASSERT_TRUE(e.ok()) << text;
    auto r = e->evaluate(nullptr);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().cause;
    ASSERT_TRUE(r->has_value()) << text;
  }
  EXPECT_EQ(stepwise::jsonata::Frame::live_count().load(), before);
}
