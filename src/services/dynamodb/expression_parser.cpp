// The lexer and recursive-descent parsers of expression.h.
#include <cctype>
#include <utility>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/ddb_limits.h"
#include "services/dynamodb/expression.h"

namespace stepwise::services::dynamodb {
namespace {

// Nesting of parentheses and function calls the parser follows (the 4 KB expression limit
// bounds it too; this keeps the recursion shallow whatever the input).
constexpr std::size_t kNestingMax = 64;

enum class Tok { ident, name_ph, value_ph, number, punct, eof, bad };

struct Token {
  Tok kind = Tok::eof;
  std::string text;
  std::size_t begin = 0;
  std::size_t end = 0;
};

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.begin = i;
    if (c == '#' || c == ':') {
      std::size_t j = i + 1;
      while (j < s.size() && ident_char(s[j])) ++j;
      t.kind = j == i + 1 ? Tok::bad : (c == '#' ? Tok::name_ph : Tok::value_ph);
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      // "1abc" is one (bad) word, as DynamoDB reads names that start with a digit.
      t.kind = (j < s.size() && ident_char(s[j])) ? Tok::bad : Tok::number;
      while (j < s.size() && ident_char(s[j])) ++j;
      i = j;
    } else if (ident_char(c)) {
      std::size_t j = i;
      while (j < s.size() && ident_char(s[j])) ++j;
      t.kind = Tok::ident;
      i = j;
    } else if ((c == '<' || c == '>') && i + 1 < s.size() &&
               (s[i + 1] == '=' || (c == '<' && s[i + 1] == '>'))) {
      t.kind = Tok::punct;
      i += 2;
    } else if (std::string_view("()[],.=<>+-").find(c) != std::string_view::npos) {
      t.kind = Tok::punct;
      ++i;
    } else {
      t.kind = Tok::bad;
      ++i;
    }
    t.end = i;
    t.text = std::string(s.substr(t.begin, t.end - t.begin));
    out.push_back(std::move(t));
  }
  Token eof;
  eof.kind = Tok::eof;
  eof.text = "<EOF>";
  eof.begin = eof.end = s.size();
  out.push_back(eof);
  return out;
}

struct Failure {
  std::string message;
};

class Parser {
 public:
  Parser(std::string_view text, std::string_view kind, ExpressionContext& ctx)
      : text_(text), kind_(kind), ctx_(ctx), toks_(lex(text)) {}

