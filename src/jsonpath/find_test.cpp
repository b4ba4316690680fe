#include <gtest/gtest.h>

#include <string>

#include "jsonpath/jsonpath.h"

namespace stepwise::jsonpath {
namespace {

json::value J(std::string_view text) { return json::parse(text).value(); }

Path P(std::string_view text) {
  auto p = Path::compile(text, PathKind::kPath);
  EXPECT_TRUE(p.ok()) << text;
  return p.ok() ? p.value() : Path();
}

TEST(JsonPathFind, DefinitePathReturnsTheNodeItself) {
  json::value in = J(R"({"a":{"b":[10,20]}})");
  EvalContext ctx;
  ctx.input = &in;
  const json::value* v = P("$.a.b[1]").find(ctx);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v, &in.at("a").at("b").at(1));
  EXPECT_EQ(P("$").find(ctx), &in);
}

TEST(JsonPathFind, MissIsNull) {
  json::value in = J(R"({"a":{"b":1}})");
  EvalContext ctx;
  ctx.input = &in;
  EXPECT_EQ(P("$.a.c").find(ctx), nullptr);
  EXPECT_EQ(P("$.a.b.c").find(ctx), nullptr);
  EXPECT_EQ(P("$.a[0]").find(ctx), nullptr);
}

TEST(JsonPathFind, IndefiniteAndMergedPathsAreNotByReference) {
  json::value in = J(R"({"a":{"x":1,"y":2}})");
  EvalContext ctx;
  ctx.input = &in;
  EXPECT_FALSE(P("$.a.*").is_by_reference());
  EXPECT_EQ(P("$.a.*").find(ctx), nullptr);
  EXPECT_FALSE(P("$.a['x','y']").is_by_reference());
  EXPECT_EQ(P("$.a['x','y']").find(ctx), nullptr);
  EXPECT_TRUE(P("$.a.x").is_by_reference());
}

TEST(JsonPathFind, MembersAreFoundInSmallAndLargeObjects) {
  json::object big;
  for (int i = 0; i < 40; ++i) big["k" + std::to_string(i)] = i;
  json::value in = json::object{{"small", json::object{{"p", 1}, {"q", 2}}}, {"big", big}};
  EvalContext ctx;
  ctx.input = &in;
  ASSERT_NE(P("$.small.q").find(ctx), nullptr);
  EXPECT_EQ(P("$.small.q").find(ctx)->as_int64(), 2);
  ASSERT_NE(P("$.big.k37").find(ctx), nullptr);
  EXPECT_EQ(P("$.big.k37").find(ctx)->as_int64(), 37);
  EXPECT_EQ(P("$.big.k40").find(ctx), nullptr);
}

TEST(TemplateEval, ScalarsKeepTheirKindAndStructuresAreDeepCopies) {
  json::value tmpl = J(R"({"i.$":"$.i","u.$":"$.u","d.$":"$.d","b.$":"$.b","n.$":"$.n",
                         "s.$":"$.s","o.$":"$.o","lit":[1,{"k":"v"}],"arr":[{"x.$":"$.i"}]})");
  auto t = Template::compile(tmpl, "Parameters");
  ASSERT_TRUE(t.ok());
  json::value in = J(R"({"i":-3,"u":18446744073709551615,"d":2.5,"b":true,"n":null,
                        "s":"str","o":{"z":[1,2]}})");
  EvalContext ctx;
  ctx.input = &in;
  auto out = t->evaluate(ctx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(json::dump(*out),
            R"({"i":-3,"u":18446744073709551615,"d":2.5,"b":true,"n":null,"s":"str",)"
            R"("o":{"z":[1,2]},"lit":[1,{"k":"v"}],"arr":[{"x":-3}]})");
  EXPECT_TRUE(out->at("i").is_int64());
  EXPECT_TRUE(out->at("u").is_uint64());
  in.at("o").at("z").as_array().clear();  // the output owns its copy
  EXPECT_EQ(out->at("o").at("z").as_array().size(), 2u);
}

}  // namespace
}  // namespace stepwise::jsonpath
