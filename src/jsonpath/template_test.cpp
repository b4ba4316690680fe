#include <gtest/gtest.h>

#include "jsonpath/jsonpath.h"

namespace stepwise::jsonpath {
namespace {

json::value J(std::string_view text) { return json::parse(text).value(); }

Result<json::value> eval(std::string_view tmpl, std::string_view input,
                         const json::value* context = nullptr,
                         const VariableLookup* vars = nullptr) {
  auto t = Template::compile(J(tmpl), "Parameters");
  if (!t) return std::move(t).error();
  json::value in = J(input);
  EvalContext ctx{&in, context, vars, nullptr};
  return t->evaluate(ctx);
}

std::string run(std::string_view tmpl, std::string_view input) {
  auto r = eval(tmpl, input);
  return r ? json::dump(*r) : r.error().name + ": " + r.error().cause;
}

TEST(Template, PlainValuesAreCopied) {
  EXPECT_EQ(run(R"({"Comment":"c","n":1,"l":[1,{"x":null}]})", "{}"),
            R"({"Comment":"c","n":1,"l":[1,{"x":null}]})");
  EXPECT_EQ(run(R"("just a string")", "{}"), R"("just a string")");
}

TEST(Template, DollarKeysAreEvaluatedAndRenamed) {
  EXPECT_EQ(run(R"({"a.$":"$.x","b":"$.x","c":{"d.$":"$"}})", R"({"x":5})"),
            R"({"a":5,"b":"$.x","c":{"d":{"x":5}}})");
}

TEST(Template, ObjectsInsideArraysAreTemplatesToo) {
  EXPECT_EQ(run(R"({"l":[{"v.$":"$.x"},2]})", R"({"x":"y"})"), R"({"l":[{"v":"y"},2]})");
}

TEST(Template, IndefinitePathsYieldArrays) {
  EXPECT_EQ(run(R"({"item.$":"$.items[1:]"})", "{}"), R"({"item":[]})");
  EXPECT_EQ(run(R"({"v.$":"$.u[?(@.s == 0)].n"})", R"({"u":[{"s":0,"n":1},{"s":1,"n":2}]})"),
            R"({"v":[1]})");
}

TEST(Template, IntrinsicValuesAreCalled) {
  EXPECT_EQ(run(R"j({"f.$":"States.Format('x{}', $.a)"})j", R"({"a":1})"), R"({"f":"x1"})");
}

TEST(Template, ContextAndVariables) {
  json::value ctxobj = J(R"({"Execution":{"Name":"e1"}})");
  json::value var = J("42");
  VariableLookup vars = [&](std::string_view n) -> const json::value* {
    return n == "v" ? &var : nullptr;
  };
  auto r = eval(R"({"n.$":"$$.Execution.Name","v.$":"$v"})", "{}", &ctxobj, &vars);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::dump(*r), R"({"n":"e1","v":42})");
}

TEST(Template, MissingPathFailsWithAwsCause) {
  auto r = eval(R"({"value.$":"$.no_such_jsonpath"})", R"({"int-literal":0})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "States.Runtime");
  EXPECT_EQ(
      r.error().cause,
      "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in "
      "the input '{\"int-literal\":0}'");
}

TEST(Template, IntrinsicFailurePropagates) {
  auto r = eval(R"j({"a":{"b.$":"States.ArrayGetItem($.l, 9)"}})j", R"({"l":[]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "States.IntrinsicFailure");
}

TEST(Template, CompileRejectsBadDynamicValues) {
  EXPECT_FALSE(Template::compile(J(R"({"a.$":1})"), "Parameters").ok());
  EXPECT_FALSE(Template::compile(J(R"({"a.$":"$.["})"), "Parameters").ok());
  EXPECT_FALSE(Template::compile(J(R"j({"a.$":"States.Nope()"})j"), "Parameters").ok());
  EXPECT_FALSE(Template::compile(J(R"({"a.$":"$.x","a":1})"), "Parameters").ok());
}

TEST(Template, ResultIsIndependentOfInputLifetime) {
  auto t = Template::compile(J(R"({"a.$":"$.x"})"), "Parameters");
  ASSERT_TRUE(t.ok());
  json::value out;
  {
    json::value in = J(R"({"x":[1,2,3]})");
    EvalContext ctx{&in, nullptr, nullptr, nullptr};
    out = t->evaluate(ctx).value();
  }
  EXPECT_EQ(json::dump(out), R"({"a":[1,2,3]})");
}

}  // namespace
}  // namespace stepwise::jsonpath