  bool at_end() const { return peek().kind == Tok::eof; }
  const Token& peek(std::size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  bool is_punct(std::string_view p, std::size_t ahead = 0) const {
    return peek(ahead).kind == Tok::punct && peek(ahead).text == p;
  }
  bool is_keyword(std::string_view k) const {
    return peek().kind == Tok::ident && iequals(peek().text, k);
  }

  [[noreturn]] void fail(std::string detail) const {
    throw Failure{"Invalid " + std::string(kind_) + ": " + std::move(detail)};
  }
  [[noreturn]] void syntax_error() const {
    const Token& t = peek();
    std::size_t from = pos_ > 0 ? toks_[pos_ - 1].begin : t.begin;
    std::size_t to = t.end;
    if (t.kind != Tok::eof && pos_ + 1 < toks_.size()) to = toks_[pos_ + 1].end;
    std::string near(text_.substr(from, to - from));
    fail("Syntax error; token: \"" + t.text + "\", near: \"" + near + "\"");
  }
  void expect(std::string_view p) {
    if (!is_punct(p)) syntax_error();
    ++pos_;
  }
  void count_operator() {
    if (++operators_ > ddb_limits::expression_operators_max)
      fail("The expression contains too many operators; operator count: " +
           std::to_string(operators_));
  }
  void enter() {
    if (++depth_ > kNestingMax) fail("The expression has too many nested levels");
  }
  void leave() { --depth_; }

  std::string name_element() {
    const Token& t = peek();
    if (t.kind == Tok::name_ph) {
      const json::value* v = ctx_.names ? ctx_.names->if_contains(t.text) : nullptr;
      if (v == nullptr || !v->is_string())
        fail(
            "An expression attribute name used in the document path is not defined; "
            "attribute name: " +
            t.text);
      ctx_.used_names.insert(t.text);
      ++pos_;
      return std::string(v->get_string());
    }
    if (t.kind == Tok::ident) {
      if (is_reserved_word(t.text))
        fail("Attribute name is a reserved keyword; reserved keyword: " + t.text);
      ++pos_;
      return t.text;
    }
    syntax_error();
  }

  Path path() {
    Path p;
    p.push_back(PathElem{name_element()});
    while (true) {
      if (is_punct(".")) {
        ++pos_;
        p.push_back(PathElem{name_element()});
      } else if (is_punct("[")) {
        ++pos_;
        const Token& t = peek();
        if (t.kind != Tok::number || t.text.size() > 9) syntax_error();
        PathElem e;
        e.index = std::stoll(t.text);
        ++pos_;
        expect("]");
        p.push_back(std::move(e));
      } else {
        break;
      }
    }
    if (p.size() > ddb_limits::document_depth_max)
      fail("The document path has too many nesting levels; nesting levels: " +
           std::to_string(p.size()));
    return p;
  }

  Operand value_operand() {
    const Token& t = peek();
    const json::value* v = ctx_.values ? ctx_.values->if_contains(t.text) : nullptr;
    if (v == nullptr)
      fail("An expression attribute value used in expression is not defined; attribute value: " +
           t.text);
    ctx_.used_values.insert(t.text);
    Operand o;
    o.kind = Operand::Kind::value;
    o.value = *v;
    o.placeholder = t.text;
    ++pos_;
    return o;
  }

  bool function_call_next() const { return peek().kind == Tok::ident && is_punct("(", 1); }

  std::vector<Operand> call_args(bool update) {
    enter();
    expect("(");
    std::vector<Operand> args;
    if (!is_punct(")")) {
      args.push_back(update ? update_value() : operand());
      while (is_punct(",")) {
        ++pos_;
        args.push_back(update ? update_value() : operand());
      }
    }
    expect(")");
    leave();
    return args;
  }

  void arity(const std::string& fn, const std::vector<Operand>& args, std::size_t n) {
    if (args.size() != n)
      fail("Incorrect number of operands for operator or function; operator or function: " + fn +
           ", number of operands: " + std::to_string(args.size()));
  }
  void needs_path(const std::string& fn, const Operand& o) {
    if (o.kind != Operand::Kind::path)
      fail("Operator or function requires a document path; operator or function: " + fn);
  }

  static bool condition_function(std::string_view fn) {
    return fn == "attribute_exists" || fn == "attribute_not_exists" || fn == "attribute_type" ||
           fn == "begins_with" || fn == "contains";
  }

  // A condition-expression operand: path, :value or size(path).
  Operand operand() {
    if (function_call_next()) {
      std::string fn = peek().text;
      if (fn == "size") {
        ++pos_;
        count_operator();
        auto args = call_args(false);
        arity(fn, args, 1);
        needs_path(fn, args[0]);
        Operand o;
        o.kind = Operand::Kind::size;
        o.args = std::move(args);
        return o;
      }
      if (condition_function(fn))
        fail("The function is not allowed to be used this way in an expression; function: " + fn);
      if (fn == "if_not_exists" || fn == "list_append")
        fail("The function is not allowed in a condition expression; function: " + fn);
      fail("Invalid function name; function: " + fn);
    }
    if (peek().kind == Tok::value_ph) return value_operand();
    Operand o;
    o.kind = Operand::Kind::path;
    o.path = path();
    return o;
  }

  Condition condition() {
    Condition left = and_condition();
    while (is_keyword("OR")) {
      ++pos_;
      count_operator();
      Condition c;
      c.kind = Condition::Kind::or_;
      c.children.push_back(std::move(left));
      c.children.push_back(and_condition());
      left = std::move(c);
    }
    return left;
  }

  Condition and_condition() {
    Condition left = not_condition();
    while (is_keyword("AND")) {
      ++pos_;
      count_operator();
      Condition c;
      c.kind = Condition::Kind::and_;
      c.children.push_back(std::move(left));
      c.children.push_back(not_condition());
      left = std::move(c);
    }
    return left;
  }

  Condition not_condition() {
    if (is_keyword("NOT")) {
      ++pos_;
      count_operator();
      enter();
      Condition c;
      c.kind = Condition::Kind::not_;
      c.children.push_back(not_condition());
      leave();
      return c;
    }
    return primary();
  }

  Condition primary() {
    if (is_punct("(")) {
      ++pos_;
      enter();
      Condition c = condition();
      expect(")");
      leave();
      return c;
    }
    if (function_call_next() && peek().text != "size") {
      std::string fn = peek().text;
      if (!condition_function(fn)) {
        if (fn == "if_not_exists" || fn == "list_append")
          fail("The function is not allowed in a condition expression; function: " + fn);
        fail("Invalid function name; function: " + fn);
      }
      ++pos_;
      count_operator();
      Condition c;
      c.kind = Condition::Kind::function;
      c.op = fn;
      c.operands = call_args(false);
      const bool one = fn == "attribute_exists" || fn == "attribute_not_exists";
      arity(fn, c.operands, one ? 1 : 2);
      if (fn != "contains" && fn != "begins_with") needs_path(fn, c.operands[0]);
      if (fn == "attribute_type") check_type_name(c.operands[1]);
      return c;
    }
    Operand left = operand();
    Condition c;
    if (peek().kind == Tok::punct) {
      const std::string op = peek().text;
      if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") {
        ++pos_;
        count_operator();
        c.kind = Condition::Kind::compare;
        c.op = op;
        c.operands.push_back(std::move(left));
        c.operands.push_back(operand());
        return c;
      }
    }
    if (is_keyword("BETWEEN")) {
      ++pos_;
      count_operator();
      c.kind = Condition::Kind::between;
      c.op = "BETWEEN";
      c.operands.push_back(std::move(left));
      c.operands.push_back(operand());
      if (!is_keyword("AND")) syntax_error();
      ++pos_;
      c.operands.push_back(operand());
      return c;
    }
    if (is_keyword("IN")) {
      ++pos_;
      count_operator();
      c.kind = Condition::Kind::in;
      c.op = "IN";
      c.operands.push_back(std::move(left));
      expect("(");
      c.operands.push_back(operand());
      while (is_punct(",")) {
        ++pos_;
        c.operands.push_back(operand());
      }
      expect(")");
      if (c.operands.size() - 1 > ddb_limits::in_operands_max)
        fail("The IN operator has too many operands; number of operands: " +
             std::to_string(c.operands.size() - 1));
      return c;
    }
    syntax_error();
  }

