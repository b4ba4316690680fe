// Number and value formatting the way JavaScript does it (JSONata's reference runs on JS),
// function signatures, and error message templates.
#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "json/json.h"
#include "jsonata/internal.h"

namespace stepwise::jsonata {

void fail(std::string code, int position) {
  JError err;
  err.code = std::move(code);
  err.position = position;
  throw err;
}

void fail_value(std::string code, Value value, int position) {
  JError err;
  err.code = std::move(code);
  err.position = position;
  err.value = std::move(value);
  throw err;
}

std::string number_to_string(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  if (std::fabs(d) < 1e15 && std::floor(d) == d) return std::to_string(static_cast<long long>(d));
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  std::size_t epos = sci.find('e');
  int exp = std::stoi(sci.substr(epos + 1));
  std::string digits;
  for (char c : sci.substr(0, epos))
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int k = static_cast<int>(digits.size());
  int n = exp + 1;
  std::string out = neg ? "-" : "";
  if (k <= n && n <= 21) {
    out += digits + std::string(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n)) + "." +
           digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += "e";
    out += (n - 1 >= 0 ? "+" : "-");
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

namespace {

double to_precision15(double d) {
  if (std::fabs(d) < 1e15 && std::floor(d) == d) return d;  // already exact in 15 digits
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14e", d);
  return std::strtod(buf, nullptr);
}

// Serialisation is bounded by the depth of the value, itself bounded by construction limits.
void stringify_to(const Value& v, bool pretty, int indent, std::string& out) {
  if (static_cast<std::size_t>(indent) > value_depth_max) fail("U1001");
  auto newline = [&](int level) {
    if (!pretty) return;
    out += '\n';
    out += std::string(static_cast<std::size_t>(level * 2), ' ');
  };
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Kind::kNumber:
      if (!std::isfinite(v.num())) fail_value("D1001", v);
      out += number_to_string(to_precision15(v.num()));
      return;
    case Kind::kString:
      json::quote_to(v.str(), out, json::QuoteStyle::kJavaScript);
      return;
    case Kind::kFunction:
      out += "\"\"";
      return;
    case Kind::kArray: {
      const auto& items = v.arr().items;
      if (items.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        newline(indent + 1);
        stringify_to(items[i], pretty, indent + 1, out);
      }
      newline(indent);
      out += ']';
      return;
    }
    case Kind::kObject: {
      bool first = true;
      out += '{';
      for (const auto& [k, x] : v.obj().entries) {
        if (x.undefined()) continue;
        if (!first) out += ',';
        first = false;
        newline(indent + 1);
        json::quote_to(k, out, json::QuoteStyle::kJavaScript);
        out += pretty ? ": " : ":";
        stringify_to(x, pretty, indent + 1, out);
      }
      if (!first) newline(indent);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string stringify(const Value& v, bool pretty) {
  std::string out;
  stringify_to(v, pretty, 0, out);
  return out;
}

std::string value_to_string(const Value& v) {
  if (v.is_string()) return v.str();
  if (v.is_function()) return "";
  if (v.is_number() && !std::isfinite(v.num())) fail_value("D3001", v);
  if (v.is_array() && v.arr().outer_wrapper && !v.arr().items.empty())
    return stringify(v.arr().items[0], false);
  return stringify(v, false);
}

// ---- signatures ----

namespace {

std::size_t closing(const std::string& s, std::size_t start, char open, char close) {
  int depth = 1;
  std::size_t p = start;
  while (p < s.size()) {
    ++p;
    if (p >= s.size()) break;
    if (s[p] == close) {
      if (--depth == 0) break;
    } else if (s[p] == open) {
      ++depth;
    }
  }
  return p;
}

char symbol_of(const Value& v) {
  switch (v.kind()) {
    case Kind::kFunction:
      return 'f';
    case Kind::kString:
      return 's';
    case Kind::kNumber:
      return 'n';
    case Kind::kBool:
      return 'b';
    case Kind::kNull:
      return 'l';
    case Kind::kArray:
      return 'a';
    case Kind::kObject:
      return 'o';
    default:
      return 'm';
  }
}

}  // namespace

std::shared_ptr<Signature> parse_signature(const std::string& text) {
  auto sig = std::make_shared<Signature>();
  sig->definition = text;
  Signature::Param param;
  Signature::Param* prev = &param;
  std::size_t pos = 1;
  auto next = [&] {
    sig->params.push_back(param);
    prev = &sig->params.back();
    param = {};
  };
  sig->params.reserve(text.size());
  while (pos < text.size()) {
    char c = text[pos];
    if (c == ':') break;
    switch (c) {
      case 's':
      case 'n':
      case 'b':
      case 'l':
      case 'o':
        param.regex = std::string("[") + c + "m]";
        param.type = c;
        next();
        break;
      case 'a':
        param.regex = "[asnblfom]";
        param.type = 'a';
        next();
        break;
      case 'f':
        param.regex = "f";
        param.type = 'f';
        next();
        break;
      case 'j':
        param.regex = "[asnblom]";
        param.type = 'j';
        next();
        break;
      case 'x':
        param.regex = "[asnblfom]";
        param.type = 'x';
        next();
        break;
      case '-':
        prev->context = true;
        prev->context_regex = prev->regex;
        prev->regex += "?";
        break;
      case '?':
      case '+':
        prev->regex += c;
        break;
      case '(': {
        std::size_t end = closing(text, pos, '(', ')');
        std::string choice = text.substr(pos + 1, end - pos - 1);
        if (choice.find('<') != std::string::npos) {
          JError err{"S0402", static_cast<int>(pos)};
          err.value = Value::string(choice);
          throw err;
        }
        param.regex = "[" + choice + "m]";
        param.type = '(';
        pos = end;
        next();
        break;
      }
      case '<': {
        if (prev->type == 'a' || prev->type == 'f') {
          std::size_t end = closing(text, pos, '<', '>');
          prev->subtype = text.substr(pos + 1, end - pos - 1);
          prev->has_subtype = true;
          pos = end;
        } else {
          JError err{"S0401", static_cast<int>(pos)};
          err.value = Value::string(std::string(1, prev->type));
          throw err;
        }
        break;
      }
      default:
        break;
    }
    ++pos;
  }
  std::string re = "^";
  for (const auto& p : sig->params) re += "(" + p.regex + ")";
  re += "$";
  re2::RE2::Options opts;
  opts.set_log_errors(false);  // a malformed user signature simply never matches (T0410)
  sig->regex = std::make_shared<re2::RE2>(re, opts);
  return sig;
}

namespace {

const char* array_type_name(const std::string& subtype) {
  static const std::map<std::string, const char*> names = {{"a", "arrays"},    {"b", "booleans"},
                                                           {"f", "functions"}, {"n", "numbers"},
                                                           {"o", "objects"},   {"s", "strings"}};
  auto it = names.find(subtype);
  return it == names.end() ? "values" : it->second;
}

[[noreturn]] void signature_mismatch(const Signature& sig, const std::vector<Value>& args,
                                     const std::string& supplied) {
  std::string partial;
  std::size_t good_to = 0;
  for (const auto& p : sig.params) {
    partial += p.regex;
    re2::RE2::Options opts;
    opts.set_log_errors(false);
    re2::RE2 re("^(" + partial + ")", opts);
    std::string m;
    if (!re2::RE2::PartialMatch(supplied, re, &m)) break;
    good_to = m.size();
  }
  JError err{"T0410"};
  err.index = static_cast<int>(good_to) + 1;
  if (good_to < args.size()) err.value = args[good_to];
  throw err;
}

// Matches the argument symbols against the signature. Results depend only on the signature
// text and the symbols, so they are memoised per thread (signatures are few and calls many).
const std::vector<std::string>& match_signature(const Signature& sig,
                                                const std::vector<Value>& args,
                                                const std::string& supplied) {
  // Bounded: the cache is cleared when it grows past this many entries.
  constexpr std::size_t cache_entries_max = 4096;
  thread_local std::unordered_map<std::string, std::vector<std::string>> cache;
  std::string key = sig.definition;
  key += '\0';
  key += supplied;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  const int n = static_cast<int>(sig.params.size());
  std::vector<re2::StringPiece> pieces(static_cast<std::size_t>(n));
  std::vector<re2::RE2::Arg> argv(static_cast<std::size_t>(n));
  std::vector<const re2::RE2::Arg*> argp(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    argv[i] = &pieces[i];
    argp[i] = &argv[i];
  }
  if (!re2::RE2::FullMatchN(supplied, *sig.regex, argp.data(), n))
    signature_mismatch(sig, args, supplied);
  std::vector<std::string> groups;
  for (const auto& p : pieces) groups.emplace_back(p.data() ? std::string(p) : std::string());
  if (cache.size() >= cache_entries_max) cache.clear();
  return cache.emplace(std::move(key), std::move(groups)).first->second;
}

}  // namespace

std::vector<Value> validate_args(const Signature& sig, const std::vector<Value>& args,
                                 const Value& context) {
  std::string supplied;
  for (const auto& a : args) supplied += symbol_of(a);
  const std::vector<std::string>& groups = match_signature(sig, args, supplied);
  const int n = static_cast<int>(sig.params.size());
  std::vector<Value> out;
  std::size_t arg_index = 0;
  for (int i = 0; i < n; ++i) {
    const auto& param = sig.params[i];
    const std::string& match = groups[static_cast<std::size_t>(i)];
    if (match.empty()) {
      if (param.context) {
        char ct = symbol_of(context);
        // The context regex is a single symbol or a bracketed set of symbols.
        if (param.context_regex.find(ct) != std::string::npos) {
          out.push_back(context);
        } else {
          JError err{"T0411"};
          err.value = context;
          err.index = static_cast<int>(arg_index) + 1;
          throw err;
        }
      } else {
        out.push_back(arg_index < args.size() ? args[arg_index] : Value());
        ++arg_index;
      }
      continue;
    }
    for (char single : match) {
      Value arg = arg_index < args.size() ? args[arg_index] : Value();
      if (param.type == 'a') {
        if (single == 'm') {
          arg = Value();
        } else {
          bool ok = true;
          if (param.has_subtype) {
            if (single != 'a' && match != param.subtype) {
              ok = false;
            } else if (single == 'a' && !arg.arr().items.empty()) {
              char item_type = symbol_of(arg.arr().items[0]);
              if (item_type != param.subtype[0]) {
                ok = false;
              } else {
                for (const auto& x : arg.arr().items)
                  if (symbol_of(x) != item_type) ok = false;
              }
            }
          }
          if (!ok) {
            JError err{"T0412"};
            err.value = arg;
            err.index = static_cast<int>(arg_index) + 1;
            err.type = array_type_name(param.subtype);
            throw err;
          }
          if (single != 'a') arg = make_array({arg});
        }
      }
      out.push_back(arg);
      ++arg_index;
    }
  }
  return out;
}

// ---- messages ----

namespace {

const std::map<std::string, std::string>& templates() {
  static const std::map<std::string, std::string> t = {
      {"S0101", "String literal must be terminated by a matching quote"},
      {"S0102", "Number out of range: {{token}}"},
      {"S0103", "Unsupported escape sequence: \\{{token}}"},
      {"S0104", "The escape sequence \\u must be followed by 4 hex digits"},
      {"S0105", "Quoted property name must be terminated with a backquote (`)"},
      {"S0106", "Comment has no closing tag"},
      {"S0201", "Syntax error: {{token}}"},
      {"S0202", "Expected {{value}}, got {{token}}"},
      {"S0203", "Expected {{value}} before end of expression"},
      {"S0204", "Unknown operator: {{token}}"},
      {"S0205", "Unexpected token: {{token}}"},
      {"S0206", "Unknown expression type: {{token}}"},
      {"S0207", "Unexpected end of expression"},
      {"S0208",
       "Parameter {{value}} of function definition must be a variable name (start with $)"},
      {"S0209", "A predicate cannot follow a grouping expression in a step"},
      {"S0210", "Each step can only have one grouping expression"},
      {"S0211", "The symbol {{token}} cannot be used as a unary operator"},
      {"S0212", "The left side of := must be a variable name (start with $)"},
      {"S0213", "The literal value {{value}} cannot be used as a step within a path expression"},
      {"S0214", "The right side of {{token}} must be a variable name (start with $)"},
      {"S0215", "A context variable binding must precede any predicates on a step"},
      {"S0216", "A context variable binding must precede the 'order-by' clause on a step"},
      {"S0217", "The object representing the 'parent' cannot be derived from this expression"},
      {"S0220", "Expression is nested too deeply"},
      {"S0301", "Empty regular expressions are not allowed"},
      {"S0302", "No terminating / in regular expression"},
      {"S0402", "Choice groups containing parameterized types are not supported"},
      {"S0401", "Type parameters can only be applied to functions and arrays"},
      {"T0410", "Argument {{index}} of function {{token}} does not match function signature"},
      {"T0411",
       "Context value is not a compatible type with argument {{index}} of function {{token}}"},
      {"T0412", "Argument {{index}} of function {{token}} must be an array of {{type}}"},
      {"D1001", "Number out of range: {{value}}"},
      {"D1002", "Cannot negate a non-numeric value: {{value}}"},
      {"T1003", "Key in object structure must evaluate to a string; got: {{value}}"},
      {"D1004", "Regular expression matches zero length string"},
      {"T1005", "Attempted to invoke a non-function. Did you mean ${{{token}}}?"},
      {"T1006", "Attempted to invoke a non-function"},
      {"T1007", "Attempted to partially apply a non-function. Did you mean ${{{token}}}?"},
      {"T1008", "Attempted to partially apply a non-function"},
      {"D1009", "Multiple key definitions evaluate to same key: {{value}}"},
      {"T1010",
       "The matcher function argument passed to function {{token}} does not return the correct "
       "object structure"},
      {"T2001", "The left side of the {{token}} operator must evaluate to a number"},
      {"T2002", "The right side of the {{token}} operator must evaluate to a number"},
      {"T2003", "The left side of the range operator (..) must evaluate to an integer"},
      {"T2004", "The right side of the range operator (..) must evaluate to an integer"},
      {"T2006", "The right side of the function application operator ~> must be a function"},
      {"T2007", "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause"},
      {"T2008",
       "The expressions within an order-by clause must evaluate to numeric or string values"},
      {"T2009",
       "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same "
       "data type"},
      {"T2010",
       "The expressions either side of operator {{token}} must evaluate to numeric or string "
       "values"},
      {"T2011",
       "The insert/update clause of the transform expression must evaluate to an object: "
       "{{value}}"},
      {"T2012",
       "The delete clause of the transform expression must evaluate to a string or array of "
       "strings: {{value}}"},
      {"T2013",
       "The transform expression clones the input object using the $clone() function.  This has "
       "been overridden in the current scope by a non-function."},
      {"D2014",
       "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  "
       "Attempted to allocate {{value}}."},
      {"D3001", "Attempting to invoke string function on Infinity or NaN"},
      {"D3010", "Second argument of replace function cannot be an empty string"},
      {"D3011", "Fourth argument of replace function must evaluate to a positive number"},
      {"D3012", "Attempted to replace a matched string with a non-string value"},
      {"D3020", "Third argument of split function must evaluate to a positive number"},
      {"D3030", "Unable to cast value to a number: {{value}}"},
      {"D3040", "Third argument of match function must evaluate to a positive number"},
      {"D3050",
       "The second argument of reduce function must be a function with at least two arguments"},
      {"D3060", "The sqrt function cannot be applied to a negative number: {{value}}"},
      {"D3061",
       "The power function has resulted in a value that cannot be represented as a JSON number: "
       "base={{value}}, exponent={{exp}}"},
      {"D3070",
       "The single argument form of the sort function can only be applied to an array of strings "
       "or an array of numbers.  Use the second argument to specify a comparison function"},
      {"D3080", "The picture string must only contain a maximum of two sub-pictures"},
      {"D3081",
       "The sub-picture must not contain more than one instance of the 'decimal-separator' "
       "character"},
      {"D3082",
       "The sub-picture must not contain more than one instance of the 'percent' character"},
      {"D3083",
       "The sub-picture must not contain more than one instance of the 'per-mille' character"},
      {"D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' character"},
      {"D3085",
       "The mantissa part of a sub-picture must contain at least one character that is either an "
       "'optional digit character' or a member of the 'decimal digit family'"},
      {"D3086",
       "The sub-picture must not contain a passive character that is preceded by an active "
       "character and that is followed by another active character"},
      {"D3087",
       "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to "
       "a 'decimal-separator' character"},
      {"D3088",
       "The sub-picture must not contain a 'grouping-separator' at the end of the integer part"},
      {"D3089",
       "The sub-picture must not contain two adjacent instances of the 'grouping-separator' "
       "character"},
      {"D3090",
       "The integer part of the sub-picture must not contain a member of the 'decimal digit "
       "family' that is followed by an instance of the 'optional digit character'"},
      {"D3091",
       "The fractional part of the sub-picture must not contain an instance of the 'optional digit "
       "character' that is followed by a member of the 'decimal digit family'"},
      {"D3092",
       "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a "
       "character treated as an 'exponent-separator'"},
      {"D3093",
       "The exponent part of the sub-picture must comprise only of one or more characters that are "
       "members of the 'decimal digit family'"},
      {"D3100",
       "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}"},
      {"D3110",
       "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given "
       "{{value}}"},
      {"D3130",
       "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by "
       "this implementation"},
      {"D3131", "In a decimal digit pattern, all digits must be from the same decimal group"},
      {"D3132", "Unknown component specifier {{value}} in date/time picture string"},
      {"D3133",
       "The 'name' modifier can only be applied to months and days in the date/time picture "
       "string, not {{value}}"},
      {"D3134", "The timezone integer format specifier cannot have more than four digits"},
      {"D3135", "No matching closing bracket ']' in date/time picture string"},
      {"D3136",
       "The date/time picture string is missing specifiers required to parse the timestamp"},
      {"D3137", "{{{message}}}"},
      {"D3138",
       "The $single() function expected exactly 1 matching result.  Instead it matched more."},
      {"D3139",
       "The $single() function expected exactly 1 matching result.  Instead it matched 0."},
      {"D3140", "Malformed URL passed to ${{{token}}}(): {{value}}"},
      {"D3141", "{{{message}}}"},
      {"U1001", "Value nesting exceeds the evaluation limit"},
  };
  return t;
}

}  // namespace

std::string error_message(const JError& e) {
  if (!e.message.empty()) return e.message;
  auto it = templates().find(e.code);
  if (it == templates().end()) return "JSONata error " + e.code;
  const std::string& t = it->second;
  std::string out;
  for (std::size_t i = 0; i < t.size();) {
    bool triple = t.compare(i, 3, "{{{") == 0;
    if (t.compare(i, 2, "{{") != 0) {
      out += t[i++];
      continue;
    }
    std::size_t open = triple ? 3 : 2;
    std::size_t end = t.find(triple ? "}}}" : "}}", i + open);
    if (end == std::string::npos) {
      out += t.substr(i);
      break;
    }
    std::string field = t.substr(i + open, end - i - open);
    Value v;
    if (field == "token")
      v = e.has_token ? Value::string(e.token) : Value();
    else if (field == "value")
      v = e.value;
    else if (field == "value2" || field == "exp")
      v = e.value2;
    else if (field == "index")
      v = e.index >= 0 ? Value::number(e.index) : Value();
    else if (field == "type")
      v = Value::string(e.type);
    else if (field == "message")
      v = Value::string(e.message);
    std::string text;
    if (v.undefined()) {
      text = "undefined";
    } else if (triple && v.is_string()) {
      text = v.str();
    } else if (v.is_number() && !std::isfinite(v.num())) {
      text = number_to_string(v.num());
    } else {
      try {
        text = stringify(v, false);
      } catch (const JError&) {
        text = "?";  // a value holding non-finite numbers; the message must not throw
      }
    }
    out += text;
    i = end + (triple ? 3 : 2);
  }
  return out;
}

}  // namespace stepwise::jsonata
