#include "services/events/event_json.h"

#include <cstdio>

#include "json/json.h"
#include "json/utf8.h"

namespace stepwise::services::events {

namespace {

constexpr const char* kExpectingValue =
    "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// Jackson reads a bad token while Character.isJavaIdentifierPart: letters, digits, '_', '$'
// and (for us, byte by byte) anything outside ASCII.
bool is_token_part(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || is_digit(c) || c == '_' || c == '$' ||
         u >= 0x80;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

JsonTokens::JsonTokens(std::string_view text, std::size_t depth_max)
    : in_(text), depth_max_(depth_max) {}

JsonToken JsonTokens::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
  return JsonToken::kError;
}

void JsonTokens::skip_space() {
  while (at_ < in_.size() && is_space(in_[at_])) ++at_;
}

bool JsonTokens::only_space_left() const {
  for (std::size_t i = at_; i < in_.size(); ++i)
    if (!is_space(in_[i])) return false;
  return true;
}

// Jackson's description of a character: 'x' (code 120), or (CTRL-CHAR, code 10).
std::string JsonTokens::describe_at(std::size_t at) const {
  std::size_t end = at;
  const std::uint32_t cp = json::next_code_point(in_, &end);
  if (cp < 0x20) return "(CTRL-CHAR, code " + std::to_string(cp) + ")";
  std::string out = "'" + std::string(in_.substr(at, end - at)) + "' (code " + std::to_string(cp);
  if (cp > 0xFF) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", static_cast<unsigned>(cp));
    out += std::string(" / 0x") + hex;
  }
  return out + ")";
}

JsonToken JsonTokens::next() {
  if (!error_.empty()) return JsonToken::kError;
  if (done_) return JsonToken::kEnd;
  for (;;) {
    skip_space();
    if (at_ >= in_.size()) {
      if (stack_.empty()) {
        done_ = true;  // no value at all: the caller decides what that means
        return JsonToken::kEnd;
      }
      return fail(std::string("Unexpected end-of-input: expected close marker for ") +
                  (stack_.back() == '{' ? "Object" : "Array"));
    }
    const char c = in_[at_];
    switch (expect_) {
      case Expect::kCommaOrEnd:
        if (c == ',') {
          ++at_;
          expect_ = stack_.back() == '{' ? Expect::kName : Expect::kValue;
          continue;
        }
        if ((c == '}' && stack_.back() == '{') || (c == ']' && stack_.back() == '['))
          return close(c);
        return fail("Unexpected character (" + describe_at(at_) +
                    "): was expecting comma to separate " +
                    (stack_.back() == '{' ? "Object" : "Array") + " entries");
      case Expect::kFirstNameOrEnd:
        if (c == '}') return close(c);
        [[fallthrough]];
      case Expect::kName:
        if (c != '"')
          return fail("Unexpected character (" + describe_at(at_) +
                      "): was expecting double-quote to start field name");
        if (string_token(JsonToken::kName) == JsonToken::kError) return JsonToken::kError;
        expect_ = Expect::kColon;
        return JsonToken::kName;
      case Expect::kColon:
        if (c != ':')
          return fail("Unexpected character (" + describe_at(at_) +
                      "): was expecting a colon to separate field name and value");
        ++at_;
        expect_ = Expect::kValue;
        continue;
      case Expect::kFirstValueOrEnd:
        if (c == ']') return close(c);
        return value(c);
      case Expect::kValue:
        return value(c);
    }
  }
}

JsonToken JsonTokens::after_value(JsonToken t) {
  if (t == JsonToken::kError) return t;
  if (stack_.empty())
    done_ = true;
  else
    expect_ = Expect::kCommaOrEnd;
  return t;
}

JsonToken JsonTokens::open(char container) {
  if (stack_.size() >= depth_max_)
    return fail("Document nesting depth (" + std::to_string(stack_.size() + 1) +
                ") exceeds the maximum allowed (" + std::to_string(depth_max_) + ")");
  ++at_;
  stack_.push_back(container);
  expect_ = container == '{' ? Expect::kFirstNameOrEnd : Expect::kFirstValueOrEnd;
  return container == '{' ? JsonToken::kBeginObject : JsonToken::kBeginArray;
}

JsonToken JsonTokens::close(char c) {
  ++at_;
  stack_.pop_back();
  return after_value(c == '}' ? JsonToken::kEndObject : JsonToken::kEndArray);
}

JsonToken JsonTokens::value(char c) {
  if (c == '{' || c == '[') return open(c);
  if (c == '"') return after_value(string_token(JsonToken::kString));
  if (c == '-' || is_digit(c)) return after_value(number());
  if (is_token_part(c)) return after_value(literal());
  return fail("Unexpected character (" + describe_at(at_) + "): expected a valid value " +
              kExpectingValue);
}

JsonToken JsonTokens::literal() {
  const std::size_t start = at_;
  while (at_ < in_.size() && is_token_part(in_[at_])) ++at_;
  text_ = std::string(in_.substr(start, at_ - start));
  if (text_ == "true") return JsonToken::kTrue;
  if (text_ == "false") return JsonToken::kFalse;
  if (text_ == "null") return JsonToken::kNull;
  return fail("Unrecognized token '" + text_ + "': was expecting " + kExpectingValue);
}

JsonToken JsonTokens::number() {
  const std::size_t start = at_;
  bool is_float = false;
  auto digits = [&](const char* after) -> bool {
    if (at_ >= in_.size()) return fail("Unexpected end-of-input in a Number value"), false;
    if (!is_digit(in_[at_]))
      return fail("Unexpected character (" + describe_at(at_) + ") in numeric value: " + after),
             false;
    while (at_ < in_.size() && is_digit(in_[at_])) ++at_;
    return true;
  };
  if (in_[at_] == '-') ++at_;
  if (at_ < in_.size() && in_[at_] == '0' && at_ + 1 < in_.size() && is_digit(in_[at_ + 1]))
    return fail("Invalid numeric value: Leading zeroes not allowed");
  if (!digits("expected digit (0-9) to follow minus sign, for valid numeric value"))
    return JsonToken::kError;
  if (at_ < in_.size() && in_[at_] == '.') {
    ++at_;
    is_float = true;
    if (!digits("Decimal point not followed by a digit")) return JsonToken::kError;
  }
  if (at_ < in_.size() && (in_[at_] == 'e' || in_[at_] == 'E')) {
    ++at_;
    is_float = true;
    if (at_ < in_.size() && (in_[at_] == '+' || in_[at_] == '-')) ++at_;
    if (!digits("Exponent indicator not followed by a digit")) return JsonToken::kError;
  }
  text_ = std::string(in_.substr(start, at_ - start));
  return is_float ? JsonToken::kFloat : JsonToken::kInt;
}

JsonToken JsonTokens::string_token(JsonToken kind) {
  ++at_;  // the opening quote
  text_.clear();
  auto hex4 = [&](std::uint32_t* out) -> bool {
    *out = 0;
    for (int k = 0; k < 4; ++k) {
      if (at_ >= in_.size()) return false;
      const int h = hex_value(in_[at_]);
      if (h < 0)
        return fail("Unexpected character (" + describe_at(at_) +
                    "): expected a hex-digit for character escape sequence"),
               false;
      *out = *out * 16 + static_cast<std::uint32_t>(h);
      ++at_;
    }
    return true;
  };
  while (at_ < in_.size()) {
    const char c = in_[at_];
    if (c == '"') {
      ++at_;
      return kind;
    }
    if (static_cast<unsigned char>(c) < 0x20)
      return fail("Illegal unquoted character (" + describe_at(at_) +
                  "): has to be escaped using backslash to be included in string value");
    if (c != '\\') {
      text_ += c;
      ++at_;
      continue;
    }
    if (++at_ >= in_.size()) break;
    const char e = in_[at_];
    const char* simple = nullptr;
    switch (e) {
      case '"':
        simple = "\"";
        break;
      case '\\':
        simple = "\\";
        break;
      case '/':
        simple = "/";
        break;
      case 'b':
        simple = "\b";
        break;
      case 'f':
        simple = "\f";
        break;
      case 'n':
        simple = "\n";
        break;
      case 'r':
        simple = "\r";
        break;
      case 't':
        simple = "\t";
        break;
      default:
        break;
    }
    if (simple != nullptr) {
      text_ += simple;
      ++at_;
      continue;
    }
    if (e != 'u') return fail("Unrecognized character escape " + describe_at(at_));
    ++at_;
    std::uint32_t cp = 0;
    if (!hex4(&cp)) {
      if (!error_.empty()) return JsonToken::kError;
      break;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF && at_ + 1 < in_.size() && in_[at_] == '\\' &&
        in_[at_ + 1] == 'u') {
      const std::size_t back = at_;
      at_ += 2;
      std::uint32_t low = 0;
      if (hex4(&low) && low >= 0xDC00 && low <= 0xDFFF) {
        json::append_utf8(text_, 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00));
        continue;
      }
      if (!error_.empty()) return JsonToken::kError;
      at_ = back;  // not a pair: the high half stands alone
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
      text_ += '?';  // Java's UTF-8 encoder writes a lone surrogate as '?'
    else
      json::append_utf8(text_, cp);
  }
  return fail("Unexpected end-of-input: was expecting closing quote for a string value");
}

bool JsonTokens::skip_value(JsonToken first) {
  if (first != JsonToken::kBeginObject && first != JsonToken::kBeginArray)
    return first != JsonToken::kError && first != JsonToken::kEnd;
  std::size_t open = 1;
  while (open > 0) {
    const JsonToken t = next();
    if (t == JsonToken::kError || t == JsonToken::kEnd) return false;
    if (t == JsonToken::kBeginObject || t == JsonToken::kBeginArray) ++open;
    if (t == JsonToken::kEndObject || t == JsonToken::kEndArray) --open;
  }
  return true;
}

}  // namespace stepwise::services::events
