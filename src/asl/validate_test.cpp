#include "asl/validate.h"
#include "asl/variables_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace stepwise::asl {
namespace {

json::value parse_or_die(std::string_view text) {
  auto v = json::parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : json::value();
}

// "CODE: message at location" lines, the way CreateStateMachine lists them.
std::string summary(std::string_view definition, bool express = false) {
  return invalid_definition_message(validate_text(definition, ValidateOptions{express}));
}

const std::string kValid = "Invalid State Machine Definition: ''";

TEST(Validate, MinimalMachineIsValid) {
  EXPECT_TRUE(validate(parse_or_die(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})"))
                  .empty());
}

TEST(Validate, MissingTopLevelFieldsAreListedTogether) {
  EXPECT_EQ(summary("{}"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These "
            "fields are required: [States, StartAt] at /'");
}

TEST(Validate, MissingTargetAndUnreachableStateAreJoinedInOneMessage) {
  EXPECT_EQ(summary(R"({"StartAt":"pass1","States":{"pass1":{"Type":"Pass","Next":"pass3"},
                        "pass2":{"Type":"Pass","End":true}}})"),
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: "
            "pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not "
            "reachable. at /States/pass2'");
}

TEST(Validate, LoopWithoutTerminalStateHasNoLocation) {
  auto d = validate(parse_or_die(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
                                    "B":{"Type":"Pass","Next":"A"},
                                    "C":{"Type":"Pass","Next":"A"}}})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, "MISSING_END_STATE");
  EXPECT_EQ(d[0].location, "");
  EXPECT_EQ(invalid_definition_message(d),
            "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state "
            "at null'");
}

TEST(Validate, DanglingTargetComesBeforeMissingEndState) {
  auto d =
      validate(parse_or_die(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"NOPE"}}})"));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].code, "MISSING_TRANSITION_TARGET");
  EXPECT_EQ(d[0].message, "Missing 'Next' target: NOPE");
  EXPECT_EQ(d[0].location, "/States/A/Next");
  EXPECT_EQ(d[1].code, "MISSING_END_STATE");
}

TEST(Validate, SchemaErrorsSuppressTheGraphPhase) {
  auto d = validate(parse_or_die(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"NOPE",
                                    "Bogus":1}}})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, "Field 'Bogus' is not supported");
}

TEST(Validate, SchemaOnlySkipsTheGraphPhase) {
  json::value def = parse_or_die(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}})");
  EXPECT_TRUE(has_errors(validate(def)));
  EXPECT_FALSE(has_errors(validate(def, ValidateOptions{false, true})));
}

TEST(Validate, ChoiceDefaultAndCatchTargetsAreChecked) {
  std::string s = summary(R"({"StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"Next":"X"}],"Default":"T"},
      "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f",
           "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Y"}],"End":true}}})");
  EXPECT_NE(s.find("Missing 'Next' target: X at /States/C/Choices[0]/Next"), std::string::npos)
      << s;
  EXPECT_NE(s.find("Missing 'Next' target: Y at /States/T/Catch[0]/Next"), std::string::npos) << s;
}

