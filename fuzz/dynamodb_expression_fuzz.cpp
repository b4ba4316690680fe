// Fuzz target: the DynamoDB request decoder and expression parsers. Input: "OPERATION\nJSON"
// — the JSON request runs as OPERATION on a fresh in-memory DynamoDB that holds two tables
// ("t": hash key; "r": hash and range keys, a GSI) with a few items; the OPERATION line is
// also parsed as a condition, an update and a projection expression (with placeholders #n and
// :v defined), and every condition that parses is evaluated against an item. Every request must
// be answered exactly once, with an answer or an AWS error — never a crash.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "services/common/record_log.h"
#include "services/dynamodb/dynamodb.h"
#include "services/dynamodb/evaluator.h"
#include "services/dynamodb/expression.h"

namespace {

using namespace stepwise;
using namespace stepwise::services;

void parse_everything(std::string_view text) {
  json::object names{{"#n", "a"}, {"#m", "data"}};
  json::value values_v = json::parse(R"({":v":{"N":"1"},":s":{"S":"x"},":l":{"L":[]},
      ":ss":{"SS":["a"]}})")
                             .value();
  json::object& values = values_v.get_object();
  dynamodb::ExpressionContext ctx{&names, &values, {}, {}};
  dynamodb::Condition c;
  json::object item = json::parse(R"({"a":{"N":"2"},"b":{"M":{"c":{"L":[{"S":"x"}]}}},
      "ss":{"SS":["a","b"]}})")
                          .value()
                          .get_object();
  if (!dynamodb::parse_condition(text, "ConditionExpression", ctx, c))
    (void)dynamodb::evaluate(c, item);
  std::vector<dynamodb::UpdateAction> actions;
  if (!dynamodb::parse_update(text, ctx, actions)) {
    json::object copy = item;
    (void)dynamodb::apply_update(copy, actions);
  }
  std::vector<dynamodb::Path> paths;
  if (!dynamodb::parse_projection(text, ctx, paths)) (void)dynamodb::project(item, paths);
  (void)dynamodb::unused_placeholders(ctx);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  auto [program, input] = fuzz::split(text);
  parse_everything(program);
  ManualClock clock(1'700'000'000'000);
  MemoryRecordLog log;
  dynamodb::DynamoDb ddb(dynamodb::DynamoDbOptions{.clock = clock, .log = log});
  api::RequestInfo info;
  int answers = 0;
  auto call = [&](std::string_view op, std::string_view body) {
    ddb.dispatch(op, json::parse(body).value(), info, [&](api::Response) { ++answers; });
  };
  call("CreateTable", R"({"TableName":"t","BillingMode":"PAY_PER_REQUEST",
      "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
      "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]})");
  call("CreateTable", R"({"TableName":"r","BillingMode":"PAY_PER_REQUEST",
      "KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
      "AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"},
        {"AttributeName":"s","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
      "GlobalSecondaryIndexes":[{"IndexName":"gi","KeySchema":[{"AttributeName":"g",
        "KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]})");
  call("PutItem", R"({"TableName":"t","Item":{"id":{"S":"a"},"n":{"N":"1"}}})");
  call("PutItem", R"({"TableName":"r","Item":{"h":{"S":"a"},"s":{"N":"1"},"g":{"S":"x"}}})");
  call("PutItem", R"({"TableName":"r","Item":{"h":{"S":"a"},"s":{"N":"2"}}})");
  std::string op(program.substr(0, 64));
  ddb.dispatch(op, input, info, [&](api::Response r) {
    ++answers;
    if (!r.is_error()) (void)json::dump(r.body());
  });
  if (answers != 6) fuzz::invariant_failed("a request was not answered exactly once", text);
  return 0;
}
