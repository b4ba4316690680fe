// asl::compile: names become indices, fields become compiled objects, bad input is an error.
#include "asl/compile.h"

#include <gtest/gtest.h>

namespace stepwise::asl {
namespace {

TEST(Compile, ResolvesNamesToIndicesAndKeepsFields) {
  auto m = compile_text(R"({"StartAt":"B","TimeoutSeconds":9,"States":{
      "A":{"Type":"Pass","End":true},
      "B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"A",
           "TimeoutSeconds":5,"Retry":[{"ErrorEquals":["X"],"MaxAttempts":0,"JitterStrategy":"FULL"}],
           "Catch":[{"ErrorEquals":["States.ALL"],"Next":"A","ResultPath":null}]}}})");
  ASSERT_TRUE(m.ok()) << m.error().cause;
  const StateMachine& sm = **m;
  EXPECT_EQ(sm.start_at, 1);
  EXPECT_EQ(sm.timeout_seconds.value_or(0), 9);
  const State& b = sm.states[1];
  EXPECT_EQ(b.name, "B");
  EXPECT_EQ(b.type, StateType::kTask);
  EXPECT_EQ(b.next, 0);
  EXPECT_EQ(b.integration.name(), "lambda:invoke");
  EXPECT_EQ(b.resource_type, "lambda");
  EXPECT_EQ(b.resource_short, "invoke");
  EXPECT_EQ(b.timeout_seconds.value_or(0), 5);
  ASSERT_EQ(b.retry.size(), 1u);
  EXPECT_EQ(b.retry[0].max_attempts, 0);
  EXPECT_EQ(b.retry[0].interval_seconds, 1);
  EXPECT_DOUBLE_EQ(b.retry[0].backoff_rate, 2.0);
  EXPECT_TRUE(b.retry[0].jitter_full);
  ASSERT_EQ(b.catchers.size(), 1u);
  EXPECT_EQ(b.catchers[0].next, 0);
  EXPECT_EQ(b.catchers[0].result_path.kind, PathField::Kind::kNull);
}

TEST(Compile, LambdaArnAndSdkResourcesAreClassified) {
  auto m = compile_text(R"({"StartAt":"L","States":{
      "L":{"Type":"Task","Resource":"arn:aws:lambda:eu-west-1:1:function:f","Next":"S"},
      "S":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:listBuckets","End":true}}})");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE((*m)->states[0].integration.function_arn());
  EXPECT_EQ((*m)->states[0].resource_region, "eu-west-1");
  EXPECT_EQ((*m)->states[1].resource_type, "aws-sdk:s3");
  EXPECT_EQ((*m)->states[1].resource_short, "listBuckets");
  EXPECT_TRUE((*m)->states[1].integration.aws_sdk());
}

TEST(Compile, ResourceIsResolvedOnceWithItsPattern) {
  auto m = compile_text(R"({"StartAt":"N","States":{
      "N":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Next":"A"},
      "A":{"Type":"Task","Resource":"arn:aws:states:us-east-1:1:activity:a","End":true}}})");
  ASSERT_TRUE(m.ok()) << m.error().cause;
  const auto& nested = (*m)->states[0].integration;
  EXPECT_EQ(nested.name(), "states:startExecution");
  EXPECT_EQ(nested.pattern, integrations::IntegrationPattern::kSync2);
  EXPECT_EQ((*m)->states[0].resource_short, "startExecution.sync:2");
  EXPECT_TRUE((*m)->states[1].integration.activity());
  EXPECT_EQ((*m)->states[1].resource_region, "us-east-1");
}

TEST(Compile, UnknownOrUnsupportedResourceIsRefusedWithAwsMessage) {
  for (std::string resource :
       {"arn:aws:states:::dynamodb:query", "arn:aws:states:::http:invoke.sync",
        "arn:aws:states:::nothing", "hello", "arn:aws:states:::aws-sdk:s3:getObject.sync"}) {
    auto m = compile_text(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + resource +
                          R"(","End":true}}})");
    ASSERT_FALSE(m.ok()) << resource;
    EXPECT_EQ(m.error().name, "InvalidDefinition");
    EXPECT_EQ(m.error().cause,
              "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The resource "
              "provided " +
                  resource +
                  " is not recognized. The value is not a valid resource "
                  "ARN, or the resource is not available in this region. at /States/T/Resource'");
  }
}

