// The service through its operations: tables and indexes, items and their errors, Query and
// Scan paging, batches, transactions, tags, reload from the record log.
#include "services/dynamodb/dynamodb.h"

#include <gtest/gtest.h>

#include <optional>

#include "services/common/resource_tags.h"

namespace stepwise::services::dynamodb {
namespace {

json::object J(std::string_view text) { return json::parse(text).value().get_object(); }

class DynamoDbTest : public ::testing::Test {
 protected:
  api::Response call(std::string_view op, json::object request) {
    std::optional<api::Response> out;
    ddb_->dispatch(op, json::value(std::move(request)), info_,
                   [&](api::Response r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << op << " did not answer at once";
    return out ? std::move(*out) : api::Response(api::ApiError::internal("no answer"));
  }
  json::object ok(std::string_view op, std::string_view request) {
    api::Response r = call(op, J(request));
    EXPECT_FALSE(r.is_error()) << op << ": " << (r.is_error() ? r.error().message : "");
    return r.is_error() || !r.body().is_object() ? json::object{} : r.body().get_object();
  }
  api::ApiError error(std::string_view op, std::string_view request) {
    api::Response r = call(op, J(request));
    EXPECT_TRUE(r.is_error()) << op << " succeeded: " << json::dump(r.body());
    return r.is_error() ? r.error() : api::ApiError{};
  }
  void make_tables() {
    ok("CreateTable", R"({"TableName":"users","BillingMode":"PAY_PER_REQUEST",
        "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
        "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]})");
    ok("CreateTable", R"({"TableName":"events","BillingMode":"PAY_PER_REQUEST",
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
                     {"AttributeName":"ts","KeyType":"RANGE"}],
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},
          {"AttributeName":"ts","AttributeType":"N"},{"AttributeName":"kind","AttributeType":"S"}],
        "GlobalSecondaryIndexes":[{"IndexName":"by-kind",
          "KeySchema":[{"AttributeName":"kind","KeyType":"HASH"},
                       {"AttributeName":"ts","KeyType":"RANGE"}],
          "Projection":{"ProjectionType":"KEYS_ONLY"}}]})");
  }
  void put_event(const std::string& pk, int ts, const std::string& kind) {
    ok("PutItem", R"({"TableName":"events","Item":{"pk":{"S":")" + pk + R"("},"ts":{"N":")" +
                      std::to_string(ts) + R"("},"kind":{"S":")" + kind +
                      R"("},"body":{"S":"x"}}})");
  }

  ManualClock clock_{1'700'000'000'000};
  MemoryRecordLog log_;
  std::unique_ptr<DynamoDb> ddb_ = fresh();
  api::RequestInfo info_;

  std::unique_ptr<DynamoDb> fresh() {
    return std::make_unique<DynamoDb>(DynamoDbOptions{
        .clock = clock_, .log = log_, .place = {"us-east-1", "123456789012", ""}, .id_seed = 3});
  }
};

