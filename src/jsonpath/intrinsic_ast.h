// Internal: the compiled form of an intrinsic call and the table of the 18 States.* functions.
// Parsing is in intrinsic.cpp, the functions themselves in intrinsic_functions.cpp.
//
// Thread-safety: immutable after compilation.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "jsonpath/jsonpath.h"

namespace stepwise::jsonpath::detail {

enum class Fn {
  kFormat,
  kStringToJson,
  kJsonToString,
  kArray,
  kArrayPartition,
  kArrayContains,
  kArrayRange,
  kArrayGetItem,
  kArrayLength,
  kArrayUnique,
  kBase64Encode,
  kBase64Decode,
  kHash,
  kJsonMerge,
  kMathRandom,
  kMathAdd,
  kStringSplit,
  kUuid,
};

struct Call;

struct Arg {
  enum class Kind { kLiteral, kPath, kCall } kind = Kind::kLiteral;
  json::value literal;  // kLiteral (strings unescaped)
  std::string raw;      // kLiteral string as written between the quotes (for Format)
  bool is_string_literal = false;
  Path path;                         // kPath
  std::shared_ptr<const Call> call;  // kCall
};

struct Call {
  std::string name;  // "States.Format"
  Fn fn = Fn::kArray;
  std::vector<Arg> args;
};

// Looks a function up by its full name ("States.Format"); false when unknown.
bool find_function(std::string_view name, Fn& fn);

// Checks argument counts (and argument kinds known at compile time) as AWS's validator does.
// Returns an empty string when fine, else what is wrong.
std::string check_call(const Call& call);

// Runs the function on already-evaluated arguments. Errors: States.IntrinsicFailure.
Result<json::value> apply(const Call& call, std::vector<json::value>& args, const EvalContext& ctx);

}  // namespace stepwise::jsonpath::detail
