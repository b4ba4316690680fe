// JSONata tokenizer, Pratt parser and AST post-processing (paths, stages, ancestry), following
// the reference parser's structure so that error codes and positions match it.
#include <re2/re2.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "jsonata/internal.h"

namespace stepwise::jsonata {
namespace {

// Deeper nesting than this is rejected rather than recursed into (hostile input).
constexpr int parse_depth_max = 400;

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

// ---- AST post-processing (the reference's processAST) ----

class Processor {
 public:
  explicit Processor(Ast& ast) : ast_(ast) {}

  Node* process(Node* expr) {
    if (++depth_ > parse_depth_max) fail("S0220", expr->position);
    Node* result = process_inner(expr);
    if (expr->keep_array) result->keep_array = true;
    --depth_;
    return result;
  }

 private:
  Ast& ast_;
  int depth_ = 0;
  int ancestor_label_ = 0;
  int ancestor_index_ = 0;
  std::vector<Node*> ancestry_;

  Node* make(NodeType type, int position) {
    Node* n = ast_.make();
    n->type = type;
    n->position = position;
    return n;
  }

  static void push_ancestry(Node* result, Node* value) {
    if (value->has_seeking_parent || value->type == NodeType::kParent) {
      std::vector<std::shared_ptr<Slot>> slots = value->seeking_parent;
      if (value->type == NodeType::kParent) slots.push_back(value->slot);
      result->seeking_parent.insert(result->seeking_parent.end(), slots.begin(), slots.end());
      result->has_seeking_parent = true;
    }
  }

  std::shared_ptr<Slot> seek_parent(Node* node, std::shared_ptr<Slot> slot) {
    switch (node->type) {
      case NodeType::kName:
      case NodeType::kWildcard:
        slot->level--;
        if (slot->level == 0) {
          if (!node->ancestor) {
            node->ancestor = slot;
          } else {
            ancestry_[slot->index]->slot->label = node->ancestor->label;
            node->ancestor = slot;
          }
          node->tuple = true;
        }
        break;
      case NodeType::kParent:
        slot->level++;
        break;
      case NodeType::kBlock:
        if (!node->expressions.empty()) {
          node->tuple = true;
          slot = seek_parent(node->expressions.back(), slot);
        }
        break;
      case NodeType::kPath: {
        node->tuple = true;
        int index = static_cast<int>(node->expressions.size()) - 1;
        slot = seek_parent(node->expressions[index--], slot);
        while (slot->level > 0 && index >= 0) slot = seek_parent(node->expressions[index--], slot);
        break;
      }
      default: {
        JError err{"S0217", node->position};
        err.token = type_name(node->type);
        err.has_token = true;
        throw err;
      }
    }
    return slot;
  }

  static std::string type_name(NodeType t) {
    switch (t) {
      case NodeType::kBinary:
        return "binary";
      case NodeType::kUnary:
        return "unary";
      case NodeType::kFunction:
        return "function";
      case NodeType::kString:
        return "string";
      case NodeType::kNumber:
        return "number";
      case NodeType::kVariable:
        return "variable";
      case NodeType::kCondition:
        return "condition";
      case NodeType::kParent:
        return "parent";
      case NodeType::kLambda:
        return "lambda";
      default:
        return "expression";
    }
  }

  void resolve_ancestry(Node* path) {
    auto& steps = path->expressions;
    Node* last = steps.back();
    std::vector<std::shared_ptr<Slot>> slots = last->seeking_parent;
    if (last->type == NodeType::kParent) slots.push_back(last->slot);
    for (auto slot : slots) {
      int index = static_cast<int>(steps.size()) - 2;
      while (slot->level > 0) {
        if (index < 0) {
          path->seeking_parent.push_back(slot);
          path->has_seeking_parent = true;
          break;
        }
        Node* step = steps[index--];
        while (index >= 0 && step->has_focus && steps[index]->has_focus) step = steps[index--];
        slot = seek_parent(step, slot);
      }
    }
  }