TEST(Validate, UnsupportedFieldIsReportedAtTheState) {
  EXPECT_EQ(summary(R"({"StartAt":"P","States":{"P":{"Type":"Pass","TimeoutSeconds":5,
                        "End":true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Field 'TimeoutSeconds' "
            "is not supported at /States/P'");
}

TEST(Validate, UnknownTypeListsTheStateTypes) {
  EXPECT_EQ(summary(R"({"StartAt":"P","States":{"P":{"Type":"Nope","End":true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'Type' should "
            "have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at "
            "/States/P/Type'");
}

TEST(Validate, QueryLanguageFieldsFollowTheMachineLanguage) {
  EXPECT_EQ(summary(R"({"StartAt":"P","States":{"P":{"Type":"Pass","Output":1,"End":true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The QueryLanguage is set "
            "to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage "
            "at /States/P'");
  EXPECT_EQ(summary(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass",
                        "QueryLanguage":"JSONPath","End":true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not "
            "be 'JSONPath' if set to 'JSONata' for whole state machine at /States/P'");
  EXPECT_EQ(summary(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass",
                        "InputPath":"$","End":true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The QueryLanguage is set "
            "to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' "
            "QueryLanguage at /States/P'");
}

TEST(Validate, ItemProcessorCannotDeclareQueryLanguage) {
  std::string s = summary(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ItemProcessor":{"QueryLanguage":"JSONata","StartAt":"P",
                       "States":{"P":{"Type":"Pass","End":true}}}}}})");
  EXPECT_NE(s.find("Field 'QueryLanguage' is not supported at /States/M/ItemProcessor"),
            std::string::npos)
      << s;
}

TEST(Validate, StateNamesAreUniqueAcrossBranches) {
  auto d = validate(parse_or_die(R"({"StartAt":"A","States":{"A":{"Type":"Parallel","End":true,
      "Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}]}}})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, "DUPLICATE_STATE_NAME");
  EXPECT_EQ(d[0].location, "/States/A/Branches[0]/States/A");
}

TEST(Validate, StateNamesLongerThan80CharactersAreInvalid) {
  std::string ok(80, 'a');
  std::string too_long(81, 'a');
  auto machine = [](const std::string& n) {
    return R"({"StartAt":")" + n + R"(","States":{")" + n + R"(":{"Type":"Succeed"}}})";
  };
  EXPECT_TRUE(validate_text(machine(ok)).empty());
  auto d = validate_text(machine(too_long));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, "INVALID_STATE_NAME");
}

TEST(Validate, TransitionsMayNotCrossABranch) {
  auto d = validate(parse_or_die(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Z",
      "Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Next":"Z"}}}]},
      "Z":{"Type":"Succeed"}}})"));
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].code, "MISSING_TRANSITION_TARGET");
  EXPECT_EQ(d[0].location, "/States/P/Branches[0]/States/B/Next");
}

TEST(Validate, WaitNeedsExactlyOneDurationAndRfc3339Timestamps) {
  EXPECT_NE(summary(R"({"StartAt":"W","States":{"W":{"Type":"Wait","End":true}}})"), kValid);
  EXPECT_NE(summary(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,
                        "SecondsPath":"$.s","End":true}}})"),
            kValid);
  EXPECT_EQ(summary(R"({"StartAt":"W","States":{"W":{"Type":"Wait",
                        "Timestamp":"2016-12-05 21:29:29Z","End":true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match "
            "RFC3339 timestamp at /States/W/Timestamp'");
  EXPECT_EQ(summary(R"({"StartAt":"W","States":{"W":{"Type":"Wait",
                        "Timestamp":"2016-12-05T21:29:29Z","End":true}}})"),
            kValid);
}

TEST(Validate, RetryFieldsAreRangeChecked) {
  auto machine = [](const std::string& retry) {
    return R"({"StartAt":"T","States":{"T":{"Type":"Task","End":true,
        "Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":)" +
           retry + "}}}";
  };
  EXPECT_EQ(summary(machine(R"([{"ErrorEquals":["States.ALL"],"MaxAttempts":0,
                                 "BackoffRate":1.0,"JitterStrategy":"FULL"}])")),
            kValid);
  EXPECT_NE(summary(machine(R"([{"ErrorEquals":["States.ALL"],"BackoffRate":0.5}])")), kValid);
  EXPECT_NE(summary(machine(R"([{"ErrorEquals":["States.ALL"],"MaxAttempts":-1}])")), kValid);
  EXPECT_NE(summary(machine(R"([{"ErrorEquals":["States.ALL"],"JitterStrategy":"HALF"}])")),
            kValid);
  EXPECT_NE(summary(machine(R"([{"ErrorEquals":["States.ALL","X"]}])")), kValid);
  EXPECT_NE(summary(machine(R"([{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}])")), kValid);
  EXPECT_NE(summary(machine(R"([{"ErrorEquals":[]}])")), kValid);
}

TEST(Validate, HeartbeatMustBeBelowTimeout) {
  EXPECT_NE(summary(R"({"StartAt":"T","States":{"T":{"Type":"Task","End":true,
      "Resource":"arn:aws:lambda:us-east-1:1:function:f","TimeoutSeconds":5,
      "HeartbeatSeconds":5}}})"),
            kValid);
}

TEST(Validate, ResultPathMayNotTargetTheContextObject) {
  EXPECT_NE(summary(R"({"StartAt":"P","States":{"P":{"Type":"Pass","ResultPath":"$$.x",
                        "End":true}}})"),
            kValid);
}

