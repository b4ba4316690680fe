#include "tasks/lambda_shape.h"

#include <gtest/gtest.h>

namespace stepwise::tasks {
namespace {

json::value parse(std::string_view text) { return json::parse(text).value(); }

TEST(LambdaShape, PythonDumpsUsesPythonSeparatorsAndKeyOrder) {
  EXPECT_EQ(python_json_dumps(parse(R"({"b":1,"a":[true,null,"x"],"c":{}})")),
            R"({"b": 1, "a": [true, null, "x"], "c": {}})");
}

TEST(LambdaShape, PythonDumpsEscapesNonAsciiLikeEnsureAscii) {
  EXPECT_EQ(python_json_dumps(json::value("caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\"\n\x7F")),
            R"("caf\u00e9 \ud83d\ude00 \"q\"\n\u007f")");
}

TEST(LambdaShape, PythonDumpsFormatsFloatsAsPythonRepr) {
  EXPECT_EQ(python_json_dumps(json::value(1.0)), "1.0");
  EXPECT_EQ(python_json_dumps(json::value(0.1)), "0.1");
  EXPECT_EQ(python_json_dumps(json::value(1e16)), "1e+16");
  EXPECT_EQ(python_json_dumps(json::value(123456789.5)), "123456789.5");
  EXPECT_EQ(python_json_dumps(json::value(1.5e-5)), "1.5e-05");
  EXPECT_EQ(python_json_dumps(json::value(0.0001)), "0.0001");
  EXPECT_EQ(python_json_dumps(json::value(-2.5)), "-2.5");
}

TEST(LambdaShape, InvokeEventFollowsLambdaPayloadRules) {
  EXPECT_EQ(invoke_event_bytes(nullptr), "{}");
  json::value null_v;
  EXPECT_EQ(invoke_event_bytes(&null_v), "{}");
  json::value json_text("\"HelloWorld\"");
  EXPECT_EQ(invoke_event_bytes(&json_text), "\"HelloWorld\"");
  json::value plain("HelloWorld");
  EXPECT_EQ(invoke_event_bytes(&plain), "\"HelloWorld\"");
  json::value obj = parse(R"({"a":1})");
  EXPECT_EQ(invoke_event_bytes(&obj), R"({"a":1})");
}

TEST(LambdaShape, RawBytesPayloadBecomesAString) {
  EXPECT_EQ(json::dump(payload_from_bytes("\"HelloWorld!\"")), "\"HelloWorld!\"");
  EXPECT_EQ(json::dump(payload_from_bytes("not json")), "\"not json\"");
  EXPECT_EQ(json::dump(payload_from_bytes("{\"a\": 1}")), "{\"a\":1}");
  EXPECT_EQ(payload_from_bytes("bad\xFFutf8").get_string(), "bad\xEF\xBF\xBDutf8");
}

TEST(LambdaShape, FunctionErrorNamesTheErrorTypeAndKeepsTheRuntimesTextForFunctionArns) {
  const char* python = R"({"errorMessage": "boom", "errorType": "ValueError", "requestId": "r", )"
                       R"("stackTrace": []})";
  auto o = function_error_outcome(python, CauseLayout::verbatim);
  EXPECT_FALSE(o.succeeded);
  EXPECT_EQ(o.error, "ValueError");
  EXPECT_EQ(o.cause, python);
}

TEST(LambdaShape, FunctionErrorCauseIsCompactForLambdaInvoke) {
  auto o = function_error_outcome(
      R"({"errorMessage": "caf\u00e9", "errorType": "ValueError", "stackTrace": []})",
      CauseLayout::compact);
  EXPECT_EQ(o.error, "ValueError");
  EXPECT_EQ(o.cause,
            "{\"errorMessage\":\"caf\xC3\xA9\",\"errorType\":\"ValueError\",\"stackTrace\":[]}");
}

TEST(LambdaShape, FunctionErrorWithoutTypeIsLambdaUnknown) {
  auto o = function_error_outcome(R"({"errorMessage":"x"})", CauseLayout::compact);
  EXPECT_EQ(o.error, "Lambda.Unknown");
  EXPECT_EQ(o.cause,
            "The cause could not be determined because Lambda did not return an error type. "
            "Returned payload: {\"errorMessage\":\"x\"}");
}

TEST(LambdaShape, InvokeResponseHasTheRecordedTopLevelKeys) {
  InvokeMeta meta;
  meta.request_id = "id-1";
  meta.trace_id = "Root=1";
  meta.http_date = http_date(0);
  meta.payload_bytes = 23;
  auto v = invoke_response(parse(R"({"body":"string body"})"), meta);
  const auto& o = v.get_object();
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"ExecutedVersion", "Payload", "SdkHttpMetadata",
                                            "SdkResponseMetadata", "StatusCode"}));
  EXPECT_EQ(json::dump(o.at("Payload")), R"({"body":"string body"})");
  EXPECT_EQ(o.at("StatusCode").as_int64(), 200);
  EXPECT_EQ(o.at("ExecutedVersion").as_string(), "$LATEST");
  const auto& headers = o.at("SdkHttpMetadata").at("HttpHeaders").get_object();
  EXPECT_EQ(headers.at("Content-Length").as_string(), "23");
  EXPECT_EQ(headers.at("Date").as_string(), "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(LambdaShape, InvokeResponseCarriesLogResultWhenAsked) {
  InvokeMeta meta;
  std::string log = base64_encode("hi");
  meta.log_result = &log;
  auto v = invoke_response(json::object{}, meta);
  EXPECT_EQ(v.at("LogResult").as_string(), "aGk=");
}

