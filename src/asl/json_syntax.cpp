// A definition that is not JSON, worded as AWS's Jackson parser words it: the first unexpected
// character, what was expected there, and the source excerpt with its line and column.
#include "asl/validator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/limits.h"

namespace stepwise::asl::validation {

// Jackson's "Source" excerpt and 1-based line/column of a byte offset.
std::string jackson_source(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  // Jackson quotes at most 500 characters of the source and says how many it left out.
  constexpr std::size_t snippet_chars_max = 500;
  std::string snippet(text.substr(0, snippet_chars_max));
  std::string more;
  if (text.size() > snippet_chars_max) {
    more = "[truncated " + std::to_string(text.size() - snippet_chars_max) + " chars]";
  }
  return "[Source: (String)\"" + snippet + "\"" + more + "; line: " + std::to_string(line) +
         ", column: " + std::to_string(col) + "]";
}

// Jackson's description of an unexpected character: "'}' (code 125)", "(CTRL-CHAR, code 10)".
std::string jackson_char(std::string_view text, std::size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  if (c < 0x20) return "(CTRL-CHAR, code " + std::to_string(c) + ")";
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  std::string ch(text.substr(i, len));
  std::uint32_t cp = c;
  if (len > 1 && i + len <= text.size()) {
    cp = c & (0xFFu >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (text[i + k] & 0x3Fu);
  }
  if (cp > 255) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", cp);
    return "'" + ch + "' (code " + std::to_string(cp) + " / 0x" + hex + ")";
  }
  return "'" + ch + "' (code " + std::to_string(cp) + ")";
}

struct JsonSyntaxError {
  std::string message;
  std::size_t offset;  // where Jackson reports it (just after what it read)
};

// Scans text the way Jackson reads it and words the first error as Jackson does. Returns
// nullopt when Jackson would read a complete value (trailing content is ignored, as its
// default ObjectMapper does) or when the input is beyond what this scanner models.
class JacksonScanner {
 public:
  explicit JacksonScanner(std::string_view text) : t_(text) {}
  std::optional<JsonSyntaxError> run();

 private:
  enum class Want { kValue, kValueOrClose, kKeyOrClose, kKey, kColon, kCommaOrClose, kDone };
  struct Frame {
    bool object;
    std::size_t start;
  };

  std::optional<JsonSyntaxError> unexpected(std::string_view expecting) const {
    return JsonSyntaxError{
        "Unexpected character (" + jackson_char(t_, i_) + "): " + std::string(expecting), i_ + 1};
  }
  void after_value() { want_ = stack_.empty() ? Want::kDone : Want::kCommaOrClose; }
  std::optional<JsonSyntaxError> end_of_input() const;
  std::optional<JsonSyntaxError> string();
  std::optional<JsonSyntaxError> value();
  std::optional<JsonSyntaxError> close(char c);