TEST(Validate, FailErrorAndErrorPathAreExclusive) {
  EXPECT_NE(summary(R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E",
                        "ErrorPath":"$.e"}}})"),
            kValid);
}

TEST(Validate, ChoiceRuleProblemsPointIntoTheRule) {
  auto d = validate(parse_or_die(R"({"StartAt":"C","States":{"C":{"Type":"Choice",
      "Choices":[{"Variable":"$.a","Next":"D"}],"Default":"D"},"D":{"Type":"Succeed"}}})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].location, "/States/C/Choices[0]");
  auto n = validate(parse_or_die(R"({"StartAt":"C","States":{"C":{"Type":"Choice",
      "Choices":[{"Variable":"$.a","IsNull":true}],"Default":"D"},"D":{"Type":"Succeed"}}})"));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].message, "These fields are required: [Next]");
}

TEST(Validate, ExpressMachinesRefuseCallbacksAndActivities) {
  std::string m = R"({"StartAt":"T","States":{"T":{"Type":"Task","End":true,
      "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken"}}})";
  EXPECT_EQ(summary(m), kValid);
  EXPECT_EQ(summary(m, true),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine "
            "does not support '.waitForTaskToken' service integration  at /States/T/Resource'");
}

TEST(Validate, LabelErrorsQuoteTheDefinitionLikePython) {
  auto d = validate(parse_or_die(R"({"StartAt":"M","States":{"M":{"Type":"Map","Label":"a%b",
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})"));
  EXPECT_EQ(invalid_definition_message(d),
            "Error=ValueError Args=[\"Label contains invalid character: '%'\"] in definition "
            "'{\"StartAt\": \"M\", \"States\": {\"M\": {\"Type\": \"Map\", \"Label\": \"a%b\", "
            "\"ItemProcessor\": {\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", "
            "\"End\": true}}}, \"End\": true}}}'.");
}

TEST(Validate, NotJsonAndBlankDefinitionsUseAwsTexts) {
  auto blank = validate_text("  ");
  ASSERT_EQ(blank.size(), 1u);
  EXPECT_EQ(blank[0].message, "Definition must be a valid JSON object");
  auto bad = validate_text("not a definition");
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].code, "INVALID_JSON_DESCRIPTION");
  EXPECT_EQ(bad[0].location, "[Source: (String)\"not a definition\"; line: 1, column: 4]");
  EXPECT_EQ(validate_text("[1]").at(0).message, "Definition must be a valid JSON object");
}

TEST(Validate, MalformedJsonIsWordedLikeJackson) {
  auto trailing = validate_text(R"({"a":1,})");
  ASSERT_EQ(trailing.size(), 1u);
  EXPECT_EQ(trailing[0].message,
            "Unexpected character ('}' (code 125)): was expecting double-quote to start field "
            "name\n at [Source: (String)\"{\"a\":1,}\"; line: 1, column: 9]");
  auto open = validate_text(R"({"a":[1)");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].message,
            "Unexpected end-of-input: expected close marker for Array (start marker at [Source: "
            "(String)\"{\"a\":[1\"; line: 1, column: 6])\n at [Source: (String)\"{\"a\":[1\"; "
            "line: 1, column: 8]");
  auto colon = validate_text("{\"a\" 1}");
  ASSERT_EQ(colon.size(), 1u);
  EXPECT_EQ(colon[0].location, "[Source: (String)\"{\"a\" 1}\"; line: 1, column: 7]");
}

TEST(Validate, DeepNestingIsBoundedNotACrash) {
  json::value inner = parse_or_die(R"({"StartAt":"L","States":{"L":{"Type":"Pass","End":true}}})");
  for (int i = 0; i < 200; ++i) {
    json::object state{{"Type", "Parallel"}, {"End", true}, {"Branches", json::array{inner}}};
    json::object machine{{"StartAt", "N" + std::to_string(i)},
                         {"States", json::object{{"N" + std::to_string(i), state}}}};
    inner = machine;
  }
  auto d = validate(inner);
  EXPECT_TRUE(has_errors(d));
}

// ---- recorded AWS cases ----------------------------------------------------------------------

