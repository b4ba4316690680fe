// Recursive-descent parser for Jayway-style JSONPath, as ASL uses it. Recursion happens only in
// filter expressions and is bounded by filter_depth_max (parentheses and nested filters) and
// filter_terms_max (comparisons and "!"s, counted over the whole path).
#include <cctype>
#include <cstdlib>

#include "jsonpath/path_ast.h"

namespace stepwise::jsonpath::detail {
namespace {

Segment make_segment(SegKind kind) {
  Segment s;
  s.kind = kind;
  return s;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<CompiledPath> parse_top() {
    CompiledPath p;
    if (!parse_root(p)) return fail();
    if (!parse_segments(p, /*in_filter=*/false)) return fail();
    if (pos_ != s_.size()) return fail("unexpected character '" + std::string(1, s_[pos_]) + "'");
    finish(p);
    return p;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::size_t terms_ = 0;  // parse_unary calls so far: "!"s, parentheses and comparisons
  std::string error_;

  // Definiteness is decided once the whole path is known (a union of names is definite only
  // as the last segment).
  static void finish(CompiledPath& p) {
    std::size_t simple = 0;
    for (const Segment& seg : p.segments) {
      if (seg.kind != SegKind::kName && seg.kind != SegKind::kIndex) break;
      ++simple;
    }
    const std::size_t n = p.segments.size();
    p.merge_leaf = n > 0 && simple == n - 1 && p.segments.back().kind == SegKind::kNames;
    p.definite = simple == n || p.merge_leaf;
  }

  bool at_end() const { return pos_ >= s_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  void skip_ws() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool set_error(std::string msg) {
    if (error_.empty()) error_ = std::move(msg) + " at position " + std::to_string(pos_);
    return false;
  }
  Error fail(std::string msg = "") {
    if (!msg.empty()) set_error(std::move(msg));
    return Error{"Path.Invalid", "Invalid JSONPath '" + std::string(s_) + "': " + error_};
  }

  bool parse_root(CompiledPath& p) {
    if (peek() != '$') return set_error("a path must start with '$'");
    ++pos_;
    if (peek() == '$') {
      ++pos_;
      p.root = Root::kContext;
      return true;
    }
    if (at_end() || peek() == '.' || peek() == '[') return true;
    // "$name": a variable, named up to the first '.' or '['.
    std::size_t start = pos_;
    while (!at_end() && peek() != '.' && peek() != '[') ++pos_;
    p.root = Root::kVariable;
    p.variable = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  // Segments until the end (top level) or the first character that cannot continue a path
  // (inside a filter, where an operator or ')' follows).
  bool parse_segments(CompiledPath& p, bool in_filter) {
    while (!at_end()) {
      if (p.segments.size() >= path_segments_max) return set_error("too many path segments");
      char c = peek();
      if (c == '.' && peek(1) == '.') {
        pos_ += 2;
        p.segments.push_back(make_segment(SegKind::kScan));
        p.definite = false;
        if (peek() == '[') {
          if (!parse_bracket(p)) return false;
        } else if (!parse_dot_member(p, in_filter)) {
          return false;
        }
      } else if (c == '.') {
        ++pos_;
        if (!parse_dot_member(p, in_filter)) return false;
      } else if (c == '[') {
        if (!parse_bracket(p)) return false;
      } else if (in_filter) {
        return true;
      } else {
        return set_error("unexpected character '" + std::string(1, c) + "'");
      }
    }
    return true;
  }

  static bool ends_member(char c, bool in_filter) {
    if (c == '.' || c == '[' || c == ']') return true;
    if (!in_filter) return false;
    return std::isspace(static_cast<unsigned char>(c)) || c == ')' || c == '=' || c == '!' ||
           c == '<' || c == '>' || c == '&' || c == '|' || c == ',' || c == ']';
  }

  // After '.': "*" or a name; a backslash escapes the next character ("$.store\.book").
  bool parse_dot_member(CompiledPath& p, bool in_filter) {
    if (peek() == '*') {
      ++pos_;
      p.segments.push_back(make_segment(SegKind::kWildcard));
      p.definite = false;
      return true;
    }
    std::string name;
    while (!at_end() && !ends_member(peek(), in_filter)) {
      if (peek() == '\\' && pos_ + 1 < s_.size()) ++pos_;
      name += s_[pos_++];
    }
    if (name.empty()) return set_error("empty property name");
    Segment seg = make_segment(SegKind::kName);
    seg.names.push_back(std::move(name));
    p.segments.push_back(std::move(seg));
    return true;
  }

  bool parse_bracket(CompiledPath& p) {
    ++pos_;  // '['
    skip_ws();
    bool ok = false;
    char c = peek();
    if (c == '*') {
      ++pos_;
      p.segments.push_back(make_segment(SegKind::kWildcard));
      p.definite = false;
      ok = true;
    } else if (c == '?') {
      ok = parse_filter_segment(p);
    } else if (c == '\'' || c == '"') {
      ok = parse_names(p);
    } else if (c == '-' || c == ':' || std::isdigit(static_cast<unsigned char>(c))) {
      ok = parse_indexes(p);
    } else {
      return set_error("unexpected character in brackets");
    }
    if (!ok) return false;
    skip_ws();
    if (peek() != ']') return set_error("expected ']'");
    ++pos_;
    return true;
  }

  // A quoted name; the quote and backslash can be escaped, other text is kept as written
  // (AWS matches "$['a\"b']" against the key a\"b).
  bool parse_quoted(std::string& out) {
    char q = s_[pos_++];
    while (!at_end() && peek() != q) {
      if (peek() == '\\' && (peek(1) == q || peek(1) == '\\')) ++pos_;
      out += s_[pos_++];
    }
    if (at_end()) return set_error("unterminated quoted name");
    ++pos_;
    return true;
  }

  bool parse_names(CompiledPath& p) {
    Segment seg = make_segment(SegKind::kName);
    while (true) {
      std::string name;
      if (!parse_quoted(name)) return false;
      seg.names.push_back(std::move(name));
      skip_ws();
      if (peek() != ',') break;
      ++pos_;
      skip_ws();
      if (peek() != '\'' && peek() != '"') return set_error("expected a quoted name");
    }
    if (seg.names.size() > 1) {
      seg.kind = SegKind::kNames;
      p.definite = false;
    }
    p.segments.push_back(std::move(seg));
    return true;
  }

  bool parse_int(std::int64_t& out) {
    std::size_t start = pos_;
    // peek(), not s_[start]: the path may end right here ("$[", "$[1,").
    bool negative = peek() == '-';
    if (negative) ++pos_;
    while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
    std::size_t digits = pos_ - start - (negative ? 1 : 0);
    if (digits == 0 || digits > 18) return set_error("expected an integer index");
    out = std::strtoll(std::string(s_.substr(start, pos_ - start)).c_str(), nullptr, 10);
    return true;
  }

  bool parse_indexes(CompiledPath& p) {
    Segment seg = make_segment(SegKind::kIndex);
    std::int64_t first = 0;
    bool has_first = peek() != ':';
    if (has_first && !parse_int(first)) return false;
    skip_ws();
    if (peek() == ':') {
      ++pos_;
      skip_ws();
      seg.kind = SegKind::kSlice;
      if (has_first) seg.from = first;
      if (peek() != ']') {
        std::int64_t to = 0;
        if (!parse_int(to)) return false;
        seg.to = to;
      }
      p.definite = false;
      p.segments.push_back(std::move(seg));
      return true;
    }
    seg.indexes.push_back(first);
    while (peek() == ',') {
      ++pos_;
      skip_ws();
      std::int64_t next = 0;
      if (!parse_int(next)) return false;
      seg.indexes.push_back(next);
      skip_ws();
    }
    if (seg.indexes.size() > 1) {
      seg.kind = SegKind::kIndexes;
      p.definite = false;
    }
    p.segments.push_back(std::move(seg));
    return true;
  }

  bool parse_filter_segment(CompiledPath& p) {
    ++pos_;  // '?'
    skip_ws();
    if (peek() != '(') return set_error("expected '(' after '?'");
    ++pos_;
    auto expr = parse_or();
    if (!expr) return false;
    skip_ws();
    if (peek() != ')') return set_error("expected ')' closing the filter");
    ++pos_;
    Segment seg = make_segment(SegKind::kFilter);
    seg.filter = std::move(expr);
    p.segments.push_back(std::move(seg));
    p.definite = false;
    return true;
  }

  std::unique_ptr<FilterExpr> binary(FilterExpr::Kind kind, std::unique_ptr<FilterExpr> l,
                                     std::unique_ptr<FilterExpr> r) {
    auto e = std::make_unique<FilterExpr>();
    e->kind = kind;
    e->lhs = std::move(l);
    e->rhs = std::move(r);
    return e;
  }

  std::unique_ptr<FilterExpr> parse_or() {
    if (++depth_ > filter_depth_max) {
      set_error("filter nested too deeply");
      return nullptr;
    }
    auto l = parse_and();
    while (l) {
      skip_ws();
      if (peek() != '|' || peek(1) != '|') break;
      pos_ += 2;
      auto r = parse_and();
      if (!r) return nullptr;
      l = binary(FilterExpr::Kind::kOr, std::move(l), std::move(r));
    }
    --depth_;
    return l;
  }

  std::unique_ptr<FilterExpr> parse_and() {
    auto l = parse_unary();
    while (l) {
      skip_ws();
      if (peek() != '&' || peek(1) != '&') break;
      pos_ += 2;
      auto r = parse_unary();
      if (!r) return nullptr;
      l = binary(FilterExpr::Kind::kAnd, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<FilterExpr> parse_unary() {
    if (++terms_ > filter_terms_max) {
      set_error("filter has more than " + std::to_string(filter_terms_max) + " terms");
      return nullptr;
    }
    skip_ws();
    if (peek() == '!' && peek(1) != '=') {
      ++pos_;
      auto inner = parse_unary();
      if (!inner) return nullptr;
      return binary(FilterExpr::Kind::kNot, std::move(inner), nullptr);
    }
    if (peek() == '(') {
      ++pos_;
      auto inner = parse_or();
      skip_ws();
      if (!inner || peek() != ')') {
        set_error("expected ')'");
        return nullptr;
      }
      ++pos_;
      return inner;
    }
    return parse_comparison();
  }

  bool parse_cmp_op(CmpOp& op) {
    static constexpr struct {
      const char* text;
      CmpOp op;
    } kOps[] = {{"==", CmpOp::kEq}, {"!=", CmpOp::kNe}, {"<=", CmpOp::kLe},
                {">=", CmpOp::kGe}, {"<", CmpOp::kLt},  {">", CmpOp::kGt}};
    for (const auto& o : kOps) {
      if (s_.substr(pos_).starts_with(o.text)) {
        pos_ += std::string_view(o.text).size();
        op = o.op;
        return true;
      }
    }
    return false;
  }

  std::unique_ptr<FilterExpr> parse_comparison() {
    auto e = std::make_unique<FilterExpr>();
    if (!parse_operand(e->a)) return nullptr;
    skip_ws();
    if (!parse_cmp_op(e->op)) {
      if (e->a.kind != Operand::Kind::kPath) {
        set_error("expected a comparison operator");
        return nullptr;
      }
      e->kind = FilterExpr::Kind::kExists;
      return e;
    }
    skip_ws();
    if (!parse_operand(e->b)) return nullptr;
    e->kind = FilterExpr::Kind::kCompare;
    return e;
  }

  bool parse_operand(Operand& o) {
    skip_ws();
    char c = peek();
    if (c == '@' || c == '$') {
      ++pos_;
      o.kind = Operand::Kind::kPath;
      o.path.root = c == '@' ? Root::kCurrent : Root::kInput;
      if (!parse_segments(o.path, /*in_filter=*/true)) return false;
      finish(o.path);
      return true;
    }
    if (c == '\'' || c == '"') {
      std::string text;
      if (!parse_quoted(text)) return false;
      o.literal = json::string(text);
      return true;
    }
    for (const char* word : {"true", "false", "null"}) {
      if (s_.substr(pos_).starts_with(word)) {
        pos_ += std::string_view(word).size();
        o.literal = word[0] == 'n' ? json::value(nullptr) : json::value(word[0] == 't');
        return true;
      }
    }
    return parse_number(o.literal);
  }

  bool parse_number(json::value& out) {
    std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    bool is_double = false;
    while (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == 'e' ||
           peek() == 'E') {
      is_double |= !std::isdigit(static_cast<unsigned char>(peek()));
      ++pos_;
    }
    std::string text(s_.substr(start, pos_ - start));
    if (text.empty() || text == "-") return set_error("expected a value in the filter");
    char* end = nullptr;
    if (is_double || text.size() > 18) {
      out = std::strtod(text.c_str(), &end);
    } else {
      out = static_cast<std::int64_t>(std::strtoll(text.c_str(), &end, 10));
    }
    if (end != text.c_str() + text.size()) return set_error("malformed number");
    return true;
  }
};

}  // namespace

Result<CompiledPath> parse_path(std::string_view text) {
  // Jayway trims surrounding whitespace before compiling.
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return Parser(text).parse_top();
}

std::string bracket_form(const std::vector<Segment>& segments, std::size_t count) {
  std::string out = "$";
  for (std::size_t i = 0; i < count && i < segments.size(); ++i) {
    const Segment& s = segments[i];
    if (s.kind == SegKind::kName) {
      out += "['" + s.names[0] + "']";
    } else if (s.kind == SegKind::kIndex) {
      out += "[" + std::to_string(s.indexes[0]) + "]";
    } else if (s.kind == SegKind::kWildcard) {
      out += "[*]";
    } else if (s.kind == SegKind::kScan) {
      out += "..";
    } else {
      out += "[...]";
    }
  }
  return out;
}

}  // namespace stepwise::jsonpath::detail
