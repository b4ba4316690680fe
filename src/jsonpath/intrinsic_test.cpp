#include <gtest/gtest.h>

#include <regex>

#include "jsonpath/jsonpath.h"

namespace stepwise::jsonpath {
namespace {

json::value J(std::string_view text) { return json::parse(text).value(); }

struct Fixture {
  json::value input;
  json::value context = J(R"({"StateMachine":{"Id":"arn:sm","Name":"my-machine-1"}})");
  std::uint64_t counter = 0;
  RandomSource random = [this] { return 0x0123456789abcdefULL * ++counter; };
  EvalContext ctx() { return EvalContext{&input, &context, nullptr, &random}; }
};

// Evaluates text against input; returns the JSON result or "ERR:<name>".
std::string run(std::string_view text, std::string_view input = "null") {
  Fixture f;
  f.input = J(input);
  auto fn = Intrinsic::compile(text);
  if (!fn) return "COMPILE:" + fn.error().cause;
  auto r = fn->evaluate(f.ctx());
  return r ? json::dump(*r) : "ERR:" + r.error().name;
}

TEST(Intrinsic, FormatReplacesPlaceholdersInOrder) {
  EXPECT_EQ(run("States.Format('a={} b={}.', $.x, $.y)", R"({"x":"s","y":1.1})"),
            R"("a=s b=1.1.")");
  EXPECT_EQ(run("States.Format('v {}', $.x)", R"({"x":null})"), R"("v null")");
  EXPECT_EQ(run("States.Format('v {}', $.x)", R"({"x":true})"), R"("v true")");
  EXPECT_EQ(run(R"(States.Format('\{\} {} \'q\' \\', 1))"), R"("{} 1 'q' \\")");
}

TEST(Intrinsic, FormatPrintsObjectsAsJavaMaps) {
  EXPECT_EQ(run("States.Format('{}', $$.StateMachine)"), R"("{Id=arn:sm, Name=my-machine-1}")");
  EXPECT_EQ(run("States.Format('{}', $.a)", R"({"a":[1,"x"]})"), R"("[1, x]")");
}

TEST(Intrinsic, FormatArgumentCountMustMatch) {
  EXPECT_EQ(run("States.Format('{} {}', 1)"), "ERR:States.IntrinsicFailure");
  EXPECT_EQ(run("States.Format('{}', 1, 2)"), "ERR:States.IntrinsicFailure");
}

TEST(Intrinsic, StringToJsonAndBack) {
  EXPECT_EQ(run("States.StringToJson($.s)", R"({"s":"{\"a\": [1, 2.5]}"})"), R"({"a":[1,2.5]})");
  EXPECT_EQ(run("States.StringToJson($.s)", R"({"s":""})"), "null");
  EXPECT_EQ(run("States.StringToJson($.s)", R"({"s":"{bad"})"), "ERR:States.IntrinsicFailure");
  EXPECT_EQ(run("States.JsonToString($.o)", R"({"o":{"a":1,"b":[]}})"), R"("{\"a\":1,\"b\":[]}")");
  EXPECT_EQ(run("States.JsonToString($.o)", R"({"o":1.0E20})"), R"("1.0E20")");
}

TEST(Intrinsic, JsonToStringNeedsAPath) {
  EXPECT_TRUE(run("States.JsonToString('x')").starts_with("COMPILE:"));
}

TEST(Intrinsic, ArrayFunctions) {
  EXPECT_EQ(run("States.Array(1, 'a', null, true, $.x)", R"({"x":{"k":1}})"),
            R"([1,"a",null,true,{"k":1}])");
  EXPECT_EQ(run("States.Array()"), "[]");
  EXPECT_EQ(run("States.ArrayPartition($.a, 2)", R"({"a":[1,2,3]})"), "[[1,2],[3]]");
  EXPECT_EQ(run("States.ArrayPartition($.a, 0)", R"({"a":[1]})"), "ERR:States.IntrinsicFailure");
  EXPECT_EQ(run("States.ArrayContains($.a, $.v)", R"({"a":[[1,2,3],2],"v":[1,2,3]})"), "true");
  EXPECT_EQ(run("States.ArrayContains($.a, 5)", R"({"a":[1]})"), "false");
  EXPECT_EQ(run("States.ArrayGetItem($.a, 1)", R"({"a":[1,2]})"), "2");
  EXPECT_EQ(run("States.ArrayGetItem($.a, 2)", R"({"a":[1,2]})"), "ERR:States.IntrinsicFailure");
  EXPECT_EQ(run("States.ArrayLength($.a)", R"({"a":[1,2]})"), "2");
  EXPECT_EQ(run("States.ArrayLength($.a)", R"({"a":"x"})"), "ERR:States.IntrinsicFailure");
  EXPECT_EQ(run("States.ArrayUnique($.a)", R"({"a":[1,1,"a","a",null,{"x":1},{"x":1}]})"),
            R"([1,"a",null,{"x":1}])");
}

TEST(Intrinsic, ArrayRangeIsEndInclusiveAndBounded) {
  EXPECT_EQ(run("States.ArrayRange(1, 9, 2)"), "[1,3,5,7,9]");
  EXPECT_EQ(run("States.ArrayRange(0, 10, 3)"), "[0,3,6,9]");
  EXPECT_EQ(run("States.ArrayRange(5, 1, -2)"), "[5,3,1]");
  EXPECT_EQ(run("States.ArrayRange(1, 0, 1)"), "[]");
  EXPECT_EQ(run("States.ArrayRange(1, 2, 0)"), "ERR:States.IntrinsicFailure");
  EXPECT_EQ(run("States.ArrayRange(1, 1000, 1)").size(), std::string("[").size() + 3893);
  EXPECT_EQ(run("States.ArrayRange(1, 1001, 1)"), "ERR:States.IntrinsicFailure");
  EXPECT_EQ(run("States.ArrayRange(0, 9000000000000000000, 1)"), "ERR:States.IntrinsicFailure");
}

TEST(Intrinsic, Base64RoundTrip) {
  EXPECT_EQ(run("States.Base64Encode('Data to encode')"), R"("RGF0YSB0byBlbmNvZGU=")");
  EXPECT_EQ(run("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"), R"("Data to encode")");
  EXPECT_EQ(run("States.Base64Encode('')"), R"("")");
  EXPECT_EQ(run("States.Base64Decode('YQ==')"), R"("a")");
  EXPECT_EQ(run("States.Base64Decode('!!!')"), "ERR:States.IntrinsicFailure");
  std::string big = "{\"s\":\"" + std::string(10001, 'a') + "\"}";
  EXPECT_EQ(run("States.Base64Encode($.s)", big), "ERR:States.IntrinsicFailure");
}

TEST(Intrinsic, HashAlgorithms) {
  EXPECT_EQ(run("States.Hash('input data', 'SHA-1')"),
            R"("aaff4a450a104cd177d28d18d74485e8cae074b7")");
  EXPECT_EQ(run("States.Hash('input data', 'SHA-256')"),
            R"("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3")");
  EXPECT_EQ(run("States.Hash('', 'MD5')"), R"("d41d8cd98f00b204e9800998ecf8427e")");
  EXPECT_EQ(run("States.Hash('x', 'SHA-999')"), "ERR:States.IntrinsicFailure");
}

TEST(Intrinsic, JsonMergeIsShallow) {
  EXPECT_EQ(run("States.JsonMerge($.a, $.b, false)",
                R"({"a":{"x":{"p":1},"y":2},"b":{"x":{"q":1},"z":3}})"),
            R"({"x":{"q":1},"y":2,"z":3})");
  EXPECT_EQ(run("States.JsonMerge($.a, $.b, true)", R"({"a":{},"b":{}})"),
            "ERR:States.IntrinsicFailure");
  EXPECT_EQ(run("States.JsonMerge($.a, $.b, false)", R"({"a":[],"b":{}})"),
            "ERR:States.IntrinsicFailure");
}

TEST(Intrinsic, MathAddRoundsHalfUpLikeJava) {
  EXPECT_EQ(run("States.MathAdd(-9, 3)"), "-6");
  EXPECT_EQ(run("States.MathAdd(1.49, 1.5)"), "3");
  EXPECT_EQ(run("States.MathAdd(-1.5, 0)"), "-1");
  EXPECT_EQ(run("States.MathAdd(-2.5, 0)"), "-2");
  EXPECT_EQ(run("States.MathAdd(-1.51, 0)"), "-2");
  EXPECT_EQ(run("States.MathAdd('a', 0)"), "ERR:States.IntrinsicFailure");
}

TEST(Intrinsic, MathRandomStaysInRangeAndSeedRepeats) {
  for (int i = 0; i < 20; ++i) {
    auto v = J(run("States.MathRandom(-5, 5)"));
    EXPECT_GE(v.as_int64(), -5);
    EXPECT_LT(v.as_int64(), 5);
  }
  EXPECT_EQ(run("States.MathRandom(0, 999, 3)"), run("States.MathRandom(0, 999, 3)"));
  EXPECT_EQ(run("States.MathRandom(5, 5)"), "ERR:States.IntrinsicFailure");
}

TEST(Intrinsic, StringSplitDropsEmptyTokens) {
  EXPECT_EQ(run("States.StringSplit('1,2,,3', ',')"), R"(["1","2","3"])");
  EXPECT_EQ(run("States.StringSplit(',,,,', ',')"), "[]");
  EXPECT_EQ(run("States.StringSplit($.s, $.d)", R"({"s":"split on T and \nnew line","d":"T\n"})"),
            R"(["split on "," and ","new line"])");
}

TEST(Intrinsic, UuidIsVersion4) {
  std::string u = J(run("States.UUID()")).as_string().c_str();
  EXPECT_TRUE(std::regex_match(
      u, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << u;
}

TEST(Intrinsic, NestedCalls) {
  EXPECT_EQ(
      run("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
          "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))"),
      R"("1")");
  EXPECT_EQ(
      run(R"(States.JsonMerge(States.StringToJson('{"k": "v"}'), $.o, false))", R"({"o":{"a":1}})"),
      R"({"k":"v","a":1})");
}

TEST(Intrinsic, NestingDepthIsBounded) {
  std::string text = "1";
  for (int i = 0; i < 10; ++i) text = "States.MathAdd(" + text + ", 1)";
  EXPECT_EQ(run(text), "11");
  text = "States.MathAdd(" + text + ", 1)";
  EXPECT_TRUE(run(text).starts_with("COMPILE:"));
}

TEST(Intrinsic, SyntaxErrorsAreRejectedAtCompile) {
  for (const char* bad : {"States.Nope()", "Foo.Format('x')", "States.Format('x'",
                          "States.Format('x') y", R"(States.StringToJson('{\"a\":1}'))",
                          "States.ArrayLength()", "States.UUID(1)", "States.MathAdd(1 2)"}) {
    EXPECT_FALSE(Intrinsic::compile(bad).ok()) << bad;
  }
}

TEST(Intrinsic, MissingPathArgumentNamesTheField) {
  Fixture f;
  f.input = J(R"({"a":1})");
  auto fn = Intrinsic::compile("States.Array($.nope)");
  ASSERT_TRUE(fn.ok());
  auto r = fn->evaluate(f.ctx(), "out.$");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "States.Runtime");
  EXPECT_EQ(r.error().cause,
            "The JSONPath '$.nope' specified for the field 'out.$' could not be found in the input "
            "'{\"a\":1}'");
}

}  // namespace
}  // namespace stepwise::jsonpath
