// The Distributed Map item reader's parsing: CSV (headers given or in the first row, extra and
// missing fields, quotes, delimiters), JSON arrays, JSON lines, getObject answers, listing pages
// and MaxItems, with the causes Step Functions reports.
#include "engine/item_reader.h"

#include <gtest/gtest.h>

namespace stepwise::engine::item_reader {
namespace {

asl::ItemReader csv(std::string location, std::vector<std::string> headers = {}) {
  asl::ItemReader r;
  r.input_type = "CSV";
  r.csv_header_location = std::move(location);
  r.csv_headers = std::move(headers);
  return r;
}

std::string dump(const Items& r) { return json::dump(json::value(*r.items)); }

TEST(ItemReader, CsvGivenHeadersDropExtraFieldsAndFillMissingOnes) {
  auto r = from_csv("a,b,c\n,,,\nx\n   \n\n", csv("GIVEN", {"H1", "H2"}), 0);
  ASSERT_TRUE(r.items.has_value());
  EXPECT_EQ(dump(r), R"([{"H1":"a","H2":"b"},{"H1":"","H2":""},{"H1":"x","H2":""},)"
                     R"({"H1":"   ","H2":""}])");
  EXPECT_EQ(from_csv("a\nb\nc\n", csv("GIVEN", {"H"}), 2).items->size(), 2u);
}

TEST(ItemReader, CsvFirstRowQuotesAndDelimiters) {
  auto r = from_csv("k,v\r\n\"a,b\",\"say \"\"hi\"\"\nline\"\n", csv("FIRST_ROW"), 0);
  ASSERT_TRUE(r.items.has_value());
  EXPECT_EQ(dump(r), R"([{"v":"say \"hi\"\nline","k":"a,b"}])");  // Java HashMap order
  auto req = csv("FIRST_ROW");
  req.csv_delimiter = "PIPE";
  EXPECT_EQ(dump(from_csv("a|b\n1|2\n", req, 0)), R"([{"a":"1","b":"2"}])");
  req.csv_delimiter = "TAB";
  EXPECT_EQ(dump(from_csv("a\tb\n1\t2\n", req, 0)), R"([{"a":"1","b":"2"}])");
  req.csv_delimiter = "COLON";
  EXPECT_FALSE(from_csv("a\n", req, 0).items.has_value());
  EXPECT_EQ(from_csv("a,b\n1,2\n", csv("GIVEN", {"H", "H"}), 0).cause,
            "CSV headers cannot contain duplicates.");
  EXPECT_EQ(dump(from_csv("", csv("FIRST_ROW"), 0)), "[]");
}

// AWS's rows are Java HashMaps: fields come out by String.hashCode bucket, not as written (the
// recorded order for headers "0,True,{}"), and the table grows past 12 fields.
TEST(ItemReader, CsvFieldsInJavaHashMapOrder) {
  EXPECT_EQ(dump(from_csv("0,True,{}\n1,2,3\n", csv("FIRST_ROW"), 0)),
            R"([{"0":"1","{}":"3","True":"2"}])");
  // "Q" (81) and "B" (66): slots 1 and 2 of 16, but 17 and 2 of 32 (more than 12 fields).
  auto first_key = [](std::size_t fields) {
    std::string header = "Q,B", row = "1,2";
    for (std::size_t i = 2; i < fields; ++i) {  // "C", "D", ...: slots 3, 4, ... in either
      header += std::string(",") + static_cast<char>('C' + i - 2);
      row += ",v";
    }
    auto r = from_csv(header + "\n" + row + "\n", csv("FIRST_ROW"), 0);
    return std::string((*r.items)[0].get_object().begin()->key());
  };
  EXPECT_EQ(first_key(12), "Q");
  EXPECT_EQ(first_key(13), "B");
}

TEST(ItemReader, JsonAndJsonLines) {
  auto r = from_json("[1, {\"a\": 2}, [3]]", 2);
  ASSERT_TRUE(r.items.has_value());
  EXPECT_EQ(dump(r), R"([1,{"a":2}])");
  EXPECT_EQ(from_json("{\"a\":1}", 0).cause, "Attempting to map over non-iterable node.");
  EXPECT_FALSE(from_json("[", 0).items.has_value());
  EXPECT_EQ(dump(from_jsonl("{\"a\":1}\n\n[2]\r\n3\n", 0)), R"([{"a":1},[2],3])");
  EXPECT_EQ(dump(from_jsonl("1\n2\n3\n", 2)), "[1,2]");
  EXPECT_FALSE(from_jsonl("{bad\n", 0).items.has_value());
}

TEST(ItemReader, GetObjectAnswerByInputType) {
  asl::ItemReader json_reader;  // InputType absent: JSON
  json::value answer = json::object{{"Body", "[\"x\",\"y\"]"}, {"ContentLength", 9}};
  EXPECT_EQ(dump(from_object(answer, json_reader, 0)), R"(["x","y"])");
  auto lines = json_reader;
  lines.input_type = "JSONL";
  EXPECT_EQ(dump(from_object(json::object{{"Body", "1\n2"}}, lines, 0)), "[1,2]");
  auto parquet = json_reader;
  parquet.input_type = "PARQUET";
  EXPECT_EQ(from_object(answer, parquet, 0).cause, "InputType PARQUET is not supported.");
  EXPECT_FALSE(from_object(json::object{{"ContentLength", 0}}, json_reader, 0).items.has_value());
}

TEST(ItemReader, ListingPagesAndMaxItems) {
  json::value page = json::object{
      {"IsTruncated", true},
      {"NextContinuationToken", "t2"},
      {"Contents",
       json::array{
           json::object{{"Key", "a"},
                        {"ETag", "\"e1\""},
                        {"Size", 3},
                        {"LastModified", "2024-01-01T00:00:00Z"}},
           json::object{
               {"Key", "b"}, {"ETag", "\"e2\""}, {"Size", 4}, {"StorageClass", "GLACIER"}}}}};
  json::array items;
  std::string cause;
  auto next = append_listing(page, 0, items, cause);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, "t2");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(json::dump(items[0]), R"({"Etag":"\"e1\"","Key":"a","LastModified":)"
                                  R"("2024-01-01T00:00:00Z","Size":3,"StorageClass":"STANDARD"})");
  EXPECT_EQ(items[1].at("StorageClass"), "GLACIER");
  json::array capped;
  EXPECT_FALSE(append_listing(page, 1, capped, cause).has_value());  // MaxItems reached
  EXPECT_EQ(capped.size(), 1u);
  json::array last;
  EXPECT_FALSE(append_listing(json::object{{"IsTruncated", false}}, 0, last, cause).has_value());
  EXPECT_TRUE(cause.empty());
  EXPECT_FALSE(append_listing(json::value("x"), 0, last, cause).has_value());
  EXPECT_FALSE(cause.empty());
  EXPECT_EQ(json::dump(call_parameters(json::object{{"Bucket", "b"}}, "t2")),
            R"({"Bucket":"b","ContinuationToken":"t2"})");
}

}  // namespace
}  // namespace stepwise::engine::item_reader
