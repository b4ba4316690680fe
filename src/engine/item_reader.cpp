// ItemReader parsing (see item_reader.h).
#include "engine/item_reader.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

namespace stepwise::engine::item_reader {
namespace {

Items fail(std::string cause) { return {std::nullopt, std::move(cause)}; }

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

// Java's String.hashCode over the UTF-16 code units of `s` (UTF-8 here).
std::int32_t java_hash(std::string_view s) {
  std::uint32_t h = 0;
  auto unit = [&](std::uint32_t u) { h = 31 * h + u; };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t n = 1;
    if (c >= 0xF0) {
      cp = c & 0x07u, n = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0Fu, n = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1Fu, n = 2;
    }
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    i += n;
    if (cp > 0xFFFF) {
      cp -= 0x10000;
      unit(0xD800 + (cp >> 10));
      unit(0xDC00 + (cp & 0x3FF));
    } else {
      unit(cp);
    }
  }
  return static_cast<std::int32_t>(h);
}

// The order AWS writes a CSV row's fields in: its rows are Java HashMaps (the recorded case
// map_distributed__test_map_item_reader_csv_headers_first_row_typed_headers shows headers
// "0,True,{}" as {"0", "{}", "True"}), which iterate by bucket — the spread hash modulo the
// table size (16, doubled whenever more than 3/4 full) — and within a bucket by insertion.
std::vector<std::size_t> field_order(const std::vector<std::string>& headers) {
  std::size_t table = 16;
  while (headers.size() * 4 > table * 3) table *= 2;
  std::vector<std::pair<std::size_t, std::size_t>> keyed;  // (bucket, header index)
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const auto h = static_cast<std::uint32_t>(java_hash(headers[i]));
    keyed.emplace_back((h ^ (h >> 16)) & (table - 1), i);
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::size_t> order;
  for (const auto& k : keyed) order.push_back(k.second);
  return order;
}

}  // namespace

Items from_csv(std::string_view text, const asl::ItemReader& reader, std::int64_t max_items) {
  auto delim = delimiter_of(reader.csv_delimiter);
  if (!delim) return fail("CSVDelimiter " + reader.csv_delimiter + " is not supported.");
  auto rows = csv_rows(text, *delim);
  std::vector<std::string> headers;
  std::size_t first = 0;
  if (reader.csv_header_location == "GIVEN") {
    headers = reader.csv_headers;
  } else {
    if (rows.empty()) return {json::array{}, ""};
    headers = rows[0];
    first = 1;
  }
  std::set<std::string> seen(headers.begin(), headers.end());
  if (seen.size() != headers.size()) return fail("CSV headers cannot contain duplicates.");
  const std::vector<std::size_t> order = field_order(headers);
  json::array items;
  for (std::size_t r = first; r < rows.size() && !full(items, max_items); ++r) {
    json::object item;
    for (std::size_t h : order) item[headers[h]] = h < rows[r].size() ? rows[r][h] : std::string();
    items.push_back(std::move(item));
  }
  return {std::move(items), ""};
}

Items from_json(std::string_view text, std::int64_t max_items) {
  auto doc = json::parse(text);
  if (!doc.ok()) return fail("The object is not valid JSON: " + doc.error().cause);
  if (!doc->is_array()) return fail("Attempting to map over non-iterable node.");
  json::array items;
  for (auto& v : doc->get_array()) {
    if (full(items, max_items)) break;
    items.push_back(std::move(v));
  }
  return {std::move(items), ""};
}

Items from_jsonl(std::string_view text, std::int64_t max_items) {
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
  return {std::move(items), ""};
}

Items from_object(const json::value& answer, const asl::ItemReader& reader,
                  std::int64_t max_items) {
  const json::value* body = answer.is_object() ? answer.get_object().if_contains("Body") : nullptr;
  if (body == nullptr || !body->is_string()) return fail("The S3 object has no readable body.");
  std::string_view text = body->get_string();
  if (text.size() > object_bytes_max) {
    return fail("The S3 object is larger than " + std::to_string(object_bytes_max) +
                " bytes, the most the ItemReader reads.");
  }
  const std::string& type = reader.input_type;
  if (type == "CSV") return from_csv(text, reader, max_items);
  if (type == "JSONL") return from_jsonl(text, max_items);
  if (type == "JSON" || type.empty()) return from_json(text, max_items);
  return fail("InputType " + type + " is not supported.");
}

std::optional<std::string> append_listing(const json::value& answer, std::int64_t max_items,
                                          json::array& items, std::string& cause) {
  const json::object* page = answer.is_object() ? &answer.get_object() : nullptr;
  const json::value* contents = page ? page->if_contains("Contents") : nullptr;
  if (page == nullptr || (contents != nullptr && !contents->is_array())) {
    cause = "The S3 listing is not a ListObjectsV2 result.";
    return std::nullopt;
  }
  if (contents != nullptr) {
    for (const auto& o : contents->get_array()) {
      if (full(items, max_items)) return std::nullopt;
      if (!o.is_object()) continue;
      const json::object& e = o.get_object();
      auto field = [&](const char* k) {
        const json::value* v = e.if_contains(k);
        return v ? *v : json::value();
      };
      items.push_back(
          json::object{{"Etag", field("ETag")},
                       {"Key", field("Key")},
                       {"LastModified", field("LastModified")},
                       {"Size", field("Size")},
                       {"StorageClass", e.contains("StorageClass") ? field("StorageClass")
                                                                   : json::value("STANDARD")}});
    }
  }
  const json::value* truncated = page->if_contains("IsTruncated");
  const json::value* next = page->if_contains("NextContinuationToken");
  if (full(items, max_items) || truncated == nullptr || !truncated->is_bool() ||
      !truncated->get_bool() || next == nullptr || !next->is_string() ||
      next->get_string().empty()) {
    return std::nullopt;
  }
  return std::string(next->get_string());
}

json::value call_parameters(const json::value& reader_params, const std::string& continuation) {
  json::object p = reader_params.is_object() ? reader_params.get_object() : json::object();
  if (!continuation.empty()) p["ContinuationToken"] = continuation;
  return p;
}

}  // namespace stepwise::engine::item_reader
