#include "services/sns/filter_policy.h"

#include <cctype>
#include <cmath>
#include <functional>
#include <utility>

#include "services/sns/sns_limits.h"

namespace stepwise::services::sns {

struct FilterPolicy::Condition {
  enum class Kind {
    kExact,  // `value`: a string, number, bool or null
    kPrefix,
    kSuffix,
    kIgnoreCase,
    kAnythingBut,  // `excluded`
    kAnythingButPrefix,
    kAnythingButSuffix,
    kAnythingButIgnoreCase,
    kNumeric,  // `ranges`
    kExists,   // `flag`
  };
  Kind kind = Kind::kExact;
  json::value value;
  std::string text;
  std::vector<json::value> excluded;
  std::vector<std::pair<std::string, double>> ranges;
  bool flag = false;
};

struct FilterPolicy::Node {
  struct Field {
    std::vector<std::string> path;
    std::vector<Condition> any_of;
  };
  std::vector<Field> fields;           // all must match
  std::vector<std::vector<Node>> ors;  // each: one alternative must match
};

namespace {

using Condition = FilterPolicy::Condition;
using Node = FilterPolicy::Node;
using Kind = Condition::Kind;

bool is_scalar(const json::value& v) {
  return v.is_string() || json::is_number(v) || v.is_bool() || v.is_null();
}

bool lower_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

struct Parser {
  FilterPolicy::Scope scope;
  std::string error;

  bool fail(std::string why) {
    if (error.empty()) error = std::move(why);
    return false;
  }

  bool string_operand(const json::value& v, std::string_view op, std::string& out) {
    if (!v.is_string()) return fail(std::string(op) + " match pattern must be a string");
    out = std::string(v.get_string());
    return true;
  }

  bool anything_but(const json::value& v, Condition& c) {
    c.kind = Kind::kAnythingBut;
    if (v.is_object()) {
      const auto& o = v.get_object();
      if (o.size() != 1)
        return fail(
            "Value of anything-but must be an array or single "
            "string/number value.");
      const auto& [key, operand] = *o.begin();
      if (key == "prefix")
        c.kind = Kind::kAnythingButPrefix;
      else if (key == "suffix")
        c.kind = Kind::kAnythingButSuffix;
      else if (key == "equals-ignore-case")
        c.kind = Kind::kAnythingButIgnoreCase;
      else
        return fail("Unsupported anything-but pattern: " + std::string(key));
      return string_operand(operand, key, c.text);
    }
    if (v.is_array()) {
      if (v.get_array().empty()) return fail("Empty arrays are not allowed");
      for (const auto& e : v.get_array()) {
        if (!e.is_string() && !json::is_number(e))
          return fail("Value of anything-but must be an array or single string/number value.");
        c.excluded.push_back(e);
      }
      return true;
    }
    if (!v.is_string() && !json::is_number(v))
      return fail("Value of anything-but must be an array or single string/number value.");
    c.excluded.push_back(v);
    return true;
  }

  bool numeric(const json::value& v, Condition& c) {
    c.kind = Kind::kNumeric;
    if (!v.is_array() || v.get_array().empty() || v.get_array().size() > 4)
      return fail("Value of numeric must be an array.");
    const auto& a = v.get_array();
    if (a.size() % 2 != 0)
      return fail(
          "Value of numeric must be an array of operator/value "
          "pairs.");
    for (std::size_t i = 0; i < a.size(); i += 2) {
      if (!a[i].is_string()) return fail("Invalid member in numeric match: " + json::dump(a[i]));
      std::string op(a[i].get_string());
      if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=")
        return fail("Unrecognized numeric range operator: " + op);
      if (!json::is_number(a[i + 1])) return fail("Value of " + op + " must be numeric");
      const double n = json::as_double(a[i + 1]);
      if (std::fabs(n) > 1e9) return fail("Value of " + op + " must be within -1e9 and 1e9");
      if (op == "=" && a.size() != 2) return fail("Bad numeric range operator: =");
      c.ranges.emplace_back(op, n);
    }
    if (c.ranges.size() == 2) {
      const auto& lo = c.ranges[0];
      const auto& hi = c.ranges[1];
      if (!(lo.first[0] == '>' && hi.first[0] == '<'))
        return fail("Bad numeric range operator: " + hi.first);
      if (lo.second >= hi.second) return fail("Bottom must be less than top");
    }
    return true;
  }

