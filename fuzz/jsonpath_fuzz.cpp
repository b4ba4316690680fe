// Fuzz target: jsonpath::Path::compile as a Path and as a Reference Path, then select,
// select_or_fail and (reference paths) assign on the input. Input: "PATH\nJSON".
// The same document serves as "$", "$$" and every "$var", so all three kinds get selected.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "jsonpath/jsonpath.h"

namespace {

using namespace stepwise;

void exercise(const jsonpath::Path& path, const json::value& doc, bool reference) {
  jsonpath::VariableLookup vars = [&doc](std::string_view) { return &doc; };
  jsonpath::EvalContext ctx{&doc, &doc, &vars, nullptr};
  auto selected = path.select(ctx);
  auto checked = path.select_or_fail(ctx);
  if (selected.has_value() != checked.ok())
    fuzz::invariant_failed("select and select_or_fail disagree", path.text());
  if (reference && path.is_definite() && !selected && path.is_root())
    fuzz::invariant_failed("\"$\" selected nothing", path.text());
  if (!reference) return;
  json::value target = doc;
  (void)path.assign(target, json::value("x"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto split = fuzz::split(fuzz::as_text(data, size));
  std::string_view text = split.program;
  const json::value& doc = split.input;  // not a structured binding: clang 14 cannot capture one
  for (auto kind : {jsonpath::PathKind::kPath, jsonpath::PathKind::kReferencePath}) {
    auto path = jsonpath::Path::compile(text, kind);
    if (path.ok()) exercise(*path, doc, kind == jsonpath::PathKind::kReferencePath);
  }
  return 0;
}
