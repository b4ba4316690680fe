// JSONata's internal value model: JSON values plus "undefined", sequences and functions.
//
// Arrays and objects live behind shared pointers so that paths, predicates and function
// calls pass values around without copying documents. A container is mutated only while it
// is being built (or, for `|...|` transforms, inside a fresh deep clone).
// Thread-safety: values are not synchronised; one evaluation owns the values it creates.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace stepwise::jsonata {

enum class Kind : std::uint8_t {
  kUndefined,
  kNull,
  kBool,
  kNumber,
  kString,
  kArray,
  kObject,
  kFunction
};

struct Array;
struct Object;
struct Function;

class Value {
 public:
  Value() = default;  // undefined
  static Value null() {
    Value v;
    v.kind_ = Kind::kNull;
    return v;
  }
  static Value boolean(bool b) {
    Value v;
    v.kind_ = Kind::kBool;
    v.b_ = b;
    return v;
  }
  static Value number(double d) {
    Value v;
    v.kind_ = Kind::kNumber;
    v.n_ = d;
    return v;
  }
  static Value string(std::string s);
  static Value array(std::shared_ptr<Array> a);
  static Value object(std::shared_ptr<Object> o);
  static Value function(std::shared_ptr<Function> f);

  Kind kind() const { return kind_; }
  bool undefined() const { return kind_ == Kind::kUndefined; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }
  bool is_function() const { return kind_ == Kind::kFunction; }

  bool as_bool() const { return b_; }
  double num() const { return n_; }
  const std::string& str() const { return *static_cast<const std::string*>(p_.get()); }
  Array& arr() const { return *static_cast<Array*>(p_.get()); }
  Object& obj() const { return *static_cast<Object*>(p_.get()); }
  Function& fn() const { return *static_cast<Function*>(p_.get()); }
  std::shared_ptr<Array> arr_ptr() const { return std::static_pointer_cast<Array>(p_); }
  std::shared_ptr<Function> fn_ptr() const { return std::static_pointer_cast<Function>(p_); }
  const void* identity() const { return p_.get(); }
  // True when this value holds the only reference to its container or string.
  bool sole_owner() const { return p_.use_count() == 1; }
  // Moves the container out, leaving undefined (used for iterative destruction).
  std::shared_ptr<void> release() {
    kind_ = Kind::kUndefined;
    return std::move(p_);
  }

 private:
  Kind kind_ = Kind::kUndefined;
  bool b_ = false;
  double n_ = 0;
  std::shared_ptr<void> p_;
};

// An array, or a JSONata sequence (a flattened result that collapses to its single item).
// Containers release their children iteratively (see value.cpp): a value nested a million deep
// must not be destroyed by a million nested destructor calls.
struct Array {
  Array() = default;
  Array(const Array&) = default;
  Array& operator=(const Array&) = default;
  ~Array();
  std::vector<Value> items;
  bool sequence = false;        // produced by path evaluation; singleton collapses
  bool keep_singleton = false;  // `[]` was used: a singleton sequence stays an array
  bool cons = false;            // built by an array constructor: never flattened
  bool outer_wrapper = false;   // wraps an input document that was itself an array
  bool tuple_stream = false;    // items are tuple objects ({"@": value, "$var": ...})
};

// An object with insertion-ordered keys and a lazily built hash index for large objects.
struct Object {
  Object() = default;
  Object(const Object&) = default;
  Object& operator=(const Object&) = default;
  ~Object();
  std::vector<std::pair<std::string, Value>> entries;

  const Value* find(std::string_view key) const;
  void set(std::string key, Value v);
  bool erase(std::string_view key);
  std::size_t size() const { return entries.size(); }
  // Call after appending to `entries` directly: builds the index of a large object up front so
  // that lookups never mutate (a finished object may be read from several threads).
  void finish_building() const {
    if (entries.size() >= index_threshold) build_index();
  }

 private:
  static constexpr std::size_t index_threshold = 12;
  mutable std::unordered_map<std::string, std::size_t> index_;
  mutable bool indexed_ = false;
  void build_index() const;
};

Value make_array(std::vector<Value> items = {});
Value make_sequence(std::vector<Value> items = {});
Value make_object();

inline Value Value::string(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.p_ = std::make_shared<std::string>(std::move(s));
  return v;
}
inline Value Value::array(std::shared_ptr<Array> a) {
  Value v;
  v.kind_ = Kind::kArray;
  v.p_ = std::move(a);
  return v;
}
inline Value Value::object(std::shared_ptr<Object> o) {
  Value v;
  v.kind_ = Kind::kObject;
  v.p_ = std::move(o);
  return v;
}
inline Value Value::function(std::shared_ptr<Function> f) {
  Value v;
  v.kind_ = Kind::kFunction;
  v.p_ = std::move(f);
  return v;
}

}  // namespace stepwise::jsonata