TEST(Compile, NestedMachinesForParallelAndMap) {
  auto m = compile_text(R"({"StartAt":"P","States":{
      "P":{"Type":"Parallel","Next":"M","Branches":[
          {"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}]},
      "M":{"Type":"Map","MaxConcurrency":2,"Iterator":{"StartAt":"Y","States":{"Y":{"Type":"Succeed"}}},
           "End":true}}})");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ((*m)->states[0].branches.size(), 1u);
  EXPECT_EQ((*m)->states[0].branches[0]->depth, 1u);
  ASSERT_TRUE((*m)->states[1].processor);
  EXPECT_EQ((*m)->states[1].max_concurrency, 2);
  EXPECT_FALSE((*m)->states[1].distributed);
}

TEST(Compile, ContextUseIsDetected) {
  auto m = compile_text(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","Parameters":{"x.$":"$$.Execution.Id"},"Next":"B"},
      "B":{"Type":"Pass","End":true}}})");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE((*m)->states[0].uses_context);
  EXPECT_FALSE((*m)->states[1].uses_context);
}

TEST(Compile, ContextNeedSaysWhetherExecutionInputCanBeReached) {
  using N = ContextNeed;
  EXPECT_EQ(context_need_of(R"({"Type":"Pass","Result":1})"), N::kNone);
  EXPECT_EQ(context_need_of(R"({"x.$":"$$.Execution.Id"})"), N::kWithoutInput);
  EXPECT_EQ(context_need_of(R"({"x.$":"$$.Map.Item.Value","t.$":"$$.Task.Token"})"),
            N::kWithoutInput);
  EXPECT_EQ(context_need_of(R"({"x.$":"$$.Execution.Input.a"})"), N::kFull);
  EXPECT_EQ(context_need_of(R"({"x.$":"$$"})"), N::kFull);
  EXPECT_EQ(context_need_of(R"({"x.$":"$$.Execution"})"), N::kFull);
  EXPECT_EQ(context_need_of(R"({"x.$":"$$.Execution.*"})"), N::kFull);
  EXPECT_EQ(context_need_of(R"({"x.$":"$$..Input"})"), N::kFull);
  EXPECT_EQ(context_need_of(R"({"x.$":"$$['Execution']"})"), N::kFull);
  EXPECT_EQ(context_need_of(R"j({"x.$":"States.JsonToString($$)"})j"), N::kFull);
  EXPECT_EQ(context_need_of(R"({"a.$":"$$.State.Name","b.$":"$$.Execution.Input"})"), N::kFull);
  // JSONata: $states.context, or $states whole.
  EXPECT_EQ(context_need_of(R"({"Output":"{% $states.input.a %}"})"), N::kNone);
  EXPECT_EQ(context_need_of(R"({"Output":"{% $states.context.State.Name %}"})"), N::kWithoutInput);
  EXPECT_EQ(context_need_of(R"({"Output":"{% $states.context.Execution.Input %}"})"), N::kFull);
  EXPECT_EQ(context_need_of(R"({"Output":"{% $c := $states.context; $c.Execution.Input %}"})"),
            N::kFull);
  EXPECT_EQ(context_need_of(R"({"Output":"{% $e := $states.context.Execution; $e.Input %}"})"),
            N::kFull);
  EXPECT_EQ(context_need_of(R"({"Output":"{% $keys($states) %}"})"), N::kFull);
}

TEST(Compile, ContextWithoutInputStillHasTheRestAndInputWhenReached) {
  // Through the engine's view: a state reading only $$.Execution.Id gets kWithoutInput.
  auto m = compile_text(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","Parameters":{"x.$":"$$.Execution.Id"},"Next":"B"},
      "B":{"Type":"Pass","Parameters":{"x.$":"$$.Execution.Input"},"End":true}}})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->states[0].context_need, ContextNeed::kWithoutInput);
  EXPECT_EQ((*m)->states[1].context_need, ContextNeed::kFull);
}

