// Fuzz target: the Distributed Map item reader's parsers (engine/item_reader.h). Input
// "CONFIG\nBODY": CONFIG's first byte picks the InputType (JSON, JSONL, CSV with headers in the
// first row, CSV with given headers "a,b,a" (duplicates), an unknown type), its second the CSV
// delimiter, its third MaxItems (0-7); BODY is the object's text. It is parsed as a getObject
// answer and BODY (when JSON) as a listObjectsV2 page too. Nothing may crash; a success never
// has more items than MaxItems, a failure always has a cause.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/item_reader.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  namespace ir = engine::item_reader;
  std::string_view text = fuzz::as_text(data, size);
  auto nl = text.find('\n');
  std::string_view config = text.substr(0, nl);
  std::string body(nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1));
  auto pick = [&](std::size_t i) {
    return i < config.size() ? static_cast<unsigned char>(config[i]) : 0u;
  };
  asl::ItemReader reader;
  static const char* const kTypes[] = {"JSON", "JSONL", "CSV", "CSV", "PARQUET"};
  static const char* const kDelims[] = {"COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB", "COLON"};
  reader.input_type = kTypes[pick(0) % 5];
  if (pick(0) % 5 == 3) {
    reader.csv_header_location = "GIVEN";
    reader.csv_headers = {"a", "b", pick(0) % 2 ? "a" : "c"};
  }
  reader.csv_delimiter = kDelims[pick(1) % 6];
  const std::int64_t max_items = pick(2) % 8;
  auto got = ir::from_object(json::object{{"Body", body}}, reader, max_items);
  if (got.items) {
    if (max_items > 0 && static_cast<std::int64_t>(got.items->size()) > max_items)
      fuzz::invariant_failed("more items than MaxItems", text);
  } else if (got.cause.empty()) {
    fuzz::invariant_failed("a failed read has no cause", text);
  }
  if (auto page = json::parse(body); page.ok()) {
    json::array items;
    std::string cause;
    (void)ir::append_listing(*page, max_items, items, cause);
    if (max_items > 0 && static_cast<std::int64_t>(items.size()) > max_items)
      fuzz::invariant_failed("a listing past MaxItems", text);
  }
  return 0;
}
