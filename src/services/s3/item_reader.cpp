#include "services/s3/item_reader.h"

#include <set>

#include "services/s3/s3_sdk.h"

namespace stepwise::services::s3 {
namespace {

constexpr const char* kFailed = "States.ItemReaderFailed";

ItemReaderResult fail(std::string cause) { return {std::nullopt, kFailed, std::move(cause)}; }

bool full(const json::array& items, std::int64_t max) {
  return max > 0 && static_cast<std::int64_t>(items.size()) >= max;
}

std::optional<char> delimiter_of(const std::string& name) {
  if (name.empty() || name == "COMMA") return ',';
  if (name == "PIPE") return '|';
  if (name == "SEMICOLON") return ';';
  if (name == "SPACE") return ' ';
  if (name == "TAB") return '\t';
  return std::nullopt;
}

// RFC 4180 rows: quoted fields may hold the delimiter, quotes ("") and line breaks.
std::vector<std::vector<std::string>> csv_rows(std::string_view text, char delim) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, row_has_content = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      row_has_content = true;
    } else if (c == delim) {
      row.push_back(std::move(field));
      field.clear();
      row_has_content = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (row_has_content || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      row_has_content = false;
    } else {
      field += c;
      row_has_content = true;
    }
  }
  if (row_has_content || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

ItemReaderResult items_from_csv(std::string_view text, const ItemReaderRequest& request) {
  auto delim = delimiter_of(request.csv_delimiter);
  if (!delim) return fail("CSVDelimiter " + request.csv_delimiter + " is not supported.");
  auto rows = csv_rows(text, *delim);
  std::vector<std::string> headers;
  std::size_t first = 0;
  if (request.csv_header_location == "GIVEN") {
    headers = request.csv_headers;
  } else {
    if (rows.empty()) return {json::array{}, "", ""};
    headers = rows[0];
    first = 1;
  }
  std::set<std::string> seen(headers.begin(), headers.end());
  if (seen.size() != headers.size()) return fail("CSV headers cannot contain duplicates.");
  json::array items;
  for (std::size_t r = first; r < rows.size() && !full(items, request.max_items); ++r) {
    json::object item;
    for (std::size_t h = 0; h < headers.size(); ++h)
      item[headers[h]] = h < rows[r].size() ? rows[r][h] : std::string();
    items.push_back(std::move(item));
  }
  return {std::move(items), "", ""};
}

ItemReaderResult items_from_json(std::string_view text, std::int64_t max_items) {
  auto doc = json::parse(text);
  if (!doc.ok()) return fail("The object is not valid JSON: " + doc.error().cause);
  if (!doc->is_array()) return fail("Attempting to map over non-iterable node.");
  json::array items;
  for (auto& v : doc->get_array()) {
    if (full(items, max_items)) break;
    items.push_back(std::move(v));
  }
  return {std::move(items), "", ""};
}

ItemReaderResult items_from_jsonl(std::string_view text, std::int64_t max_items) {
  json::array items;
  std::size_t pos = 0;
  while (pos < text.size() && !full(items, max_items)) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    auto v = json::parse(line);
    if (!v.ok()) return fail("A JSONL line is not valid JSON: " + v.error().cause);
    items.push_back(std::move(v).value());
  }
  return {std::move(items), "", ""};
}

ItemReaderResult read_items(const S3& s3, const ItemReaderRequest& request) {
  if (request.max_items < 0) return fail("field MaxItems must be positive");
  auto text = [&](const char* k) {
    const json::value* v = request.parameters.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  const std::string bucket = text("Bucket");
  if (request.resource.ends_with(":s3:listObjectsV2")) {
    ListInput in;
    in.prefix = text("Prefix");
    json::array items;
    while (!full(items, request.max_items)) {
      auto page = s3.list_objects(bucket, in);
      if (!page.ok()) return fail(page.error->message);
      for (const auto& o : page.value.contents) {
        if (full(items, request.max_items)) break;
        items.push_back(json::object{{"Etag", o.info.etag},
                                     {"Key", o.key},
                                     {"LastModified", sdk_time(o.info.last_modified)},
                                     {"Size", o.info.size},
                                     {"StorageClass", "STANDARD"}});
      }
      if (!page.value.truncated) break;
      auto next = decode_continuation(page.value.next);
      if (!next) break;
      in.continuation = *next;
    }
    return {std::move(items), "", ""};
  }
  if (!request.resource.ends_with(":s3:getObject"))
    return fail("The ItemReader resource " + request.resource + " is not supported.");
  auto got = s3.get_object(bucket, text("Key"), "");
  if (!got.ok()) return fail(got.error->message);
  const std::string& body = got.value.body;
  if (request.input_type == "CSV") return items_from_csv(body, request);
  if (request.input_type == "JSONL") return items_from_jsonl(body, request.max_items);
  if (request.input_type == "JSON" || request.input_type.empty())
    return items_from_json(body, request.max_items);
  return fail("InputType " + request.input_type + " is not supported.");
}

}  // namespace stepwise::services::s3
