// JSONata tokenizer and Pratt parser, following the reference parser's structure so that
// error codes and positions match it. The parser's raw tree is then rewritten by the AST
// post-processing in parser_process.cpp (the reference's processAST).
#include <re2/re2.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "jsonata/internal.h"

namespace stepwise::jsonata {

namespace {

int binding_power(std::string_view op) {
  static const std::map<std::string, int, std::less<>> bp = {
      {".", 75},   {"[", 80},  {"]", 0},   {"{", 70},  {"}", 0},   {"(", 80},
      {")", 0},    {",", 0},   {"@", 80},  {"#", 80},  {";", 80},  {":", 80},
      {"?", 20},   {"+", 50},  {"-", 50},  {"*", 60},  {"/", 60},  {"%", 60},
      {"|", 20},   {"=", 40},  {"<", 40},  {">", 40},  {"^", 40},  {"**", 60},
      {"..", 20},  {":=", 10}, {"!=", 40}, {"<=", 40}, {">=", 40}, {"~>", 40},
      {"and", 30}, {"or", 25}, {"in", 40}, {"&", 50},  {"??", 40}, {"?:", 40}};
  auto it = bp.find(op);
  return it == bp.end() ? -1 : it->second;
}

bool is_single_op(char c) {
  return std::string_view(".[]{}(),@#;:?+-*/%|=<>^&!~").find(c) != std::string_view::npos;
}

struct Token {
  std::string type;  // name, variable, operator, string, number, value, regex, end
  std::string value;
  double number = 0;
  Value literal;
  std::shared_ptr<re2::RE2> regex;
  int position = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : src_(s) {}

  std::optional<Token> next(bool prefix) {
    skip_space_and_comments();
    if (pos_ >= src_.size()) return std::nullopt;
    char c = src_[pos_];
    if (!prefix && c == '/') {
      ++pos_;
      return scan_regex();
    }
    static const char* doubles[] = {"..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"};
    for (const char* d : doubles) {
      if (src_.substr(pos_, 2) == d) {
        pos_ += 2;
        return make("operator", d);
      }
    }
    if (is_single_op(c)) {
      ++pos_;
      return make("operator", std::string(1, c));
    }
    if (c == '"' || c == '\'') return scan_string(c);
    if (auto num = scan_number()) return num;
    if (c == '`') {
      ++pos_;
      size_t end = src_.find('`', pos_);
      if (end == std::string_view::npos) {
        pos_ = src_.size();
        fail("S0105", static_cast<int>(pos_));
      }
      std::string name(src_.substr(pos_, end - pos_));
      pos_ = end + 1;
      return make("name", name);
    }
    return scan_name();
  }

 private:
  std::string_view src_;
  size_t pos_ = 0;

  Token make(std::string type, std::string value) {
    Token t;
    t.type = std::move(type);
    t.value = std::move(value);
    t.position = static_cast<int>(pos_);
    return t;
  }

  void skip_space_and_comments() {
    for (;;) {
      while (pos_ < src_.size() &&
             std::string_view(" \t\n\r\v").find(src_[pos_]) != std::string_view::npos)
        ++pos_;
      if (src_.substr(pos_, 2) == "/*") {
        size_t end = src_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) {
          int start = static_cast<int>(pos_);
          pos_ = src_.size();
          fail("S0106", start);
        }
        pos_ = end + 2;
        continue;
      }
      return;
    }
  }

  bool closing_slash(size_t p, int depth) const {
    if (src_[p] != '/' || depth != 0) return false;
    size_t backslashes = 0;
    while (p >= backslashes + 1 && src_[p - backslashes - 1] == '\\') ++backslashes;
    return backslashes % 2 == 0;
  }

  Token scan_regex() {
    size_t start = pos_;
    int depth = 0;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (closing_slash(pos_, depth)) {
        std::string pattern(src_.substr(start, pos_ - start));
        if (pattern.empty()) fail("S0301", static_cast<int>(pos_));
        ++pos_;
        std::string flags;
        while (pos_ < src_.size() && (src_[pos_] == 'i' || src_[pos_] == 'm'))
          flags += src_[pos_++];
        Token t = make("regex", pattern);
        re2::RE2::Options opts;
        opts.set_log_errors(false);
        opts.set_case_sensitive(flags.find('i') == std::string::npos);
        std::string translated = flags.find('m') != std::string::npos ? "(?m)" + pattern : pattern;
        t.regex = std::make_shared<re2::RE2>(translated, opts);
        if (!t.regex->ok()) fail("S0302", static_cast<int>(pos_));
        return t;
      }
      bool escaped = pos_ > 0 && src_[pos_ - 1] == '\\';
      if ((c == '(' || c == '[' || c == '{') && !escaped) ++depth;
      if ((c == ')' || c == ']' || c == '}') && !escaped) --depth;
      ++pos_;
    }
    fail("S0302", static_cast<int>(pos_));
  }

