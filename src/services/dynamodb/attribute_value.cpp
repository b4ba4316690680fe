#include "services/dynamodb/attribute_value.h"

#include <algorithm>
#include <set>

#include "services/common/codec.h"
#include "services/dynamodb/ddb_internal.h"
#include "services/dynamodb/ddb_limits.h"

namespace stepwise::services::dynamodb {
namespace {

void normalise(Decimal& d) {
  std::size_t lead = d.digits.find_first_not_of('0');
  if (lead == std::string::npos) {
    d = Decimal{};
    return;
  }
  d.digits.erase(0, lead);
  std::size_t last = d.digits.find_last_not_of('0');
  d.exponent += static_cast<int>(d.digits.size() - 1 - last);
  d.digits.resize(last + 1);
}

// |a| vs |b| for digit strings of equal length.
int compare_magnitudes(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string add_magnitudes(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int s = carry;
    if (i < a.size()) s += a[a.size() - 1 - i] - '0';
    if (i < b.size()) s += b[b.size() - 1 - i] - '0';
    out += static_cast<char>('0' + s % 10);
    carry = s / 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// a - b for |a| >= |b|.
std::string sub_magnitudes(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    int s = (a[a.size() - 1 - i] - '0') - borrow;
    if (i < b.size()) s -= b[b.size() - 1 - i] - '0';
    borrow = s < 0 ? 1 : 0;
    out += static_cast<char>('0' + (s + 10) % 10);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string set_text(const json::array& a) {
  std::string out = "[";
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i) out += ", ";
    if (a[i].is_string()) out += std::string(a[i].get_string());
  }
  return out + "]";
}

std::optional<std::string> check_set(json::value& v, std::string_view tag) {
  const char* what = tag == "SS" ? "string" : tag == "NS" ? "number" : "binary";
  if (!v.is_array())
    return std::string(kInvalid) + "Supplied AttributeValue has an invalid " + std::string(tag) +
           " value";
  auto& a = v.get_array();
  if (a.empty()) return std::string(kInvalid) + "An " + what + " set  may not be empty";
  std::set<std::string> seen;
  for (auto& e : a) {
    if (!e.is_string())
      return std::string(kInvalid) + "Supplied AttributeValue has an invalid " + std::string(tag) +
             " value";
    std::string key(e.get_string());
    if (tag == "NS") {
      std::string err;
      auto d = parse_decimal(key, &err);
      if (!d) return err;
      key = d->text();
      e = key;
    } else if (tag == "BS" && !base64_decode(key)) {
      return std::string(kInvalid) + "Supplied AttributeValue has an invalid binary value";
    }
    if (!seen.insert(key).second)
      return std::string(kInvalid) + "Input collection " + set_text(a) + " contains duplicates.";
  }
  return std::nullopt;
}

std::size_t number_size(std::string_view text) {
  std::string err;
  auto d = parse_decimal(text, &err);
  return d ? (d->digits.size() + 1) / 2 + 1 : text.size();
}

}  // namespace

std::string Decimal::text() const {
  if (is_zero()) return "0";
  std::string out = negative ? "-" : "";
  const int n = static_cast<int>(digits.size());
  if (exponent > 0 && n + exponent > static_cast<int>(ddb_limits::number_digits_max)) {
    // Written out, the trailing zeros would count as digits past the 38 a client's decimal
    // type keeps (boto3 traps the rounding): "1E+125".
    out += digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    out += "E+" + std::to_string(magnitude());
  } else if (exponent >= 0) {
    out += digits;
    out.append(static_cast<std::size_t>(exponent), '0');
  } else if (-exponent < n) {
    const int whole = n + exponent;  // digits before the point: 1..n-1
    out += digits.substr(0, static_cast<std::size_t>(whole));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(whole));
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-exponent - n), '0');
    out += digits;
  }
  return out;
}

std::optional<Decimal> parse_decimal(std::string_view text, std::string* error) {
  Decimal d;
  std::size_t i = 0;
  auto bad = [&]() -> std::optional<Decimal> {
    *error = "The parameter cannot be converted to a numeric value: " + std::string(text);
    return std::nullopt;
  };
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) d.negative = text[i++] == '-';
  std::string all;
  std::size_t frac = 0;
  bool dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      all += c;
      if (dot) ++frac;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (all.empty()) return bad();
  long long exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) neg = text[i++] == '-';
    std::size_t start = i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
      if (exp < 1'000'000) exp = exp * 10 + (text[i] - '0');
    if (i == start) return bad();
    if (neg) exp = -exp;
  }
  if (i != text.size()) return bad();
  d.digits = std::move(all);
  d.exponent = static_cast<int>(exp - static_cast<long long>(frac));
  normalise(d);
  if (d.is_zero()) d.negative = false;
  if (auto e = decimal_error(d); !e.empty()) {
    *error = e;
    return std::nullopt;
  }
  return d;
}