  static constexpr const char* kValidValues =
      "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
  std::string_view t_;
  std::size_t i_ = 0;
  Want want_ = Want::kValue;
  std::vector<Frame> stack_;
};

std::optional<JsonSyntaxError> JacksonScanner::end_of_input() const {
  if (stack_.empty()) return std::nullopt;
  const Frame& f = stack_.back();
  return JsonSyntaxError{std::string("Unexpected end-of-input: expected close marker for ") +
                             (f.object ? "Object" : "Array") + " (start marker at " +
                             jackson_source(t_, f.start) + ")",
                         t_.size()};
}

std::optional<JsonSyntaxError> JacksonScanner::string() {
  for (++i_; i_ < t_.size(); ++i_) {
    unsigned char c = static_cast<unsigned char>(t_[i_]);
    if (c == '\\') {
      ++i_;
    } else if (c == '"') {
      ++i_;
      return std::nullopt;
    } else if (c < 0x20) {
      return JsonSyntaxError{"Illegal unquoted character (" + jackson_char(t_, i_) +
                                 "): has to be escaped using backslash to be included in string "
                                 "value",
                             i_ + 1};
    }
  }
  return JsonSyntaxError{"Unexpected end-of-input: was expecting closing quote for a string value",
                         t_.size()};
}

std::optional<JsonSyntaxError> JacksonScanner::value() {
  char c = t_[i_];
  if (c == '{' || c == '[') {
    // Deeper than the parser accepts: stop here (returning no error without advancing would
    // loop forever).
    if (stack_.size() >= limits::json_depth_max) {
      return JsonSyntaxError{"Document nesting depth (" + std::to_string(stack_.size() + 1) +
                                 ") exceeds the maximum allowed (" +
                                 std::to_string(limits::json_depth_max) + ")",
                             i_ + 1};
    }
    stack_.push_back({c == '{', i_++});
    want_ = c == '{' ? Want::kKeyOrClose : Want::kValueOrClose;
    return std::nullopt;
  }
  if (c == '"') {
    auto err = string();
    if (!err) after_value();
    return err;
  }
  auto is_word = [](char w) {
    return (w >= 'a' && w <= 'z') || (w >= 'A' && w <= 'Z') || (w >= '0' && w <= '9') || w == '_' ||
           w == '-' || w == '+' || w == '.';
  };
  if (!is_word(c)) return unexpected(std::string("expected a valid value ") + kValidValues);
  std::size_t end = i_;
  while (end < t_.size() && is_word(t_[end])) ++end;
  std::string_view tok = t_.substr(i_, end - i_);
  bool number = c == '-' || (c >= '0' && c <= '9');
  if (!number && tok != "true" && tok != "false" && tok != "null") {
    return JsonSyntaxError{
        "Unrecognized token '" + std::string(tok) + "': was expecting " + kValidValues, end};
  }
  i_ = end;
  after_value();
  return std::nullopt;
}

std::optional<JsonSyntaxError> JacksonScanner::close(char c) {
  bool object = stack_.back().object;
  if (c == (object ? '}' : ']')) {
    stack_.pop_back();
    ++i_;
    after_value();
    return std::nullopt;
  }
  if (c == ',') {
    ++i_;
    want_ = object ? Want::kKey : Want::kValue;
    return std::nullopt;
  }
  return unexpected(object ? "was expecting comma to separate Object entries"
                           : "was expecting comma to separate Array entries");
}

std::optional<JsonSyntaxError> JacksonScanner::run() {
  while (want_ != Want::kDone) {
    while (i_ < t_.size() &&
           (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) {
      ++i_;
    }
    if (i_ >= t_.size()) return end_of_input();
    char c = t_[i_];
    std::optional<JsonSyntaxError> err;
    switch (want_) {
      case Want::kValueOrClose:
        if (c == ']') {
          stack_.pop_back();
          ++i_;
          after_value();
          break;
        }
        err = value();
        break;
      case Want::kValue:
        err = value();
        break;
      case Want::kKeyOrClose:
      case Want::kKey:
        if (c == '}' && want_ == Want::kKeyOrClose) {
          stack_.pop_back();
          ++i_;
          after_value();
        } else if (c == '"') {
          err = string();
          want_ = Want::kColon;
        } else {
          err = unexpected("was expecting double-quote to start field name");
        }
        break;
      case Want::kColon:
        if (c != ':') return unexpected("was expecting a colon to separate field name and value");
        ++i_;
        want_ = Want::kValue;
        break;
      case Want::kCommaOrClose:
        err = close(c);
        break;
      case Want::kDone:
        break;
    }
    if (err) return err;
  }
  return std::nullopt;
}

Diagnostic invalid_json(std::string_view text, const std::string& parser_message) {
  auto err = JacksonScanner(text).run();
  std::string message = err ? err->message : parser_message;
  std::string source = jackson_source(text, err ? err->offset : text.size());
  return Diagnostic{"ERROR", "INVALID_JSON_DESCRIPTION", message + "\n at " + source, source, {}};
}

}  // namespace stepwise::asl::validation

namespace stepwise::asl {

std::string json_syntax_message(std::string_view text, const std::string& fallback) {
  auto err = validation::JacksonScanner(text).run();
  return err ? err->message : fallback;
}

}  // namespace stepwise::asl
