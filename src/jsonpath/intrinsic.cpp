// Intrinsic call parsing and evaluation. Grammar:
//   call := NAME '(' [arg (',' arg)*] ')'      NAME := [A-Za-z0-9._]+
//   arg  := 'string' | number | null | true | false | path | call
// In strings, \' \{ \} \\ are the only escapes; any other backslash makes the call invalid (AWS
// rejects such definitions). Nesting is bounded by limits::intrinsic_nesting_max.
#include <cctype>
#include <cstdlib>

#include "base/limits.h"
#include "jsonpath/intrinsic_ast.h"

namespace stepwise::jsonpath {

struct Intrinsic::Impl {
  std::string text;
  std::shared_ptr<const detail::Call> call;
};

namespace detail {
namespace {

class CallParser {
 public:
  explicit CallParser(std::string_view s) : s_(s) {}

  Result<std::shared_ptr<const Call>> parse() {
    skip_ws();
    auto call = parse_call(1);
    if (call == nullptr) return fail();
    skip_ws();
    if (pos_ != s_.size()) return fail("unexpected text after the call");
    return std::shared_ptr<const Call>(std::move(call));
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;

  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  // Records the first problem; the nullptr / false forms end a parse step in one statement.
  bool reject(std::string msg) {
    set_error(std::move(msg));
    return false;
  }
  std::nullptr_t set_error(std::string msg) {
    if (error_.empty()) error_ = std::move(msg);
    return nullptr;
  }
  Error fail(std::string msg = "") {
    if (!msg.empty()) set_error(std::move(msg));
    return Error{"Intrinsic.Invalid",
                 "Invalid intrinsic function call '" + std::string(s_) + "': " + error_};
  }

  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
  }

  std::unique_ptr<Call> parse_call(std::size_t depth) {
    if (depth > limits::intrinsic_nesting_max) return set_error("too many nested calls");
    std::size_t start = pos_;
    while (name_char(peek())) ++pos_;
    auto call = std::make_unique<Call>();
    call->name = std::string(s_.substr(start, pos_ - start));
    if (!find_function(call->name, call->fn))
      return set_error("unknown function '" + call->name + "'");
    skip_ws();
    if (peek() != '(') return set_error("expected '('");
    ++pos_;
    skip_ws();
    if (peek() == ')') {
      ++pos_;
    } else if (!parse_args(*call, depth)) {
      return nullptr;
    }
    std::string problem = check_call(*call);
    if (!problem.empty()) return set_error(problem);
    return call;
  }

  bool parse_args(Call& call, std::size_t depth) {
    while (true) {
      skip_ws();
      Arg arg;
      if (!parse_arg(arg, depth)) return false;
      call.args.push_back(std::move(arg));
      skip_ws();
      if (peek() == ')') {
        ++pos_;
        return true;
      }
      if (peek() != ',') return reject("expected ',' or ')'");
      ++pos_;
    }
  }

  bool parse_arg(Arg& arg, std::size_t depth) {
    char c = peek();
    if (c == '\'') return parse_string(arg);
    if (c == '$') return parse_path_arg(arg);
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return parse_number(arg);
    for (const char* word : {"null", "true", "false"}) {
      std::string_view w(word);
      if (s_.substr(pos_).starts_with(w) &&
          !name_char(pos_ + w.size() < s_.size() ? s_[pos_ + w.size()] : '\0')) {
        pos_ += w.size();
        arg.literal = w == "null" ? json::value(nullptr) : json::value(w == "true");
        return true;
      }
    }
    if (name_char(c)) {
      auto call = parse_call(depth + 1);
      if (call == nullptr) return false;
      arg.kind = Arg::Kind::kCall;
      arg.call = std::move(call);
      return true;
    }
    return reject("unexpected character '" + std::string(1, c) + "'");
  }

  bool parse_string(Arg& arg) {
    ++pos_;  // opening quote
    std::string value, raw;
    while (pos_ < s_.size() && s_[pos_] != '\'') {
      char c = s_[pos_++];
      raw += c;
      if (c == '\\') {
        char e = peek();
        if (e != '\'' && e != '{' && e != '}' && e != '\\') return reject("illegal escape");
        raw += e;
        ++pos_;
        c = e;
      }
      value += c;
    }
    if (pos_ >= s_.size()) return reject("unterminated string");
    ++pos_;
    arg.literal = json::string(value);
    arg.raw = std::move(raw);
    arg.is_string_literal = true;
    return true;
  }

