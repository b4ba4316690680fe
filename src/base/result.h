// Result<T>: a value or an error, the way errors cross module boundaries in Stepwise.
//
// An Error carries a machine name (an AWS error name such as "States.Runtime" or an API
// `__type` such as "ValidationException") and a human cause. Exceptions never cross a module;
// expected failures (bad input, a failing path) are values of this type.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace stepwise {

struct Error {
  std::string name;   // e.g. "States.ParameterPathFailure", "InvalidDefinition"
  std::string cause;  // human-readable text, AWS's wording where AWS has one
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  static Result fail(std::string name, std::string cause) {
    return Error{std::move(name), std::move(cause)};
  }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Status: a Result with no value.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace stepwise
