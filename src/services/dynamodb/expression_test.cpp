// The expression languages: parsing (every validation error family, with AWS's messages),
// evaluation of conditions, update actions and projections, numbers as DynamoDB keeps them.
#include <gtest/gtest.h>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/evaluator.h"
#include "services/dynamodb/expression.h"

namespace stepwise::services::dynamodb {
namespace {

json::object J(std::string_view text) { return json::parse(text).value().get_object(); }

struct Fixture {
  json::object names, values;
  ExpressionContext ctx;
  Fixture(std::string_view n, std::string_view v) : names(J(n)), values(J(v)) {
    ctx.names = names.empty() ? nullptr : &names;
    ctx.values = values.empty() ? nullptr : &values;
  }
};

std::string condition_error(std::string_view expr, std::string_view names = "{}",
                            std::string_view values = "{}") {
  Fixture f(names, values);
  Condition c;
  auto e = parse_condition(expr, "ConditionExpression", f.ctx, c);
  return e.value_or("");
}

std::string update_error(std::string_view expr, std::string_view values = "{}",
                         std::string_view names = "{}") {
  Fixture f(names, values);
  std::vector<UpdateAction> out;
  return parse_update(expr, f.ctx, out).value_or("");
}

bool holds(std::string_view expr, std::string_view item, std::string_view values = "{}",
           std::string_view names = "{}") {
  Fixture f(names, values);
  Condition c;
  auto e = parse_condition(expr, "ConditionExpression", f.ctx, c);
  EXPECT_FALSE(e) << *e;
  return !e && evaluate(c, J(item));
}

Item updated(std::string_view expr, std::string_view item, std::string_view values = "{}",
             std::string* error = nullptr) {
  Fixture f("{}", values);
  std::vector<UpdateAction> actions;
  auto e = parse_update(expr, f.ctx, actions);
  EXPECT_FALSE(e) << *e;
  Item out = J(item);
  auto err = apply_update(out, actions);
  if (error) *error = err.value_or("");
  return out;
}

TEST(Numbers, NormaliseCompareAndAdd) {
  std::string err;
  EXPECT_EQ(parse_decimal("001.500", &err)->text(), "1.5");
  EXPECT_EQ(parse_decimal("1e2", &err)->text(), "100");
  EXPECT_EQ(parse_decimal("-0.00", &err)->text(), "0");
  EXPECT_EQ(parse_decimal("12.5E-3", &err)->text(), "0.0125");
  EXPECT_EQ(parse_decimal("1.50e125", &err)->text(), "1.5E+125");
  EXPECT_EQ(parse_decimal("1e37", &err)->text(), "1" + std::string(37, '0'));
  EXPECT_FALSE(parse_decimal("abc", &err));
  EXPECT_EQ(err, "The parameter cannot be converted to a numeric value: abc");
  EXPECT_FALSE(parse_decimal("1234567890123456789012345678901234567890", &err));
  EXPECT_EQ(err, "Attempting to store more than 38 significant digits in a Number");
  EXPECT_FALSE(parse_decimal("1e126", &err));
  EXPECT_TRUE(err.starts_with("Number overflow"));
  EXPECT_FALSE(parse_decimal("1e-131", &err));
  EXPECT_TRUE(err.starts_with("Number underflow"));
  EXPECT_LT(compare(*parse_decimal("9", &err), *parse_decimal("10", &err)), 0);
  EXPECT_LT(compare(*parse_decimal("-10", &err), *parse_decimal("-9", &err)), 0);
  EXPECT_EQ(compare(*parse_decimal("1.50", &err), *parse_decimal("1.5", &err)), 0);
  EXPECT_EQ(add(*parse_decimal("0.1", &err), *parse_decimal("0.2", &err)).text(), "0.3");
  EXPECT_EQ(add(*parse_decimal("5", &err), negate(*parse_decimal("7.25", &err))).text(), "-2.25");
  // 38 digits stay exact where a double would round.
  EXPECT_EQ(
      add(*parse_decimal("99999999999999999999999999999999999998", &err), *parse_decimal("1", &err))
          .text(),
      "99999999999999999999999999999999999999");
}

TEST(AttributeValues, ChecksEveryTypeWithAwsMessages) {
  auto check = [](std::string_view v) {
    json::value x = json::parse(v).value();
    return check_value(x).value_or("");
  };
  EXPECT_EQ(check(R"({"S":"a"})"), "");
  EXPECT_EQ(check(R"({"BOOL":true})"), "");
  EXPECT_EQ(check(R"({"B":"AAEC"})"), "");
  EXPECT_EQ(check(R"({"L":[{"N":"1"},{"M":{"x":{"NULL":true}}}]})"), "");
  EXPECT_EQ(check(R"({})"),
            "One or more parameter values were invalid: Supplied AttributeValue "
            "is empty, must contain exactly one of the supported datatypes");
  EXPECT_TRUE(check(R"({"S":"a","N":"1"})").find("more than one datatypes") != std::string::npos);
  EXPECT_EQ(check(R"({"SS":[]})"),
            "One or more parameter values were invalid: An string set  may not be empty");
  EXPECT_EQ(check(R"({"SS":["a","a"]})"),
            "One or more parameter values were invalid: Input collection [a, a] contains "
            "duplicates.");
  EXPECT_TRUE(check(R"({"NS":["1","1.0"]})").find("duplicates") != std::string::npos);
  EXPECT_EQ(check(R"({"NULL":false})"),
            "One or more parameter values were invalid: Null "
            "attribute value types must have the value of true");
  EXPECT_NE(check(R"({"B":"not base64!"})"), "");
  EXPECT_NE(check(R"({"N":"x"})"), "");
  json::value n = json::parse(R"({"NS":["1.50","2e1"]})").value();
  ASSERT_FALSE(check_value(n));
  EXPECT_EQ(json::dump(n), R"({"NS":["1.5","20"]})");
}

TEST(AttributeValues, EqualityAndSize) {
  auto v = [](std::string_view t) { return json::parse(t).value(); };
  EXPECT_TRUE(equal_values(v(R"({"SS":["a","b"]})"), v(R"({"SS":["b","a"]})")));
  EXPECT_FALSE(equal_values(v(R"({"S":"1"})"), v(R"({"N":"1"})")));
  EXPECT_TRUE(
      equal_values(v(R"({"M":{"a":{"L":[{"N":"1"}]}}})"), v(R"({"M":{"a":{"L":[{"N":"1"}]}}})")));
  EXPECT_EQ(item_size(J(R"({"ab":{"S":"xyz"}})")), 5u);
  EXPECT_EQ(item_size(J(R"({"n":{"N":"123"}})")), 1u + 3u);
}

TEST(ConditionParser, SyntaxErrorsNameTheTokenAndWhereItIs) {
  EXPECT_EQ(condition_error("a = = :v", "{}", R"({":v":{"S":"x"}})"),
            "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :v\"");
  EXPECT_EQ(condition_error("a =", "{}", "{}"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(condition_error("   "),
            "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_TRUE(condition_error(std::string(5000, 'a')).find("maximum allowed size") !=
              std::string::npos);
  EXPECT_TRUE(condition_error(std::string(200, '(') + "a = :v" + std::string(200, ')'), "{}",
                              R"({":v":{"S":"x"}})")
                  .starts_with("Invalid ConditionExpression:"));
}

TEST(ConditionParser, PlaceholdersReservedWordsAndFunctions) {
  EXPECT_EQ(condition_error("a = :missing"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :missing");
  EXPECT_EQ(condition_error("#n = :v", "{}", R"({":v":{"S":"x"}})"),
            "Invalid ConditionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #n");
  EXPECT_EQ(condition_error("data = :v", "{}", R"({":v":{"S":"x"}})"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved "
            "keyword: data");
  EXPECT_EQ(condition_error("#d = :v", R"({"#d":"data"})", R"({":v":{"S":"x"}})"), "");
  EXPECT_EQ(condition_error("nope(a)"),
            "Invalid ConditionExpression: Invalid function name; function: nope");
  EXPECT_EQ(condition_error("begins_with(a)"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: begins_with, number of operands: 1");
  EXPECT_EQ(condition_error("attribute_exists(:v)", "{}", R"({":v":{"S":"x"}})"),
            "Invalid ConditionExpression: Operator or function requires a document path; "
            "operator or function: attribute_exists");
  EXPECT_EQ(condition_error("attribute_type(a, :t)", "{}", R"({":t":{"S":"STR"}})"),
            "Invalid ConditionExpression: Invalid attribute type name found; type: STR, valid "
            "types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
  EXPECT_EQ(condition_error("a = contains(b, :v)", "{}", R"({":v":{"S":"x"}})"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: contains");
}

TEST(ConditionParser, UnusedAndMalformedPlaceholders) {
  Fixture f(R"({"#a":"a","#b":"b"})", R"({":x":{"N":"1"},":y":{"N":"2"}})");
  Condition c;
  ASSERT_FALSE(parse_condition("#a = :x", "ConditionExpression", f.ctx, c));
  EXPECT_EQ(unused_placeholders(f.ctx).value_or(""),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}");
  Fixture g(R"({"#a":"a","#b":"b"})", R"({":x":{"N":"1"}})");
  ASSERT_FALSE(parse_condition("#a = :x", "ConditionExpression", g.ctx, c));
  EXPECT_EQ(unused_placeholders(g.ctx).value_or(""),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
  json::object names = J(R"({"a":"x"})");
  EXPECT_EQ(check_placeholders(&names, nullptr).value_or(""),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
  json::object values = J(R"({":v":{"SS":[]}})");
  EXPECT_EQ(check_placeholders(nullptr, &values).value_or(""),
            "ExpressionAttributeValues contains invalid value: One or more parameter values were "
            "invalid: An string set  may not be empty for key :v");
  json::object empty;
  EXPECT_EQ(check_placeholders(nullptr, &empty).value_or(""),
            "ExpressionAttributeValues must not be empty");
}

TEST(Conditions, ComparisonsFunctionsAndLogic) {
  const char* item = R"({"n":{"N":"10"},"s":{"S":"hello"},"tags":{"SS":["a","b"]},
      "l":{"L":[{"S":"x"},{"N":"2"}]},"m":{"M":{"k":{"BOOL":true}}},"z":{"NULL":true}})";
  const char* v = R"({":nine":{"N":"9"},":ten":{"N":"10.0"},":h":{"S":"he"},":a":{"S":"a"},
      ":x":{"S":"x"},":S":{"S":"S"},":five":{"N":"5"},":two":{"N":"2"}})";
  EXPECT_TRUE(holds("n > :nine AND n = :ten", item, v));
  EXPECT_FALSE(holds("n < :nine OR s = :a", item, v));
  EXPECT_TRUE(holds("NOT n < :nine", item, v));
  EXPECT_TRUE(holds("n BETWEEN :nine AND :ten", item, v));
  EXPECT_TRUE(holds("n IN (:five, :ten)", item, v));
  EXPECT_TRUE(holds("begins_with(s, :h)", item, v));
  EXPECT_TRUE(holds("contains(tags, :a) AND contains(l, :x) AND contains(s, :h)", item, v));
  EXPECT_TRUE(holds("attribute_exists(m.k) AND attribute_not_exists(m.q)", item, v));
  EXPECT_TRUE(holds("attribute_type(s, :S)", item, v));
  EXPECT_TRUE(holds("size(s) = :five AND size(l) = :two AND size(tags) = :two", item, v));
  EXPECT_TRUE(holds("l[1] = :two", item, v));
  // A string never compares with a number; a missing attribute is only unequal.
  EXPECT_FALSE(holds("s > :nine", item, v));
  EXPECT_FALSE(holds("nothere = :a", item, v));
  EXPECT_TRUE(holds("nothere <> :a", item, v));
  // AND binds tighter than OR.
  EXPECT_TRUE(holds("s = :a AND n = :nine OR n = :ten", item, v));
  EXPECT_FALSE(holds("s = :a AND (n = :nine OR n = :ten)", item, v));
}

TEST(UpdateParser, ErrorFamilies) {
  EXPECT_EQ(update_error("SET a = :v REMOVE b SET c = :v", R"({":v":{"N":"1"}})"),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
            "expression;");
  EXPECT_EQ(update_error("SET a = :v, a.b = :v", R"({":v":{"N":"1"}})"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
            "or rewrite one of these paths; path one: [a], path two: [a, b]");
  EXPECT_EQ(update_error("ADD a :v", R"({":v":{"S":"x"}})"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator: ADD, operand type: STRING");
  EXPECT_EQ(update_error("SET a = b + :v", R"({":v":{"S":"x"}})"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator or function: +, operand type: STRING");
  EXPECT_EQ(update_error("SET a = size(b)"),
            "Invalid UpdateExpression: The function is not allowed in an update expression; "
            "function: size");
  EXPECT_EQ(update_error("UPSERT a = :v", R"({":v":{"N":"1"}})"),
            "Invalid UpdateExpression: Syntax error; token: \"UPSERT\", near: \"UPSERT a\"");
  EXPECT_EQ(update_error(""), "Invalid UpdateExpression: The expression can not be empty;");
}

TEST(Updates, SetArithmeticFunctionsRemoveAddDelete) {
  const char* v = R"({":one":{"N":"1"},":l":{"L":[{"S":"c"}]},":s":{"SS":["y","z"]},
      ":d":{"SS":["x"]},":new":{"S":"n"}})";
  Item out = updated(
      "SET n = n + :one, l = list_append(l, :l), f = if_not_exists(f, :new), m.k = :one "
      "REMOVE gone ADD s :s, c :one DELETE t :d",
      R"({"n":{"N":"41"},"l":{"L":[{"S":"a"}]},"m":{"M":{}},"gone":{"S":"x"},
          "s":{"SS":["x"]},"t":{"SS":["x"]}})",
      v);
  EXPECT_EQ(json::dump(out["n"]), R"({"N":"42"})");
  EXPECT_EQ(json::dump(out["l"]), R"({"L":[{"S":"a"},{"S":"c"}]})");
  EXPECT_EQ(json::dump(out["f"]), R"({"S":"n"})");
  EXPECT_EQ(json::dump(out["m"]), R"({"M":{"k":{"N":"1"}}})");
  EXPECT_FALSE(out.contains("gone"));
  EXPECT_EQ(json::dump(out["s"]), R"({"SS":["x","y","z"]})");
  EXPECT_EQ(json::dump(out["c"]), R"({"N":"1"})");
  EXPECT_FALSE(out.contains("t"));  // DELETE emptied the set
}

TEST(Updates, RuntimeErrors) {
  std::string err;
  updated("SET a = b + :one", R"({})", R"({":one":{"N":"1"}})", &err);
  EXPECT_EQ(err, "The provided expression refers to an attribute that does not exist in the item");
  updated("SET a = b + :one", R"({"b":{"S":"x"}})", R"({":one":{"N":"1"}})", &err);
  EXPECT_EQ(err, "An operand in the update expression has an incorrect data type");
  updated("SET a.b.c = :one", R"({"a":{"M":{}}})", R"({":one":{"N":"1"}})", &err);
  EXPECT_EQ(err, "The document path provided in the update expression is invalid for update");
  // REMOVE of several list elements names them as the list was.
  Item out = updated("REMOVE l[0], l[2]", R"({"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"}]}})");
  EXPECT_EQ(json::dump(out["l"]), R"({"L":[{"N":"1"}]})");
}

TEST(Projections, NestedPathsAndListIndexes) {
  Fixture f("{}", "{}");
  std::vector<Path> paths;
  ASSERT_FALSE(parse_projection("a.b, l[1], l[3], nothere", f.ctx, paths));
  Item out = project(J(R"({"a":{"M":{"b":{"N":"1"},"c":{"N":"2"}}},
      "l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]},"other":{"S":"x"}})"),
                     paths);
  EXPECT_EQ(json::dump(out), R"({"a":{"M":{"b":{"N":"1"}}},"l":{"L":[{"N":"1"},{"N":"3"}]}})");
}

}  // namespace
}  // namespace stepwise::services::dynamodb
