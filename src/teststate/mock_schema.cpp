#include "teststate/mock_schema.h"

#include <cmath>
#include <map>
#include <memory>
#include <vector>

namespace stepwise::teststate {
namespace {

// A response shape, after the AWS API models (only the members a mock is likely to carry).
struct Shape {
  enum class Kind {
    kAny,
    kString,
    kBlob,
    kTimestamp,
    kInteger,
    kDouble,
    kBoolean,
    kStruct,
    kList,
    kMap
  };
  Kind kind = Kind::kAny;
  std::optional<double> min;  // length (string/blob) or value (numbers)
  std::optional<double> max;
  std::vector<std::string> values;  // enum values (strings)
  std::vector<std::pair<std::string, std::shared_ptr<const Shape>>> members;
  std::vector<std::string> required;
  std::shared_ptr<const Shape> item;  // list items / map values
};
using ShapePtr = std::shared_ptr<const Shape>;
using K = Shape::Kind;

ShapePtr leaf(K kind, std::optional<double> min = {}, std::optional<double> max = {}) {
  auto s = std::make_shared<Shape>();
  s->kind = kind;
  s->min = min;
  s->max = max;
  return s;
}
ShapePtr enumeration(std::vector<std::string> values) {
  auto s = std::make_shared<Shape>();
  s->kind = K::kString;
  s->values = std::move(values);
  return s;
}
ShapePtr structure(std::vector<std::pair<std::string, ShapePtr>> members,
                   std::vector<std::string> required = {}) {
  auto s = std::make_shared<Shape>();
  s->kind = K::kStruct;
  s->members = std::move(members);
  s->required = std::move(required);
  return s;
}
ShapePtr list_of(ShapePtr item) {
  auto s = std::make_shared<Shape>();
  s->kind = K::kList;
  s->item = std::move(item);
  return s;
}
ShapePtr map_of(ShapePtr item) {
  auto s = std::make_shared<Shape>();
  s->kind = K::kMap;
  s->item = std::move(item);
  return s;
}

ShapePtr consumed_capacity() {
  auto units = leaf(K::kDouble);
  auto capacity = structure(
      {{"ReadCapacityUnits", units}, {"WriteCapacityUnits", units}, {"CapacityUnits", units}});
  return structure({{"TableName", leaf(K::kString, 1, 1024)},
                    {"CapacityUnits", units},
                    {"ReadCapacityUnits", units},
                    {"WriteCapacityUnits", units},
                    {"Table", capacity},
                    {"LocalSecondaryIndexes", map_of(capacity)},
                    {"GlobalSecondaryIndexes", map_of(capacity)}});
}

// Resource (without "arn:aws:states:::" and without an integration pattern suffix) -> shape.
const std::map<std::string, ShapePtr>& shapes() {
  static const std::map<std::string, ShapePtr> table = [] {
    std::map<std::string, ShapePtr> t;
    auto str = leaf(K::kString);
    t["lambda:invoke"] = structure({{"StatusCode", leaf(K::kInteger)},
                                    {"FunctionError", str},
                                    {"LogResult", str},
                                    {"Payload", leaf(K::kAny)},
                                    {"ExecutedVersion", leaf(K::kString, 1, 1024)}});
    t["states:startExecution"] =
        structure({{"ExecutionArn", leaf(K::kString, 1, 256)}, {"StartDate", leaf(K::kTimestamp)}},
                  {"ExecutionArn", "StartDate"});
    t["sqs:sendMessage"] = structure({{"MD5OfMessageBody", str},
                                      {"MD5OfMessageAttributes", str},
                                      {"MD5OfMessageSystemAttributes", str},
                                      {"MessageId", str},
                                      {"SequenceNumber", str}});
    t["sns:publish"] = structure({{"MessageId", str}, {"SequenceNumber", str}});
    t["events:putEvents"] = structure(
        {{"FailedEntryCount", leaf(K::kInteger)},
         {"Entries",
          list_of(structure({{"EventId", str}, {"ErrorCode", str}, {"ErrorMessage", str}}))}});
    auto item = map_of(leaf(K::kAny));
    t["dynamodb:putItem"] = structure({{"Attributes", item},
                                       {"ConsumedCapacity", consumed_capacity()},
                                       {"ItemCollectionMetrics", leaf(K::kAny)}});
    t["dynamodb:getItem"] = structure({{"Item", item}, {"ConsumedCapacity", consumed_capacity()}});
    t["dynamodb:deleteItem"] = t["dynamodb:putItem"];
    t["dynamodb:updateItem"] = t["dynamodb:putItem"];
    t["aws-sdk:kms:encrypt"] = structure(
        {{"CiphertextBlob", leaf(K::kBlob, 1, 6144)},
         {"KeyId", leaf(K::kString, 1, 2048)},
         {"EncryptionAlgorithm",
          enumeration({"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"})}});
    t["aws-sdk:lambda:getFunction"] = structure(
        {{"Configuration", structure({{"FunctionName", leaf(K::kString, 1, 170)},
                                      {"FunctionArn", str},
                                      {"Runtime", str},
                                      {"Role", str},
                                      {"Handler", leaf(K::kString, 0, 128)},
                                      {"CodeSize", leaf(K::kInteger)},
                                      {"Description", leaf(K::kString, 0, 256)},
                                      {"Timeout", leaf(K::kInteger, 1)},
                                      {"MemorySize", leaf(K::kInteger, 128, 10240)},
                                      {"LastModified", str},
                                      {"Version", leaf(K::kString, 1, 1024)}})},
         {"Code", structure({{"RepositoryType", str}, {"Location", str}})},
         {"Tags", map_of(str)},
         {"Concurrency", structure({{"ReservedConcurrentExecutions", leaf(K::kInteger, 0)}})}});
    t["aws-sdk:s3:getObject"] =
        structure({{"Body", leaf(K::kAny)},
                   {"ContentLength", leaf(K::kInteger)},
                   {"ContentType", str},
                   {"ETag", str},
                   {"LastModified", leaf(K::kTimestamp)},
                   {"VersionId", str},
                   {"StorageClass",
                    enumeration({"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                                 "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS",
                                 "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS"})}});
    return t;
  }();
  return table;
}

std::string fail(const std::string& field, const std::string& what) {
  return "Mock result schema validation error: Field '" + field + "' " + what;
}

std::optional<std::string> check(const Shape& shape, const std::string& field, const json::value& v,
                                 FieldValidation mode, std::size_t depth);

std::optional<std::string> check_struct(const Shape& shape, const std::string& field,
                                        const json::value& v, FieldValidation mode,
                                        std::size_t depth) {
  if (!v.is_object()) return fail(field, "must be an object");
  const json::object& o = v.get_object();
  for (const auto& [name, member] : shape.members) {
    auto it = o.find(name);
    if (it == o.end()) continue;
    if (auto bad = check(*member, name, it->value(), mode, depth + 1)) return bad;
  }
  if (mode == FieldValidation::kStrict) {
    for (const auto& name : shape.required)
      if (!o.contains(name)) return fail(name, "is required");
  }
  return std::nullopt;
}

std::optional<std::string> check_number(const Shape& shape, const std::string& field,
                                        const json::value& v) {
  if (!json::is_number(v)) return fail(field, "must be a number");
  if (shape.kind == K::kInteger && !json::is_integral_number(v))
    return fail(field, "must be an integer");
  double d = json::as_double(v);
  if (shape.min && d < *shape.min) return fail(field, "is less than the minimum value");
  if (shape.max && d > *shape.max) return fail(field, "exceeds the maximum value");
  return std::nullopt;
}

std::optional<std::string> check_string(const Shape& shape, const std::string& field,
                                        const json::value& v) {
  if (!v.is_string()) return fail(field, "must be a string");
  std::string_view s(v.get_string().data(), v.get_string().size());
  if (shape.min && static_cast<double>(s.size()) < *shape.min)
    return fail(field, "is smaller than the minimum length");
  if (shape.max && static_cast<double>(s.size()) > *shape.max)
    return fail(field, "exceeds the maximum length");
  if (!shape.values.empty() &&
      std::find(shape.values.begin(), shape.values.end(), std::string(s)) == shape.values.end())
    return fail(field, "is not an expected value");
  return std::nullopt;
}

std::optional<std::string> check(const Shape& shape, const std::string& field, const json::value& v,
                                 FieldValidation mode, std::size_t depth) {
  if (depth > mock_schema_depth_max || v.is_null()) return std::nullopt;
  switch (shape.kind) {
    case K::kAny:
      return std::nullopt;
    case K::kString:
    case K::kBlob:
    case K::kTimestamp:
      return check_string(shape, field, v);
    case K::kInteger:
    case K::kDouble:
      return check_number(shape, field, v);
    case K::kBoolean:
      if (!v.is_bool()) return fail(field, "must be a boolean");
      return std::nullopt;
    case K::kStruct:
      return check_struct(shape, field, v, mode, depth);
    case K::kList:
      if (!v.is_array()) return fail(field, "must be an array");
      for (const auto& item : v.get_array())
        if (auto bad = check(*shape.item, field, item, mode, depth + 1)) return bad;
      return std::nullopt;
    case K::kMap:
      if (!v.is_object()) return fail(field, "must be an object");
      for (const auto& kv : v.get_object())
        if (auto bad = check(*shape.item, std::string(kv.key()), kv.value(), mode, depth + 1))
          return bad;
      return std::nullopt;
  }
  return std::nullopt;
}

// "arn:aws:states:::lambda:invoke" -> "lambda:invoke"; "" for a pattern (.sync, ...) or a
// resource that is not a service integration.
std::string integration_key(const std::string& resource) {
  static const std::string prefix = "arn:aws:states:::";
  if (resource.rfind(prefix, 0) != 0) return "";
  std::string key = resource.substr(prefix.size());
  if (key.find(".sync") != std::string::npos || key.find(".waitForTaskToken") != std::string::npos)
    return "";
  return key;
}

}  // namespace

std::optional<std::string> check_mock_result(const std::string& resource, const json::value& result,
                                             FieldValidation mode) {
  if (mode == FieldValidation::kNone) return std::nullopt;
  auto it = shapes().find(integration_key(resource));
  if (it == shapes().end()) return std::nullopt;
  return check(*it->second, "result", result, mode, 0);
}

}  // namespace stepwise::teststate
