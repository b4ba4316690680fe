// JSONata in ASL fields at their edges: singleton sequences against arrays (Output, Items),
// undefined in templates and in expression results, the order of Assign and Output (both see the
// state's entry values), $states.result / $states.errorOutput where they are not available, and
// the States.QueryEvaluationError causes AWS records for each.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "asl/compile.h"
#include "engine/run.h"
#include "engine/run_text_for_tests.h"

namespace stepwise::engine {
namespace {

constexpr Millis kStart = 1700000000000;

struct Harness {
  ManualClock clock{kStart};
  IdGenerator ids{7};
  RunOptions opts;
  Harness() {
    opts.clock = &clock;
    opts.ids = &ids;
    opts.execution_name = "exec";
    opts.state_machine_name = "sm";
  }
  RunResult run(const std::string& definition, const std::string& input = "{}") {
    return run_text(definition, input, opts);
  }
};

std::string out_text(const RunResult& r) { return r.output ? json::dump(*r.output) : "<none>"; }

// A one-state JSONata machine: a Pass state "S" with these fields (JSON members, no braces).
std::string pass_with(const std::string& fields) {
  return R"({"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass",)" + fields +
         R"(,"End":true}}})";
}

std::string map_over(const std::string& items) {
  return R"({"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":)" +
         items +
         R"(,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
             "End":true}}})";
}

const char* kPrefix =
    "An error occurred while executing the state 'S' (entered at the event id #2). ";

std::string location_of(const RunResult& r) {
  for (const auto& e : r.history) {
    if (e.type == "EvaluationFailed") return std::string(e.details.at("location").as_string());
  }
  return "<no EvaluationFailed event>";
}

TEST(JsonataFields, APathOfOneItemIsThatItemUnlessKeptAnArray) {
  Harness h;
  auto r = h.run(pass_with(R"("Output":{"one":"{% $states.input.l.v %}",
      "kept":"{% $states.input.l.v[] %}","field":"{% $states.input.l %}",
      "pred":"{% $states.input.n[$ > 1] %}","predKept":"{% $states.input.n[$ > 1][] %}"})"),
                 R"({"l":[{"v":"x"}],"n":[1,2]})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"one":"x","kept":["x"],"field":[{"v":"x"}],"pred":2,"predKept":[2]})");
}

TEST(JsonataFields, FunctionResultsCollapseOrStayArraysAsInJsonata) {
  Harness h;
  auto r = h.run(pass_with(R"("Output":{"map":"{% $map([1], function($v){$v * 2}) %}",
      "mapKept":"{% $map([1], function($v){$v * 2})[] %}",
      "filter":"{% $filter($states.input.n, function($v){$v = 2}) %}",
      "zip":"{% $zip([1]) %}","append":"{% $append(1, []) %}",
      "distinct":"{% $distinct($states.input.d) %}","range":"{% $range(0, 0, 1) %}",
      "partition":"{% $partition([0], 2) %}"})"),
                 R"({"n":[1,2,3],"d":[1,1]})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"map":2,"mapKept":[2],"filter":2,"zip":[[1]],"append":[1],)"
                         R"("distinct":[1],"range":[0],"partition":[[0]]})");
}

TEST(JsonataFields, MapItemsMustBeAnArrayNotASingletonSequence) {
  Harness h;
  const std::string input = R"({"l":[{"v":"x"}]})";
  auto one = h.run(map_over(R"("{% $states.input.l.v %}")"), input);
  EXPECT_EQ(one.error.value_or(""), "States.QueryEvaluationError");
  EXPECT_EQ(one.cause.value_or(""),
            "An error occurred while executing the state 'M' (entered at the event id #2). The "
            "JSONata expression '$states.input.l.v' specified for the field 'Items' returned an "
            "unexpected result type. Expected 'array', but was 'string' for value: \"x\"");
  auto kept = h.run(map_over(R"("{% $states.input.l.v[] %}")"), input);
  EXPECT_EQ(kept.status, "SUCCEEDED");
  EXPECT_EQ(out_text(kept), R"(["x"])");
  auto mapped = h.run(map_over(R"("{% $map([1], function($v){$v}) %}")"));
  EXPECT_NE(mapped.cause.value_or("").find("Expected 'array', but was 'number' for value: 1"),
            std::string::npos)
      << mapped.cause.value_or("");
  auto none = h.run(map_over(R"("{% $filter([1], function($v){false}) %}")"));
  EXPECT_NE(none.cause.value_or("").find("specified for the field 'Items' returned nothing "
                                         "(undefined)."),
            std::string::npos)
      << none.cause.value_or("");
}

