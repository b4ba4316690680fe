// Distributed Map over S3 through the integration a registry would hand it: the ItemReader
// (getObject in each InputType, listObjectsV2 page by page, MaxItems, failures), the
// ItemBatcher and the ResultWriter (files, manifest, output, failures), for JSONPath and JSONata
// states, against a fake S3 that answers like the aws-sdk:s3 integration.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "asl/compile.h"
#include "engine/run.h"

namespace stepwise::engine {
namespace {

// aws-sdk:s3:getObject / listObjectsV2 / putObject over a map of keys, with AWS's error names.
// putObject stores the Body's JSON text, as the integration does.
class FakeS3 : public tasks::TaskRunner {
 public:
  void start(const tasks::TaskRequest& r, EventLoop&, tasks::TaskDone done) override {
    calls.push_back(r.resource);
    params.push_back(r.parameters);
    const json::object& p = r.parameters.get_object();
    const std::string bucket = text(p, "Bucket");
    if (bucket != "bkt") {
      done(tasks::TaskOutcome::failure("S3.NoSuchBucketException",
                                       "The specified bucket does not exist"));
      return;
    }
    if (r.resource == "arn:aws:states:::aws-sdk:s3:getObject") {
      auto it = objects.find(text(p, "Key"));
      if (it == objects.end()) {
        done(tasks::TaskOutcome::failure("S3.NoSuchKeyException",
                                         "The specified key does not exist."));
        return;
      }
      done(tasks::TaskOutcome::success(json::object{{"Body", it->second}}));
    } else if (r.resource == "arn:aws:states:::aws-sdk:s3:listObjectsV2") {
      // Two keys a page; the token is the next key.
      const std::string prefix = text(p, "Prefix");
      std::string from = text(p, "ContinuationToken");
      json::array contents;
      std::string next;
      for (const auto& [k, v] : objects) {
        if (!k.starts_with(prefix) || k < from) continue;
        if (contents.size() == 2) {
          next = k;
          break;
        }
        contents.push_back(json::object{{"Key", k},
                                        {"ETag", "\"e\""},
                                        {"Size", static_cast<std::int64_t>(v.size())},
                                        {"LastModified", "2024-01-01T00:00:00Z"}});
      }
      json::object out{{"Contents", contents}, {"IsTruncated", !next.empty()}};
      if (!next.empty()) out["NextContinuationToken"] = next;
      done(tasks::TaskOutcome::success(std::move(out)));
    } else if (r.resource == "arn:aws:states:::aws-sdk:s3:putObject") {
      objects[text(p, "Key")] = json::dump(p.at("Body"));
      done(tasks::TaskOutcome::success(json::object{{"ETag", "\"e\""}}));
    } else {
      done(tasks::TaskOutcome::failure("States.Runtime", "unexpected " + r.resource));
    }
  }

  static std::string text(const json::object& p, const char* k) {
    const json::value* v = p.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  }

  std::map<std::string, std::string> objects;
  std::vector<std::string> calls;
  std::vector<json::value> params;
};

// One execution of `definition` against the fake S3 (a fresh manual clock and ids each time).
struct Harness {
  FakeS3 s3;
  RunResult run(const std::string& definition, const std::string& input = "{}") {
    ManualClock clock{1700000000000};
    IdGenerator ids{7};
    RunOptions o;
    o.state_machine_name = "sm";
    o.execution_name = "exec";
    o.clock = &clock;
    o.tasks = &s3;
    o.ids = &ids;
    auto m = asl::compile_text(definition);
    if (!m.ok()) {
      ADD_FAILURE() << m.error().cause;
      return RunResult{};
    }
    auto r = run_execution(**m, *json::parse(input), o);
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(*r) : RunResult{};
  }
};

// A Distributed Map whose processor passes each item through, with `extra` fields in the state.
std::string map_with(const std::string& extra, const std::string& language = "JSONPath") {
  return R"({"QueryLanguage": ")" + language + R"(", "StartAt": "M", "States": {"M": {
      "Type": "Map", "End": true, )" +
         extra + R"(,
      "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}})";
}

std::vector<std::string> types(const RunResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.history) out.push_back(e.type);
  return out;
}