TEST_F(DynamoDbTest, CreateDescribeListUpdateDeleteTables) {
  make_tables();
  auto d = ok("DescribeTable", R"({"TableName":"events"})")["Table"].get_object();
  EXPECT_EQ(d["TableStatus"], "ACTIVE");
  EXPECT_EQ(d["TableArn"], "arn:aws:dynamodb:us-east-1:123456789012:table/events");
  EXPECT_EQ(d["BillingModeSummary"].at("BillingMode"), "PAY_PER_REQUEST");
  EXPECT_EQ(d["GlobalSecondaryIndexes"].at(0).at("IndexStatus"), "ACTIVE");
  EXPECT_EQ(error("CreateTable", R"({"TableName":"users","BillingMode":"PAY_PER_REQUEST",
        "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
        "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]})")
                .type,
            "ResourceInUseException");
  EXPECT_EQ(error("CreateTable", R"({"TableName":"xy","KeySchema":[],"AttributeDefinitions":[]})")
                .message,
            "1 validation error detected: Value 'xy' at 'tableName' failed to satisfy "
            "constraint: Member must have length greater than or equal to 3");
  EXPECT_EQ(error("CreateTable", R"({"TableName":"bad","KeySchema":[{"AttributeName":"id",
        "KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]})")
                .message,
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
            "must both be specified when BillingMode is PROVISIONED");
  auto list = ok("ListTables", R"({"Limit":1})");
  EXPECT_EQ(json::dump(list["TableNames"]), R"(["events"])");
  EXPECT_EQ(list["LastEvaluatedTableName"], "events");
  ok("UpdateTable", R"({"TableName":"events","GlobalSecondaryIndexUpdates":[
      {"Delete":{"IndexName":"by-kind"}}]})");
  d = ok("DescribeTable", R"({"TableName":"events"})")["Table"].get_object();
  EXPECT_FALSE(d.contains("GlobalSecondaryIndexes"));
  ok("DeleteTable", R"({"TableName":"users"})");
  auto nf = error("DescribeTable", R"({"TableName":"users"})");
  EXPECT_EQ(nf.type, "ResourceNotFoundException");
  EXPECT_EQ(nf.message, "Requested resource not found: Table: users not found");
}

TEST_F(DynamoDbTest, ItemsWithConditionsAndReturnValues) {
  make_tables();
  ok("PutItem", R"({"TableName":"users","Item":{"id":{"S":"u1"},"n":{"N":"1.50"}}})");
  auto got = ok("GetItem", R"({"TableName":"users","Key":{"id":{"S":"u1"}}})");
  EXPECT_EQ(json::dump(got["Item"]), R"({"id":{"S":"u1"},"n":{"N":"1.5"}})");
  auto cc = error("PutItem", R"J({"TableName":"users","Item":{"id":{"S":"u1"}},
      "ConditionExpression":"attribute_not_exists(id)",
      "ReturnValuesOnConditionCheckFailure":"ALL_OLD"})J");
  EXPECT_EQ(cc.type, "ConditionalCheckFailedException");
  EXPECT_EQ(cc.message, "The conditional request failed");
  EXPECT_EQ(json::dump(cc.members["Item"]), R"({"id":{"S":"u1"},"n":{"N":"1.5"}})");
  auto upd = ok("UpdateItem", R"({"TableName":"users","Key":{"id":{"S":"u1"}},
      "UpdateExpression":"SET n = n + :d, #t = :t","ConditionExpression":"n < :lim",
      "ExpressionAttributeNames":{"#t":"tags"},
      "ExpressionAttributeValues":{":d":{"N":"2"},":lim":{"N":"10"},":t":{"SS":["a"]}},
      "ReturnValues":"UPDATED_NEW"})");
  EXPECT_EQ(json::dump(upd["Attributes"]), R"({"n":{"N":"3.5"},"tags":{"SS":["a"]}})");
  auto old = ok("UpdateItem", R"({"TableName":"users","Key":{"id":{"S":"u1"}},
      "UpdateExpression":"REMOVE tags","ReturnValues":"ALL_OLD"})");
  EXPECT_TRUE(old["Attributes"].get_object().contains("tags"));
  EXPECT_EQ(error("UpdateItem", R"({"TableName":"users","Key":{"id":{"S":"u1"}},
      "UpdateExpression":"SET id = :v","ExpressionAttributeValues":{":v":{"S":"x"}}})")
                .message,
            "One or more parameter values were invalid: Cannot update attribute id. This "
            "attribute is part of the key");
  EXPECT_EQ(error("PutItem", R"J({"TableName":"users","Item":{"id":{"S":"u2"}},
      "ConditionExpression":"attribute_not_exists(id)",
      "ExpressionAttributeValues":{":x":{"S":"x"}}})J")
                .message,
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}");
  auto del = ok("DeleteItem", R"({"TableName":"users","Key":{"id":{"S":"u1"}},
      "ReturnValues":"ALL_OLD"})");
  EXPECT_EQ(json::dump(del["Attributes"]), R"({"id":{"S":"u1"},"n":{"N":"3.5"}})");
  EXPECT_FALSE(ok("GetItem", R"({"TableName":"users","Key":{"id":{"S":"u1"}}})").contains("Item"));
}