TEST(JsonataFields, UndefinedInsideAnExpressionResultDropsTheKey) {
  Harness h;
  auto r = h.run(pass_with(R"("Output":"{% {'a': $nope, 'b': 1, 'c': [1, $nope]} %}")"));
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"b":1,"c":[1]})");
}

TEST(JsonataFields, UndefinedFieldOfATemplateFailsWithItsLocation) {
  Harness h;
  struct Case {
    std::string fields, location;
  };
  const std::vector<Case> cases = {
      {R"("Output":"{% $nope %}")", "Output"},
      {R"("Output":{"result":"{% $nope %}"})", "Output/result"},
      {R"("Output":{"x":[1,"{% $nope %}"]})", "Output/x/1"},
      {R"("Assign":{"v":"{% $states.input.a[$ > 5] %}"})", "Assign/v"},
  };
  for (const auto& c : cases) {
    auto r = h.run(pass_with(c.fields), R"({"a":[1]})");
    EXPECT_EQ(r.error.value_or(""), "States.QueryEvaluationError") << c.fields;
    const std::string expr = c.location == "Assign/v" ? "$states.input.a[$ > 5]" : "$nope";
    EXPECT_EQ(r.cause.value_or(""), std::string(kPrefix) + "The JSONata expression '" + expr +
                                        "' specified for the field '" + c.location +
                                        "' returned nothing (undefined).");
    EXPECT_EQ(location_of(r), c.location);
  }
}

TEST(JsonataFields, UndefinedInArgumentsAndItemSelector) {
  Harness h;
  auto args = h.run(R"({"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Parallel",
      "Arguments":{"a":"{% $nope %}"},
      "Branches":[{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}],"End":true}}})");
  EXPECT_EQ(location_of(args), "Arguments/a");
  auto sel = h.run(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
      "Items":[1],"ItemSelector":{"v":"{% $states.context.Map.Item.Value %}","n":"{% $nope %}"},
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})");
  EXPECT_EQ(sel.error.value_or(""), "States.QueryEvaluationError");
  EXPECT_NE(sel.cause.value_or("").find("for the field 'ItemSelector/n' returned nothing"),
            std::string::npos)
      << sel.cause.value_or("");
}

TEST(JsonataFields, AssignIsAParallelAssignmentAndOutputSeesTheEntryValues) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Assign":{"x":1,"y":2},"Next":"B"},
      "B":{"Type":"Pass","Assign":{"x":"{% $y %}","y":"{% $x %}"},
           "Output":{"x":"{% $x %}","y":"{% $y %}"},"Next":"C"},
      "C":{"Type":"Pass","Output":{"in":"{% $states.input %}","x":"{% $x %}","y":"{% $y %}"},
           "End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  // B's Output saw x=1, y=2 (the values at entry); C sees the swapped values.
  EXPECT_EQ(out_text(r), R"({"in":{"x":1,"y":2},"x":2,"y":1})");
}

