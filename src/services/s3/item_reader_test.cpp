// The Distributed Map item reader over the built-in S3: CSV (headers given or in the first row,
// extra and missing fields, quotes, delimiters), JSON arrays, JSON lines, listings, MaxItems and
// the failures Step Functions reports.
#include "services/s3/item_reader.h"

#include <gtest/gtest.h>

#include <optional>

namespace stepwise::services::s3 {
namespace {

ItemReaderRequest csv(std::string location, std::vector<std::string> headers = {}) {
  ItemReaderRequest r;
  r.resource = "arn:aws:states:::s3:getObject";
  r.input_type = "CSV";
  r.csv_header_location = std::move(location);
  r.csv_headers = std::move(headers);
  return r;
}

TEST(ItemReader, CsvGivenHeadersDropExtraFieldsAndFillMissingOnes) {
  auto r = items_from_csv("a,b,c\n,,,\nx\n   \n\n", csv("GIVEN", {"H1", "H2"}));
  ASSERT_TRUE(r.items.has_value());
  EXPECT_EQ(json::dump(json::value(*r.items)),
            R"([{"H1":"a","H2":"b"},{"H1":"","H2":""},{"H1":"x","H2":""},)"
            R"({"H1":"   ","H2":""}])");
}

TEST(ItemReader, CsvFirstRowQuotesAndDelimiters) {
  auto r = items_from_csv("k,v\r\n\"a,b\",\"say \"\"hi\"\"\nline\"\n", csv("FIRST_ROW"));
  ASSERT_TRUE(r.items.has_value());
  EXPECT_EQ(json::dump(json::value(*r.items)), R"([{"k":"a,b","v":"say \"hi\"\nline"}])");
  auto req = csv("FIRST_ROW");
  req.csv_delimiter = "PIPE";
  r = items_from_csv("a|b\n1|2\n", req);
  EXPECT_EQ(json::dump(json::value(*r.items)), R"([{"a":"1","b":"2"}])");
  req.csv_delimiter = "COLON";
  EXPECT_EQ(items_from_csv("a\n", req).error, "States.ItemReaderFailed");
  EXPECT_EQ(items_from_csv("a,b\n1,2\n", csv("GIVEN", {"H", "H"})).cause,
            "CSV headers cannot contain duplicates.");
}

TEST(ItemReader, JsonAndJsonLines) {
  auto r = items_from_json("[1, {\"a\": 2}, [3]]", 2);
  ASSERT_TRUE(r.items.has_value());
  EXPECT_EQ(json::dump(json::value(*r.items)), R"([1,{"a":2}])");
  EXPECT_EQ(items_from_json("{\"a\":1}", 0).cause, "Attempting to map over non-iterable node.");
  EXPECT_EQ(items_from_json("[", 0).error, "States.ItemReaderFailed");
  r = items_from_jsonl("{\"a\":1}\n\n[2]\r\n3\n", 0);
  EXPECT_EQ(json::dump(json::value(*r.items)), R"([{"a":1},[2],3])");
  EXPECT_FALSE(items_from_jsonl("{bad\n", 0).items.has_value());
}

TEST(ItemReader, FromTheBucket) {
  ManualClock clock(1'700'000'000'000);
  MemoryRecordLog log;
  auto s3 = S3::open(S3Options{.clock = clock, .log = log});
  ASSERT_TRUE(s3.ok());
  (*s3)->create_bucket("bkt", "us-east-1", [](Answer<Nothing>) {});
  for (auto [k, v] : {std::pair{"in/a.csv", "c1,c2\n1,2\n3,4\n5,6\n"},
                      std::pair{"in/b.json", "[1,2]"}, std::pair{"other", ""}}) {
    PutInput in;
    in.bucket = "bkt";
    in.key = k;
    in.body = v;
    (*s3)->put_object(in, [](Answer<PutResult>) {});
  }
  auto req = csv("FIRST_ROW");
  req.parameters = {{"Bucket", "bkt"}, {"Key", "in/a.csv"}};
  req.max_items = 2;
  auto r = read_items(**s3, req);
  ASSERT_TRUE(r.items.has_value());
  EXPECT_EQ(r.items->size(), 2u);
  req.max_items = -1;
  EXPECT_EQ(read_items(**s3, req).cause, "field MaxItems must be positive");
  req.max_items = 0;
  req.parameters["Key"] = "missing";
  EXPECT_EQ(read_items(**s3, req).cause, "The specified key does not exist.");
  ItemReaderRequest list;
  list.resource = "arn:aws:states:::s3:listObjectsV2";
  list.parameters = {{"Bucket", "bkt"}, {"Prefix", "in/"}};
  r = read_items(**s3, list);
  ASSERT_TRUE(r.items.has_value());
  ASSERT_EQ(r.items->size(), 2u);
  EXPECT_EQ((*r.items)[1].at("Key"), "in/b.json");
  EXPECT_EQ((*r.items)[1].at("Size"), 5);
}

}  // namespace
}  // namespace stepwise::services::s3