TEST_F(DynamoDbTest, KeyAndRequestErrors) {
  make_tables();
  EXPECT_EQ(error("PutItem", R"({"TableName":"users","Item":null})").message,
            "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
            "Member must not be null");
  EXPECT_EQ(error("PutItem", R"({"TableName":"nope","Item":{"id":{"S":"a"}}})").message,
            "Requested resource not found");
  EXPECT_EQ(error("PutItem", R"({"TableName":"users","Item":{"x":{"S":"a"}}})").message,
            "One or more parameter values were invalid: Missing the key id in the item");
  EXPECT_EQ(error("PutItem", R"({"TableName":"users","Item":{"id":{"N":"1"}}})").message,
            "One or more parameter values were invalid: Type mismatch for key id expected: S "
            "actual: N");
  EXPECT_EQ(
      error("GetItem", R"({"TableName":"users","Key":{"id":{"S":"a"},"x":{"S":"b"}}})").message,
      "The provided key element does not match the schema");
  EXPECT_EQ(error("PutItem", R"({"TableName":"events","Item":{"pk":{"S":"a"},"ts":{"N":"1"},
      "kind":{"N":"1"}}})")
                .message,
            "One or more parameter values were invalid: Type mismatch for Index Key kind "
            "Expected: S Actual: N IndexName: by-kind");
  std::string big(400 * 1024, 'x');
  EXPECT_EQ(error("PutItem",
                  R"({"TableName":"users","Item":{"id":{"S":"a"},"b":{"S":")" + big + R"("}}})")
                .message,
            "Item size has exceeded the maximum allowed size");
  EXPECT_EQ(error("PutItem", R"({"TableName":"users","Item":{"id":{"S":"a"}},
      "ReturnValues":"ALL_NEW"})")
                .message,
            "Return values set to invalid value");
}

TEST_F(DynamoDbTest, QuerySortsByRangeKeyAndPages) {
  make_tables();
  for (int ts : {30, 10, 20, 40, 5}) put_event("a", ts, ts % 20 == 0 ? "x" : "y");
  put_event("b", 1, "x");
  const char* q = R"({"TableName":"events","KeyConditionExpression":"pk = :p AND ts > :t",
      "ExpressionAttributeValues":{":p":{"S":"a"},":t":{"N":"5"}},"Limit":2})";
  auto page1 = ok("Query", q);
  ASSERT_EQ(page1["Items"].get_array().size(), 2u);
  EXPECT_EQ(page1["Items"].at(0).at("ts").at("N"), "10");
  EXPECT_EQ(page1["Items"].at(1).at("ts").at("N"), "20");
  ASSERT_TRUE(page1.contains("LastEvaluatedKey"));
  json::object next = J(q);
  next["ExclusiveStartKey"] = page1["LastEvaluatedKey"];
  auto page2 = call("Query", next).body().get_object();
  EXPECT_EQ(page2["Items"].at(0).at("ts").at("N"), "30");
  EXPECT_EQ(page2["Items"].at(1).at("ts").at("N"), "40");
  auto back = ok("Query", R"({"TableName":"events","KeyConditionExpression":"pk = :p",
      "ExpressionAttributeValues":{":p":{"S":"a"},":k":{"S":"x"}},"ScanIndexForward":false,
      "FilterExpression":"kind = :k"})");
  EXPECT_EQ(back["Count"], 2);
  EXPECT_EQ(back["ScannedCount"], 5);
  EXPECT_EQ(back["Items"].at(0).at("ts").at("N"), "40");
  auto idx = ok("Query", R"({"TableName":"events","IndexName":"by-kind",
      "KeyConditionExpression":"kind = :k","ExpressionAttributeValues":{":k":{"S":"x"}}})");
  ASSERT_EQ(idx["Items"].get_array().size(), 3u);
  EXPECT_EQ(idx["Items"].at(0).at("ts").at("N"), "1");
  EXPECT_FALSE(idx["Items"].at(0).get_object().contains("body"));  // KEYS_ONLY
  EXPECT_EQ(error("Query", R"({"TableName":"events","KeyConditionExpression":"ts = :t",
      "ExpressionAttributeValues":{":t":{"N":"1"}}})")
                .message,
            "Query condition missed key schema element: pk");
  EXPECT_EQ(error("Query", R"({"TableName":"events","KeyConditionExpression":"pk = :p",
      "FilterExpression":"ts > :p","ExpressionAttributeValues":{":p":{"S":"a"}}})")
                .message,
            "Filter Expression can only contain non-primary key attributes: Primary key "
            "attribute: ts");
  auto count = ok("Scan", R"({"TableName":"events","Select":"COUNT"})");
  EXPECT_EQ(count["Count"], 6);
  EXPECT_FALSE(count.contains("Items"));
}