  // A path runs to the first ',' or ')' outside brackets and quotes.
  bool parse_path_arg(Arg& arg) {
    std::size_t start = pos_;
    int depth = 0;
    char quote = 0;
    for (; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (quote != 0) {
        if (c == '\\')
          ++pos_;
        else if (c == quote)
          quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '[' || c == '(') {
        ++depth;
      } else if (c == ']' || (c == ')' && depth > 0)) {
        --depth;
      } else if (depth == 0 && (c == ',' || c == ')')) {
        break;
      }
    }
    std::string_view text = s_.substr(start, pos_ - start);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
      text.remove_suffix(1);
    auto p = Path::compile(text, PathKind::kPath);
    if (!p) return reject(p.error().cause);
    arg.kind = Arg::Kind::kPath;
    arg.path = std::move(p).value();
    return true;
  }

  bool parse_number(Arg& arg) {
    std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    bool is_double = false;
    while (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == 'e' ||
           peek() == 'E' ||
           ((peek() == '+' || peek() == '-') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E'))) {
      is_double |= !std::isdigit(static_cast<unsigned char>(peek()));
      ++pos_;
    }
    std::string text(s_.substr(start, pos_ - start));
    char* end = nullptr;
    if (!is_double && text.size() <= 18) {
      arg.literal = static_cast<std::int64_t>(std::strtoll(text.c_str(), &end, 10));
    } else {
      arg.literal = std::strtod(text.c_str(), &end);
    }
    if (text.empty() || text == "-" || end != text.c_str() + text.size())
      return reject("malformed number");
    return true;
  }
};

Result<json::value> evaluate_call(const Call& call, const EvalContext& ctx, std::string_view field);

Result<json::value> evaluate_arg(const Arg& arg, const EvalContext& ctx, std::string_view field) {
  switch (arg.kind) {
    case Arg::Kind::kLiteral:
      return arg.literal;
    case Arg::Kind::kCall:
      return evaluate_call(*arg.call, ctx, field);
    case Arg::Kind::kPath: {
      if (auto v = arg.path.select(ctx)) return std::move(*v);
      std::string input = ctx.input != nullptr ? json::dump(*ctx.input) : "null";
      return Error{"States.Runtime", "The JSONPath '" + arg.path.text() +
                                         "' specified for the field '" + std::string(field) +
                                         "' could not be found in the input '" + input + "'"};
    }
  }
  return json::value();
}

Result<json::value> evaluate_call(const Call& call, const EvalContext& ctx,
                                  std::string_view field) {
  std::vector<json::value> values;
  values.reserve(call.args.size());
  for (const Arg& a : call.args) {
    auto v = evaluate_arg(a, ctx, field);
    if (!v) return std::move(v).error();
    values.push_back(std::move(v).value());
  }
  return apply(call, values, ctx);
}

}  // namespace
}  // namespace detail

Result<Intrinsic> Intrinsic::compile(std::string_view text) {
  auto call = detail::CallParser(text).parse();
  if (!call) return std::move(call).error();
  Intrinsic f;
  f.impl_ = std::make_shared<Impl>(Impl{std::string(text), std::move(call).value()});
  return f;
}

Result<json::value> Intrinsic::evaluate(const EvalContext& ctx) const {
  return evaluate(ctx, impl_->text);
}

Result<json::value> Intrinsic::evaluate(const EvalContext& ctx, std::string_view field) const {
  if (impl_->call == nullptr) return Error{"States.IntrinsicFailure", "empty intrinsic"};
  return detail::evaluate_call(*impl_->call, ctx, field);
}

const std::string& Intrinsic::text() const { return impl_->text; }

Intrinsic::Intrinsic() : impl_(std::make_shared<Impl>()) {}
Intrinsic::~Intrinsic() = default;
Intrinsic::Intrinsic(const Intrinsic&) = default;
Intrinsic& Intrinsic::operator=(const Intrinsic&) = default;
Intrinsic::Intrinsic(Intrinsic&&) noexcept = default;
Intrinsic& Intrinsic::operator=(Intrinsic&&) noexcept = default;

}  // namespace stepwise::jsonpath