std::string decimal_error(const Decimal& d) {
  if (d.is_zero()) return "";
  if (d.digits.size() > ddb_limits::number_digits_max)
    return "Attempting to store more than 38 significant digits in a Number";
  if (d.magnitude() > ddb_limits::number_exponent_max)
    return "Number overflow. Attempting to store a number with magnitude larger than supported "
           "range";
  if (d.magnitude() < ddb_limits::number_exponent_min)
    return "Number underflow. Attempting to store a number with magnitude smaller than supported "
           "range";
  return "";
}

int compare(const Decimal& a, const Decimal& b) {
  auto sign = [](const Decimal& d) { return d.is_zero() ? 0 : (d.negative ? -1 : 1); };
  int sa = sign(a), sb = sign(b);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int mag = 0;
  if (a.magnitude() != b.magnitude()) {
    mag = a.magnitude() < b.magnitude() ? -1 : 1;
  } else {
    std::size_t n = std::max(a.digits.size(), b.digits.size());
    std::string x = a.digits, y = b.digits;
    x.resize(n, '0');
    y.resize(n, '0');
    mag = compare_magnitudes(x, y);
  }
  return sa < 0 ? -mag : mag;
}

Decimal add(const Decimal& a, const Decimal& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  const int e = std::min(a.exponent, b.exponent);
  std::string x = a.digits + std::string(static_cast<std::size_t>(a.exponent - e), '0');
  std::string y = b.digits + std::string(static_cast<std::size_t>(b.exponent - e), '0');
  Decimal out;
  out.exponent = e;
  if (a.negative == b.negative) {
    out.digits = add_magnitudes(x, y);
    out.negative = a.negative;
  } else {
    int c = compare_magnitudes(x, y);
    if (c == 0) return Decimal{};
    out.digits = c > 0 ? sub_magnitudes(x, y) : sub_magnitudes(y, x);
    out.negative = c > 0 ? a.negative : b.negative;
  }
  normalise(out);
  return out;
}

Decimal negate(Decimal d) {
  if (!d.is_zero()) d.negative = !d.negative;
  return d;
}

std::string_view type_of(const json::value& av) {
  const auto* o = av.if_object();
  if (o == nullptr || o->size() != 1) return "";
  return o->begin()->key();
}

std::string_view long_type_name(std::string_view tag) {
  static constexpr std::pair<std::string_view, std::string_view> names[] = {
      {"S", "STRING"},      {"N", "NUMBER"},      {"B", "BINARY"}, {"SS", "STRING SET"},
      {"NS", "NUMBER SET"}, {"BS", "BINARY SET"}, {"M", "MAP"},    {"L", "LIST"},
      {"NULL", "NULL"},     {"BOOL", "BOOLEAN"}};
  for (const auto& [t, n] : names)
    if (t == tag) return n;
  return tag;
}

std::optional<std::string> check_value(json::value& av, std::size_t depth) {
  if (depth > ddb_limits::document_depth_max)
    return "Nesting Levels have exceeded supported limits";
  auto* o = av.if_object();
  if (o == nullptr || o->empty())
    return std::string(kInvalid) +
           "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
  if (o->size() > 1)
    return std::string(kInvalid) +
           "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
           "the supported datatypes";
  const std::string tag(o->begin()->key());
  json::value& v = o->begin()->value();
  auto invalid = [&] {
    return std::string(kInvalid) + "Supplied AttributeValue has an invalid " + tag + " value";
  };
  if (tag == "S") return v.is_string() ? std::nullopt : std::optional(invalid());
  if (tag == "N") {
    if (!v.is_string()) return invalid();
    std::string err;
    auto d = parse_decimal(std::string_view(v.get_string()), &err);
    if (!d) return err;
    v = d->text();
    return std::nullopt;
  }
  if (tag == "B")
    return v.is_string() && base64_decode(std::string_view(v.get_string()))
               ? std::nullopt
               : std::optional(invalid());
  if (tag == "SS" || tag == "NS" || tag == "BS") return check_set(v, tag);
  if (tag == "BOOL") return v.is_bool() ? std::nullopt : std::optional(invalid());
  if (tag == "NULL") {
    if (!v.is_bool() || !v.get_bool())
      return std::string(kInvalid) + "Null attribute value types must have the value of true";
    return std::nullopt;
  }
  if (tag == "M") {
    if (!v.is_object()) return invalid();
    for (auto& kv : v.get_object())
      if (auto e = check_value(kv.value(), depth + 1)) return e;
    return std::nullopt;
  }
  if (tag == "L") {
    if (!v.is_array()) return invalid();
    for (auto& e : v.get_array())
      if (auto err = check_value(e, depth + 1)) return err;
    return std::nullopt;
  }
  return std::string(kInvalid) +
         "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
}