TEST(LambdaShape, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(LambdaShape, DataLimitCauseNamesTheResource) {
  auto o = data_limit_outcome("lambda");
  EXPECT_EQ(o.error, "States.DataLimitExceeded");
  EXPECT_EQ(o.cause,
            "The state/task 'lambda' returned a result with a size exceeding the maximum "
            "number of bytes service limit.");
}

TEST(LambdaShape, PythonTracebackBecomesTheRuntimesErrorObject) {
  const std::string frame1 = "  File \"/srv/app.py\", line 9, in <module>\n    main()\n";
  const std::string frame2 =
      "  File \"/srv/app.py\", line 4, in main\n"
      "    raise requests.exceptions.HTTPError(\"503 from bureau\")\n"
      "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
  const std::string stderr_text = "INFO starting\nTraceback (most recent call last):\n" + frame1 +
                                  frame2 + "requests.exceptions.HTTPError: 503 from bureau\n";
  auto e = python_exception_error(stderr_text, "req-1");
  ASSERT_TRUE(e.has_value());
  // The runtime's layout: its key order and json.dumps separators.
  EXPECT_EQ(e->rfind(R"({"errorMessage": "503 from bureau", "errorType": "HTTPError", )"
                     R"("requestId": "req-1", "stackTrace": [")",
                     0),
            0u)
      << *e;
  auto v = json::parse(*e).value();
  const auto& trace = v.at("stackTrace").as_array();
  ASSERT_EQ(trace.size(), 2u);
  EXPECT_EQ(trace[0].as_string(), frame1);
  EXPECT_EQ(trace[1].as_string(), frame2);
}

TEST(LambdaShape, LastTracebackWinsAndBareExceptionsHaveAnEmptyMessage) {
  const char* chained =
      "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n    x\n"
      "KeyError: 'k'\n\nDuring handling of the above exception, another exception occurred:\n\n"
      "Traceback (most recent call last):\n  File \"a.py\", line 3, in f\n    raise Oops\n"
      "Oops\n";
  auto e = python_exception_error(chained, "r");
  ASSERT_TRUE(e.has_value());
  auto v = json::parse(*e).value();
  EXPECT_EQ(v.at("errorType").as_string(), "Oops");
  EXPECT_EQ(v.at("errorMessage").as_string(), "");
  EXPECT_EQ(v.at("stackTrace").as_array().size(), 1u);
}

TEST(LambdaShape, StderrWithoutATracebackIsNotAnException) {
  EXPECT_FALSE(python_exception_error("", "r").has_value());
  EXPECT_FALSE(python_exception_error("Segmentation fault\n", "r").has_value());
  // A traceback cut before its exception line, or one whose last line is no class name.
  EXPECT_FALSE(python_exception_error("Traceback (most recent call last):\n  File \"a\"\n", "r")
                   .has_value());
  EXPECT_FALSE(python_exception_error("Traceback (most recent call last):\n  File \"a\"\n"
                                      "this is not: a class\n",
                                      "r")
                   .has_value());
}

}  // namespace
}  // namespace stepwise::tasks
