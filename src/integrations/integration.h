// Integration: what a Task's Resource names, resolved once when the definition is compiled.
//
// An integration has a name ("lambda:invoke", "states:startExecution", "aws-sdk:*",
// "lambda:function" for a bare function ARN, "activity" for an activity ARN) and a set of
// integration patterns AWS supports for it (request-response, `.sync`, `.sync:2`,
// `.waitForTaskToken`). `resolve()` (resource.h) turns a Resource ARN into an `Integration`:
// the catalog index of its name plus the pattern its suffix asks for. The compiled state keeps
// it and every TaskRequest carries it, so nothing after CreateStateMachine classifies the ARN
// text again.
//
// Thread-safety: plain values and immutable static data; share freely.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace stepwise::integrations {

enum class IntegrationPattern : std::uint8_t {
  kRequestResponse,   // no suffix: the call's answer is the task's result
  kSync,              // ".sync": wait for the job to finish
  kSync2,             // ".sync:2": as .sync, the output as JSON (states:startExecution)
  kWaitForTaskToken,  // ".waitForTaskToken": wait for SendTaskSuccess/Failure
};

// The suffix written after the action for `pattern` ("", ".sync", ".sync:2", ...).
std::string_view pattern_suffix(IntegrationPattern pattern);

// A set of patterns (one bit each).
class Patterns {
 public:
  constexpr Patterns() = default;
  constexpr Patterns(std::initializer_list<IntegrationPattern> patterns) {
    for (IntegrationPattern p : patterns) bits_ |= bit(p);
  }
  constexpr bool has(IntegrationPattern p) const { return (bits_ & bit(p)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const Patterns&) const = default;

 private:
  static constexpr std::uint8_t bit(IntegrationPattern p) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(p));
  }
  std::uint8_t bits_ = 0;
};

// Index of an integration in the catalog (catalog.h).
using IntegrationId = std::uint16_t;
inline constexpr IntegrationId kUnresolved = 0xffff;

// A resolved Task resource: which integration, called with which pattern.
struct Integration {
  IntegrationId id = kUnresolved;
  IntegrationPattern pattern = IntegrationPattern::kRequestResponse;

  bool resolved() const { return id != kUnresolved; }
  // The catalog name ("lambda:invoke", "aws-sdk:*"; "" when unresolved).
  std::string_view name() const;
  // The Resource is a bare Lambda function ARN: the history shows LambdaFunction* events.
  bool function_arn() const;
  // The Resource is an activity ARN: the history shows Activity* events.
  bool activity() const;
  // An aws-sdk:SERVICE:ACTION resource (its runner is found by SERVICE, see tasks/integrations.h).
  bool aws_sdk() const;
  bool operator==(const Integration&) const = default;
};

}  // namespace stepwise::integrations