  static int hex4(std::string_view s) {
    if (s.size() < 4) return -1;
    int v = 0;
    for (size_t i = 0; i < 4; ++i) {
      char c = s[i];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }

  Token scan_string(char quote) {
    ++pos_;
    std::string out;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '\\') {
        ++pos_;
        char e = pos_ < src_.size() ? src_[pos_] : '\0';
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            int cp = hex4(src_.substr(pos_ + 1));
            if (cp < 0) fail("S0104", static_cast<int>(pos_));
            pos_ += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && src_.substr(pos_ + 1, 2) == "\\u") {
              int lo = hex4(src_.substr(pos_ + 3));
              if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                pos_ += 6;
              }
            }
            append_utf8(out, static_cast<char32_t>(cp));
            break;
          }
          default: {
            JError err{"S0103", static_cast<int>(pos_)};
            err.token = std::string(1, e);
            err.has_token = true;
            throw err;
          }
        }
      } else if (c == quote) {
        ++pos_;
        return make("string", out);
      } else {
        out += c;
      }
      ++pos_;
    }
    fail("S0101", static_cast<int>(pos_));
  }

  std::optional<Token> scan_number() {
    size_t p = pos_;
    auto digit = [&](size_t i) { return i < src_.size() && src_[i] >= '0' && src_[i] <= '9'; };
    if (p < src_.size() && src_[p] == '-') ++p;
    if (!digit(p)) return std::nullopt;
    if (src_[p] == '0') {
      ++p;
    } else {
      while (digit(p)) ++p;
    }
    if (p < src_.size() && src_[p] == '.' && digit(p + 1)) {
      ++p;
      while (digit(p)) ++p;
    }
    if (p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
      size_t q = p + 1;
      if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
      if (digit(q)) {
        while (digit(q)) ++q;
        p = q;
      }
    }
    std::string text(src_.substr(pos_, p - pos_));
    double d = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(d)) {
      JError err{"S0102", static_cast<int>(pos_)};
      err.token = text;
      err.has_token = true;
      throw err;
    }
    pos_ = p;
    Token t = make("number", text);
    t.number = d;
    return t;
  }

  std::optional<Token> scan_name() {
    size_t i = pos_;
    while (i < src_.size() &&
           std::string_view(" \t\n\r\v").find(src_[i]) == std::string_view::npos &&
           !is_single_op(src_[i]))
      ++i;
    if (src_[pos_] == '$') {
      std::string name(src_.substr(pos_ + 1, i - pos_ - 1));
      pos_ = i;
      return make("variable", name);
    }
    std::string name(src_.substr(pos_, i - pos_));
    pos_ = i;
    if (name == "and" || name == "or" || name == "in") return make("operator", name);
    if (name == "true" || name == "false" || name == "null") {
      Token t = make("value", name);
      t.literal = name == "null" ? Value::null() : Value::boolean(name == "true");
      return t;
    }
    if (pos_ == src_.size() && name.empty()) return std::nullopt;
    return make("name", name);
  }
};

class Parser {
 public:
  Parser(std::string_view text, Ast& ast) : text_(text), lexer_(text), ast_(ast) {}

  Node* run() {
    advance("", false);
    Node* expr = expression(0);
    if (node_->id != "(end)") syntax_error("S0201", node_);
    return expr;
  }

 private:
  std::string_view text_;
  Lexer lexer_;
  Ast& ast_;
  Node* node_ = nullptr;
  int depth_ = 0;

  [[noreturn]] void syntax_error(const char* code, const Node* at, std::string value = "") {
    JError err{code, at->position};
    err.token = at->value;
    err.has_token = true;
    if (!value.empty()) err.value = Value::string(value);
    throw err;
  }

