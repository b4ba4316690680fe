// ItemReader: the items a Distributed Map reads from S3, made from the answers of the S3 calls
// the engine sends through the integration registry (interpreter_map_io.cpp).
//
// Why the engine parses and S3 only answers: the Map's reader resources (s3:getObject,
// s3:listObjectsV2) are the same operations as the aws-sdk:s3 integration, so the engine asks
// the registry for aws-sdk:s3:getObject / listObjectsV2 like any Task would. Whoever answers —
// the built-in S3 (src/services/s3) or, later, a pass-through to another S3 endpoint — returns
// AWS's SDK shape (GetObject: {"Body": text, ...}; ListObjectsV2: {"Contents": [...],
// "IsTruncated", "NextContinuationToken"}), and the parsing below is the same for all of them.
// The engine never depends on src/services, and every answer goes through the journal like a
// task's, so a replay parses the same items again.
//
//  - getObject with ReaderConfig.InputType
//      JSON   the object is a JSON array; its elements are the items ("Attempting to map over
//             non-iterable node." otherwise)
//      JSONL  one JSON value per non-empty line
//      CSV    rows as objects keyed by the headers: CSVHeaderLocation FIRST_ROW (the first row)
//             or GIVEN (CSVHeaders; "CSV headers cannot contain duplicates."); fields past the
//             headers are dropped, missing ones are ""; RFC 4180 quotes; CSVDelimiter COMMA
//             (default), PIPE, SEMICOLON, SPACE, TAB; empty lines skipped
//  - listObjectsV2: one item per object ({"Etag", "Key", "LastModified", "Size",
//    "StorageClass"}), page after page until MaxItems or the last page.
// `max_items` 0 reads every item. Failures are States.ItemReaderFailed with AWS's causes.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "asl/model.h"
#include "json/json.h"

namespace stepwise::engine::item_reader {

inline constexpr const char* kFailed = "States.ItemReaderFailed";
// The largest object the reader parses (the engine keeps every item in memory and the answer
// goes through the journal). AWS reads far larger files by streaming them; a larger object
// fails the Map Run with States.ItemReaderFailed instead of exhausting memory.
inline constexpr std::size_t object_bytes_max = 64u << 20;
// AWS's MaxItems ceiling: a larger MaxItems (or MaxItemsPath value) reads everything.
inline constexpr std::int64_t max_items_max = 100'000'000;

struct Items {
  std::optional<json::array> items;  // set on success
  std::string cause;                 // States.ItemReaderFailed's cause otherwise
};

// The parsers on their own. `max_items` 0: all.
Items from_csv(std::string_view text, const asl::ItemReader& reader, std::int64_t max_items);
Items from_json(std::string_view text, std::int64_t max_items);
Items from_jsonl(std::string_view text, std::int64_t max_items);

// A getObject answer ({"Body": text, ...}) as items, by the reader's InputType.
Items from_object(const json::value& answer, const asl::ItemReader& reader, std::int64_t max_items);

// One listObjectsV2 page appended to `items` (up to `max_items`); the continuation token of the
// next page, or nullopt when this was the last page (or MaxItems is reached). A page that is not
// ListObjectsV2's shape sets `cause`.
std::optional<std::string> append_listing(const json::value& answer, std::int64_t max_items,
                                          json::array& items, std::string& cause);

// The S3 call's parameters: the evaluated reader Parameters (Bucket, Key / Prefix ...), with the
// continuation token of the page to read (listObjectsV2, "" for the first).
json::value call_parameters(const json::value& reader_params, const std::string& continuation);

}  // namespace stepwise::engine::item_reader