const HistoryEvent* find(const RunResult& r, const std::string& type) {
  for (const auto& e : r.history) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

TEST(MapIo, JsonReaderReadsTheObjectTheParametersName) {
  Harness h;
  h.s3.objects["in/items.json"] = R"([{"a": 1}, {"a": 2}, {"a": 3}])";
  auto r = h.run(map_with(R"("ItemsPath": "$.ignored", "ItemReader": {
      "Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
      "Parameters": {"Bucket.$": "$.b", "Key.$": "$.k"}})"),
                 R"({"b": "bkt", "k": "in/items.json", "ignored": [9]})");
  ASSERT_EQ(r.status, "SUCCEEDED") << r.cause.value_or("");
  EXPECT_EQ(json::dump(*r.output), R"([{"a":1},{"a":2},{"a":3}])");
  ASSERT_EQ(h.s3.calls.size(), 1u);
  EXPECT_EQ(h.s3.calls[0], "arn:aws:states:::aws-sdk:s3:getObject");
  EXPECT_EQ(json::dump(h.s3.params[0]), R"({"Bucket":"bkt","Key":"in/items.json"})");
  EXPECT_EQ(types(r),
            (std::vector<std::string>{"ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                      "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded",
                                      "MapStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(json::dump(find(r, "MapStateStarted")->details), R"({"length":0})");
  std::string arn(find(r, "MapRunStarted")->details.at("mapRunArn").get_string());
  EXPECT_TRUE(arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:sm/M:")) << arn;
  EXPECT_EQ(arn.size() - arn.rfind(':') - 1, 36u);  // a UUID
}

TEST(MapIo, CsvWithMaxItemsFromAVariable) {
  Harness h;
  h.s3.objects["f.csv"] = "x,y\n1,2\n3,4\n5,6\n";
  auto r = h.run(R"({"StartAt": "S", "States": {
      "S": {"Type": "Pass", "Assign": {"n": "2"}, "Next": "M"},
      "M": {"Type": "Map", "End": true, "ItemReader": {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                         "CSVHeaders": ["H"], "MaxItemsPath": "$n"},
        "Parameters": {"Bucket": "bkt", "Key": "f.csv"}},
      "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
                        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}})");
  ASSERT_EQ(r.status, "SUCCEEDED") << r.cause.value_or("");
  EXPECT_EQ(json::dump(*r.output), R"([{"H":"x"},{"H":"1"}])");
}

TEST(MapIo, ListingReadsPageAfterPageUntilMaxItems) {
  Harness h;
  for (const char* k : {"p/1", "p/2", "p/3", "p/4", "p/5", "q/1"}) h.s3.objects[k] = "abc";
  const std::string reader = R"("ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
      "Parameters": {"Bucket": "bkt", "Prefix": "p/"} MAX})";
  auto r = h.run(map_with(std::string(reader).replace(reader.find("MAX"), 3, "")));
  ASSERT_EQ(r.status, "SUCCEEDED") << r.cause.value_or("");
  ASSERT_EQ(r.output->get_array().size(), 5u);
  EXPECT_EQ(r.output->get_array()[4].at("Key"), "p/5");
  EXPECT_EQ(r.output->get_array()[0].at("Size"), 3);
  EXPECT_EQ(h.s3.calls.size(), 3u);  // pages of 2, 2 and 1
  EXPECT_EQ(json::dump(h.s3.params[1]),
            R"({"Bucket":"bkt","Prefix":"p/","ContinuationToken":"p/3"})");
  Harness capped;
  capped.s3.objects = h.s3.objects;
  r = capped.run(map_with(
      std::string(reader).replace(reader.find("MAX"), 3, R"(, "ReaderConfig": {"MaxItems": 3})")));
  ASSERT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(r.output->get_array().size(), 3u);
  EXPECT_EQ(capped.s3.calls.size(), 2u);  // the third item is on the second page
}