  void check_type_name(const Operand& o) {
    static constexpr std::string_view names[] = {"S",  "SS",   "N",    "NS", "B",
                                                 "BS", "BOOL", "NULL", "L",  "M"};
    if (o.kind != Operand::Kind::value) return;
    std::string t = type_of(o.value) == "S" ? scalar_bytes(o.value) : "";
    for (auto n : names)
      if (n == t) return;
    fail("Invalid attribute type name found; type: " + (t.empty() ? o.placeholder : t) +
         ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
  }

  // An update-expression value: path, :value, if_not_exists(...), list_append(...).
  Operand update_operand() {
    if (function_call_next()) {
      std::string fn = peek().text;
      if (fn != "if_not_exists" && fn != "list_append") {
        if (fn == "size" || condition_function(fn))
          fail("The function is not allowed in an update expression; function: " + fn);
        fail("Invalid function name; function: " + fn);
      }
      ++pos_;
      count_operator();
      Operand o;
      o.kind = fn == "if_not_exists" ? Operand::Kind::if_not_exists : Operand::Kind::list_append;
      o.args = call_args(true);
      arity(fn, o.args, 2);
      if (fn == "if_not_exists") needs_path(fn, o.args[0]);
      if (fn == "list_append")
        for (const auto& a : o.args) typed(fn, a, {"L"});
      return o;
    }
    if (peek().kind == Tok::value_ph) return value_operand();
    Operand o;
    o.kind = Operand::Kind::path;
    o.path = path();
    return o;
  }

  Operand update_value() {
    Operand left = update_operand();
    if (is_punct("+") || is_punct("-")) {
      const std::string op = peek().text;
      ++pos_;
      count_operator();
      Operand o;
      o.kind = op == "+" ? Operand::Kind::plus : Operand::Kind::minus;
      typed(op, left, {"N"});
      o.args.push_back(std::move(left));
      o.args.push_back(update_operand());
      typed(op, o.args[1], {"N"});
      return o;
    }
    return left;
  }

  // A :value operand must have one of `tags` (known before the item is read).
  void typed(const std::string& op, const Operand& o, std::initializer_list<std::string_view> tags,
             bool operator_word = false) {
    if (o.kind != Operand::Kind::value) return;
    auto t = type_of(o.value);
    for (auto want : tags)
      if (t == want) return;
    fail(std::string("Incorrect operand type for operator or function; operator") +
         (operator_word ? "" : " or function") + ": " + op +
         ", operand type: " + std::string(long_type_name(t)));
  }

  void update(std::vector<UpdateAction>& out) {
    std::set<std::string> seen;
    if (at_end()) fail("The expression can not be empty;");
    while (!at_end()) {
      if (peek().kind != Tok::ident) syntax_error();
      std::string section = peek().text;
      for (auto& ch : section) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (section != "SET" && section != "REMOVE" && section != "ADD" && section != "DELETE")
        syntax_error();
      if (!seen.insert(section).second)
        fail("The \"" + section + "\" section can only be used once in an update expression;");
      ++pos_;
      while (true) {
        UpdateAction a;
        a.path = path();
        if (section == "SET") {
          a.kind = UpdateAction::Kind::set;
          expect("=");
          a.value = update_value();
        } else if (section == "REMOVE") {
          a.kind = UpdateAction::Kind::remove;
        } else {
          a.kind = section == "ADD" ? UpdateAction::Kind::add : UpdateAction::Kind::del;
          if (peek().kind != Tok::value_ph) syntax_error();
          a.value = value_operand();
          if (section == "ADD")
            typed("ADD", a.value, {"N", "SS", "NS", "BS"}, true);
          else
            typed("DELETE", a.value, {"SS", "NS", "BS"}, true);
        }
        count_operator();
        out.push_back(std::move(a));
        if (!is_punct(",")) break;
        ++pos_;
      }
    }
  }

  void finish() {
    if (!at_end()) syntax_error();
  }

  std::size_t pos_ = 0;

 private:
  std::string_view text_;
  std::string_view kind_;
  ExpressionContext& ctx_;
  std::vector<Token> toks_;
  std::size_t operators_ = 0;
  std::size_t depth_ = 0;
};

std::optional<std::string> size_error(std::string_view text, std::string_view kind) {
  if (text.size() <= ddb_limits::expression_bytes_max) return std::nullopt;
  return "Invalid " + std::string(kind) +
         ": Expression size has exceeded the maximum allowed size; expression size: " +
         std::to_string(text.size());
}

std::optional<std::string> empty_error(std::string_view text, std::string_view kind) {
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) return std::nullopt;
  return "Invalid " + std::string(kind) + ": The expression can not be empty;";
}

}  // namespace