std::string conformance_dir() {
  if (const char* env = std::getenv("STEPWISE_CONFORMANCE_DIR")) return env;
  return STEPWISE_CONFORMANCE_DIR_DEFAULT;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string str_field(const json::value& v, std::string_view key) {
  if (!v.is_object()) return "";
  const auto* f = v.as_object().if_contains(key);
  return f && f->is_string() ? std::string(f->as_string()) : "";
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// Checks one validate_definition case: the same diagnostics, in order.
bool check_validate_case(const json::object& c, std::string* why) {
  const auto& req = c.at("request");
  ValidateOptions opts{str_field(req, "type") == "EXPRESS"};
  auto got = validate_text(str_field(req, "definition"), opts);
  const auto& want = c.at("expected").at("response").at("diagnostics").as_array();
  json::array actual;
  for (const auto& d : got) {
    json::object o{{"code", d.code}, {"message", d.message}, {"severity", d.severity}};
    if (!d.location.empty()) o["location"] = d.location;
    actual.push_back(o);
  }
  if (json::equal(actual, want)) return true;
  *why = "want " + json::dump(want) + "\n got " + json::dump(actual);
  return false;
}

// Checks one create_error case whose error is InvalidDefinition: the same message text.
bool check_create_case(const json::object& c, std::string* why) {
  const auto& expected = c.at("expected");
  std::string want = str_field(expected, "error_message");
  want = replace_all(want,
                     "An error occurred (InvalidDefinition) when calling the "
                     "CreateStateMachine operation: ",
                     "");
  ValidateOptions opts{str_field(c.at("request"), "type") == "EXPRESS"};
  std::vector<Diagnostic> diags;
  if (const auto* raw = c.if_contains("definition_raw"); raw && raw->is_string()) {
    diags = validate_text(raw->as_string(), opts);
  } else {
    diags = validate(c.at("definition"), opts);
  }
  std::string got = replace_all(invalid_definition_message(diags), "arn:aws:", "arn:<partition>:");
  if (has_errors(diags) && got == want) return true;
  *why = "want " + want + "\n got " + got;
  return false;
}

TEST(ValidateConformance, RecordedValidationCasesMatchAws) {
  std::filesystem::path dir = conformance_dir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no conformance cases at " << dir;
  int total = 0;
  int passed = 0;
  int not_applicable = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    auto parsed = json::parse(read_file(entry.path()));
    if (!parsed.ok() || !parsed->is_object()) continue;
    const auto& c = parsed->as_object();
    std::string kind = str_field(*parsed, "kind");
    if (kind != "validate_definition" && kind != "create_error") continue;
    if (kind == "create_error" &&
        str_field(c.at("expected"), "error_code") != "InvalidDefinition") {
      ++not_applicable;  // duplicate names, logging configuration: API checks, not the definition
      continue;
    }
    ++total;
    std::string why;
    bool ok =
        kind == "validate_definition" ? check_validate_case(c, &why) : check_create_case(c, &why);
    if (ok) {
      ++passed;
    } else {
      ADD_FAILURE() << entry.path().filename().string() << "\n " << why;
    }
  }
  std::cout << "[ conformance ] validation: " << passed << "/" << total << " passed ("
            << not_applicable << " API-level cases not applicable)\n";
  EXPECT_GT(total, 0);
}

// Every machine AWS ran (kind "execution" / "execution_sync") was accepted by CreateStateMachine:
// the validator must accept it too.
TEST(ValidateConformance, AcceptsEveryDefinitionAwsRan) {
  std::filesystem::path dir = conformance_dir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no conformance cases at " << dir;
  int total = 0;
  int accepted = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    auto parsed = json::parse(read_file(entry.path()));
    if (!parsed.ok() || !parsed->is_object()) continue;
    const auto& c = parsed->as_object();
    std::string kind = str_field(*parsed, "kind");
    if (kind != "execution" && kind != "execution_sync") continue;
    // The machine itself plus the nested machines it starts.
    std::vector<std::pair<const json::value*, bool>> machines;
    if (const auto* def = c.if_contains("definition"); def && def->is_object()) {
      machines.push_back({def, str_field(*parsed, "state_machine_type") == "EXPRESS"});
    }
    const auto* res = c.if_contains("resources");
    const auto* nested =
        res && res->is_object() ? res->as_object().if_contains("state_machines") : nullptr;
    if (nested && nested->is_object()) {
      for (const auto& kv : nested->as_object()) {
        const auto* d =
            kv.value().is_object() ? kv.value().as_object().if_contains("definition") : nullptr;
        if (d && d->is_object())
          machines.push_back({d, str_field(kv.value(), "type") == "EXPRESS"});
      }
    }
    for (const auto& [def, express] : machines) {
      ++total;
      auto diags = validate(*def, ValidateOptions{express});
      if (!has_errors(diags)) {
        ++accepted;
      } else {
        ADD_FAILURE() << entry.path().filename().string() << "\n "
                      << invalid_definition_message(diags);
      }
    }
  }
  std::cout << "[ conformance ] accepted definitions: " << accepted << "/" << total << "\n";
  EXPECT_GT(total, 0);
}

}  // namespace
}  // namespace stepwise::asl