TEST(MapIo, ReaderFailuresFailTheMapRunAndCanBeCaught) {
  Harness h;
  auto r = h.run(map_with(R"("ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
      "Parameters": {"Bucket": "bkt", "Key": "missing"}})"));
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(r.error.value_or(""), "States.ItemReaderFailed");
  EXPECT_EQ(r.cause.value_or(""), "The specified key does not exist.");
  EXPECT_EQ(types(r), (std::vector<std::string>{"ExecutionStarted", "MapStateEntered",
                                                "MapStateStarted", "MapRunStarted", "MapRunFailed",
                                                "MapStateFailed", "ExecutionFailed"}));
  EXPECT_EQ(json::dump(find(r, "MapRunFailed")->details),
            R"({"error":"States.ItemReaderFailed","cause":"The specified key does not exist."})");

  Harness caught;
  caught.s3.objects["o.json"] = R"({"not": "a list"})";
  r = caught.run(R"({"StartAt": "M", "States": {
      "M": {"Type": "Map", "Next": "Done", "ItemReader": {
        "Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "bkt", "Key": "o.json"}},
        "Catch": [{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Done"}],
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}},
      "Done": {"Type": "Pass", "End": true}}})");
  ASSERT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(json::dump(*r.output), R"({"Error":"States.ItemReaderFailed",)"
                                   R"("Cause":"Attempting to map over non-iterable node."})");
}

TEST(MapIo, NegativeMaxItemsFailsOnceTheRunStartsWithoutReading) {
  Harness h;
  auto r = h.run(map_with(R"("ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
      "ReaderConfig": {"MaxItemsPath": "$.max"}, "Parameters": {"Bucket": "bkt", "Key": "k"}})"),
                 R"({"max": -1})");
  EXPECT_EQ(r.error.value_or(""), "States.ItemReaderFailed");
  EXPECT_EQ(r.cause.value_or(""), "field MaxItems must be positive");
  EXPECT_TRUE(h.s3.calls.empty());
  r = h.run(map_with(R"("ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
      "ReaderConfig": {"MaxItemsPath": "$.max"}, "Parameters": {"Bucket": "bkt", "Key": "k"}})"),
            R"({"max": "lots"})");
  EXPECT_EQ(r.error.value_or(""), "States.Runtime");
}

TEST(MapIo, JsonataArgumentsAndMaxItemsExpression) {
  Harness h;
  h.s3.objects["l.jsonl"] = "1\n2\n3\n";
  auto r = h.run(map_with(R"("ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
      "ReaderConfig": {"InputType": "JSONL", "MaxItems": "{% $states.input.n %}"},
      "Arguments": {"Bucket": "bkt", "Key": "{% $states.input.key %}"}})",
                          "JSONata"),
                 R"({"n": 2, "key": "l.jsonl"})");
  ASSERT_EQ(r.status, "SUCCEEDED") << r.cause.value_or("");
  EXPECT_EQ(json::dump(*r.output), "[1,2]");
  r = h.run(map_with(R"("ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
      "ReaderConfig": {"MaxItems": "{% 'two' %}"}, "Arguments": {"Bucket": "bkt", "Key": "k"}})",
                     "JSONata"));
  EXPECT_EQ(r.error.value_or(""), "States.QueryEvaluationError");
}

TEST(MapIo, ItemBatcherGroupsSelectedItems) {
  Harness h;
  auto r = h.run(map_with(R"("ItemsPath": "$.xs", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
      "ItemBatcher": {"MaxItemsPerBatchPath": "$.per", "BatchInput": {"tag.$": "$.tag"}})"),
                 R"({"xs": [1, 2, 3], "per": 2, "tag": "t"})");
  ASSERT_EQ(r.status, "SUCCEEDED") << r.cause.value_or("");
  EXPECT_EQ(json::dump(*r.output), R"([{"BatchInput":{"tag":"t"},"Items":[{"v":1},{"v":2}]},)"
                                   R"({"BatchInput":{"tag":"t"},"Items":[{"v":3}]}])");
  // MaxInputBytesPerBatch: {"Items":[1111111111,2222222222]} is 33 bytes, past 32;
  // {"Items":[2222222222,3]} is 24.
  r = h.run(map_with(R"("ItemBatcher": {"MaxInputBytesPerBatch": 32})"),
            "[1111111111, 2222222222, 3]");
  ASSERT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(json::dump(*r.output), R"([{"Items":[1111111111]},{"Items":[2222222222,3]}])");
}