std::string path_text(const Path& p) {
  std::string out = "[";
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (i) out += ", ";
    out += p[i].is_index() ? "[" + std::to_string(p[i].index) + "]" : p[i].name;
  }
  return out + "]";
}

std::optional<std::string> parse_condition(std::string_view text, std::string_view kind,
                                           ExpressionContext& ctx, Condition& out) {
  if (auto e = size_error(text, kind)) return e;
  if (auto e = empty_error(text, kind)) return e;
  Parser p(text, kind, ctx);
  try {
    out = p.condition();
    p.finish();
  } catch (const Failure& f) {
    return f.message;
  }
  return std::nullopt;
}

std::optional<std::string> parse_update(std::string_view text, ExpressionContext& ctx,
                                        std::vector<UpdateAction>& out) {
  if (auto e = size_error(text, "UpdateExpression")) return e;
  Parser p(text, "UpdateExpression", ctx);
  try {
    p.update(out);
  } catch (const Failure& f) {
    return f.message;
  }
  // Two actions on one path, or on a path and a path inside it.
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (std::size_t j = i + 1; j < out.size(); ++j) {
      const Path& a = out[i].path;
      const Path& b = out[j].path;
      std::size_t n = std::min(a.size(), b.size());
      bool prefix = true;
      for (std::size_t k = 0; k < n && prefix; ++k)
        prefix = a[k].name == b[k].name && a[k].index == b[k].index;
      if (prefix)
        return "Invalid UpdateExpression: Two document paths overlap with each other; must "
               "remove or rewrite one of these paths; path one: " +
               path_text(a) + ", path two: " + path_text(b);
    }
  }
  return std::nullopt;
}

