#include "conformance/normalise.h"

#include <gtest/gtest.h>

namespace stepwise::conformance {
namespace {

json::value J(const char* text) { return json::parse(text).value(); }
json::object norm(const char* text) { return J(text).as_object(); }

TEST(PythonDumps, SortsKeysAndEscapesNonAscii) {
  EXPECT_EQ(python_dumps_sorted(J("{\"b\":1,\"a\":[true,null,\"\\u00e9\\n\"]}")),
            "{\"a\": [true, null, \"\\u00e9\\n\"], \"b\": 1}");
  EXPECT_EQ(python_dumps_sorted(J("1.0")), "1.0");
  EXPECT_EQ(python_dumps_sorted(J("\"\\ud83d\\ude00\"")), "\"\\ud83d\\ude00\"");
}

TEST(PythonDumps, KeepsKeyOrderWhenNotSorting) {
  EXPECT_EQ(python_dumps(J(R"({"b":[1,"x"],"a":null})")), R"({"b": [1, "x"], "a": null})");
}

TEST(Normalise, ParsesObjectTextOneLevelButNotArrays) {
  auto out = normalise_envelope(J("{\"e\":{\"output\":\"{\\\"a\\\":1}\",\"list\":\"[1]\"}}"), {});
  EXPECT_EQ(json::dump(out), "{\"e\":{\"list\":\"[1]\",\"output\":{\"a\":1}}}");
}

TEST(Normalise, AppliesReplacementsInOrderThenGlobals) {
  auto n =
      norm(R"({"replacements":[{"pattern":"sm_u1","replacement":"<ArnPart_0idx>","regex":true}]})");
  auto out = normalise_envelope(
      J(R"({"arn":"arn:aws:states:us-east-1:111111111111:stateMachine:sm_u1"})"), n);
  EXPECT_EQ(
      json::dump(out),
      R"({"arn":"arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>"})");
}

TEST(Normalise, ReplacementTextIsLiteral) {
  auto n = norm(R"js({"replacements":[{"pattern":"a(b)","replacement":"\\\\1x","regex":true},
                                    {"pattern":"<region>","replacement":"<region>"}]})js");
  EXPECT_EQ(json::dump(normalise_envelope(J(R"({"k":"ab"})"), n)), R"({"k":"\\1x"})");
}

TEST(Normalise, UuidsUnderIdKeysBecomeNumberedPlaceholders) {
  auto out = normalise_envelope(
      J(R"({"requestId":"0f0e0d0c-1111-2222-3333-444455556666","other":"0f0e0d0c-1111-2222-3333-444455556666","x":"aaaaaaaa-1111-2222-3333-444455556666"})"),
      {});
  EXPECT_EQ(
      json::dump(out),
      R"({"other":"<uuid:1>","requestId":"<uuid:1>","x":"aaaaaaaa-1111-2222-3333-444455556666"})");
}

TEST(Normalise, IsoTimestampsBecomeDate) {
  auto out = normalise_envelope(
      J(R"({"when":"at 2024-02-29T10:11:12.345Z ok","bad":"2023-02-29T10:11:12Z"})"), {});
  EXPECT_EQ(json::dump(out), R"({"bad":"2023-02-29T10:11:12Z","when":"at date ok"})");
}

TEST(Normalise, NonIsoValuesUnderTimestampKeysBecomeTimestamp) {
  auto out = normalise_envelope(
      J(R"({"timestamp":1700000000,"eventTimestamp":{"a":1},"creationTime":"x"})"), {});
  EXPECT_EQ(json::dump(out),
            R"({"creationTime":"timestamp","eventTimestamp":"timestamp","timestamp":"timestamp"})");
}

TEST(Normalise, JsonpathReplacementSetsValueOrReference) {
  auto n = norm(R"({"jsonpath_replacements":[
      {"jsonpath":"$..StartDate","replacement":"start-date","replace_reference":false},
      {"jsonpath":"$..Token","replacement":"token","replace_reference":true}]})");
  auto out = normalise_envelope(J(R"({"o":{"StartDate":5,"Token":"t0k","Echo":"t0k"}})"), n);
  EXPECT_EQ(json::dump(out),
            R"({"o":{"Echo":"<token:1>","StartDate":"start-date","Token":"<token:1>"}})");
}

TEST(Normalise, EmptyReferenceValueMakesTheResultNullAsInPython) {
  auto n = norm(R"({"jsonpath_replacements":[{"jsonpath":"$..Log","replacement":"Log"}]})");
  EXPECT_TRUE(normalise_envelope(J(R"({"Log":""})"), n).is_null());
}

TEST(Normalise, KeyValueReplacementByReference) {
  auto n = norm(R"({"key_value_replacements":[{"key":"nextToken","replacement":"next-token"}]})");
  auto out = normalise_envelope(J(R"({"a":{"nextToken":"abc"},"b":"abc"})"), n);
  EXPECT_EQ(json::dump(out), R"({"a":{"nextToken":"<next-token:1>"},"b":"<next-token:1>"})");
}

TEST(Normalise, JsonQuotedInACauseIsAReference) {
  auto out = normalise_envelope(J(R"({"cause":"bad input '{\"a\":1}'"})"), {});
  EXPECT_EQ(json::dump(out), R"({"cause":"bad input '<json-input:1>'"})");
}

TEST(NormaliseField, OutputTextRoundTripsThroughAnEvent) {
  auto out = normalise_field(json::value("{\"r\":\"us-east-1\"}"), {}, "output");
  EXPECT_EQ(json::dump(out), R"({"r":"<region>"})");
  auto arr = normalise_field(json::value("[1,2]"), {}, "output");
  EXPECT_EQ(json::dump(decode_text(arr)), "[1,2]");
  EXPECT_TRUE(normalise_field(nullptr, {}, "cause").is_null());
}

}  // namespace
}  // namespace stepwise::conformance