TEST(Compile, MachineReadsContextWhenAnyNestedStateOrJsonataMayReadIt) {
  auto plain = compile_text(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE((*plain)->reads_context);
  auto nested = compile_text(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
      "Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass",
        "Parameters":{"i.$":"$$.Execution.Input"},"End":true}}}]}}})");
  ASSERT_TRUE(nested.ok());
  EXPECT_TRUE((*nested)->reads_context);
  auto jsonata = compile_text(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{
      "Type":"Pass","Output":"{% $states.context.Execution.Input %}","End":true}}})");
  ASSERT_TRUE(jsonata.ok());
  EXPECT_TRUE((*jsonata)->reads_context);
}

TEST(Compile, JsonataStatesKeepRawFields) {
  auto m = compile_text(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Output":"{% $states.input %}","End":true}}})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->states[0].query_language, QueryLanguage::kJsonata);
  EXPECT_TRUE((*m)->states[0].raw.as_object().contains("Output"));
}

TEST(Compile, BadInputIsAnInvalidDefinitionError) {
  for (const char* text :
       {"not json", "[]", R"({"StartAt":"A"})",
        R"({"StartAt":"Z","States":{"A":{"Type":"Pass","End":true}}})",
        R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"}}})",
        R"({"StartAt":"A","States":{"A":{"Type":"Bogus","End":true}}})",
        R"({"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"x","End":true}}})"}) {
    auto m = compile_text(text);
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_EQ(m.error().name, "InvalidDefinition") << text;
  }
}

TEST(Compile, DeepNestingIsRejectedNotRecursedForever) {
  std::string def = R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})";
  for (int i = 0; i < 200; ++i) {
    def =
        R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[)" + def + "]}}}";
  }
  auto m = compile_text(def);
  EXPECT_FALSE(m.ok());
}

TEST(Compile, JsonataFieldsBecomeTemplatesWithLiteralSubtreesKeptWhole) {
  auto m = compile_text(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{
      "P":{"Type":"Pass","Output":{"a":"{%  $states.input.x  %}","lit":{"k":[1,2]},"s":"plain"},
           "Assign":{"v":1},"End":true}}})");
  ASSERT_TRUE(m.ok()) << m.error().cause;
  const State& p = (*m)->states[0];
  ASSERT_TRUE(p.jsonata);
  ASSERT_TRUE(p.jsonata->output);
  const JsonataTemplate& out = *p.jsonata->output;
  EXPECT_EQ(out.kind, JsonataTemplate::Kind::kObject);
  ASSERT_EQ(out.keys.size(), 3u);
  EXPECT_EQ(out.children[0].kind, JsonataTemplate::Kind::kExpression);
  EXPECT_EQ(out.children[0].text, "$states.input.x");
  EXPECT_EQ(out.children[1].kind, JsonataTemplate::Kind::kLiteral);
  EXPECT_EQ(json::dump(out.children[1].literal), R"({"k":[1,2]})");
  EXPECT_EQ(p.jsonata->assign->kind, JsonataTemplate::Kind::kLiteral);
}

TEST(Compile, JsonPathStatesHaveNoJsonataFields) {
  auto m = compile_text(R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE((*m)->states[0].jsonata);
}

TEST(Compile, JsonataChoiceRulesAndCatchersCompileTheirExpressions) {
  auto m = compile_text(R"({"QueryLanguage":"JSONata","StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.ok %}","Next":"T",
           "Output":"{% 1 %}"}],"Default":"T"},
      "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,
           "Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% $states.errorOutput %}","Next":"C"}]}}})");
  ASSERT_TRUE(m.ok()) << m.error().cause;
  const State& c = (*m)->states[0];
  ASSERT_EQ(c.choices.size(), 1u);
  ASSERT_TRUE(c.choices[0].condition);
  EXPECT_EQ(c.choices[0].condition->kind, JsonataTemplate::Kind::kExpression);
  ASSERT_TRUE(c.choices[0].jsonata_output);
  const State& t = (*m)->states[1];
  ASSERT_EQ(t.catchers.size(), 1u);
  EXPECT_TRUE(t.catchers[0].jsonata_output);
}

TEST(Compile, UnparsableJsonataExpressionIsAnInvalidDefinition) {
  auto m = compile_text(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{
      "P":{"Type":"Pass","Output":"{% 1 + %}","End":true}}})");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().name, "InvalidDefinition");
  EXPECT_NE(m.error().cause.find("INVALID_JSONATA_EXPRESSION"), std::string::npos)
      << m.error().cause;
}

}  // namespace
}  // namespace stepwise::asl
