// A Distributed Map's ItemReader and ResultWriter: their Resource (the S3 operations Step
// Functions reads and writes with) and the ReaderConfig (InputType, CSV headers and delimiter,
// MaxItems / MaxItemsPath). Bad values are refused at CreateStateMachine, as AWS does, so the
// engine only ever meets a reader it can run.
#include <string>

#include "asl/validator.h"
#include "integrations/resource.h"

namespace stepwise::asl::validation {
namespace {

// AWS's limit on MaxItems (the Distributed Map reads at most 100,000,000 items).
constexpr std::int64_t reader_max_items_max = 100'000'000;

bool s3_resource(std::string_view arn, std::initializer_list<std::string_view> actions) {
  if (!arn.starts_with("arn:")) return false;
  const auto at = arn.find(":states:::s3:");
  if (at == std::string_view::npos) return false;
  return in_list(arn.substr(at + 13), actions);
}

}  // namespace

void Validator::check_s3_resource(const json::object& o, bool reader, const std::string& loc) {
  const auto* r = o.if_contains("Resource");
  if (r == nullptr) return;
  if (!r->is_string()) {
    error("The value for the field 'Resource' must be a STRING", loc + "/Resource");
    return;
  }
  const bool ok = reader ? s3_resource(r->as_string(), {"getObject", "listObjectsV2"})
                         : s3_resource(r->as_string(), {"putObject"});
  if (!ok) {
    out_.push_back(Diagnostic{"ERROR",
                              "SCHEMA_VALIDATION_FAILED",
                              integrations::not_recognized_message(r->as_string()),
                              loc + "/Resource",
                              {}});
  }
}

void Validator::check_reader_config(const json::object& reader, Lang lang, const std::string& loc) {
  const auto* c = reader.if_contains("ReaderConfig");
  if (c == nullptr) return;
  const std::string cloc = loc + "/ReaderConfig";
  if (!c->is_object()) {
    error("The value for the field 'ReaderConfig' must be an OBJECT", cloc);
    return;
  }
  const json::object& rc = c->as_object();
  check_object_fields(rc,
                      {"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter", "MaxItems",
                       "MaxItemsPath", "ManifestType", "Transformation"},
                      cloc);
  check_enum(rc, "InputType", {"CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"}, cloc);
  check_enum(rc, "CSVHeaderLocation", {"FIRST_ROW", "GIVEN"}, cloc);
  check_enum(rc, "CSVDelimiter", {"COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"}, cloc);
  if (const auto* h = rc.if_contains("CSVHeaders")) {
    bool strings = h->is_array();
    if (strings) {
      for (const auto& e : h->as_array()) strings = strings && e.is_string();
    }
    if (!strings)
      error("The value for the field 'CSVHeaders' must be an ARRAY of STRING",
            cloc + "/CSVHeaders");
  }
  const auto* where = rc.if_contains("CSVHeaderLocation");
  if (where != nullptr && where->is_string() && where->as_string() == "GIVEN" &&
      !rc.contains("CSVHeaders")) {
    error("CSVHeaders must be set when CSVHeaderLocation is GIVEN", cloc);
  }
  check_int(rc, "MaxItems", 0, reader_max_items_max, lang, cloc);
  check_exclusive(rc, "MaxItems", "MaxItemsPath", cloc);
  if (lang == Lang::kJsonPath) {
    check_path(rc, "MaxItemsPath", jsonpath::PathKind::kReferencePath, cloc, false);
  } else if (rc.contains("MaxItemsPath")) {
    language_error(lang, "MaxItemsPath", cloc);
  }
}

void Validator::check_batcher_paths(const json::object& batcher, Lang lang,
                                    const std::string& loc) {
  check_exclusive(batcher, "MaxItemsPerBatch", "MaxItemsPerBatchPath", loc);
  check_exclusive(batcher, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", loc);
  for (std::string_view f : {"MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"}) {
    if (lang == Lang::kJsonPath) {
      check_path(batcher, f, jsonpath::PathKind::kReferencePath, loc, false);
    } else if (batcher.contains(f)) {
      language_error(lang, f, loc);
    }
  }
}

}  // namespace stepwise::asl::validation