TEST(MapIo, ResultWriterWritesResultFilesThenTheManifest) {
  Harness h;
  auto r = h.run(R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
      "Label": "L", "ToleratedFailureCount": 1,
      "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                       "Parameters": {"Bucket": "bkt", "Prefix.$": "$.prefix"}},
      "ItemsPath": "$.xs",
      "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "C",
        "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2,
                                                        "Next": "F"}], "Default": "P"},
                   "F": {"Type": "Fail", "Error": "Two", "Cause": "two"},
                   "P": {"Type": "Pass", "End": true}}}}}})",
                 R"({"prefix": "out", "xs": [1, 2, 3]})");
  ASSERT_EQ(r.status, "SUCCEEDED") << r.cause.value_or("");
  const json::object& out = r.output->get_object();
  const std::string arn(out.at("MapRunArn").get_string());
  const std::string id = arn.substr(arn.rfind(':') + 1);
  EXPECT_TRUE(arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:sm/L:"));
  EXPECT_EQ(json::dump(out.at("ResultWriterDetails")),
            R"({"Bucket":"bkt","Key":"out/)" + id + R"(/manifest.json"})");
  // The files, then the manifest last (a reader of the manifest finds every file it lists).
  ASSERT_EQ(h.s3.calls.size(), 3u);
  EXPECT_EQ(h.s3.params[2].at("Key"), json::value("out/" + id + "/manifest.json"));
  auto manifest = json::parse(h.s3.objects.at("out/" + id + "/manifest.json"));
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(manifest->at("DestinationBucket"), "bkt");
  EXPECT_EQ(manifest->at("MapRunArn"), json::value(arn));
  const json::object& files = manifest->at("ResultFiles").get_object();
  EXPECT_EQ(files.at("PENDING").get_array().size(), 0u);
  ASSERT_EQ(files.at("SUCCEEDED").get_array().size(), 1u);
  const std::string ok_key(files.at("SUCCEEDED").get_array()[0].at("Key").get_string());
  EXPECT_EQ(ok_key, "out/" + id + "/SUCCEEDED_0.json");
  EXPECT_EQ(files.at("SUCCEEDED").get_array()[0].at("Size"),
            static_cast<std::int64_t>(h.s3.objects.at(ok_key).size()));
  auto succeeded = json::parse(h.s3.objects.at(ok_key));
  ASSERT_EQ(succeeded->get_array().size(), 2u);
  EXPECT_EQ(succeeded->get_array()[1].at("Input"), "3");
  EXPECT_EQ(succeeded->get_array()[1].at("Output"), "3");
  EXPECT_EQ(succeeded->get_array()[1].at("Status"), "SUCCEEDED");
  auto failed = json::parse(h.s3.objects.at("out/" + id + "/FAILED_0.json"));
  ASSERT_EQ(failed->get_array().size(), 1u);
  EXPECT_EQ(failed->get_array()[0].at("Error"), "Two");
  EXPECT_EQ(failed->get_array()[0].at("Input"), "2");
  EXPECT_NE(find(r, "MapRunSucceeded"), nullptr);
}

TEST(MapIo, ResultWriterFailureFailsTheMapRun) {
  Harness h;
  auto r = h.run(map_with(R"("ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
      "Parameters": {"Bucket": "nope", "Prefix": "p"}})"),
                 "[1]");
  EXPECT_EQ(r.error.value_or(""), "States.ResultWriterFailed");
  EXPECT_EQ(r.cause.value_or(""), "The specified bucket does not exist");
  EXPECT_NE(find(r, "MapRunFailed"), nullptr);
  EXPECT_EQ(find(r, "MapRunSucceeded"), nullptr);
}

TEST(MapIo, BadReaderConfigIsRefusedAtCreate) {
  for (const char* bad : {R"("ItemReader": {"Resource": "arn:aws:states:::s3:deleteObject"})",
                          R"("ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                             "ReaderConfig": {"InputType": "XML"}})",
                          R"("ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                             "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN"}})",
                          R"("ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                             "ReaderConfig": {"MaxItems": 1, "MaxItemsPath": "$.n"}})",
                          R"("ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                             "ReaderConfig": {"MaxItems": -1}})",
                          R"("ResultWriter": {"Resource": "arn:aws:states:::s3:getObject"})"}) {
    EXPECT_FALSE(asl::compile_text(map_with(bad)).ok()) << bad;
  }
}

}  // namespace
}  // namespace stepwise::engine
