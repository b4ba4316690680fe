// Value containers and the small helpers every part of the evaluator shares.
#include "jsonata/value.h"

#include <cmath>

#include "json/utf8.h"
#include "jsonata/internal.h"

namespace stepwise::jsonata {

namespace {

// Containers whose destruction is pending on this thread; drained by the outermost destructor.
struct Graveyard {
  std::vector<std::shared_ptr<void>> items;
  bool draining = false;
};
thread_local Graveyard graveyard;

// Only a container this value alone keeps alive can start a deep destruction; one shared with
// others (a document's object held by a sequence, say) just loses a reference.
void bury(Value& v) {
  if ((v.is_array() || v.is_object()) && v.sole_owner()) graveyard.items.push_back(v.release());
}

void drain() {
  if (graveyard.draining) return;
  graveyard.draining = true;
  while (!graveyard.items.empty()) {
    std::shared_ptr<void> p = std::move(graveyard.items.back());
    graveyard.items.pop_back();
    p.reset();  // may bury more children, handled by this loop
  }
  graveyard.draining = false;
}

}  // namespace

Array::~Array() {
  for (auto& v : items) bury(v);
  drain();
}

Object::~Object() {
  for (auto& kv : entries) bury(kv.second);
  drain();
}

void Object::build_index() const {
  index_.clear();
  for (std::size_t i = 0; i < entries.size(); ++i) index_[entries[i].first] = i;
  indexed_ = true;
}

const Value* Object::find(std::string_view key) const {
  if (entries.size() < index_threshold) {
    for (const auto& kv : entries)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
  if (!indexed_) build_index();
  auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : &entries[it->second].second;
}

void Object::set(std::string key, Value v) {
  if (entries.size() < index_threshold) {
    for (auto& kv : entries)
      if (kv.first == key) {
        kv.second = std::move(v);
        return;
      }
    entries.emplace_back(std::move(key), std::move(v));
    indexed_ = false;
    return;
  }
  if (!indexed_) build_index();
  auto it = index_.find(key);
  if (it != index_.end()) {
    entries[it->second].second = std::move(v);
    return;
  }
  index_[key] = entries.size();
  entries.emplace_back(std::move(key), std::move(v));
}

bool Object::erase(std::string_view key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->first == key) {
      entries.erase(it);
      indexed_ = false;
      return true;
    }
  }
  return false;
}

Value make_array(std::vector<Value> items) {
  auto a = std::make_shared<Array>();
  a->items = std::move(items);
  return Value::array(std::move(a));
}

Value make_sequence(std::vector<Value> items) {
  auto a = std::make_shared<Array>();
  a->items = std::move(items);
  a->sequence = true;
  return Value::array(std::move(a));
}

Value make_object() { return Value::object(std::make_shared<Object>()); }

bool is_sequence(const Value& v) { return v.is_array() && v.arr().sequence; }

bool is_numeric(const Value& v) {
  if (!v.is_number()) return false;
  if (std::isnan(v.num())) return false;
  if (!std::isfinite(v.num())) fail_value("D1001", v);
  return true;
}

Value boolean_of(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
      return Value();
    case Kind::kNull:
      return Value::boolean(false);
    case Kind::kBool:
      return v;
    case Kind::kNumber:
      return Value::boolean(v.num() != 0);
    case Kind::kString:
      return Value::boolean(!v.str().empty());
    case Kind::kFunction:
      return Value::boolean(false);
    case Kind::kObject:
      return Value::boolean(v.obj().size() > 0);
    case Kind::kArray: {
      const auto& items = v.arr().items;
      if (items.size() == 1) return boolean_of(items[0]);
      for (const auto& item : items) {
        Value b = boolean_of(item);
        if (b.is_bool() && b.as_bool()) return Value::boolean(true);
      }
      return Value::boolean(false);
    }
  }
  return Value();
}

bool truthy(const Value& v) {
  Value b = boolean_of(v);
  return b.is_bool() && b.as_bool();
}

namespace {
bool deep_equal_at(const Value& a, const Value& b, std::size_t depth);
Value deep_clone_at(const Value& v, std::size_t depth);
}  // namespace

bool deep_equal(const Value& a, const Value& b) { return deep_equal_at(a, b, 0); }
Value deep_clone(const Value& v) { return deep_clone_at(v, 0); }

namespace {
bool deep_equal_at(const Value& a, const Value& b, std::size_t depth) {
  if (depth > value_depth_max) fail("U1001");
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return a.as_bool() == b.as_bool();
    case Kind::kNumber:
      return a.num() == b.num();
    case Kind::kString:
      return a.str() == b.str();
    case Kind::kFunction:
      return a.identity() == b.identity();
    case Kind::kArray: {
      const auto& x = a.arr().items;
      const auto& y = b.arr().items;
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!deep_equal_at(x[i], y[i], depth + 1)) return false;
      return true;
    }
    case Kind::kObject: {
      const auto& x = a.obj();
      const auto& y = b.obj();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries) {
        const Value* other = y.find(k);
        if (!other || !deep_equal_at(v, *other, depth + 1)) return false;
      }
      return true;
    }
  }
  return false;
}

Value deep_clone_at(const Value& v, std::size_t depth) {
  if (depth > value_depth_max) fail("U1001");
  if (v.is_array()) {
    auto out = std::make_shared<Array>();
    for (const auto& item : v.arr().items) {
      if (item.is_function() || item.undefined()) {
        out->items.push_back(Value::null());
      } else {
        out->items.push_back(deep_clone_at(item, depth + 1));
      }
    }
    return Value::array(std::move(out));
  }
  if (v.is_object()) {
    auto out = std::make_shared<Object>();
    for (const auto& [k, item] : v.obj().entries) {
      if (item.is_function() || item.undefined()) continue;
      out->entries.emplace_back(k, deep_clone_at(item, depth + 1));
    }
    out->finish_building();
    return Value::object(std::move(out));
  }
  return v;
}
}  // namespace

Value append(const Value& a, const Value& b) {
  if (a.undefined()) return b;
  if (b.undefined()) return a;
  auto out = std::make_shared<Array>();
  if (a.is_array()) {
    out->items = a.arr().items;
  } else {
    out->items.push_back(a);
  }
  if (b.is_array()) {
    out->items.insert(out->items.end(), b.arr().items.begin(), b.arr().items.end());
  } else {
    out->items.push_back(b);
  }
  return Value::array(std::move(out));
}

void append_utf8(std::string& out, char32_t cp) { json::append_utf8(out, cp); }

std::vector<char32_t> to_code_points(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 6) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c >> 4) == 14) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c >> 3) == 30) {
      cp = c & 0x07;
      len = 4;
    } else {
      cp = c;
      len = 1;
    }
    for (int k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::string from_code_points(const char32_t* p, std::size_t n) {
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) append_utf8(out, p[i]);
  return out;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string type_of(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
    case Kind::kFunction:
      return "function";
    default:
      return "undefined";
  }
}

}  // namespace stepwise::jsonata