TEST_F(DynamoDbTest, ScanPagesThroughEveryItemOnce) {
  make_tables();
  for (int i = 0; i < 23; ++i)
    ok("PutItem", R"({"TableName":"users","Item":{"id":{"S":"u)" + std::to_string(i) + R"("}}})");
  std::set<std::string> seen;
  json::object req = J(R"({"TableName":"users","Limit":5})");
  for (int pages = 0; pages < 10; ++pages) {
    auto out = call("Scan", req).body().get_object();
    for (const auto& it : out["Items"].get_array())
      EXPECT_TRUE(seen.insert(std::string(it.at("id").at("S").get_string())).second);
    if (!out.contains("LastEvaluatedKey")) break;
    req["ExclusiveStartKey"] = out["LastEvaluatedKey"];
  }
  EXPECT_EQ(seen.size(), 23u);
}

TEST_F(DynamoDbTest, BatchesAndTransactions) {
  make_tables();
  ok("BatchWriteItem", R"({"RequestItems":{"users":[
      {"PutRequest":{"Item":{"id":{"S":"a"},"v":{"N":"1"}}}},
      {"PutRequest":{"Item":{"id":{"S":"b"},"v":{"N":"2"}}}}]}})");
  auto got = ok("BatchGetItem", R"({"RequestItems":{"users":{"Keys":[{"id":{"S":"a"}},
      {"id":{"S":"b"}},{"id":{"S":"zz"}}]}}})");
  EXPECT_EQ(got["Responses"].at("users").get_array().size(), 2u);
  EXPECT_EQ(error("BatchGetItem", R"({"RequestItems":{"users":{"Keys":[{"id":{"S":"a"}},
      {"id":{"S":"a"}}]}}})")
                .message,
            "Provided list of item keys contains duplicates");
  auto tx = error("TransactWriteItems", R"({"TransactItems":[
      {"Put":{"TableName":"users","Item":{"id":{"S":"c"}}}},
      {"ConditionCheck":{"TableName":"users","Key":{"id":{"S":"a"}},
        "ConditionExpression":"v = :two","ExpressionAttributeValues":{":two":{"N":"2"}}}}]})");
  EXPECT_EQ(tx.type, "TransactionCanceledException");
  EXPECT_EQ(tx.message,
            "Transaction cancelled, please refer cancellation reasons for specific "
            "reasons [None, ConditionalCheckFailed]");
  EXPECT_EQ(json::dump(tx.members["CancellationReasons"]),
            R"([{"Code":"None"},{"Code":"ConditionalCheckFailed",)"
            R"("Message":"The conditional request failed"}])");
  EXPECT_FALSE(ok("GetItem", R"({"TableName":"users","Key":{"id":{"S":"c"}}})")
                   .contains("Item"));  // nothing of a cancelled transaction is applied
  ok("TransactWriteItems", R"({"TransactItems":[
      {"Put":{"TableName":"users","Item":{"id":{"S":"c"}}}},
      {"Update":{"TableName":"users","Key":{"id":{"S":"a"}},"UpdateExpression":"ADD v :one",
        "ExpressionAttributeValues":{":one":{"N":"1"}}}},
      {"Delete":{"TableName":"users","Key":{"id":{"S":"b"}}}}]})");
  auto tg = ok("TransactGetItems", R"({"TransactItems":[
      {"Get":{"TableName":"users","Key":{"id":{"S":"a"}}}},
      {"Get":{"TableName":"users","Key":{"id":{"S":"b"}}}}]})");
  EXPECT_EQ(tg["Responses"].at(0).at("Item").at("v").at("N"), "2");
  EXPECT_TRUE(tg["Responses"].at(1).get_object().empty());
  EXPECT_EQ(error("TransactWriteItems", R"({"TransactItems":[
      {"Put":{"TableName":"users","Item":{"id":{"S":"c"}}}},
      {"Delete":{"TableName":"users","Key":{"id":{"S":"c"}}}}]})")
                .message,
            "Transaction request cannot include multiple operations on one item");
}

