// DynamoDb's tag operations (TagResource, UntagResource, ListTagsOfResource) on table ARNs, and
// the reading of Tags (CreateTable's too) with DynamoDB's own texts, as the service answers
// them. A table's tags are part of its record: as durable as the table, gone with it.
#include <algorithm>

#include "base/arn.h"
#include "services/dynamodb/ddb_internal.h"
#include "services/dynamodb/ddb_limits.h"

namespace stepwise::services::dynamodb {
namespace {

api::ApiError bad_key(const std::optional<std::string>& key) {
  return validation("The Tag Key provided is invalid, Key: " + key.value_or("null"));
}

std::optional<api::ApiError> check_key(const std::optional<std::string>& key) {
  if (!key || !tag_key_length_ok(*key) || !tag_chars_ok(*key)) return bad_key(key);
  if (key->starts_with("aws:"))
    return validation("Tag Key cannot be prefixed with aws:, Key: " + *key);
  return std::nullopt;
}

}  // namespace

std::optional<api::ApiError> read_tags(const json::value* given, TagList& out) {
  auto entries = tag_entries(given);
  if (!entries) return serialization("Tags");
  std::vector<std::string> seen;
  for (const auto& e : *entries) {
    if (auto err = check_key(e.key)) return err;
    if (!e.value || !tag_value_length_ok(*e.value) || !tag_chars_ok(*e.value))
      return validation("The Tag Value provided is invalid, Value: " + e.value.value_or("null"));
    if (std::find(seen.begin(), seen.end(), *e.key) != seen.end())
      return validation("Duplicate Tag Keys provided as input: Duplicate Tag Key found " + *e.key);
    seen.push_back(*e.key);
    // Past the limit the request is refused: `seen` and `out` never pass 51 entries.
    if (!merge_tags(out, {{*e.key, *e.value}})) return too_many_tags();
  }
  return std::nullopt;
}

api::ApiError too_many_tags() {
  return validation("Number of Tags exceed the current limit for the provided ResourceArn");
}

DynamoDb::Table* DynamoDb::table_by_arn(const Json& r, api::ApiError* error) {
  const json::value* given = member(r, "ResourceArn");
  if (!given->is_string()) {
    *error = serialization("ResourceArn");
    return nullptr;
  }
  const std::string arn_text(given->get_string());
  if (arn_text.size() > ddb_limits::resource_arn_max) {
    *error = validation("1 validation error detected: Value '" + arn_text +
                        "' at 'resourceArn' failed to satisfy constraint: Member must have "
                        "length less than or equal to 1283");
    return nullptr;
  }
  auto p = arn::parse(arn_text);
  // Not an ARN, or another region's: AWS's "Invalid TableArn".
  if (!p || (p->service == "dynamodb" && p->region != options_.place.region)) {
    *error = validation("Invalid TableArn: Invalid ResourceArn provided as input " + arn_text);
    return nullptr;
  }
  const std::string table_prefix =
      arn::make("dynamodb", options_.place.region, options_.place.account, "table/");
  if (arn_text.starts_with(table_prefix)) {
    auto it = tables_.find(arn_text.substr(table_prefix.size()));
    if (it != tables_.end()) return it->second.get();
  }
  *error = api::ApiError{"ResourceNotFoundException",
                         "Requested resource not found: ResourceArn: " + arn_text + " not found"};
  return nullptr;
}

DynamoDb::Outcome DynamoDb::tag_resource(const Json& r) {
  if (auto e = check_required(r, {"ResourceArn", "Tags"})) return {*e, {}};
  TagList tags;
  if (auto e = read_tags(member(r, "Tags"), tags)) return {*e, {}};
  if (tags.empty()) return {validation("Atleast one Tag needs to be provided as Input."), {}};
  api::ApiError err;
  Table* t = table_by_arn(r, &err);
  if (t == nullptr) return {err, {}};
  TagList merged = t->tags;
  if (!merge_tags(merged, tags)) return {too_many_tags(), {}};
  t->tags = std::move(merged);
  return {json::object{}, {table_record(*t)}};
}

DynamoDb::Outcome DynamoDb::untag_resource(const Json& r) {
  if (auto e = check_required(r, {"ResourceArn", "TagKeys"})) return {*e, {}};
  auto keys = tag_keys(member(r, "TagKeys"));
  if (!keys) return {serialization("TagKeys"), {}};
  if (keys->empty()) return {validation("Atleast one Tag Key needs to be provided as Input."), {}};
  if (keys->size() > tag_limits::tags_per_resource_max) return {too_many_tags(), {}};
  for (const auto& k : *keys)
    if (!tag_key_length_ok(k) || !tag_chars_ok(k)) return {bad_key(k), {}};
  api::ApiError err;
  Table* t = table_by_arn(r, &err);
  if (t == nullptr) return {err, {}};
  remove_tags(t->tags, *keys);
  return {json::object{}, {table_record(*t)}};
}

api::Response DynamoDb::list_tags_of_resource(const Json& r) {
  if (auto e = check_required(r, {"ResourceArn"})) return *e;
  if (const json::value* token = member(r, "NextToken"); token && !token->is_string())
    return serialization("NextToken");
  api::ApiError err;
  Table* t = table_by_arn(r, &err);
  if (t == nullptr) return err;
  // Every tag in one page, as AWS answers (50 at most, so never a NextToken); a NextToken given
  // is not one this server handed out and reads as the start.
  return json::object{{"Tags", tags_json(t->tags)}};
}

}  // namespace stepwise::services::dynamodb