  bool condition(const json::value& v, Condition& c) {
    if (is_scalar(v)) {
      if (v.is_string() && v.get_string().size() > sns_limits::filter_policy_bytes_max)
        return fail("Filter policy is too large");
      c.kind = Kind::kExact;
      c.value = v;
      if ((v.is_bool() || v.is_null()) && scope == FilterPolicy::Scope::kAttributes) {
        // AWS accepts them, but no attribute value is ever a JSON boolean or null.
      }
      return true;
    }
    if (!v.is_object()) return fail("Match value must be String, number, true, false, or null");
    const auto& o = v.get_object();
    if (o.size() != 1) return fail("Only one key allowed in match expression");
    const auto& [key, operand] = *o.begin();
    if (key == "prefix") {
      c.kind = Kind::kPrefix;
      return string_operand(operand, "prefix", c.text);
    }
    if (key == "suffix") {
      c.kind = Kind::kSuffix;
      return string_operand(operand, "suffix", c.text);
    }
    if (key == "equals-ignore-case") {
      c.kind = Kind::kIgnoreCase;
      return string_operand(operand, "equals-ignore-case", c.text);
    }
    if (key == "anything-but") return anything_but(operand, c);
    if (key == "numeric") return numeric(operand, c);
    if (key == "exists") {
      if (!operand.is_bool()) return fail("exists match pattern must be either true or false.");
      c.kind = Kind::kExists;
      c.flag = operand.get_bool();
      return true;
    }
    return fail("Unrecognized match type " + std::string(key));
  }