std::optional<std::string> parse_projection(std::string_view text, ExpressionContext& ctx,
                                            std::vector<Path>& out) {
  if (auto e = size_error(text, "ProjectionExpression")) return e;
  if (auto e = empty_error(text, "ProjectionExpression")) return e;
  Parser p(text, "ProjectionExpression", ctx);
  try {
    out.push_back(p.path());
    while (p.is_punct(",")) {
      ++p.pos_;
      out.push_back(p.path());
    }
    p.finish();
  } catch (const Failure& f) {
    return f.message;
  }
  return std::nullopt;
}

std::optional<std::string> unused_placeholders(const ExpressionContext& ctx) {
  auto unused = [](const json::object* map, const std::set<std::string>& used) {
    std::string keys;
    if (map == nullptr) return keys;
    for (const auto& kv : *map) {
      if (used.count(std::string(kv.key()))) continue;
      keys += (keys.empty() ? "" : ", ") + std::string(kv.key());
    }
    return keys;
  };
  if (auto k = unused(ctx.values, ctx.used_values); !k.empty())
    return "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + k + "}";
  if (auto k = unused(ctx.names, ctx.used_names); !k.empty())
    return "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + k + "}";
  return std::nullopt;
}

std::optional<std::string> check_placeholders(json::object* names, json::object* values) {
  auto key_ok = [](std::string_view k, char lead) {
    if (k.size() < 2 || k[0] != lead) return false;
    for (char c : k.substr(1))
      if (!ident_char(c)) return false;
    return true;
  };
  if (names) {
    if (names->empty()) return "ExpressionAttributeNames must not be empty";
    for (auto& kv : *names) {
      if (!key_ok(kv.key(), '#'))
        return "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
               std::string(kv.key()) + "\"";
      if (!kv.value().is_string() || kv.value().get_string().empty())
        return "ExpressionAttributeNames contains invalid value: Empty attribute name; key: " +
               std::string(kv.key());
    }
  }
  if (values) {
    if (values->empty()) return "ExpressionAttributeValues must not be empty";
    for (auto& kv : *values) {
      if (!key_ok(kv.key(), ':'))
        return "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" +
               std::string(kv.key()) + "\"";
      if (auto e = check_value(kv.value()))
        return "ExpressionAttributeValues contains invalid value: " + *e + " for key " +
               std::string(kv.key());
    }
  }
  return std::nullopt;
}

}  // namespace stepwise::services::dynamodb
