#include <gtest/gtest.h>

#include "jsonpath/jsonpath.h"

namespace stepwise::jsonpath {
namespace {

json::value J(std::string_view text) { return json::parse(text).value(); }

Path P(std::string_view text, PathKind kind = PathKind::kPath) {
  auto p = Path::compile(text, kind);
  EXPECT_TRUE(p.ok()) << text << ": " << (p.ok() ? "" : p.error().cause);
  return p.ok() ? p.value() : Path();
}

std::string sel(std::string_view path, std::string_view input) {
  json::value in = J(input);
  EvalContext ctx;
  ctx.input = &in;
  auto v = P(path).select(ctx);
  return v ? json::dump(*v) : "<none>";
}

TEST(JsonPath, RootSelectsWholeInput) { EXPECT_EQ(sel("$", R"({"a":1})"), R"({"a":1})"); }

TEST(JsonPath, DotAndBracketNamesAreDefinite) {
  EXPECT_EQ(sel("$.a.b", R"({"a":{"b":[1,2]}})"), "[1,2]");
  EXPECT_EQ(sel("$['a']['b c']", R"({"a":{"b c":3}})"), "3");
  EXPECT_EQ(sel("$[\"a\"]", R"({"a":4})"), "4");
  EXPECT_TRUE(P("$.a['b'][0]").is_definite());
}

TEST(JsonPath, MissingDefiniteMemberSelectsNothing) {
  EXPECT_EQ(sel("$.x", R"({"a":1})"), "<none>");
  EXPECT_EQ(sel("$.a.b", R"({"a":"str"})"), "<none>");
  EXPECT_EQ(sel("$.a[0]", R"({"a":{}})"), "<none>");
}

TEST(JsonPath, ArrayIndexAndNegativeIndex) {
  EXPECT_EQ(sel("$.a[1]", R"({"a":[10,20,30]})"), "20");
  EXPECT_EQ(sel("$.a[-1]", R"({"a":[10,20,30]})"), "30");
  EXPECT_EQ(sel("$.a[3]", R"({"a":[10,20,30]})"), "<none>");
  EXPECT_EQ(sel("$[0]", "[5]"), "5");
}

TEST(JsonPath, WildcardOnObjectKeepsKeyOrder) {
  EXPECT_EQ(sel("$.*", R"({"z":1,"a":2,"m":3})"), "[1,2,3]");
  EXPECT_EQ(sel("$.a[*].b", R"({"a":[{"b":1},{"c":2},{"b":3}]})"), "[1,3]");
}

TEST(JsonPath, IndefinitePathOverMissingDataIsEmptyArray) {
  EXPECT_EQ(sel("$.item.items[*]", "{}"), "[]");
  EXPECT_EQ(sel("$.items[1:5].itemValue", "{}"), "[]");
  EXPECT_EQ(sel("$[*]", "{}"), "[]");
}

TEST(JsonPath, SlicesFollowJayway) {
  const char* in = R"({"a":[0,1,2,3,4]})";
  EXPECT_EQ(sel("$.a[1:3]", in), "[1,2]");
  EXPECT_EQ(sel("$.a[:2]", in), "[0,1]");
  EXPECT_EQ(sel("$.a[-2:]", in), "[3,4]");
  EXPECT_EQ(sel("$.a[3:]", in), "[3,4]");
  EXPECT_EQ(sel("$.a[2:100]", in), "[2,3,4]");
}

TEST(JsonPath, UnionsOfIndexesAndNames) {
  EXPECT_EQ(sel("$.a[0,2]", R"({"a":[7,8,9]})"), "[7,9]");
  EXPECT_EQ(sel("$['x','y'].v", R"({"x":{"v":1},"y":{"v":2},"z":3})"), "[1,2]");
}

TEST(JsonPath, FinalNameUnionMergesIntoOneObject) {
  // Jayway: a multi-name leaf is definite and yields the present members as one object.
  EXPECT_TRUE(P("$.a['x','y']").is_definite());
  EXPECT_EQ(sel("$['y','x','q']", R"({"x":1,"y":2,"z":3})"), R"({"y":2,"x":1})");
  EXPECT_EQ(sel("$.l[*]['x','y']", R"({"l":[{"x":1,"z":0},{"y":2}]})"), R"([{"x":1},{"y":2}])");
  EXPECT_FALSE(Path::compile("$['x','y']", PathKind::kReferencePath).ok());
}

TEST(JsonPath, DeepScanIsPreOrder) {
  EXPECT_EQ(sel("$..a", R"({"a":1,"b":{"a":2,"c":[{"a":3}]}})"), R"([1,2,3])");
  EXPECT_EQ(sel("$..x", R"({"a":1})"), "[]");
}

TEST(JsonPath, FilterComparesFields) {
  const char* in = R"({"users":[{"year":1997,"status":0},{"year":1998,"status":1}]})";
  EXPECT_EQ(sel("$.users[?(@.status == 0)]", in), R"([{"year":1997,"status":0}])");
  EXPECT_EQ(sel("$.users[?(@.year > 1997)].year", in), "[1998]");
  EXPECT_EQ(sel("$.users[?(@.year >= 1997 && @.status != 0)].year", in), "[1998]");
  EXPECT_EQ(sel("$.users[?(@.status == 5 || @.year < 1998)].year", in), "[1997]");
  EXPECT_EQ(sel("$.a[?(@.n == 'x')].v", R"({"a":[{"n":"x","v":1},{"n":"y","v":2}]})"), "[1]");
  EXPECT_EQ(sel("$.a[?(@.v)].v", R"({"a":[{"v":1},{"w":2}]})"), "[1]");
  EXPECT_EQ(sel("$.a[?(!(@.v))].w", R"({"a":[{"v":1},{"w":2}]})"), "[2]");
}

TEST(JsonPath, BracketNameKeepsBackslashesLiterally) {
  // AWS matches $['Test\""Name"'] against the key Test\""Name".
  EXPECT_EQ(sel(R"($['Test\""Name"'])", R"({"Test\\\"\"Name\"":"v"})"), R"("v")");
  EXPECT_EQ(sel(R"($['it\'s'])", R"({"it's":1})"), "1");
}

TEST(JsonPath, EscapedDotInName) { EXPECT_EQ(sel(R"($.store\.book)", R"({"store.book":1})"), "1"); }

TEST(JsonPath, ContextAndVariableRoots) {
  json::value in = J(R"({"a":1})");
  json::value context = J(R"({"Execution":{"Id":"arn:x"}})");
  json::value var = J(R"({"x":[1,2]})");
  VariableLookup vars = [&](std::string_view name) -> const json::value* {
    return name == "myVar" ? &var : nullptr;
  };
  EvalContext ctx{&in, &context, &vars, nullptr};
  Path c = P("$$.Execution.Id");
  EXPECT_TRUE(c.is_context());
  EXPECT_EQ(json::dump(*c.select(ctx)), R"("arn:x")");
  Path v = P("$myVar.x[1]");
  EXPECT_TRUE(v.is_variable());
  EXPECT_EQ(v.variable_name(), "myVar");
  EXPECT_EQ(json::dump(*v.select(ctx)), "2");
  EXPECT_FALSE(P("$other").select(ctx).has_value());
  EXPECT_EQ(json::dump(*P("$$").select(ctx)), json::dump(context));
  EXPECT_TRUE(P("$").is_root());
}

TEST(JsonPath, InvalidPathsAreRejected) {
  for (const char* bad : {"", "a.b", "$.", "$.a[", "$.a[x]", "$['a'", "$.a]", "$[?(@.a ==)]"}) {
    auto p = Path::compile(bad, PathKind::kPath);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) {
      EXPECT_EQ(p.error().name, "Path.Invalid");
    }
  }
}

TEST(JsonPath, ReferencePathRejectsIndefiniteOperators) {
  for (const char* bad : {"$.a[*]", "$..a", "$.a[1:2]", "$.a[0,1]", "$.a[?(@.x)]", "$.*"}) {
    EXPECT_FALSE(Path::compile(bad, PathKind::kReferencePath).ok()) << bad;
  }
  EXPECT_TRUE(Path::compile("$.ledgers[0][22][315].foo", PathKind::kReferencePath).ok());
}

TEST(JsonPath, HostileNestingIsBounded) {
  std::string deep = "$.a[?(" + std::string(200, '(') + "@.x" + std::string(200, ')') + ")]";
  EXPECT_FALSE(Path::compile(deep, PathKind::kPath).ok());
  std::string many = "$";
  for (int i = 0; i < 2000; ++i) many += ".a";
  EXPECT_FALSE(Path::compile(many, PathKind::kPath).ok());
}

// "!" and "&&" chains build an expression tree as deep as they are long, which the parser, the
// evaluator and the destructor each walk by recursion; past filter_terms_max (1,024) such a
// filter is refused. The long fuzz run found the "!" chain overflowing the stack.
TEST(JsonPath, LongFilterChainsAreBounded) {
  auto nots = [](std::size_t n) { return "$.a[?(" + std::string(n, '!') + "@.v)].v"; };
  const char* in = R"({"a":[{"v":1},{"w":2}]})";
  EXPECT_EQ(sel(nots(1022), in), "[1]");  // 1,022 "!"s and one comparison: 1,023 terms
  EXPECT_FALSE(Path::compile(nots(1024), PathKind::kPath).ok());
  EXPECT_FALSE(Path::compile(nots(100000), PathKind::kPath).ok());
  std::string ands = "$.a[?(@.v";
  for (int i = 1; i < 1024; ++i) ands += " && @.v";
  EXPECT_EQ(sel(ands + ")].v", in), "[1]");  // 1,024 terms
  for (int i = 0; i < 100000; ++i) ands += " && @.v";
  EXPECT_FALSE(Path::compile(ands + ")]", PathKind::kPath).ok());
}

// A filter that scans the whole document, inside a scan, costs the square of its size (and a
// cube once it compares scans); past path_eval_steps_max the path selects nothing and
// select_or_fail says why. The long fuzz run found a 90 KB input taking minutes.
TEST(JsonPath, EvaluationWorkIsBounded) {
  std::string doc = "[";
  for (int i = 0; i < 100000; ++i) doc += std::string(i ? "," : "") + R"({"a":1,"b":2})";
  json::value in = J(doc + "]");
  EvalContext ctx;
  ctx.input = &in;
  auto linear = P("$[?(@.a == 1)].b").select(ctx);  // about 600,000 steps: within the budget
  ASSERT_TRUE(linear.has_value());
  EXPECT_EQ(linear->get_array().size(), 100000u);
  auto all = P("$..*").select(ctx);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->get_array().size(), 300000u);

  Path cubic = P("$..[?(@.a == $..b)]");
  EXPECT_FALSE(cubic.select(ctx).has_value());
  auto r = cubic.select_or_fail(ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "States.Runtime");
  EXPECT_NE(r.error().cause.find("took more than 10000000 steps"), std::string::npos);
}

TEST(JsonPath, SelectOrFailUsesJaywayTexts) {
  json::value in = J(R"({"int-literal":0})");
  EvalContext ctx;
  ctx.input = &in;
  auto r = P("$.NoSuchOutputPath").select_or_fail(ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "States.Runtime");
  EXPECT_EQ(r.error().cause,
            "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']");
  auto r2 = P("$.no.such.result.path").select_or_fail(ctx);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().cause,
            "Invalid path '$.no.such.result.path' : Missing property in path $['no']");
  EXPECT_TRUE(P("$.int-literal").select_or_fail(ctx).ok());
}

std::string failure(std::string_view path, std::string_view input) {
  json::value in = J(input);
  EvalContext ctx;
  ctx.input = &in;
  auto r = P(path).select_or_fail(ctx);
  return r.ok() ? "<ok>" : r.error().cause;
}

TEST(JsonPath, SelectOrFailExplainsWrongKinds) {
  EXPECT_EQ(failure("$.a.b", R"({"a":"s"})"),
            "Invalid path '$.a.b' : Expected to find an object with property ['b'] in path "
            "$['a'] but found 'java.lang.String'. This is not a json object according to the "
            "JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.");
  EXPECT_EQ(failure("$.a[0]", R"({"a":{"k":[1,"x"]}})"),
            "Invalid path '$.a[0]' : Filter: [0] can only be applied to arrays. Current context "
            "is: {k=[1, x]}");
  EXPECT_EQ(failure("$.a[0]", R"({"a":null})"), "Invalid path '$.a[0]' : The path $['a'] is null");
  EXPECT_EQ(failure("$.a[5]", R"({"a":[1]})"),
            "Invalid path '$.a[5]' : No results for path: $['a'][5]");
  EXPECT_EQ(failure("$.a[*]", R"({})"), "<ok>");
}

std::string assign(std::string_view path, std::string_view doc, std::string_view value) {
  json::value d = J(doc);
  auto st = P(path, PathKind::kReferencePath).assign(d, J(value));
  return st.ok() ? json::dump(d) : st.error().name;
}

TEST(JsonPath, AssignReplacesOrCreates) {
  EXPECT_EQ(assign("$", R"({"a":1})", "[1]"), "[1]");
  EXPECT_EQ(assign("$.r", R"({"a":1})", "2"), R"({"a":1,"r":2})");
  EXPECT_EQ(assign("$.a", R"({"a":1})", "2"), R"({"a":2})");
  EXPECT_EQ(assign("$.x.y.z", R"({"a":1})", "true"), R"({"a":1,"x":{"y":{"z":true}}})");
  EXPECT_EQ(assign("$.a.b", R"({"a":{"c":1}})", "2"), R"({"a":{"c":1,"b":2}})");
  EXPECT_EQ(assign("$.a[1]", R"({"a":[0,0]})", "5"), R"({"a":[0,5]})");
}

TEST(JsonPath, AssignIntoNonObjectFails) {
  EXPECT_EQ(assign("$.r", R"("text")", "1"), "States.ResultPathMatchFailure");
  EXPECT_EQ(assign("$.a.b", R"({"a":3})", "1"), "States.ResultPathMatchFailure");
  EXPECT_EQ(assign("$.a[5]", R"({"a":[]})", "1"), "States.ResultPathMatchFailure");
  EXPECT_EQ(assign("$.x[0]", R"({})", "1"), "States.ResultPathMatchFailure");
}

TEST(JsonPath, AssignFailureCauseShowsPathAndInput) {
  json::value d = J(R"("hello world")");
  auto st = P("$.r", PathKind::kReferencePath).assign(d, J("1"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().cause, R"(Unable to apply ReferencePath $.r to input "hello world")");
}

TEST(JsonPath, FailedAssignLeavesDocumentUntouched) {
  json::value d = J(R"({"a":1})");
  auto st = P("$.x.y[0]", PathKind::kReferencePath).assign(d, J("1"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(json::dump(d), R"({"a":1})");
  EXPECT_NE(st.error().cause.find("$.x.y[0]"), std::string::npos);
}

}  // namespace
}  // namespace stepwise::jsonpath