TEST_F(DynamoDbTest, ReloadsTablesAndItemsFromTheLog) {
  make_tables();
  put_event("a", 1, "x");
  put_event("a", 2, "y");
  ok("DeleteItem", R"({"TableName":"events","Key":{"pk":{"S":"a"},"ts":{"N":"1"}}})");
  ok("PutItem", R"({"TableName":"users","Item":{"id":{"S":"u"}}})");
  ok("DeleteTable", R"({"TableName":"users"})");
  ddb_ = fresh();
  std::size_t damaged = 99;
  ASSERT_TRUE(ddb_->load(&damaged).ok());
  EXPECT_EQ(damaged, 0u);
  EXPECT_EQ(ddb_->item_count(), 1u);
  auto got = ok("GetItem", R"({"TableName":"events","Key":{"pk":{"S":"a"},"ts":{"N":"2"}}})");
  EXPECT_EQ(got["Item"].at("kind").at("S"), "y");
  EXPECT_EQ(error("DescribeTable", R"({"TableName":"users"})").type, "ResourceNotFoundException");
}

constexpr const char* kUsersArn = "arn:aws:dynamodb:us-east-1:123456789012:table/users";

TEST_F(DynamoDbTest, TagsOnCreateTagUntagAndList) {
  ok("CreateTable", R"({"TableName":"users","BillingMode":"PAY_PER_REQUEST",
      "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
      "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
      "Tags":[{"Key":"team","Value":"a"},{"Key":"env","Value":""}]})");
  auto tags = [&] {
    return json::dump(
        ok("ListTagsOfResource", std::string(R"({"ResourceArn":")") + kUsersArn + R"("})"));
  };
  EXPECT_EQ(tags(), R"({"Tags":[{"Key":"team","Value":"a"},{"Key":"env","Value":""}]})");
  ok("TagResource",
     std::string(R"({"ResourceArn":")") + kUsersArn +
         R"(","Tags":[{"Key":"team","Value":"b"},{"Key":"k é:/=+-@_.","Value":"v"}]})");
  EXPECT_EQ(tags(), R"({"Tags":[{"Key":"team","Value":"b"},{"Key":"env","Value":""},)"
                    R"({"Key":"k é:/=+-@_.","Value":"v"}]})");
  ok("UntagResource",
     std::string(R"({"ResourceArn":")") + kUsersArn + R"(","TagKeys":["env","absent"]})");
  EXPECT_EQ(tags(), R"({"Tags":[{"Key":"team","Value":"b"},{"Key":"k é:/=+-@_.","Value":"v"}]})");
  // One page always (AWS's 50 tags need no paging); a NextToken given reads as the start.
  auto paged = ok("ListTagsOfResource",
                  std::string(R"({"ResourceArn":")") + kUsersArn + R"(","NextToken":"x"})");
  EXPECT_EQ(paged["Tags"].as_array().size(), 2u);
  EXPECT_FALSE(paged.contains("NextToken"));
}

TEST_F(DynamoDbTest, AHugeListOfDistinctTagsIsRefusedInOnePass) {
  make_tables();
  // 200,000 distinct keys: refused as over the limit at the 51st, not after a quadratic check.
  std::string many = std::string(R"({"ResourceArn":")") + kUsersArn + R"(","Tags":[)";
  for (int i = 0; i < 200'000; ++i)
    many += (i ? "," : "") + std::string(R"({"Key":"k)") + std::to_string(i) + R"(","Value":"v"})";
  many += "]}";
  auto e = error("TagResource", many);
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message, "Number of Tags exceed the current limit for the provided ResourceArn");
}

TEST_F(DynamoDbTest, TagErrorsAreDynamoDbs) {
  make_tables();
  const std::string arn = std::string(R"({"ResourceArn":")") + kUsersArn + R"(",)";
  auto e = error("ListTagsOfResource",
                 R"({"ResourceArn":"arn:aws:dynamodb:us-east-1:123456789012:table/nope"})");
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message,
            "Requested resource not found: ResourceArn: "
            "arn:aws:dynamodb:us-east-1:123456789012:table/nope not found");
  EXPECT_EQ(error("TagResource", R"({"ResourceArn":"arn:aws:dynamodb:us-east-1:123456789012:)"
                                 R"(table/users/index/x","Tags":[{"Key":"a","Value":"b"}]})")
                .type,
            "ResourceNotFoundException");
  EXPECT_EQ(error("ListTagsOfResource", R"({"ResourceArn":"users"})").message,
            "Invalid TableArn: Invalid ResourceArn provided as input users");
  EXPECT_EQ(error("ListTagsOfResource",
                  R"({"ResourceArn":"arn:aws:dynamodb:eu-west-1:123456789012:table/users"})")
                .message,
            "Invalid TableArn: Invalid ResourceArn provided as input "
            "arn:aws:dynamodb:eu-west-1:123456789012:table/users");
  EXPECT_EQ(error("ListTagsOfResource", "{}").message,
            "1 validation error detected: Value null at 'resourceArn' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(error("TagResource", arn + R"("Tags":[]})").message,
            "Atleast one Tag needs to be provided as Input.");
  EXPECT_EQ(error("UntagResource", arn + R"("TagKeys":[]})").message,
            "Atleast one Tag Key needs to be provided as Input.");
  EXPECT_EQ(error("TagResource", arn + R"("Tags":[{"Key":"","Value":"v"}]})").message,
            "The Tag Key provided is invalid, Key: ");
  EXPECT_EQ(error("TagResource", arn + R"("Tags":[{"Value":"v"}]})").message,
            "The Tag Key provided is invalid, Key: null");
  EXPECT_EQ(error("TagResource", arn + R"("Tags":[{"Key":"k"}]})").message,
            "The Tag Value provided is invalid, Value: null");
  EXPECT_EQ(error("TagResource", arn + R"("Tags":[{"Key":"a,b","Value":"v"}]})").message,
            "The Tag Key provided is invalid, Key: a,b");
  EXPECT_EQ(error("TagResource", arn + R"("Tags":[{"Key":"k","Value":"100%"}]})").message,
            "The Tag Value provided is invalid, Value: 100%");
  EXPECT_EQ(error("TagResource", arn + R"("Tags":[{"Key":"aws:x","Value":"v"}]})").message,
            "Tag Key cannot be prefixed with aws:, Key: aws:x");
  EXPECT_EQ(
      error("TagResource", arn + R"("Tags":[{"Key":"d","Value":"1"},{"Key":"d","Value":"2"}]})")
          .message,
      "Duplicate Tag Keys provided as input: Duplicate Tag Key found d");
  const std::string long_key(129, 'k');
  EXPECT_EQ(
      error("TagResource", arn + R"("Tags":[{"Key":")" + long_key + R"(","Value":"v"}]})").message,
      "The Tag Key provided is invalid, Key: " + long_key);
  EXPECT_EQ(error("TagResource",
                  arn + R"("Tags":[{"Key":"k","Value":")" + std::string(257, 'v') + R"("}]})")
                .type,
            "ValidationException");
  EXPECT_EQ(error("UntagResource", arn + R"("TagKeys":[")" + long_key + R"("]})").message,
            "The Tag Key provided is invalid, Key: " + long_key);
  EXPECT_EQ(error("TagResource", arn + R"("Tags":"k"})").type, "SerializationException");
  // Bad tags fail the whole request: nothing of it is applied.
  error("TagResource", arn + R"("Tags":[{"Key":"good","Value":"v"},{"Key":"","Value":"v"}]})");
  EXPECT_EQ(json::dump(ok("ListTagsOfResource", arn + R"("NextToken":null})")), R"({"Tags":[]})");

  // 50 tags a table: the 51st is refused (ValidationException), a new value for a key is not.
  std::string fifty;
  for (std::size_t i = 1; i <= tag_limits::tags_per_resource_max; ++i)
    fifty += std::string(fifty.empty() ? "" : ",") + R"({"Key":"k)" + std::to_string(i) +
             R"(","Value":"v"})";
  ok("TagResource", arn + R"("Tags":[)" + fifty + "]}");
  e = error("TagResource", arn + R"("Tags":[{"Key":"more","Value":"v"}]})");
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message, "Number of Tags exceed the current limit for the provided ResourceArn");
  ok("TagResource", arn + R"("Tags":[{"Key":"k1","Value":"w"}]})");
  EXPECT_EQ(error("CreateTable", R"({"TableName":"many","BillingMode":"PAY_PER_REQUEST",
      "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
      "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
      "Tags":[)" + fifty + R"(,{"Key":"more","Value":"v"}]})")
                .message,
            "Number of Tags exceed the current limit for the provided ResourceArn");
  EXPECT_EQ(error("DescribeTable", R"({"TableName":"many"})").type, "ResourceNotFoundException");
}