std::optional<std::string> check_item(json::value& item) {
  if (!item.is_object()) return std::string("Start of structure or map found where not expected");
  for (auto& kv : item.get_object())
    if (auto e = check_value(kv.value())) return e;
  return std::nullopt;
}

bool equal_values(const json::value& a, const json::value& b) {
  auto ta = type_of(a), tb = type_of(b);
  if (ta != tb || ta.empty()) return false;
  const json::value& x = a.get_object().begin()->value();
  const json::value& y = b.get_object().begin()->value();
  if (ta == "SS" || ta == "NS" || ta == "BS") {
    const auto& xa = x.get_array();
    const auto& ya = y.get_array();
    if (xa.size() != ya.size()) return false;
    std::set<std::string> xs;
    for (const auto& e : xa) xs.insert(std::string(e.get_string()));
    for (const auto& e : ya)
      if (!xs.count(std::string(e.get_string()))) return false;
    return true;
  }
  if (ta == "M") {
    const auto& xo = x.get_object();
    const auto& yo = y.get_object();
    if (xo.size() != yo.size()) return false;
    for (const auto& kv : xo) {
      const auto* other = yo.if_contains(kv.key());
      if (other == nullptr || !equal_values(kv.value(), *other)) return false;
    }
    return true;
  }
  if (ta == "L") {
    const auto& xa = x.get_array();
    const auto& ya = y.get_array();
    if (xa.size() != ya.size()) return false;
    for (std::size_t i = 0; i < xa.size(); ++i)
      if (!equal_values(xa[i], ya[i])) return false;
    return true;
  }
  if (ta == "N") return compare_values(a, b) == 0;
  return x == y;
}

std::optional<int> compare_values(const json::value& a, const json::value& b) {
  auto ta = type_of(a);
  if (ta != type_of(b) || (ta != "S" && ta != "N" && ta != "B")) return std::nullopt;
  if (ta == "N") {
    std::string err;
    auto x = parse_decimal(std::string_view(a.get_object().begin()->value().get_string()), &err);
    auto y = parse_decimal(std::string_view(b.get_object().begin()->value().get_string()), &err);
    if (!x || !y) return std::nullopt;
    return compare(*x, *y);
  }
  std::string x = scalar_bytes(a), y = scalar_bytes(b);
  int c = x.compare(y);  // std::string compares as unsigned char
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::size_t value_size(const json::value& av) {
  auto tag = type_of(av);
  if (tag.empty()) return 0;
  const json::value& v = av.get_object().begin()->value();
  if (tag == "S") return v.get_string().size();
  if (tag == "N") return number_size(std::string_view(v.get_string()));
  if (tag == "B") return scalar_bytes(av).size();
  if (tag == "BOOL" || tag == "NULL") return 1;
  std::size_t n = 0;
  if (tag == "SS" || tag == "BS") {
    for (const auto& e : v.get_array())
      n += tag == "SS" ? e.get_string().size()
                       : base64_decode(std::string_view(e.get_string())).value_or("").size();
    return n;
  }
  if (tag == "NS") {
    for (const auto& e : v.get_array()) n += number_size(std::string_view(e.get_string()));
    return n;
  }
  n = 3;
  if (tag == "M")
    for (const auto& kv : v.get_object()) n += kv.key().size() + value_size(kv.value()) + 1;
  if (tag == "L")
    for (const auto& e : v.get_array()) n += value_size(e) + 1;
  return n;
}

std::size_t item_size(const Item& item) {
  std::size_t n = 0;
  for (const auto& kv : item) n += kv.key().size() + value_size(kv.value());
  return n;
}

std::string scalar_bytes(const json::value& av) {
  auto tag = type_of(av);
  if (tag.empty()) return "";
  const json::value& v = av.get_object().begin()->value();
  if (!v.is_string()) return "";
  if (tag == "B") return base64_decode(std::string_view(v.get_string())).value_or("");
  return std::string(v.get_string());
}

}  // namespace stepwise::services::dynamodb
