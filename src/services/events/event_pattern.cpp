// Reading a pattern follows the token stream in order, as AWS's reader does, so that of several
// faults the one AWS names first is the one reported (a JSON syntax error after a bad operator
// is never seen).
#include <set>
#include <utility>

#include "json/utf8.h"
#include "services/events/event_pattern_internal.h"
#include "services/events/events_limits.h"

namespace stepwise::services::events {

namespace {

using Matcher = EventPattern::Matcher;
using Kind = Matcher::Kind;
using Branch = EventPattern::Compiled::Branch;
using T = JsonToken;

constexpr const char* kAnythingButValue =
    "Value of anything-but must be an array or single string/number value.";
constexpr const char* kTooManyNumericElements = "Too many elements in numeric expression";
constexpr const char* kOneKey = "Only one key allowed in match expression";

bool is_number(T t) { return t == T::kInt || t == T::kFloat; }

// Names a match expression uses, which AWS refuses as field names inside "$or".
bool reserved_in_or(const std::string& name) {
  static const std::set<std::string> names = {"anything-but", "cidr",    "equals-ignore-case",
                                              "exists",       "numeric", "prefix",
                                              "suffix",       "wildcard"};
  return names.count(name) > 0;
}

class Reader {
 public:
  explicit Reader(std::string_view text) : in_(text, events_limits::json_depth_max) {}

  bool read(std::vector<Branch>& rules) {
    const T t = next();
    if (t == T::kError) return false;
    if (t != T::kBeginObject) return fail("Filter is not an object");
    return object(rules, false) && complexity(rules);
  }
  const std::string& error() const { return error_; }

 private:
  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  T next() {
    const T t = in_.next();
    if (t == T::kError) fail(in_.error());
    return t;
  }
  // The token's text as AWS's messages quote it.
  std::string text_of(T t) const {
    switch (t) {
      case T::kBeginObject:
        return "{";
      case T::kEndObject:
        return "}";
      case T::kBeginArray:
        return "[";
      case T::kEndArray:
        return "]";
      case T::kTrue:
        return "true";
      case T::kFalse:
        return "false";
      case T::kNull:
        return "null";
      default:
        return in_.text();
    }
  }
  // The next token must be `want`; otherwise `why` (a syntax error wins).
  bool expect(T want, const char* why) {
    const T t = next();
    if (t == T::kError) return false;
    return t == want || fail(why);
  }
  std::string joined(const std::string& name) const {
    std::string out;
    for (const auto& step : path_) out += step + ".";
    return out + name;
  }

  bool object(std::vector<Branch>& rules, bool inside_or);
  bool or_relationship(std::vector<Branch>& rules);
  bool write_rules(std::vector<Branch>& rules, const std::string& name);
  bool match_expression(Matcher& m);
  bool string_operand(Matcher& m, Kind kind, const char* why);
  bool ignore_case_operand(Matcher& m, Kind kind, const char* op);
  bool anything_but(Matcher& m);
  bool anything_but_set(Matcher& m, T first);
  bool numeric(Matcher& m);
  bool numeric_bound(const std::string& text, std::int64_t* out);
  bool complexity(const std::vector<Branch>& rules);