TEST_F(DynamoDbTest, TagsComeBackFromTheLogAndGoWithTheTable) {
  make_tables();
  const std::string arn = std::string(R"({"ResourceArn":")") + kUsersArn + R"(",)";
  ok("TagResource", arn + R"("Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}]})");
  ok("UntagResource", arn + R"("TagKeys":["a"]})");
  ok("UpdateTable", R"({"TableName":"users","DeletionProtectionEnabled":false})");
  ddb_ = fresh();
  std::size_t damaged = 99;
  ASSERT_TRUE(ddb_->load(&damaged).ok());
  EXPECT_EQ(damaged, 0u);
  EXPECT_EQ(json::dump(
                ok("ListTagsOfResource", std::string(R"({"ResourceArn":")") + kUsersArn + R"("})")),
            R"({"Tags":[{"Key":"b","Value":"2"}]})");
  ok("DeleteTable", R"({"TableName":"users"})");
  EXPECT_EQ(
      error("ListTagsOfResource", std::string(R"({"ResourceArn":")") + kUsersArn + R"("})").type,
      "ResourceNotFoundException");
  ok("CreateTable", R"({"TableName":"users","BillingMode":"PAY_PER_REQUEST",
      "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
      "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]})");
  ddb_ = fresh();
  ASSERT_TRUE(ddb_->load().ok());
  EXPECT_EQ(json::dump(
                ok("ListTagsOfResource", std::string(R"({"ResourceArn":")") + kUsersArn + R"("})")),
            R"({"Tags":[]})");
}

}  // namespace
}  // namespace stepwise::services::dynamodb
