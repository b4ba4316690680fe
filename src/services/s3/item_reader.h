// ItemReader over the built-in S3: the items a Distributed Map reads from a bucket, as Step
// Functions makes them — the interface the engine's Map will call once it has a reader hook
// (today src/engine takes a Map's items from its input only; docs/SERVICES.md).
//
//  - arn:aws:states:::s3:getObject with ReaderConfig.InputType
//      JSON   the object is a JSON array; its elements are the items ("Attempting to map over
//             non-iterable node." otherwise)
//      JSONL  one JSON value per non-empty line
//      CSV    rows as objects keyed by the headers: CSVHeaderLocation FIRST_ROW (the first row)
//             or GIVEN (CSVHeaders; "CSV headers cannot contain duplicates."); fields past the
//             headers are dropped, missing ones are ""; RFC 4180 quotes; CSVDelimiter COMMA
//             (default), PIPE, SEMICOLON, SPACE, TAB; empty lines skipped
//  - arn:aws:states:::s3:listObjectsV2: one item per object under Parameters.Prefix
//      ({"Etag", "Key", "LastModified", "Size", "StorageClass"}).
// MaxItems (already evaluated from MaxItems/MaxItemsPath by the caller): 0 reads every item, a
// negative value fails ("field MaxItems must be positive"). Failures are
// States.ItemReaderFailed with AWS's causes; a missing bucket or key is the S3 error's text.
//
// Thread-safety: as S3 (reads only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "json/json.h"
#include "services/s3/s3.h"

namespace stepwise::services::s3 {

struct ItemReaderRequest {
  std::string resource;       // arn:aws:states:::s3:getObject / :s3:listObjectsV2
  json::object parameters;    // Bucket, Key (getObject) or Prefix (listObjectsV2), evaluated
  std::string input_type;     // JSON, JSONL, CSV (getObject)
  std::string csv_header_location = "FIRST_ROW";
  std::vector<std::string> csv_headers;
  std::string csv_delimiter = "COMMA";
  std::int64_t max_items = 0;  // 0: no limit
};

struct ItemReaderResult {
  std::optional<json::array> items;
  std::string error;  // States.ItemReaderFailed
  std::string cause;
};

ItemReaderResult read_items(const S3& s3, const ItemReaderRequest& request);

// The parsers on their own (tests, fuzzing). `max_items` 0: all.
ItemReaderResult items_from_csv(std::string_view text, const ItemReaderRequest& request);
ItemReaderResult items_from_json(std::string_view text, std::int64_t max_items);
ItemReaderResult items_from_jsonl(std::string_view text, std::int64_t max_items);

}  // namespace stepwise::services::s3