  Node* advance(const std::string& id, bool infix) {
    if (!id.empty() && node_->id != id) {
      syntax_error(node_->id == "(end)" ? "S0203" : "S0202", node_, id);
    }
    auto tok = lexer_.next(infix);
    Node* n = ast_.make();
    if (!tok) {
      n->id = "(end)";
      n->type = NodeType::kEnd;
      n->position = static_cast<int>(text_.size());
      n->value = "(end)";
      node_ = n;
      return n;
    }
    n->value = tok->value;
    n->position = tok->position;
    if (tok->type == "name" || tok->type == "variable") {
      n->id = "(name)";
      n->type = tok->type == "name" ? NodeType::kName : NodeType::kVariable;
    } else if (tok->type == "operator") {
      n->id = tok->value;
      n->type = NodeType::kOperator;
      n->lbp = binding_power(tok->value);
      if (n->lbp < 0) syntax_error("S0204", n);
      // Separators and prefix-only symbols never bind to a left operand.
      static const std::string_view unbound[] = {":", ";", ",", ")", "]", "}", "..", "|"};
      for (auto u : unbound)
        if (tok->value == u) n->lbp = 0;
    } else if (tok->type == "regex") {
      n->id = "(regex)";
      n->type = NodeType::kRegex;
      n->regex = tok->regex;
      n->regex_source = tok->value;
    } else {
      n->id = "(literal)";
      if (tok->type == "string") n->type = NodeType::kString;
      if (tok->type == "number") {
        n->type = NodeType::kNumber;
        n->number = tok->number;
      }
      if (tok->type == "value") {
        n->type = NodeType::kValue;
        n->literal = tok->literal;
      }
    }
    node_ = n;
    return n;
  }

  Node* expression(int rbp) {
    if (++depth_ > parse_depth_max) fail("S0220", node_->position);
    Node* t = node_;
    advance("", true);
    Node* left = nud(t);
    while (rbp < node_->lbp) {
      t = node_;
      advance("", false);
      left = led(t, left);
    }
    --depth_;
    return left;
  }

  Node* nud(Node* t) {
    if (t->id == "(name)" || t->id == "(literal)" || t->id == "(regex)" || t->id == "(end)")
      return t;
    if (t->id == "and" || t->id == "or" || t->id == "in") return t;
    if (t->id == "-") {
      t->expression = expression(70);
      t->type = NodeType::kUnary;
      return t;
    }
    if (t->id == "*") {
      t->type = NodeType::kWildcard;
      return t;
    }
    if (t->id == "**") {
      t->type = NodeType::kDescendant;
      return t;
    }
    if (t->id == "%") {
      t->type = NodeType::kParent;
      return t;
    }
    if (t->id == "(") return block(t);
    if (t->id == "[") return array_constructor(t);
    if (t->id == "{") return object_parser(t, nullptr);
    if (t->id == "|") return transform(t);
    if (t->id == "?") return t;  // partial-application placeholder, validated later
    syntax_error("S0211", t);
  }

  Node* led(Node* t, Node* left) {
    const std::string& id = t->id;
    if (id == "(") return call(t, left);
    if (id == "[") return filter(t, left);
    if (id == "^") return order_by(t, left);
    if (id == "{") return object_parser(t, left);
    if (id == ":=") {
      if (left->type != NodeType::kVariable) syntax_error("S0212", left);
      t->lhs = left;
      t->rhs = expression(binding_power(":=") - 1);
      t->type = NodeType::kBinary;
      return t;
    }
    if (id == "@" || id == "#") {
      t->lhs = left;
      t->rhs = expression(binding_power(id));
      if (t->rhs->type != NodeType::kVariable) {
        JError err{"S0214", t->rhs->position};
        err.token = id;
        err.has_token = true;
        throw err;
      }
      t->type = NodeType::kBinary;
      return t;
    }
    if (id == "?") {
      t->type = NodeType::kCondition;
      t->condition = left;
      t->then = expression(0);
      if (node_->id == ":") {
        advance(":", false);
        t->otherwise = expression(0);
      }
      return t;
    }
    static const std::string_view infixes[] = {".",  "+",  "-",  "*", "/",   "%",  "=",  "<", ">",
                                               "!=", "<=", ">=", "&", "and", "or", "in", "~>"};
    for (auto op : infixes) {
      if (id == op) {
        t->lhs = left;
        t->rhs = expression(binding_power(id));
        t->type = NodeType::kBinary;
        return t;
      }
    }
    syntax_error("S0201", t);
  }

