// Event patterns: each operator on the value types AWS distinguishes, arrays (any element, one
// element per array across fields), dotted keys, duplicate keys, number spelling, AWS's
// reasons for invalid patterns, TestEventPattern's event check, and every limit answering an
// error rather than crashing.
#include "services/events/event_pattern.h"

#include <gtest/gtest.h>

#include <string>

#include "services/events/event_pattern_values.h"
#include "services/events/events_limits.h"

namespace stepwise::services::events {
namespace {

// Whether `pattern` matches `event`; a pattern error fails the test.
bool match(const std::string& pattern, const std::string& event) {
  std::string reason;
  auto p = EventPattern::parse(pattern, &reason);
  EXPECT_TRUE(p.has_value()) << pattern << ": " << reason;
  return p && p->matches(event);
}

std::string reason_of(const std::string& pattern) {
  std::string reason;
  auto p = EventPattern::parse(pattern, &reason);
  EXPECT_FALSE(p.has_value()) << pattern << " was accepted";
  return reason;
}

TEST(EventPattern, ExactValuesMatchOnlyTheirOwnType) {
  EXPECT_TRUE(match(R"({"a": ["x"]})", R"({"a": "x"})"));
  EXPECT_FALSE(match(R"({"a": ["1"]})", R"({"a": 1})"));
  EXPECT_FALSE(match(R"({"a": [1]})", R"({"a": "1"})"));
  EXPECT_TRUE(match(R"({"a": [null]})", R"({"a": null})"));
  EXPECT_FALSE(match(R"({"a": [null]})", R"({"a": "null"})"));
  EXPECT_FALSE(match(R"({"a": [null]})", R"({})"));
  EXPECT_TRUE(match(R"({"a": [false]})", R"({"a": false})"));
  EXPECT_FALSE(match(R"({"a": [false]})", R"({"a": "false"})"));
  EXPECT_FALSE(match(R"({"A": ["x"]})", R"({"a": "x"})"));
}

TEST(EventPattern, NumbersEqualWhateverTheirSpelling) {
  EXPECT_TRUE(match(R"({"n": [300]})", R"({"n": 300.0})"));
  EXPECT_TRUE(match(R"({"n": [3e2]})", R"({"n": 300})"));
  EXPECT_TRUE(match(R"({"n": [-0.5]})", R"({"n": -5E-1})"));
  EXPECT_FALSE(match(R"({"n": [300]})", R"({"n": 300.000001})"));
  // Beyond AWS's comparable range a number matches by its text alone.
  EXPECT_TRUE(match(R"({"n": [123456789012]})", R"({"n": 123456789012})"));
  EXPECT_FALSE(match(R"({"n": [123456789012]})", R"({"n": 123456789012.0})"));
}

TEST(EventPattern, PrefixSuffixAndIgnoreCaseApplyToStrings) {
  EXPECT_TRUE(match(R"({"t": [{"prefix": "2022"}]})", R"({"t": "2022-07-13"})"));
  EXPECT_FALSE(match(R"({"t": [{"prefix": "12"}]})", R"({"t": 123})"));
  EXPECT_TRUE(match(R"({"t": [{"prefix": ""}]})", R"({"t": "anything"})"));
  EXPECT_TRUE(match(R"({"f": [{"suffix": ".png"}]})", R"({"f": "a.png"})"));
  EXPECT_FALSE(match(R"({"f": [{"suffix": ".PNG"}]})", R"({"f": "a.png"})"));
  EXPECT_TRUE(match(R"({"f": [{"suffix": {"equals-ignore-case": ".PNG"}}]})", R"({"f": "a.png"})"));
  EXPECT_TRUE(
      match(R"({"s": [{"prefix": {"equals-ignore-case": "EventB"}}]})", R"({"s": "eVENTbr"})"));
  EXPECT_TRUE(match(R"({"s": [{"equals-ignore-case": "ALICE"}]})", R"({"s": "alice"})"));
  EXPECT_FALSE(match(R"({"s": [{"equals-ignore-case": "ALICE"}]})", R"({"s": "alices"})"));
  EXPECT_TRUE(
      match(R"({"s": [{"equals-ignore-case": "ÉCOLE ΣΟΦΊΑ"}]})", R"({"s": "école σοφΊα"})"));
  EXPECT_TRUE(match(R"({"s": [{"prefix": {"equals-ignore-case": "ПРИ"}}]})", R"({"s": "привет"})"));
  EXPECT_FALSE(match(R"({"s": [{"equals-ignore-case": "ſ"}]})", R"({"s": "s"})"));
}

TEST(EventPattern, WildcardMatchesAnyRunAndEscapes) {
  EXPECT_TRUE(
      match(R"({"p": [{"wildcard": "/Users/*/doc.txt"}]})", R"({"p": "/Users/a/b/doc.txt"})"));
  EXPECT_TRUE(match(R"({"p": [{"wildcard": "a*"}]})", R"({"p": "a"})"));
  EXPECT_FALSE(match(R"({"p": [{"wildcard": "a*b*c"}]})", R"({"p": "acb"})"));
  EXPECT_TRUE(match(R"({"p": [{"wildcard": "a\\*b"}]})", R"({"p": "a*b"})"));
  EXPECT_FALSE(match(R"({"p": [{"wildcard": "a\\*b"}]})", R"({"p": "axb"})"));
  EXPECT_FALSE(match(R"({"p": [{"wildcard": ""}]})", R"({"p": "x"})"));
  EXPECT_EQ(reason_of(R"({"p": [{"wildcard": "a**"}]})"),
            "Consecutive wildcard characters at pos 2");
  EXPECT_EQ(reason_of(R"({"p": [{"wildcard": "a\\b"}]})"), "Invalid escape character at pos 2");
  EXPECT_EQ(reason_of(R"({"p": [{"wildcard": "*:*:*:*:*:event-bus/*"}]})"),
            "Rule is too complex - try using fewer wildcard characters or fewer repeating "
            "character sequences after a wildcard character");
}

TEST(EventPattern, AnythingButExcludesOnlyItsOwnType) {
  EXPECT_TRUE(match(R"({"s": [{"anything-but": "init"}]})", R"({"s": null})"));
  EXPECT_TRUE(match(R"({"s": [{"anything-but": "init"}]})", R"({"s": 5})"));
  EXPECT_FALSE(match(R"({"s": [{"anything-but": "init"}]})", R"({"s": "init"})"));
  EXPECT_FALSE(match(R"({"s": [{"anything-but": "init"}]})", R"({})"));
  EXPECT_FALSE(match(R"({"n": [{"anything-but": [100, 200]}]})", R"({"n": 200.0})"));
  EXPECT_TRUE(match(R"({"n": [{"anything-but": [100, 200]}]})", R"({"n": "200"})"));
  EXPECT_TRUE(match(R"({"s": [{"anything-but": {"prefix": ["a", "b"]}}]})", R"({"s": "ca"})"));
  EXPECT_FALSE(match(R"({"s": [{"anything-but": {"suffix": "x"}}]})", R"({"s": "ax"})"));
  EXPECT_FALSE(
      match(R"({"s": [{"anything-but": {"equals-ignore-case": ["A"]}}]})", R"({"s": "a"})"));
  EXPECT_FALSE(match(R"({"s": [{"anything-but": {"wildcard": "*/x/*"}}]})", R"({"s": "a/x/b"})"));
  // An array matches when any element is not excluded.
  EXPECT_TRUE(match(R"({"s": [{"anything-but": "a"}]})", R"({"s": ["a", "b"]})"));
}

TEST(EventPattern, NumericRangesAreOpenOrClosedAsWritten) {
  const std::string range = R"({"n": [{"numeric": [">", 0, "<=", 5]}]})";
  EXPECT_FALSE(match(range, R"({"n": 0})"));
  EXPECT_TRUE(match(range, R"({"n": 5.0})"));
  EXPECT_FALSE(match(range, R"({"n": 5.000001})"));
  EXPECT_FALSE(match(range, R"({"n": "3"})"));
  EXPECT_TRUE(match(R"({"n": [{"numeric": ["<=", 5]}]})", R"({"n": -7})"));
  EXPECT_FALSE(match(R"({"n": [{"numeric": ["<", 5]}]})", R"({"n": 5})"));
  EXPECT_TRUE(match(R"({"n": [{"numeric": ["=", 301.8]}]})", R"({"n": 3.018e2})"));
  EXPECT_EQ(reason_of(R"({"n": [{"numeric": [">", 0, ">", 0]}]})"),
            "Bad numeric range operator: >");
  EXPECT_EQ(reason_of(R"({"n": [{"numeric": [">", 5, "<", 1]}]})"), "Bottom must be less than top");
  EXPECT_EQ(reason_of(R"({"n": [{"numeric": 10}]})"), "Value of numeric must be an array.");
  EXPECT_EQ(reason_of(R"({"n": [{"numeric": ["=", 1, 2]}]})"),
            "Too many elements in numeric expression");
}

TEST(EventPattern, ExistsLooksForAValueNotAnObject) {
  EXPECT_TRUE(match(R"({"d": {"k": [{"exists": true}]}})", R"({"d": {"k": 0}})"));
  EXPECT_FALSE(match(R"({"d": {"k": [{"exists": true}]}})", R"({"d": {"k": {"S": "x"}}})"));
  EXPECT_TRUE(match(R"({"d": {"k": [{"exists": false}]}})", R"({"d": {"j": 1}})"));
  EXPECT_FALSE(match(R"({"d": {"k": [{"exists": false}]}})", R"({"d": {"k": null}})"));
  EXPECT_TRUE(match(R"({"k": [{"anything-but": "x"}, {"exists": false}]})", R"({"j": 1})"));
}

TEST(EventPattern, CidrMatchesAddressesInTheRange) {
  EXPECT_TRUE(match(R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.0.255"})"));
  EXPECT_FALSE(match(R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.1.0"})"));
  EXPECT_FALSE(match(R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.0.256"})"));
  EXPECT_TRUE(match(R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:0db8:ffff::1"})"));
  EXPECT_FALSE(match(R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "10.0.0.1"})"));
  EXPECT_TRUE(match(R"({"ip": ["2001:db8::1"]})", R"({"ip": "2001:0db8:0:0:0:0:0:1"})"));
  EXPECT_EQ(reason_of(R"({"ip": [{"cidr": "bad"}]})"), "Malformed CIDR, one '/' required");
  EXPECT_EQ(reason_of(R"({"ip": [{"cidr": "1.2.3.4/x"}]})"),
            "Malformed CIDR, mask bits must be an integer");
  EXPECT_EQ(reason_of(R"({"ip": [{"cidr": "1.2.3/8"}]})"), "Nonstandard IP address: 1.2.3");
  EXPECT_EQ(reason_of(R"({"ip": [{"cidr": ["1.2.3.0/8"]}]})"),
            "prefix match pattern must be a string");
}

TEST(EventPattern, ArraysMatchAnyElementButOneElementPerArray) {
  EXPECT_TRUE(match(R"({"r": ["b", "z"]})", R"({"r": ["a", "b"]})"));
  EXPECT_FALSE(match(R"({"r": ["c"]})", R"({"r": []})"));
  const std::string both = R"({"items": {"k": ["x"], "v": [1]}})";
  EXPECT_TRUE(match(both, R"({"items": [{"k": "y", "v": 1}, {"k": "x", "v": 1}]})"));
  EXPECT_FALSE(match(both, R"({"items": [{"k": "x", "v": 2}, {"k": "y", "v": 1}]})"));
  // Different arrays are independent.
  EXPECT_TRUE(match(R"({"a": {"k": ["x"]}, "b": {"v": [1]}})",
                    R"({"a": [{"k": "y"}, {"k": "x"}], "b": [{"v": 1}]})"));
}

TEST(EventPattern, DottedKeysNameNestedFields) {
  EXPECT_TRUE(match(R"({"d": {"s.t": ["r"]}})", R"({"d": {"s": {"t": "r"}}})"));
  EXPECT_TRUE(match(R"({"d": {"s": {"t": ["r"]}}})", R"({"d": {"s.t": "r"}})"));
}

TEST(EventPattern, OrAddsAlternatives) {
  const std::string p = R"({"src": ["a"], "$or": [{"x": [1]}, {"y": [{"exists": true}]}]})";
  EXPECT_TRUE(match(p, R"({"src": "a", "y": 0})"));
  EXPECT_FALSE(match(p, R"({"src": "b", "x": 1})"));
  EXPECT_FALSE(match(p, R"({"src": "a", "x": 2})"));
  EXPECT_EQ(reason_of(R"({"$or": [{"x": [1]}]})"),
            "There must have at least 2 Objects in $or relationship.");
  EXPECT_EQ(reason_of(R"({"$or": [{"x": [1]}, {"prefix": [1]}]})"),
            "prefix is Ruler reserved fieldName which cannot be used inside $or.");
}

TEST(EventPattern, DuplicateKeysTheLaterOneWins) {
  EXPECT_TRUE(match(R"({"a": ["x"], "a": ["y"]})", R"({"a": "y"})"));
  EXPECT_FALSE(match(R"({"a": ["x"], "a": ["y"]})", R"({"a": "x"})"));
  // Different paths under a repeated object both count.
  EXPECT_FALSE(match(R"({"d": {"a": ["x"]}, "d": {"b": ["y"]}})", R"({"d": {"a": "x"}})"));
}

TEST(EventPattern, InvalidPatternsGiveAwsReasons) {
  EXPECT_EQ(reason_of("this is not json"),
            "Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or "
            "token 'null', 'true' or 'false')");
  EXPECT_EQ(reason_of("{'a': 1}"),
            "Unexpected character (''' (code 39)): was expecting double-quote to start field name");
  EXPECT_EQ(reason_of(R"(["a"])"), "Filter is not an object");
  EXPECT_EQ(reason_of(""), "Filter is not an object");
  EXPECT_EQ(reason_of("{}"), "Empty objects are not allowed");
  EXPECT_EQ(reason_of(R"({"a": []})"), "Empty arrays are not allowed");
  EXPECT_EQ(reason_of(R"({"a": 42})"), "\"a\" must be an object or an array");
  EXPECT_EQ(reason_of(R"({"a": [[1]]})"),
            "Match value must be String, number, true, false, or null");
  EXPECT_EQ(reason_of(R"({"a": [{"nope": 1}]})"), "Unrecognized match type nope");
  EXPECT_EQ(reason_of(R"({"a": [{"prefix": "x", "suffix": "y"}]})"),
            "Only one key allowed in match expression");
  EXPECT_EQ(reason_of(R"({"a": [{"anything-but": null}]})"),
            "Value of anything-but must be an array or single string/number value.");
  EXPECT_EQ(reason_of(R"({"a": [{"anything-but": ["x", 1]}]})"),
            "Inside anything but list, either all values are number or string, mixed type is "
            "not supported");
  EXPECT_EQ(reason_of(R"({"a": [{"anything-but": {"prefix": ""}}]})"),
            "Null prefix/suffix not allowed");
  EXPECT_EQ(reason_of(R"({"a": [{"exists": "yes"}]})"),
            "exists match pattern must be either true or false.");
  EXPECT_EQ(reason_of(R"({"a": [1)"), "Unexpected end-of-input: expected close marker for Array");
}

TEST(EventPattern, OnlyAnObjectIsAnEvent) {
  const std::string p = R"({"a": [{"exists": false}]})";
  EXPECT_TRUE(match(p, "{}"));
  EXPECT_FALSE(match(p, "[]"));
  EXPECT_FALSE(match(p, "\"text\""));
  EXPECT_FALSE(match(p, "{} trailing"));
}

TEST(EventPattern, TestEventPatternChecksTheEventFirst) {
  const std::string event =
      R"({"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r",)"
      R"( "time": "2022-07-13T13:48:01Z", "detail": {"n": 1}})";
  EXPECT_TRUE(valid_test_event(event));
  EXPECT_FALSE(valid_test_event(R"({"id": "1", "source": "s"})"));
  EXPECT_FALSE(valid_test_event("plain string"));
  auto ok = test_event_pattern(R"({"detail": {"n": [1]}})", event);
  EXPECT_TRUE(ok.error_code.empty());
  EXPECT_TRUE(ok.result);
  auto bad_event = test_event_pattern("{bad", R"(["x"])");
  EXPECT_EQ(bad_event.error_code, "ValidationException");
  EXPECT_EQ(bad_event.message, "Parameter Event is not valid.");
  auto bad_pattern = test_event_pattern("{bad", event);
  EXPECT_EQ(bad_pattern.error_code, "InvalidEventPatternException");
  EXPECT_EQ(bad_pattern.message.rfind("Event pattern is not valid. Reason: ", 0), 0u);
}

TEST(EventPattern, LimitsAnswerErrorsNotCrashes) {
  // As deep as 4,096 bytes allow: read and matched without recursion trouble.
  std::string deep_pattern, deep_event;
  for (int i = 0; i < 600; ++i) deep_pattern += "{\"a\":", deep_event += "{\"a\":";
  deep_pattern += "[1]" + std::string(600, '}');
  EXPECT_TRUE(match(deep_pattern, deep_event + "1" + std::string(600, '}')));
  // Deeper than the reader's bound: not an event.
  std::string deeper;
  for (int i = 0; i < 1200; ++i) deeper += "{\"a\":";
  deeper += "1" + std::string(1200, '}');
  EXPECT_FALSE(match(R"({"a": [{"exists": false}]})", deeper));
  EXPECT_FALSE(valid_test_event(deeper));
  // Longer than AWS's 4,096 bytes.
  std::string long_pattern = R"({"a": [")" + std::string(5000, 'x') + R"("]})";
  std::string reason;
  EXPECT_FALSE(EventPattern::parse(long_pattern, &reason).has_value());
  EXPECT_EQ(test_event_pattern(long_pattern, "{}").error_code, "ValidationException");
  // "$or" alternatives multiplying past the bound.
  std::string ors = "{";
  for (int i = 0; i < 10; ++i) ors += R"("$or": [{"a": [1]}, {"b": [2]}],)";
  ors += R"("c": [3]})";
  EXPECT_NE(reason_of(ors).find("$or alternatives"), std::string::npos);
  // An event whose arrays make many combinations: "a.x" and "a.z" never share an element of
  // "a", which only shows once every other field has a value; the search stops at its budget.
  std::string fields = R"({"a": {"x": [1], "z": [1]})";
  std::string event = R"({"a": [)";
  for (int i = 0; i < 30; ++i) event += std::string(i ? "," : "") + R"({"x": 1}, {"z": 1})";
  event += "]";
  for (int f = 0; f < 10; ++f) {
    const std::string name = "\"f" + std::to_string(f) + "\"";
    fields += ", " + name + R"(: {"v": [1]})";
    event += ", " + name + ": [";
    for (int i = 0; i < 30; ++i) event += std::string(i ? "," : "") + R"({"v": 1})";
    event += "]";
  }
  fields += "}";
  event += "}";
  EXPECT_FALSE(match(fields, event));
}

TEST(EventPatternValues, ComparableNumbersAreExactMillionths) {
  EXPECT_EQ(comparable_micros("1.5"), 1'500'000);
  EXPECT_EQ(comparable_micros("-2e-6"), -2);
  EXPECT_EQ(comparable_micros("5e9"), 5'000'000'000'000'000LL);
  EXPECT_FALSE(comparable_micros("5000000001").has_value());
  EXPECT_FALSE(comparable_micros("0.0000001").has_value());
  EXPECT_EQ(comparable_micros("0.10000000"), 100'000);
}

}  // namespace
}  // namespace stepwise::services::events