TEST(JsonataFields, CatchAssignAndOutputSeeErrorOutputAndTheOldVariables) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Assign":{"x":1},"Next":"S"},
      "S":{"Type":"Parallel",
           "Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}}],
           "Catch":[{"ErrorEquals":["States.ALL"],
                     "Assign":{"x":2,"old":"{% $x %}","err":"{% $states.errorOutput.Error %}"},
                     "Output":{"x":"{% $x %}","cause":"{% $states.errorOutput.Cause %}",
                               "in":"{% $states.input %}"},"Next":"T"}],"End":true},
      "T":{"Type":"Pass","Output":{"x":"{% $x %}","old":"{% $old %}","err":"{% $err %}",
           "in":"{% $states.input %}"},"End":true}}})",
                 R"({"k":1})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"x":2,"old":1,"err":"E","in":{"x":1,"cause":"C","in":{"k":1}}})");
}

TEST(JsonataFields, ResultAndErrorOutputAreUndefinedWhereNotAvailable) {
  Harness h;
  auto pass = h.run(pass_with(R"("Output":"{% $states.result %}")"));
  EXPECT_EQ(pass.cause.value_or(""),
            std::string(kPrefix) +
                "The JSONata expression '$states.result' specified for the "
                "field 'Output' returned nothing (undefined).");
  auto args = h.run(R"({"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Parallel",
      "Arguments":"{% $states.result %}",
      "Branches":[{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}],"End":true}}})");
  EXPECT_EQ(location_of(args), "Arguments");
  auto state_output = h.run(pass_with(R"("Output":{"e":"{% $states.errorOutput %}"})"));
  EXPECT_EQ(location_of(state_output), "Output/e");
}

TEST(JsonataFields, MapResultIsAnArrayEvenOfOneItem) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
      "Items":[{"a":1}],"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
      "Assign":{"r":"{% $states.result %}"},
      "Output":{"r":"{% $states.result %}","a":"{% $states.result.a %}"},"Next":"T"},
      "T":{"Type":"Pass","Output":{"r":"{% $r %}","prev":"{% $states.input %}"},"End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"r":[{"a":1}],"prev":{"r":[{"a":1}],"a":1}})");
}

TEST(JsonataFields, ChoiceUsesTheMatchedRulesAssignOrTheStatesOnDefault) {
  Harness h;
  const std::string tail = R"(,"Next":"T"}],"Default":"T"},
      "T":{"Type":"Pass","Output":{"o":"{% $states.input %}","top":"{% $exists($top) %}",
           "rule":"{% $exists($rule) %}"},"End":true}}})";
  const std::string head = R"({"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{
      "Type":"Choice","Assign":{"top":1},"Output":"top",
      "Choices":[{"Assign":{"rule":1},"Output":"rule","Condition":)";
  EXPECT_EQ(out_text(h.run(head + R"("{% true %}")" + tail)),
            R"({"o":"rule","top":false,"rule":true})");
  EXPECT_EQ(out_text(h.run(head + R"("{% false %}")" + tail)),
            R"({"o":"top","top":true,"rule":false})");
}

TEST(JsonataFields, EvaluationErrorCausesCarryTheJsonataCodeAndMessage) {
  Harness h;
  struct Case {
    std::string expr, tail;
  };
  const std::vector<Case> cases = {
      {"'a' + 1", "T2001: The left side of the \"+\" operator must evaluate to a number"},
      {"$number('x')", "D3030: Unable to cast value to a number: \"x\""},
      {"$error('boom')", "D3137: boom"},
      {"$eval('1')", "T1006: Attempted to invoke a non-function"},
  };
  for (const auto& c : cases) {
    auto r = h.run(pass_with(R"("Output":{"v":"{% )" + c.expr + R"( %}"})"));
    EXPECT_EQ(r.cause.value_or(""), std::string(kPrefix) + "The JSONata expression '" + c.expr +
                                        "' specified for the field 'Output/v' threw an error "
                                        "during evaluation. " +
                                        c.tail);
  }
  auto fn = h.run(pass_with(R"("Output":"{% $sum %}")"));
  EXPECT_EQ(fn.cause.value_or(""), std::string(kPrefix) +
                                       "The JSONata expression '$sum' specified for the field "
                                       "'Output' returned an unsupported result type.");
}

}  // namespace
}  // namespace stepwise::engine