  Node* call(Node* t, Node* left) {
    t->procedure = left;
    t->type = NodeType::kFunction;
    if (node_->id != ")") {
      for (;;) {
        if (node_->type == NodeType::kOperator && node_->id == "?") {
          t->type = NodeType::kPartial;
          t->arguments.push_back(node_);
          advance("?", false);
        } else {
          t->arguments.push_back(expression(0));
        }
        if (node_->id != ",") break;
        advance(",", false);
      }
    }
    advance(")", true);
    if (left->type == NodeType::kName && (left->value == "function" || left->value == "\u03BB")) {
      return lambda(t);
    }
    return t;
  }

  Node* lambda(Node* t) {
    for (size_t i = 0; i < t->arguments.size(); ++i) {
      Node* arg = t->arguments[i];
      if (arg->type != NodeType::kVariable) {
        JError err{"S0208", arg->position};
        err.token = arg->value;
        err.has_token = true;
        err.value = Value::number(static_cast<double>(i + 1));
        throw err;
      }
      t->params.push_back(arg->value);
    }
    t->type = NodeType::kLambda;
    if (node_->id == "<") {
      int sig_pos = node_->position;
      int depth = 1;
      std::string sig = "<";
      while (depth > 0 && node_->id != "{" && node_->id != "(end)") {
        Node* tok = advance("", false);
        if (tok->id == ">")
          --depth;
        else if (tok->id == "<")
          ++depth;
        sig += tok->value;
      }
      advance(">", false);
      try {
        t->signature = parse_signature(sig);
      } catch (JError& err) {
        err.position = sig_pos + std::max(err.position, 0);
        throw;
      }
    }
    advance("{", false);
    t->body = expression(0);
    advance("}", false);
    return t;
  }

  Node* block(Node* t) {
    while (node_->id != ")") {
      t->expressions.push_back(expression(0));
      if (node_->id != ";") break;
      advance(";", false);
    }
    advance(")", true);
    t->type = NodeType::kBlock;
    return t;
  }

  Node* array_constructor(Node* t) {
    if (node_->id != "]") {
      for (;;) {
        Node* item = expression(0);
        if (node_->id == "..") {
          Node* range = ast_.make();
          range->type = NodeType::kBinary;
          range->value = "..";
          range->position = node_->position;
          range->lhs = item;
          advance("..", false);
          range->rhs = expression(0);
          item = range;
        }
        t->expressions.push_back(item);
        if (node_->id != ",") break;
        advance(",", false);
      }
    }
    advance("]", true);
    t->type = NodeType::kUnary;
    return t;
  }

  Node* filter(Node* t, Node* left) {
    if (node_->id == "]") {
      Node* step = left;
      while (step && step->type == NodeType::kBinary && step->value == "[") step = step->lhs;
      step->keep_array = true;
      advance("]", false);
      return left;
    }
    t->lhs = left;
    t->rhs = expression(binding_power("]"));
    t->type = NodeType::kBinary;
    advance("]", true);
    return t;
  }

  Node* order_by(Node* t, Node* left) {
    advance("(", false);
    for (;;) {
      SortTerm term;
      if (node_->id == "<") {
        advance("<", false);
      } else if (node_->id == ">") {
        term.descending = true;
        advance(">", false);
      }
      term.expr = expression(0);
      t->terms.push_back(term);
      if (node_->id != ",") break;
      advance(",", false);
    }
    advance(")", false);
    t->lhs = left;
    t->type = NodeType::kBinary;
    return t;
  }

  Node* object_parser(Node* t, Node* left) {
    if (node_->id != "}") {
      for (;;) {
        Node* n = expression(0);
        advance(":", false);
        Node* v = expression(0);
        t->pairs.emplace_back(n, v);
        if (node_->id != ",") break;
        advance(",", false);
      }
    }
    advance("}", true);
    t->type = left ? NodeType::kBinary : NodeType::kUnary;
    t->lhs = left;
    return t;
  }

  Node* transform(Node* t) {
    t->type = NodeType::kTransform;
    t->pattern = expression(0);
    advance("|", false);
    t->update = expression(0);
    if (node_->id == ",") {
      advance(",", false);
      t->remove = expression(0);
    }
    advance("|", false);
    return t;
  }
};

}  // namespace

void parse(std::string_view text, Ast& ast) {
  Parser parser(text, ast);
  Node* raw = parser.run();
  ast.root = process_ast(raw, ast);
}

}  // namespace stepwise::jsonata