  Node* process_inner(Node* expr) {
    switch (expr->type) {
      case NodeType::kBinary:
        return process_binary(expr);
      case NodeType::kUnary:
        return process_unary(expr);
      case NodeType::kFunction:
      case NodeType::kPartial: {
        for (auto& arg : expr->arguments) {
          arg = process(arg);
          push_ancestry(expr, arg);
        }
        expr->procedure = process(expr->procedure);
        return expr;
      }
      case NodeType::kLambda: {
        expr->body = process(expr->body);
        return expr;
      }
      case NodeType::kCondition: {
        expr->condition = process(expr->condition);
        push_ancestry(expr, expr->condition);
        expr->then = process(expr->then);
        push_ancestry(expr, expr->then);
        if (expr->otherwise) {
          expr->otherwise = process(expr->otherwise);
          push_ancestry(expr, expr->otherwise);
        }
        return expr;
      }
      case NodeType::kTransform: {
        expr->pattern = process(expr->pattern);
        expr->update = process(expr->update);
        if (expr->remove) expr->remove = process(expr->remove);
        return expr;
      }
      case NodeType::kBlock: {
        for (auto& e : expr->expressions) {
          e = process(e);
          push_ancestry(expr, e);
          if (e->consarray || (e->type == NodeType::kPath && e->expressions[0]->consarray))
            expr->consarray = true;
        }
        return expr;
      }
      case NodeType::kName: {
        Node* path = make(NodeType::kPath, expr->position);
        path->expressions.push_back(expr);
        if (expr->keep_array) path->keep_singleton_array = true;
        return path;
      }
      case NodeType::kParent: {
        expr->slot = std::make_shared<Slot>();
        expr->slot->label = "!" + std::to_string(ancestor_label_++);
        expr->slot->index = ancestor_index_++;
        ancestry_.push_back(expr);
        return expr;
      }
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kValue:
      case NodeType::kWildcard:
      case NodeType::kDescendant:
      case NodeType::kVariable:
      case NodeType::kRegex:
        return expr;
      case NodeType::kOperator: {
        if (expr->value == "and" || expr->value == "or" || expr->value == "in") {
          expr->type = NodeType::kName;
          return process(expr);
        }
        if (expr->value == "?") return expr;
        JError err{"S0201", expr->position};
        err.token = expr->value;
        err.has_token = true;
        throw err;
      }
      default: {
        JError err{expr->id == "(end)" ? "S0207" : "S0206", expr->position};
        err.token = expr->value;
        err.has_token = true;
        throw err;
      }
    }
  }

  Node* process_binary(Node* expr) {
    const std::string& op = expr->id.empty() ? expr->value : expr->id;
    if (op == ".") return process_path(expr);
    if (op == "[") return process_filter(expr);
    if (op == "{") return process_group(expr);
    if (op == "^") return process_sort(expr);
    if (op == ":=") {
      Node* bind = make(NodeType::kBind, expr->position);
      bind->value = ":=";
      bind->lhs = process(expr->lhs);
      bind->rhs = process(expr->rhs);
      push_ancestry(bind, bind->rhs);
      return bind;
    }
    if (op == "@") return process_focus(expr);
    if (op == "#") return process_index(expr);
    if (op == "~>") {
      Node* apply = make(NodeType::kApply, expr->position);
      apply->value = "~>";
      apply->lhs = process(expr->lhs);
      apply->rhs = process(expr->rhs);
      apply->keep_array = apply->lhs->keep_array || apply->rhs->keep_array;
      return apply;
    }
    Node* result = make(NodeType::kBinary, expr->position);
    result->value = op;
    result->lhs = process(expr->lhs);
    result->rhs = process(expr->rhs);
    push_ancestry(result, result->lhs);
    push_ancestry(result, result->rhs);
    return result;
  }

  Node* process_path(Node* expr) {
    Node* lstep = process(expr->lhs);
    Node* result;
    if (lstep->type == NodeType::kPath) {
      result = lstep;
    } else {
      result = make(NodeType::kPath, expr->position);
      result->expressions.push_back(lstep);
    }
    if (lstep->type == NodeType::kParent) {
      result->seeking_parent = {lstep->slot};
      result->has_seeking_parent = true;
    }
    Node* rest = process(expr->rhs);
    if (rest->type == NodeType::kPath) {
      result->expressions.insert(result->expressions.end(), rest->expressions.begin(),
                                 rest->expressions.end());
    } else {
      if (!rest->predicate.empty()) {
        rest->stages = std::move(rest->predicate);
        rest->predicate.clear();
      }
      result->expressions.push_back(rest);
    }
    for (Node* step : result->expressions) {
      if (step->type == NodeType::kNumber || step->type == NodeType::kValue) {
        JError err{"S0213", step->position};
        err.value = step->type == NodeType::kNumber ? Value::number(step->number) : step->literal;
        err.token = step->value;
        err.has_token = true;
        throw err;
      }
      if (step->type == NodeType::kString) step->type = NodeType::kName;
    }
    for (Node* step : result->expressions)
      if (step->keep_array) result->keep_singleton_array = true;
    Node* first = result->expressions.front();
    if (first->type == NodeType::kUnary && first->value == "[") first->consarray = true;
    Node* last = result->expressions.back();
    if (last->type == NodeType::kUnary && last->value == "[") last->consarray = true;
    resolve_ancestry(result);
    return result;
  }

