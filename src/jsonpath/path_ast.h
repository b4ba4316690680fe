// Internal: the compiled form of a JSONPath (segments and filter expressions), shared by the
// parser (path_parse.cpp) and the evaluator (path.cpp). Not part of the public API.
//
// Thread-safety: immutable after compilation; shared freely across threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "json/json.h"
#include "jsonpath/jsonpath.h"

namespace stepwise::jsonpath::detail {

// Limits on hostile paths: segments per path, filter nesting, terms in a path's filters, and
// how deep a deep scan ("..") descends (parsed JSON is already bounded by
// limits::json_depth_max; this guards values built in memory). The parser, the evaluator and
// the expression tree's destructor each recurse once per term ("!" and "&&" chains build a tree
// as deep as they are long), so filter_terms_max bounds their stack as filter_depth_max bounds
// the parentheses.
inline constexpr std::size_t path_segments_max = 512;
inline constexpr std::size_t filter_depth_max = 32;
inline constexpr std::size_t filter_terms_max = 1024;
// Work one indefinite path's evaluation may do: nodes visited, filter terms tested, and nodes
// copied into filter operands and results. A scan whose filters scan the whole document again
// ("$..[?(@.a == $..b)]") costs the square or cube of the document's size; past this budget the
// path selects nothing (select_or_fail says why). A linear walk of the largest payload (256 KiB,
// about 130,000 nodes) costs well under a million.
inline constexpr std::size_t path_eval_steps_max = 10'000'000;
inline constexpr std::size_t scan_depth_max = 1024;

struct FilterExpr;

enum class SegKind {
  kName,      // .a or ['a']
  kNames,     // ['a','b'] (union; merged into one object when last)
  kIndex,     // [0] or [-1]
  kIndexes,   // [0,1] (union: indefinite)
  kSlice,     // [1:3], [:2], [-2:]
  kWildcard,  // .* or [*]
  kScan,      // ".." : applies the next segment to every node below
  kFilter,    // [?(...)]
};

struct Segment {
  SegKind kind = SegKind::kName;
  std::vector<std::string> names;     // kName (one), kNames
  std::vector<std::int64_t> indexes;  // kIndex (one), kIndexes
  std::optional<std::int64_t> from;   // kSlice
  std::optional<std::int64_t> to;     // kSlice
  std::shared_ptr<const FilterExpr> filter;
};

enum class Root { kInput, kContext, kVariable, kCurrent /* "@" inside a filter */ };

struct CompiledPath {
  Root root = Root::kInput;
  std::string variable;  // for Root::kVariable
  std::vector<Segment> segments;
  bool definite = true;
  // Jayway merges a final multi-name segment into one object ("$.a['x','y']" -> {"x":..,"y":..})
  // and counts such a path as definite when everything before it is.
  bool merge_leaf = false;
};

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Operand {
  enum class Kind { kLiteral, kPath } kind = Kind::kLiteral;
  json::value literal;
  CompiledPath path;  // root kCurrent ("@") or kInput ("$")
};

struct FilterExpr {
  enum class Kind { kOr, kAnd, kNot, kCompare, kExists } kind = Kind::kExists;
  std::unique_ptr<FilterExpr> lhs, rhs;  // kOr, kAnd (both), kNot (lhs)
  Operand a, b;                          // kCompare (a op b), kExists (a)
  CmpOp op = CmpOp::kEq;
};

// Parses text into a CompiledPath. Errors: "Path.Invalid" with what is wrong and where.
Result<CompiledPath> parse_path(std::string_view text);

// Jayway's bracket form of a definite path prefix ("$['a'][0]"), used in error texts.
std::string bracket_form(const std::vector<Segment>& segments, std::size_t count);

}  // namespace stepwise::jsonpath::detail
