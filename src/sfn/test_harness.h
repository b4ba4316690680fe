// Test helpers for Service-level tests (retention, DELETING): a Service over a given store and a
// ManualClock the test owns (so time can be moved and survive a "restart"), called in-process
// through its OperationTable, and a Lambda stand-in that holds calls until the test answers.
// Header-only, *_test.cpp only.
// Thread-safety: a Harness is driven by one test thread; HeldFunctions locks.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "sfn/service.h"
#include "tasks/local_integrations.h"

namespace stepwise::sfn::testing {

using namespace std::chrono_literals;

inline constexpr Millis kStart = 1'700'000'000'000;
inline constexpr const char* kRole = "arn:aws:iam::123456789012:role/test";
inline constexpr const char* kPassMachine =
    R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":1},"End":true}}})";
inline constexpr const char* kTaskMachine =
    R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}})";

// Lambda stand-in: keeps every call until answer_all() (an execution stays RUNNING meanwhile).
class HeldFunctions final : public tasks::TaskRunner {
 public:
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override {
    base::MutexLock lock(mu_);
    held_.push_back({&loop, std::move(done), request.parameters});
  }
  std::size_t held() {
    base::MutexLock lock(mu_);
    return held_.size();
  }
  // Answers every held call with success (through the loop, as a runner does).
  void answer_all() {
    base::MutexLock lock(mu_);
    for (Held& h : held_) {
      h.loop->post([done = std::move(h.done), out = h.parameters]() mutable {
        done(tasks::TaskOutcome::success(out));
      });
    }
    held_.clear();
  }
  void wait_held(std::size_t n) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (held() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    EXPECT_GE(held(), n);
  }

 private:
  struct Held {
    EventLoop* loop;
    tasks::TaskDone done;
    json::value parameters;
  };
  base::Mutex mu_;
  std::deque<Held> held_ GUARDED_BY(mu_);
};

class Harness {
 public:
  Harness(store::Store& store, ManualClock& clock, tasks::TaskRunner* functions = nullptr,
          Millis retention_ms = retention_limits::retention_default_ms,
          Millis purge_interval_ms = retention_limits::purge_interval_default_ms)
      : Harness([&] {
          ServiceOptions o{.clock = clock, .registry_store = store, .execution_store = store};
          o.integrations = tasks::local_integrations({.functions = functions});
          o.retention_ms = retention_ms;
          o.purge_interval_ms = purge_interval_ms;
          return o;
        }()) {}
  // Any options (a real clock, dormancy settings...); ids are made deterministic.
  explicit Harness(ServiceOptions o) {
    o.id_seed = 7;
    service_ = std::make_unique<Service>(std::move(o));
    service_->add_operations(table_);
    resumed_ = service_->start();
  }

  api::Response call(const std::string& op, json::value request) {
    // Shared: a reply that comes after the wait gave up must not touch a dead promise.
    auto p = std::make_shared<std::promise<api::Response>>();
    auto f = p->get_future();
    table_.dispatch(op, std::move(request), api::RequestInfo{},
                    [p](api::Response r) { p->set_value(std::move(r)); });
    if (f.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << op << " did not answer";
      return api::ApiError::internal("no answer");
    }
    return f.get();
  }
  json::value ok(const std::string& op, json::value request) {
    api::Response r = call(op, std::move(request));
    EXPECT_FALSE(r.is_error()) << op << ": "
                               << (r.is_error() ? r.error().type + " " + r.error().message : "");
    return r.is_error() ? json::value() : r.body();
  }
  // The error type of a call expected to fail ("" if it succeeded).
  std::string fails(const std::string& op, json::value request) {
    api::Response r = call(op, std::move(request));
    EXPECT_TRUE(r.is_error()) << op << " succeeded";
    return r.is_error() ? r.error().type : "";
  }
  std::string create(const std::string& name, const char* definition,
                     const char* type = "STANDARD") {
    json::value r =
        ok("CreateStateMachine",
           json::object{
               {"name", name}, {"definition", definition}, {"roleArn", kRole}, {"type", type}});
    return r.is_object() ? std::string(r.at("stateMachineArn").as_string()) : "";
  }
  std::string start(const std::string& machine, const std::string& name,
                    const std::string& input = "{}") {
    json::value r =
        ok("StartExecution",
           json::object{{"stateMachineArn", machine}, {"name", name}, {"input", input}});
    return r.is_object() ? std::string(r.at("executionArn").as_string()) : "";
  }
  std::string status(const std::string& execution_arn) {
    api::Response r = call("DescribeExecution", json::object{{"executionArn", execution_arn}});
    if (r.is_error()) return r.error().type;
    return std::string(r.body().at("status").as_string());
  }
  // The machine's status once it stops showing `from`: a deleting machine goes after its last
  // execution's close is durable, a moment after DescribeExecution already shows the close.
  std::string wait_machine_status_leaves(const std::string& machine_arn, const std::string& from) {
    return poll_while(from, [&] { return machine_status(machine_arn); });
  }
  // Polls until the execution leaves RUNNING (answers are event-driven; this bounds a bug).
  std::string wait_closed(const std::string& execution_arn) {
    return poll_while("RUNNING", [&] { return status(execution_arn); });
  }
  // Reads `read()` every millisecond while it gives `from`, for at most 10 s; its last answer.
  template <class Read>
  static std::string poll_while(const std::string& from, Read read) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string s = read();
    while (s == from && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
      s = read();
    }
    return s;
  }
  // The event types of an execution's history, in order.
  std::vector<std::string> event_types(const std::string& execution_arn) {
    json::value h = ok("GetExecutionHistory", json::object{{"executionArn", execution_arn}});
    std::vector<std::string> types;
    if (!h.is_object()) return types;
    for (const auto& e : h.at("events").as_array()) types.emplace_back(e.at("type").as_string());
    return types;
  }
  // DescribeStateMachine's status, or the error type.
  std::string machine_status(const std::string& machine_arn) {
    api::Response r = call("DescribeStateMachine", json::object{{"stateMachineArn", machine_arn}});
    if (r.is_error()) return r.error().type;
    return std::string(r.body().at("status").as_string());
  }
  Service& service() { return *service_; }
  std::size_t resumed() const { return resumed_; }

 private:
  std::unique_ptr<Service> service_;
  api::OperationTable table_;
  std::size_t resumed_ = 0;
};

}  // namespace stepwise::sfn::testing