  Node* process_filter(Node* expr) {
    Node* result = process(expr->lhs);
    Node* step = result;
    bool stages = false;
    if (result->type == NodeType::kPath) {
      step = result->expressions.back();
      stages = true;
    }
    if (step->group) fail("S0209", expr->position);
    Node* predicate = process(expr->rhs);
    if (predicate->has_seeking_parent) {
      for (auto& slot : predicate->seeking_parent) {
        if (slot->level == 1) {
          seek_parent(step, slot);
        } else {
          slot->level--;
        }
      }
      push_ancestry(step, predicate);
    }
    Stage stage;
    stage.expr = predicate;
    stage.position = expr->position;
    (stages ? step->stages : step->predicate).push_back(stage);
    return result;
  }

  Node* process_group(Node* expr) {
    Node* result = process(expr->lhs);
    if (result->group) fail("S0210", expr->position);
    GroupBy group;
    group.position = expr->position;
    for (auto& [k, v] : expr->pairs) group.pairs.emplace_back(process(k), process(v));
    result->group = std::move(group);
    return result;
  }

  Node* process_sort(Node* expr) {
    Node* result = process(expr->lhs);
    if (result->type != NodeType::kPath) {
      Node* path = make(NodeType::kPath, expr->position);
      path->expressions.push_back(result);
      result = path;
    }
    Node* sort = make(NodeType::kSort, expr->position);
    for (auto& term : expr->terms) {
      SortTerm t;
      t.descending = term.descending;
      t.expr = process(term.expr);
      push_ancestry(sort, t.expr);
      sort->terms.push_back(t);
    }
    result->expressions.push_back(sort);
    resolve_ancestry(result);
    return result;
  }

  Node* process_focus(Node* expr) {
    Node* result = process(expr->lhs);
    Node* step = result;
    if (result->type == NodeType::kPath) step = result->expressions.back();
    if (!step->stages.empty() || !step->predicate.empty()) fail("S0215", expr->position);
    if (step->type == NodeType::kSort) fail("S0216", expr->position);
    if (expr->keep_array) step->keep_array = true;
    step->focus = expr->rhs->value;
    step->has_focus = true;
    step->tuple = true;
    return result;
  }

  Node* process_index(Node* expr) {
    Node* result = process(expr->lhs);
    Node* step = result;
    if (result->type == NodeType::kPath) {
      step = result->expressions.back();
    } else {
      result = make(NodeType::kPath, expr->position);
      result->expressions.push_back(step);
      if (!step->predicate.empty()) {
        step->stages = std::move(step->predicate);
        step->predicate.clear();
      }
    }
    if (step->stages.empty()) {
      step->index = expr->rhs->value;
      step->has_index = true;
    } else {
      Stage stage;
      stage.is_index = true;
      stage.index_var = expr->rhs->value;
      stage.position = expr->position;
      step->stages.push_back(stage);
    }
    step->tuple = true;
    return result;
  }

  Node* process_unary(Node* expr) {
    if (expr->value == "[") {
      for (auto& e : expr->expressions) {
        e = process(e);
        push_ancestry(expr, e);
      }
      return expr;
    }
    if (expr->value == "{") {
      for (auto& [k, v] : expr->pairs) {
        k = process(k);
        push_ancestry(expr, k);
        v = process(v);
        push_ancestry(expr, v);
      }
      return expr;
    }
    expr->expression = process(expr->expression);
    if (expr->value == "-" && expr->expression->type == NodeType::kNumber) {
      Node* num = expr->expression;
      num->number = -num->number;
      return num;
    }
    push_ancestry(expr, expr->expression);
    return expr;
  }

 public:
  Node* make_thunks(Node* expr) {
    if (expr->type == NodeType::kFunction && expr->predicate.empty() && !expr->group) {
      Node* thunk = make(NodeType::kLambda, expr->position);
      thunk->thunk = true;
      thunk->body = expr;
      return thunk;
    }
    if (expr->type == NodeType::kCondition) {
      expr->then = make_thunks(expr->then);
      if (expr->otherwise) expr->otherwise = make_thunks(expr->otherwise);
    } else if (expr->type == NodeType::kBlock && !expr->expressions.empty()) {
      expr->expressions.back() = make_thunks(expr->expressions.back());
    }
    return expr;
  }
};

}  // namespace

void parse(std::string_view text, Ast& ast) {
  Parser parser(text, ast);
  Node* raw = parser.run();
  Processor proc(ast);
  Node* root = proc.process(raw);
  // Tail-call thunks are introduced after processing so the lambda bodies are final.
  const std::size_t count = ast.nodes.size();
  for (std::size_t i = 0; i < count; ++i) {
    Node* n = ast.nodes[i].get();
    if (n->type == NodeType::kLambda && !n->thunk && n->body) n->body = proc.make_thunks(n->body);
  }
  if (root->type == NodeType::kParent || root->has_seeking_parent) {
    JError err{"S0217", root->position};
    err.token = root->type == NodeType::kParent ? "parent" : "path";
    err.has_token = true;
    throw err;
  }
  ast.root = root;
}

}  // namespace stepwise::jsonata
