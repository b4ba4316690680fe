#include "bench/handlers.h"

#include <utility>

namespace stepwise::bench {

std::string_view lambda_function_name(std::string_view resource) {
  constexpr std::string_view prefix = "arn:aws:lambda:";
  constexpr std::string_view marker = ":function:";
  if (resource.substr(0, prefix.size()) != prefix) return {};
  auto pos = resource.find(marker);
  if (pos == std::string_view::npos) return {};
  std::string_view name = resource.substr(pos + marker.size());
  // A qualified ARN (":function:Name:alias") names the same function.
  return name.substr(0, name.find(':'));
}

namespace {

tasks::TaskOutcome increment(const json::value& input) {
  const auto* i = input.is_object() ? input.as_object().if_contains("i") : nullptr;
  if (!i || !json::is_number(*i))
    return tasks::TaskOutcome::failure("TypeError", "Increment needs a numeric input.i");
  json::value out = input;
  auto& slot = out.as_object()["i"];
  if (i->is_int64())
    slot = i->as_int64() + 1;
  else
    slot = json::as_double(*i) + 1;
  return tasks::TaskOutcome::success(std::move(out));
}

}  // namespace

tasks::TaskOutcome BenchTaskRunner::fail_twice(const json::value& input) {
  const auto* id = input.is_object() ? input.as_object().if_contains("id") : nullptr;
  if (!id || !id->is_int64())
    return tasks::TaskOutcome::failure("TypeError", "FailTwice needs an integer input.id");
  auto it = attempts_by_id_.find(id->as_int64());
  if (it == attempts_by_id_.end()) {
    if (attempts_by_id_.size() >= fail_twice_ids_max)
      return tasks::TaskOutcome::failure("Bench.TooManyExecutions", "FailTwice id table full");
    it = attempts_by_id_.emplace(id->as_int64(), 0).first;
  }
  int attempt = ++it->second;
  if (attempt <= 2) return tasks::TaskOutcome::failure("Flaky.Error", "transient failure");
  attempts_by_id_.erase(it);
  json::object out;
  out["ok"] = true;
  out["attempts"] = attempt;
  return tasks::TaskOutcome::success(std::move(out));
}

tasks::TaskOutcome BenchTaskRunner::invoke(const tasks::TaskRequest& request) {
  ++invocations_;
  std::string_view name = lambda_function_name(request.resource);
  if (name == "Identity") return tasks::TaskOutcome::success(request.parameters);
  if (name == "Increment") return increment(request.parameters);
  if (name == "FailTwice") return fail_twice(request.parameters);
  // What Lambda answers for a function that does not exist.
  return tasks::TaskOutcome::failure("Lambda.ResourceNotFoundException",
                                     "Function not found: " + request.resource);
}

void BenchTaskRunner::start(const tasks::TaskRequest& request, EventLoop& loop,
                            tasks::TaskDone done) {
  (void)loop;
  done(invoke(request));
}

}  // namespace stepwise::bench