namespace stepwise::asl {
namespace {

std::vector<Diagnostic> validate_str(const char* text) { return validate_text(text); }

TEST(ValidateVariables, RejectsInvalidAndReservedNames) {
  for (const char* name : {"1abc", "states", "a-b", "has space"}) {
    std::string def = std::string(R"({"StartAt":"P","States":{"P":{"Type":"Pass","Assign":{")") +
                      name + R"(":1},"End":true}}})";
    auto d = validate_str(def.c_str());
    ASSERT_EQ(d.size(), 1u) << name;
    EXPECT_EQ(d[0].code, "SCHEMA_VALIDATION_FAILED");
    EXPECT_EQ(d[0].location, "/States/P/Assign");
  }
  EXPECT_FALSE(valid_variable_name(std::string(81, 'x')));
  EXPECT_TRUE(valid_variable_name(std::string(80, 'x')));
  EXPECT_TRUE(valid_variable_name("_x9"));
  EXPECT_TRUE(valid_variable_name("caf\xC3\xA9"));
}

TEST(ValidateVariables, ChecksNamesInNestedScopesCatchersAndJsonPathKeys) {
  auto d = validate_str(R"({"StartAt":"P","States":{
    "P":{"Type":"Parallel","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"ok":1,"9x":2},"Next":"F"}],
      "Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"good.$":"$.a","states":1},"End":true}}}]},
    "F":{"Type":"Pass","End":true}}})");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].location, "/States/P/Catch[0]/Assign");
  EXPECT_EQ(d[1].location, "/States/P/Branches[0]/States/B/Assign");
}

// Found by fuzz_asl: a Choice Condition that cannot compile passed validation, so a machine
// validated and then failed to create.
TEST(Validate, AChoiceConditionThatCannotCompileIsReported) {
  auto d = validate_str(R"({"QueryLanguage":"JSONata","StartAt":"C","States":{
    "C":{"Type":"Choice","Choices":[{"Condition":"{% $stat^s.input.done %}","Next":"T"}],
         "Default":"T"},
    "T":{"Type":"Succeed"}}})");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, "INVALID_JSONATA_EXPRESSION");
  EXPECT_EQ(d[0].location, "/States/C/Choices[0]/Condition");
}

// Found by fuzz_asl: a Map's count fields and Items, and a Task's Credentials, skipped the
// parse their expressions get at compile time.
TEST(Validate, ExpressionsInMapCountsItemsAndCredentialsMustParse) {
  auto d = validate_str(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{
    "M":{"Type":"Map","Items":["{% . %}"],"MaxConcurrency":"{% $a := . %}",
         "ToleratedFailureCount":"{% $variable := . %}","ToleratedFailurePercentage":"{% .x %}",
         "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"Next":"T"},
    "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{},
         "Credentials":{"RoleArn":"{% . %}"},"TimeoutSeconds":"{% . %}","End":true}}})");
  std::vector<std::string> locations;
  for (const auto& x : d) {
    EXPECT_EQ(x.code, "INVALID_JSONATA_EXPRESSION") << x.location;
    locations.push_back(x.location);
  }
  std::sort(locations.begin(), locations.end());
  EXPECT_EQ(locations,
            (std::vector<std::string>{
                "/States/M/Items[0]", "/States/M/MaxConcurrency", "/States/M/ToleratedFailureCount",
                "/States/M/ToleratedFailurePercentage", "/States/T/Credentials/RoleArn",
                "/States/T/TimeoutSeconds"}));
}

TEST(ValidateVariables, UndefinedReferencesAreARunTimeMatter) {
  auto d = validate_str(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{
    "P":{"Type":"Pass","Output":"{% $doesNotExist %}","End":true}}})");
  EXPECT_TRUE(d.empty());
}

}  // namespace
}  // namespace stepwise::asl