  // Reads one policy object into `node`; `prefix`: the keys above it (body policies).
  bool object(const json::object& o, std::vector<std::string> prefix, Node& node, int depth) {
    if (depth > sns_limits::filter_depth_max) return fail("Filter policy is too complex");
    for (const auto& kv : o) {
      std::string key(kv.key());
      const json::value& v = kv.value();
      if (key == "$or") {
        if (!v.is_array() || v.get_array().size() < 2)
          return fail("$or must be an array with at least two elements");
        std::vector<Node> alternatives;
        for (const auto& alt : v.get_array()) {
          if (!alt.is_object() || alt.get_object().empty())
            return fail("$or must contain non-empty JSON objects");
          Node n;
          if (!object(alt.get_object(), prefix, n, depth + 1)) return false;
          alternatives.push_back(std::move(n));
        }
        node.ors.push_back(std::move(alternatives));
        continue;
      }
      std::vector<std::string> path = prefix;
      path.push_back(key);
      if (v.is_object()) {
        if (scope == FilterPolicy::Scope::kAttributes)
          return fail(
              "Filter policy scope MessageAttributes does not support nested filter "
              "policy");
        if (v.get_object().empty()) return fail("Empty objects are not allowed");
        if (!object(v.get_object(), std::move(path), node, depth + 1)) return false;
        continue;
      }
      if (!v.is_array()) return fail("Match value must be String, number, true, false, or null");
      if (v.get_array().empty()) return fail("Empty arrays are not allowed");
      Node::Field field{std::move(path), {}};
      for (const auto& e : v.get_array()) {
        Condition c;
        if (!condition(e, c)) return false;
        field.any_of.push_back(std::move(c));
      }
      node.fields.push_back(std::move(field));
    }
    return true;
  }
};

// Keys and value combinations as AWS counts them: along each way through the $or branches.
struct Cost {
  std::size_t keys = 0;
  std::size_t combinations = 1;
};
std::vector<Cost> costs(const Node& n) {
  Cost base;
  for (const auto& f : n.fields) {
    ++base.keys;
    base.combinations *= f.any_of.size();
    if (base.combinations > sns_limits::filter_combinations_max * 1000) break;
  }
  std::vector<Cost> out{base};
  for (const auto& group : n.ors) {
    std::vector<Cost> next;
    for (const auto& alt : group)
      for (const auto& c : costs(alt))
        for (const auto& have : out) {
          next.push_back({have.keys + c.keys, have.combinations * c.combinations});
          if (next.size() > sns_limits::filter_combinations_max) return next;
        }
    out = std::move(next);
  }
  return out;
}

// ---- matching ----

bool number_of(const json::value& v, double& out) {
  if (!json::is_number(v)) return false;
  out = json::as_double(v);
  return true;
}

bool exact(const json::value& want, const json::value& got) {
  if (want.is_string()) return got.is_string() && got.get_string() == want.get_string();
  double a = 0, b = 0;
  if (number_of(want, a)) return number_of(got, b) && a == b;
  if (want.is_bool()) return got.is_bool() && got.get_bool() == want.get_bool();
  return want.is_null() && got.is_null();
}

bool in_range(const Condition& c, double n) {
  for (const auto& [op, x] : c.ranges) {
    bool ok = op == "="    ? n == x
              : op == "<"  ? n < x
              : op == "<=" ? n <= x
              : op == ">"  ? n > x
                           : n >= x;
    if (!ok) return false;
  }
  return true;
}

bool one(const Condition& c, const json::value& v) {
  const bool text = v.is_string();
  std::string_view s = text ? std::string_view(v.get_string()) : std::string_view();
  switch (c.kind) {
    case Kind::kExact:
      return exact(c.value, v);
    case Kind::kPrefix:
      return text && s.starts_with(c.text);
    case Kind::kSuffix:
      return text && s.ends_with(c.text);
    case Kind::kIgnoreCase:
      return text && lower_equal(s, c.text);
    case Kind::kAnythingBut:
      for (const auto& e : c.excluded)
        if (exact(e, v)) return false;
      return true;
    case Kind::kAnythingButPrefix:
      return text && !s.starts_with(c.text);
    case Kind::kAnythingButSuffix:
      return text && !s.ends_with(c.text);
    case Kind::kAnythingButIgnoreCase:
      return text && !lower_equal(s, c.text);
    case Kind::kNumeric: {
      double n = 0;
      return number_of(v, n) && in_range(c, n);
    }
    case Kind::kExists:
      return c.flag;
  }
  return false;
}

// `values`: what the message holds at the field's path (empty: absent), arrays flattened.
bool field_matches(const Node::Field& f, const std::vector<json::value>& values, bool present) {
  for (const auto& c : f.any_of) {
    if (c.kind == Kind::kExists) {
      if (c.flag == present) return true;
      continue;
    }
    if (!present) continue;
    if (c.kind == Kind::kAnythingBut || c.kind == Kind::kAnythingButPrefix ||
        c.kind == Kind::kAnythingButSuffix || c.kind == Kind::kAnythingButIgnoreCase) {
      bool all = !values.empty();
      for (const auto& v : values) all = all && one(c, v);
      if (all) return true;
      continue;
    }
    for (const auto& v : values)
      if (one(c, v)) return true;
  }
  return false;
}

using Lookup =
    std::function<bool(const std::vector<std::string>& path, std::vector<json::value>& values)>;

bool node_matches(const Node& n, const Lookup& lookup) {
  for (const auto& f : n.fields) {
    std::vector<json::value> values;
    const bool present = lookup(f.path, values);
    if (!field_matches(f, values, present)) return false;
  }
  for (const auto& group : n.ors) {
    bool any = false;
    for (const auto& alt : group) {
      if (node_matches(alt, lookup)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

void flatten(const json::value& v, std::vector<json::value>& out) {
  if (v.is_array()) {
    for (const auto& e : v.get_array())
      if (!e.is_array() && !e.is_object()) out.push_back(e);
  } else if (!v.is_object()) {
    out.push_back(v);
  }
}

// Values at `path` in the body, fanning out through arrays of objects.
bool collect(const json::value& at, const std::vector<std::string>& path, std::size_t i,
             std::vector<json::value>& out) {
  if (i == path.size()) {
    flatten(at, out);
    return true;
  }
  if (at.is_array()) {
    bool any = false;
    for (const auto& e : at.get_array())
      if (e.is_object()) any = collect(e, path, i, out) || any;
    return any;
  }
  if (!at.is_object()) return false;
  const auto* next = at.get_object().if_contains(path[i]);
  return next != nullptr && collect(*next, path, i + 1, out);
}

}  // namespace

std::optional<FilterPolicy> FilterPolicy::parse(std::string_view text, Scope scope,
                                                std::string* error) {
  std::string ignored;
  std::string& why = error ? *error : ignored;
  if (text.size() > sns_limits::filter_policy_bytes_max) {
    why = "Filter policy is too large";
    return std::nullopt;
  }
  auto parsed = json::parse(text);
  if (!parsed.ok()) {
    why = "failed to parse JSON. " + parsed.error().cause;
    return std::nullopt;
  }
  if (!parsed->is_object()) {
    why = "Filter policy must be a JSON object";
    return std::nullopt;
  }
  Parser p{scope, {}};
  auto node = std::make_shared<Node>();
  if (!p.object(parsed->get_object(), {}, *node, 0)) {
    why = p.error;
    return std::nullopt;
  }
  for (const auto& c : costs(*node)) {
    if (c.keys > sns_limits::filter_keys_max) {
      why = "Filter policy can not have more than " + std::to_string(sns_limits::filter_keys_max) +
            " keys";
      return std::nullopt;
    }
    if (c.combinations > sns_limits::filter_combinations_max) {
      why = "Filter policy is too complex";
      return std::nullopt;
    }
  }
  FilterPolicy out;
  out.root_ = std::move(node);
  out.scope_ = scope;
  return out;
}

bool FilterPolicy::matches_attributes(const FilterAttributes& attributes) const {
  if (!root_) return true;
  return node_matches(*root_,
                      [&](const std::vector<std::string>& path, std::vector<json::value>& values) {
                        auto it = attributes.find(path.front());
                        if (it == attributes.end()) return false;
                        const auto& a = it->second;
                        if (a.data_type.starts_with("Binary"))
                          return true;  // present, but matches no value
                        if (a.data_type.starts_with("Number")) {
                          auto n = json::parse(a.value);
                          if (n.ok() && json::is_number(*n)) values.push_back(*n);
                          return true;
                        }
                        if (a.data_type.starts_with("String.Array")) {
                          auto arr = json::parse(a.value);
                          if (arr.ok() && arr->is_array()) flatten(*arr, values);
                          return true;
                        }
                        values.push_back(json::value(a.value));
                        return true;
                      });
}

bool FilterPolicy::matches_body(std::string_view body) const {
  if (!root_) return true;
  auto parsed = json::parse(body);
  if (!parsed.ok() || !parsed->is_object()) return false;
  const json::value& doc = *parsed;
  return node_matches(*root_,
                      [&](const std::vector<std::string>& path, std::vector<json::value>& values) {
                        return collect(doc, path, 0, values);
                      });
}

}  // namespace stepwise::services::sns