  JsonTokens in_;
  std::vector<std::string> path_;
  std::string error_;
};

bool Reader::object(std::vector<Branch>& rules, bool inside_or) {
  bool fields = false;
  for (;;) {
    T t = next();
    if (t == T::kError) return false;
    if (t == T::kEndObject) break;
    fields = true;
    const std::string name = in_.text();
    if (name == "$or") {
      if (!or_relationship(rules)) return false;
      continue;
    }
    if (inside_or && reserved_in_or(name))
      return fail(name + " is Ruler reserved fieldName which cannot be used inside $or.");
    t = next();
    if (t == T::kError) return false;
    if (t == T::kBeginObject) {
      path_.push_back(name);
      if (!object(rules, inside_or)) return false;
      path_.pop_back();
    } else if (t == T::kBeginArray) {
      if (!write_rules(rules, joined(name))) return false;
    } else {
      return fail("\"" + name + "\" must be an object or an array");
    }
  }
  return fields || fail("Empty objects are not allowed");
}

// Each object of the array is an alternative: the fields read so far, plus its own.
bool Reader::or_relationship(std::vector<Branch>& rules) {
  const std::vector<Branch> before = std::move(rules);
  rules.clear();
  if (!expect(T::kBeginArray, "It must be an Array followed with $or.")) return false;
  int objects = 0;
  for (;;) {
    const T t = next();
    if (t == T::kError) return false;
    if (t == T::kEndArray) break;
    ++objects;
    if (t != T::kBeginObject)
      return fail("Only JSON object is allowed in array of $or relationship.");
    std::vector<Branch> alternative = before;
    if (alternative.empty()) alternative.emplace_back();
    if (!object(alternative, true)) return false;
    if (rules.size() + alternative.size() > events_limits::pattern_branches_max)
      return fail("Too many $or alternatives (more than " +
                  std::to_string(events_limits::pattern_branches_max) + ")");
    for (auto& b : alternative) rules.push_back(std::move(b));
  }
  return objects >= 2 || fail("There must have at least 2 Objects in $or relationship.");
}

bool Reader::write_rules(std::vector<Branch>& rules, const std::string& name) {
  auto values = std::make_shared<std::vector<Matcher>>();
  for (;;) {
    const T t = next();
    if (t == T::kError) return false;
    if (t == T::kEndArray) break;
    Matcher m;
    if (t == T::kBeginObject) {
      if (!match_expression(m)) return false;
    } else if (t == T::kString) {
      m.text = in_.text();
      if (auto ip = parse_ip(m.text)) m.ip = single_address(*ip);  // an address matches as one
    } else if (is_number(t)) {
      m.kind = Kind::kExactNumber;
      m.text = in_.text();
      m.micros = comparable_micros(m.text);  // not comparable: it matches by its text only
    } else if (t == T::kTrue || t == T::kFalse || t == T::kNull) {
      m.kind = Kind::kLiteral;
      m.literal = t;
    } else {
      return fail("Match value must be String, number, true, false, or null");
    }
    values->push_back(std::move(m));
  }
  if (values->empty()) return fail("Empty arrays are not allowed");
  if (rules.empty()) rules.emplace_back();
  for (auto& rule : rules) rule[name] = values;  // a duplicate path: the later one wins
  return true;
}

bool Reader::string_operand(Matcher& m, Kind kind, const char* why) {
  const T t = next();
  if (t == T::kError) return false;
  if (t != T::kString) return fail(why);
  m.kind = kind;
  m.text = in_.text();
  return expect(T::kEndObject, kOneKey);
}

// {"prefix": {"equals-ignore-case": "x"}} (and suffix), after the inner '{'.
bool Reader::ignore_case_operand(Matcher& m, Kind kind, const char* op) {
  const T t = next();
  if (t == T::kError) return false;
  if (t != T::kName) return fail(std::string(op) + " expression name not found");
  if (in_.text() != "equals-ignore-case")
    return fail("Unsupported " + lowered(op) + " pattern: " + in_.text());
  if (!string_operand(m, kind, "equals-ignore-case match pattern must be a string")) return false;
  m.text = lowered(m.text);
  return expect(T::kEndObject, kOneKey);
}

bool Reader::match_expression(Matcher& m) {
  T t = next();
  if (t == T::kError) return false;
  if (t != T::kName) return fail("Match expression name not found");
  const std::string op = in_.text();
  if (op == "prefix" || op == "suffix") {
    const bool prefix = op == "prefix";
    t = next();
    if (t == T::kError) return false;
    if (t == T::kBeginObject)
      return ignore_case_operand(m, prefix ? Kind::kPrefixIgnoreCase : Kind::kSuffixIgnoreCase,
                                 prefix ? "Prefix" : "Suffix");
    if (t != T::kString) return fail(op + " match pattern must be a string");
    m.kind = prefix ? Kind::kPrefix : Kind::kSuffix;
    m.text = in_.text();
    return expect(T::kEndObject, kOneKey);
  }
  if (op == "equals-ignore-case") {
    if (!string_operand(m, Kind::kEqualsIgnoreCase,
                        "equals-ignore-case match pattern must be a string"))
      return false;
    m.text = lowered(m.text);
    return true;
  }
  if (op == "wildcard") {
    if (!string_operand(m, Kind::kWildcard, "wildcard match pattern must be a string"))
      return false;
    m.wildcards.emplace_back();
    std::string why;
    return parse_wildcard(m.text, &m.wildcards.back(), &why) || fail(why);
  }
  if (op == "cidr") {
    // AWS's reader words a non-string here as it does for prefix.
    if (!string_operand(m, Kind::kCidr, "prefix match pattern must be a string")) return false;
    IpRange range;
    std::string why;
    if (!parse_cidr(m.text, &range, &why)) return fail(why);
    m.ip = range;
    return true;
  }
  if (op == "exists") {
    t = next();
    if (t == T::kError) return false;
    if (t != T::kTrue && t != T::kFalse)
      return fail("exists match pattern must be either true or false.");
    m.kind = t == T::kTrue ? Kind::kExists : Kind::kAbsent;
    return expect(T::kEndObject, kOneKey);
  }
  if (op == "numeric") {
    if (!expect(T::kBeginArray, "Value of numeric must be an array.")) return false;
    return numeric(m) && expect(T::kEndObject, kTooManyNumericElements);
  }
  if (op == "anything-but") return anything_but(m);
  return fail("Unrecognized match type " + op);
}

bool Reader::anything_but(Matcher& m) {
  m.kind = Kind::kAnythingBut;
  T t = next();
  if (t == T::kError) return false;
  if (t == T::kBeginObject) {
    t = next();
    if (t == T::kError) return false;
    if (t != T::kName) return fail("Anything-But expression name not found");
    const std::string op = in_.text();
    if (op == "equals-ignore-case")
      m.kind = Kind::kAnythingButIgnoreCase;
    else if (op == "prefix")
      m.kind = Kind::kAnythingButPrefix;
    else if (op == "suffix")
      m.kind = Kind::kAnythingButSuffix;
    else if (op == "wildcard")
      m.kind = Kind::kAnythingButWildcard;
    else
      return fail("Unsupported anything-but pattern: " + op);
    t = next();
    if (t == T::kError) return false;
  }
  if (t != T::kBeginArray && t != T::kString && !is_number(t)) return fail(kAnythingButValue);
  if (!anything_but_set(m, t)) return false;
  if (!expect(T::kEndObject, kTooManyNumericElements)) return false;
  return m.kind == Kind::kAnythingBut || expect(T::kEndObject, kTooManyNumericElements);
}

// The excluded values, from `first` (an array's '[' or the single value).
bool Reader::anything_but_set(Matcher& m, T first) {
  const bool plain = m.kind == Kind::kAnythingBut;
  const bool list = first == T::kBeginArray;
  const char* wrong_type =
      plain ? "Inside anything but list, start|null|boolean is not supported."
      : m.kind == Kind::kAnythingButIgnoreCase ? "Inside anything-but/equals-ignore-case list, "
                                                 "number|start|null|boolean is not supported."
      : m.kind == Kind::kAnythingButWildcard   ? "wildcard match pattern must be a string"
                                               : "prefix/suffix match pattern must be a string";
  if (plain && !list) wrong_type = "Inside anything-but list, start|null|boolean is not supported.";
  for (T t = first;;) {
    if (list) {
      t = next();
      if (t == T::kError) return false;
      if (t == T::kEndArray) break;
    }
    if (t == T::kString) {
      const bool affix = m.kind == Kind::kAnythingButPrefix || m.kind == Kind::kAnythingButSuffix;
      if (affix && in_.text().empty()) return fail("Null prefix/suffix not allowed");
      m.texts.push_back(m.kind == Kind::kAnythingButIgnoreCase ? lowered(in_.text()) : in_.text());
    } else if (plain && is_number(t)) {
      std::string why;
      const auto n = comparable_micros(in_.text(), &why);
      if (!n) return fail(why);
      m.numbers.push_back(*n);
    } else {
      return fail(wrong_type);
    }
    if (!list) break;
  }
  if (plain && list && m.texts.empty() == m.numbers.empty())
    return fail(
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported");
  if (m.kind != Kind::kAnythingButWildcard) return true;
  for (const auto& text : m.texts) {
    m.wildcards.emplace_back();
    std::string why;
    if (!parse_wildcard(text, &m.wildcards.back(), &why)) return fail(why);
  }
  return true;
}

bool Reader::numeric_bound(const std::string& text, std::int64_t* out) {
  std::string why;
  const auto n = comparable_micros(text, &why);
  if (!n) return fail(why);
  *out = *n;
  return true;
}

// After the array's '[': "=" value | ">"/">=" value ["<"/"<=" value] | "<"/"<=" value.
bool Reader::numeric(Matcher& m) {
  m.kind = Kind::kNumeric;
  T t = next();
  if (t == T::kError) return false;
  if (t != T::kString) return fail("Invalid member in numeric match: " + text_of(t));
  const std::string op = in_.text();
  const bool known = op == "=" || op == ">" || op == ">=" || op == "<" || op == "<=";
  if (!known) return fail("Unrecognized numeric range operator: " + op);
  t = next();
  if (t == T::kError) return false;
  if (!is_number(t)) return fail("Value of " + (op == "=" ? "equals" : op) + " must be numeric");
  const std::string first = in_.text();
  std::int64_t v = 0;
  if (op == "=" || op[0] == '<') {
    if (!expect(T::kEndArray, kTooManyNumericElements) || !numeric_bound(first, &v)) return false;
    if (op == "=") m.low = v;
    m.high = v;
    m.high_open = op == "<";
    return true;
  }
  m.low_open = op == ">";
  t = next();
  if (t == T::kError) return false;
  if (t == T::kEndArray) return numeric_bound(first, &v) && (m.low = v, true);
  if (t != T::kString) return fail("Bad value in numeric range: " + text_of(t));
  const std::string top_op = in_.text();
  if (top_op != "<" && top_op != "<=") return fail("Bad numeric range operator: " + top_op);
  m.high_open = top_op == "<";
  t = next();
  if (t == T::kError) return false;
  if (!is_number(t)) return fail("Value of " + top_op + " must be numeric");
  const std::string second = in_.text();
  if (!expect(T::kEndArray, "Too many terms in numeric range expression")) return false;
  std::int64_t top = 0;
  if (!numeric_bound(first, &v) || !numeric_bound(second, &top)) return false;
  if (v >= top) return fail("Bottom must be less than top");
  m.low = v;
  m.high = top;
  return true;
}

// AWS's bound on how many wildcard states one field's patterns may keep active at once.
bool Reader::complexity(const std::vector<Branch>& rules) {
  std::set<const std::vector<Matcher>*> checked;
  for (const auto& branch : rules) {
    for (const auto& [path, matchers] : branch) {
      if (!checked.insert(matchers.get()).second) continue;
      std::vector<const WildcardTokens*> wildcards;
      for (const auto& m : *matchers)
        for (const auto& w : m.wildcards) wildcards.push_back(&w);
      if (wildcards.empty()) continue;
      const auto max = events_limits::wildcard_complexity_max;
      if (wildcard_complexity(wildcards, max) > max)
        return fail(
            "Rule is too complex - try using fewer wildcard characters or fewer repeating "
            "character sequences after a wildcard character");
    }
  }
  return true;
}

}  // namespace

namespace {

// Java's Character.toLowerCase (what AWS's matcher folds with) for the letters below U+0800:
// ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals. Others stay as they are.
char32_t lower_code_point(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xFF;
    if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    const bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    return c % 2 == (odd_upper ? 1u : 0u) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

}  // namespace

std::string lowered(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const bool two_bytes = (b & 0xE0) == 0xC0 && i + 1 < s.size() &&
                           (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80;
    if (!two_bytes) {  // ASCII, longer sequences and stray bytes: only A-Z change
      out += b >= 'A' && b <= 'Z' ? static_cast<char>(b + 32) : s[i];
      continue;
    }
    const char32_t cp = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(s[++i]) & 0x3Fu);
    json::append_utf8(out, lower_code_point(cp));
  }
  return out;
}

std::optional<EventPattern> EventPattern::parse(std::string_view text, std::string* reason) {
  if (text.size() > events_limits::pattern_bytes_max) {
    *reason = "Event pattern is longer than " + std::to_string(events_limits::pattern_bytes_max) +
              " bytes";
    return std::nullopt;
  }
  auto compiled = std::make_shared<Compiled>();
  Reader reader(text);
  // What follows the pattern's object is not read, as AWS does not read it.
  if (!reader.read(compiled->branches)) {
    *reason = reader.error();
    return std::nullopt;
  }
  EventPattern p;
  p.compiled_ = std::move(compiled);
  return p;
}

PatternTest test_event_pattern(std::string_view pattern, std::string_view event) {
  PatternTest out;
  if (pattern.size() > events_limits::pattern_bytes_max) {
    // The model's bound, checked before the pattern is read.
    out.error_code = "ValidationException";
    out.message =
        "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: "
        "Member must have length less than or equal to " +
        std::to_string(events_limits::pattern_bytes_max);
    return out;
  }
  if (!valid_test_event(event)) {
    out.error_code = "ValidationException";
    out.message = "Parameter Event is not valid.";
    return out;
  }
  std::string reason;
  const auto p = EventPattern::parse(pattern, &reason);
  if (!p) {
    out.error_code = "InvalidEventPatternException";
    out.message = "Event pattern is not valid. Reason: " + reason;
    return out;
  }
  out.result = p->matches(event);
  return out;
}

}  // namespace stepwise::services::events
