// JsonTokens: a pull reader of JSON text, one token at a time, for event patterns and the events
// they match. It keeps what a JSON value type loses and EventBridge's matching depends on: a
// number's exact text (`300.0` and `300` are different texts), every key of an object in order,
// duplicates included (a pattern's later duplicate replaces the earlier one, as AWS's reader
// does), and the position of the first error, with the reason worded as AWS's parser (Jackson)
// words it, e.g. "Unrecognized token 'this': was expecting (JSON String, Number, ...)".
//
// Nesting deeper than the depth bound is an error, and the reader itself keeps its containers on
// a vector, so no input can exhaust the stack.
//
// Thread-safety: one reader per thread; it only views `text`, which must outlive it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace stepwise::services::events {

enum class JsonToken {
  kBeginObject,
  kEndObject,
  kBeginArray,
  kEndArray,
  kName,    // an object key; text() is its value, unescaped
  kString,  // text() unescaped (UTF-8; a lone surrogate escape becomes '?', as Java writes it)
  kInt,     // text() exactly as written
  kFloat,   // text() exactly as written (a fraction or an exponent)
  kTrue,
  kFalse,
  kNull,
  kEnd,    // the top-level value is complete (what follows it is not read), or there was none
  kError,  // error() says why; every later next() answers kError again
};

class JsonTokens {
 public:
  JsonTokens(std::string_view text, std::size_t depth_max);

  JsonToken next();
  const std::string& text() const { return text_; }
  const std::string& error() const { return error_; }
  // True when only whitespace follows the top-level value (call after kEnd).
  bool only_space_left() const;
  // Skips the value whose first token was just read (a scalar: nothing to skip). False on error.
  bool skip_value(JsonToken first);

 private:
  enum class Expect { kValue, kFirstValueOrEnd, kFirstNameOrEnd, kName, kColon, kCommaOrEnd };

  JsonToken fail(std::string why);
  JsonToken value(char c);
  JsonToken string_token(JsonToken kind);
  JsonToken number();
  JsonToken literal();
  JsonToken open(char container);
  JsonToken close(char c);
  JsonToken after_value(JsonToken t);
  void skip_space();
  std::string describe_at(std::size_t at) const;

  std::string_view in_;
  std::size_t at_ = 0;
  std::size_t depth_max_;
  std::vector<char> stack_;  // '{' or '[' per open container
  Expect expect_ = Expect::kValue;
  bool done_ = false;
  std::string text_;
  std::string error_;
};

}  // namespace stepwise::services::events
