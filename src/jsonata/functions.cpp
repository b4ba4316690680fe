// The table of JSONata's built-in functions (and AWS's additions), with the reference's
// signatures and argument rules. The functions themselves, and their entries of the table, live
// in functions_<group>.cpp, by what they work on.
#include <map>

#include "jsonata/functions_internal.h"

namespace stepwise::jsonata {
namespace {

std::vector<Builtin> make_builtins() {
  std::vector<Builtin> b;
  for (auto group : {builtins::numbers, builtins::strings, builtins::arrays, builtins::encoding,
                     builtins::aws}) {
    auto part = group();
    b.insert(b.end(), part.begin(), part.end());
  }
  for (auto& f : b) f.sig = parse_signature(f.signature);
  return b;
}

}  // namespace

const Builtin* find_builtin(std::string_view name) {
  static const std::vector<Builtin> builtins = make_builtins();
  static const std::map<std::string, const Builtin*, std::less<>> index = [] {
    std::map<std::string, const Builtin*, std::less<>> m;
    for (const auto& b : builtins) m[b.name] = &b;
    return m;
  }();
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

const Value* builtin_value(std::string_view name) {
  // Built-in function values are immutable, so one shared value per built-in serves every
  // evaluation (and thread).
  static const std::map<std::string, Value, std::less<>> values = [] {
    std::map<std::string, Value, std::less<>> m;
    for (const char* n : {"sum",
                          "count",
                          "max",
                          "min",
                          "average",
                          "string",
                          "substring",
                          "substringBefore",
                          "substringAfter",
                          "lowercase",
                          "uppercase",
                          "length",
                          "trim",
                          "pad",
                          "match",
                          "contains",
                          "replace",
                          "split",
                          "join",
                          "formatNumber",
                          "formatBase",
                          "formatInteger",
                          "parseInteger",
                          "number",
                          "floor",
                          "ceil",
                          "round",
                          "abs",
                          "sqrt",
                          "power",
                          "random",
                          "boolean",
                          "not",
                          "map",
                          "zip",
                          "filter",
                          "single",
                          "reduce",
                          "sift",
                          "keys",
                          "lookup",
                          "append",
                          "exists",
                          "spread",
                          "merge",
                          "reverse",
                          "each",
                          "error",
                          "assert",
                          "type",
                          "sort",
                          "shuffle",
                          "distinct",
                          "base64encode",
                          "base64decode",
                          "encodeUrlComponent",
                          "encodeUrl",
                          "decodeUrlComponent",
                          "decodeUrl",
                          "toMillis",
                          "fromMillis",
                          "clone",
                          "now",
                          "millis",
                          "partition",
                          "range",
                          "hash",
                          "uuid",
                          "parse"}) {
      auto fn = std::make_shared<Function>();
      fn->type = Function::Type::kNative;
      fn->builtin = find_builtin(n);
      m[n] = Value::function(fn);
    }
    return m;
  }();
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

}  // namespace stepwise::jsonata
