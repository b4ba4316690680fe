#include "tasks/mock_config.h"

#include <algorithm>
#include <charconv>
#include <fstream>

#include "tasks/lambda_arn.h"
#include "tasks/task_limits.h"

namespace stepwise::tasks {
namespace {

constexpr std::size_t mock_file_bytes_max = 16 * 1024 * 1024;

Error mock_error(const std::string& where, const std::string& what) {
  return Error{"MockConfig", where + ": " + what};
}

bool parse_index(std::string_view s, std::int64_t* out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && *out >= 0 &&
         *out <= limits::mock_invocation_index_max;
}

// "3" or "1-2".
bool parse_range(std::string_view key, std::int64_t* first, std::int64_t* last) {
  auto dash = key.find('-');
  if (dash == std::string_view::npos) {
    if (!parse_index(key, first)) return false;
    *last = *first;
    return true;
  }
  return parse_index(key.substr(0, dash), first) && parse_index(key.substr(dash + 1), last) &&
         *first <= *last;
}

Result<MockResponse> read_response(const std::string& where, const json::value& v) {
  if (!v.is_object()) return mock_error(where, "must be an object with Return or Throw");
  const auto& o = v.get_object();
  const auto* ret = o.if_contains("Return");
  const auto* thr = o.if_contains("Throw");
  if ((ret == nullptr) == (thr == nullptr) || o.size() != 1)
    return mock_error(where, "must hold exactly one of Return or Throw");
  MockResponse r;
  if (ret != nullptr) {
    r.value = *ret;
    return r;
  }
  r.is_throw = true;
  const auto* err = thr->is_object() ? thr->get_object().if_contains("Error") : nullptr;
  if (err == nullptr || !err->is_string())
    return mock_error(where + ".Throw", "needs an Error string");
  r.error = std::string(err->get_string());
  if (const auto* cause = thr->get_object().if_contains("Cause")) {
    if (!cause->is_string()) return mock_error(where + ".Throw.Cause", "must be a string");
    r.cause = std::string(cause->get_string());
  }
  return r;
}

Result<std::vector<MockResponse>> read_responses(const std::string& name, const json::value& v) {
  std::string where = "MockedResponses." + name;
  if (!v.is_object() || v.get_object().empty())
    return mock_error(where, "must map invocation keys (\"0\", \"1-2\") to responses");
  std::vector<MockResponse> out;
  for (const auto& kv : v.get_object()) {
    std::string at = where + "." + std::string(kv.key());
    std::int64_t first = 0, last = 0;
    if (!parse_range(kv.key(), &first, &last))
      return mock_error(at, "key must be an invocation index like \"0\" or a range like \"1-2\"");
    auto r = read_response(at, kv.value());
    if (!r) return r.error();
    r->first = first;
    r->last = last;
    out.push_back(std::move(r.value()));
  }
  std::sort(out.begin(), out.end(),
            [](const MockResponse& a, const MockResponse& b) { return a.first < b.first; });
  std::int64_t expected = 0;
  for (const auto& r : out) {
    if (r.first != expected)
      return mock_error(where, "invocation keys must be consecutive from \"0\"; expected " +
                                   std::to_string(expected) + ", found " + std::to_string(r.first));
    expected = r.last + 1;
  }
  return out;
}

Status read_machines(const json::value& v, MockConfig* config, std::size_t* entries) {
  if (!v.is_object()) return mock_error("StateMachines", "must be an object");
  for (const auto& m : v.get_object()) {
    std::string where = "StateMachines." + std::string(m.key());
    const auto* cases =
        m.value().is_object() ? m.value().get_object().if_contains("TestCases") : nullptr;
    if (cases == nullptr || !cases->is_object())
      return mock_error(where, "needs a TestCases object");
    auto& machine = config->machines[std::string(m.key())];
    for (const auto& tc : cases->get_object()) {
      std::string at = where + ".TestCases." + std::string(tc.key());
      if (!tc.value().is_object()) return mock_error(at, "must map state names to responses");
      auto& states = machine[std::string(tc.key())];
      for (const auto& st : tc.value().get_object()) {
        if (!st.value().is_string())
          return mock_error(at + "." + std::string(st.key()), "must name a mocked response");
        if (++*entries > limits::mock_entries_max) return mock_error(at, "too many entries");
        states[std::string(st.key())] = std::string(st.value().get_string());
      }
    }
  }
  return ok_status();
}

}  // namespace

Result<MockConfig> parse_mock_config(std::string_view text) {
  auto parsed = json::parse(text);
  if (!parsed) return mock_error("file", parsed.error().cause);
  if (!parsed->is_object()) return mock_error("file", "the top level must be an object");
  const auto& root = parsed->get_object();
  MockConfig config;
  std::size_t entries = 0;
  if (const auto* machines = root.if_contains("StateMachines")) {
    auto st = read_machines(*machines, &config, &entries);
    if (!st) return st.error();
  }
  if (const auto* responses = root.if_contains("MockedResponses")) {
    if (!responses->is_object()) return mock_error("MockedResponses", "must be an object");
    for (const auto& kv : responses->get_object()) {
      if (++entries > limits::mock_entries_max) return mock_error("MockedResponses", "too many");
      auto r = read_responses(std::string(kv.key()), kv.value());
      if (!r) return r.error();
      config.responses[std::string(kv.key())] = std::move(r.value());
    }
  }
  return config;
}

Result<MockConfig> load_mock_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return mock_error(path, "cannot open the file");
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > mock_file_bytes_max) return mock_error(path, "file too large");
  }
  auto config = parse_mock_config(text);
  if (!config) return Error{config.error().name, path + ": " + config.error().cause};
  return config;
}

Result<MockTestCase> load_mock_test_case(const std::string& path, const std::string& machine,
                                         const std::string& test_case) {
  auto config = load_mock_config_file(path);
  if (!config) return config.error();
  auto tc = config->test_case(machine, test_case);
  if (!tc) return Error{tc.error().name, path + ": " + tc.error().cause};
  return tc;
}

Result<MockTestCase> MockConfig::test_case(const std::string& machine,
                                           const std::string& name) const {
  auto m = machines.find(machine);
  if (m == machines.end())
    return mock_error("StateMachines", "no state machine named '" + machine + "'");
  auto tc = m->second.find(name);
  if (tc == m->second.end())
    return mock_error("StateMachines." + machine + ".TestCases",
                      "no test case named '" + name + "'");
  MockTestCase out;
  for (const auto& [state, response] : tc->second) {
    auto r = responses.find(response);
    if (r == responses.end())
      return mock_error("StateMachines." + machine + ".TestCases." + name + "." + state,
                        "names the undefined mocked response '" + response + "'");
    out.states[state] = r->second;
  }
  return out;
}

const MockResponse& pick_mock_response(const std::vector<MockResponse>& responses,
                                       std::int64_t index) {
  for (const auto& r : responses)
    if (index >= r.first && index <= r.last) return r;
  return responses.back();
}

TaskOutcome mock_outcome(const MockResponse& response, const Integration& integration) {
  if (response.is_throw) {
    TaskOutcome o = TaskOutcome::failure(response.error, response.cause.value_or(""));
    o.has_cause = response.cause.has_value();
    return o;
  }
  if (integration.function_arn() && response.value.is_object()) {
    if (const auto* payload = response.value.get_object().if_contains("Payload"))
      return TaskOutcome::success(*payload);
  }
  return TaskOutcome::success(response.value);
}

MockRunner::MockRunner(MockTestCase test_case, TaskRunner* fallback)
    : test_case_(std::move(test_case)), fallback_(fallback) {}

std::int64_t MockRunner::next_invocation(const std::string& execution_arn,
                                         const std::string& state) {
  base::MutexLock lock(mu_);
  auto key = std::make_pair(execution_arn, state);
  auto [it, inserted] = counters_.try_emplace(key, 0);
  if (inserted) {
    counter_order_.push_back(key);
    if (counter_order_.size() > limits::mock_counters_max) {
      counters_.erase(counter_order_.front());
      counter_order_.pop_front();
    }
  }
  return it->second++;
}

void MockRunner::start(const TaskRequest& request, EventLoop& loop, TaskDone done) {
  auto mocked = test_case_.states.find(request.state_name);
  if (mocked == test_case_.states.end() || mocked->second.empty()) {
    if (fallback_ != nullptr) return fallback_->start(request, loop, std::move(done));
    loop.post([done = std::move(done), resource = request.resource] {
      done(TaskOutcome::failure("States.Runtime", "The resource '" + resource +
                                                      "' has no runner and no mocked response."));
    });
    return;
  }
  std::int64_t index = next_invocation(request.execution_arn, request.state_name);
  TaskOutcome outcome =
      mock_outcome(pick_mock_response(mocked->second, index), integration_of(request));
  // Delivered through the loop, never from inside start(): the engine is not re-entered.
  loop.post([done = std::move(done), outcome = std::move(outcome)]() mutable {
    done(std::move(outcome));
  });
}

void MockRunner::cancel(const TaskRequest& request) {
  if (fallback_ != nullptr && !test_case_.states.count(request.state_name))
    fallback_->cancel(request);
}

bool MockRunner::redispatch_has_effects(const TaskRequest& request) const {
  auto mocked = test_case_.states.find(request.state_name);
  if (mocked != test_case_.states.end() && !mocked->second.empty()) return false;
  return fallback_ != nullptr && fallback_->redispatch_has_effects(request);
}

void MockRunner::forget_execution(const std::string& execution_arn) {
  base::MutexLock lock(mu_);
  for (auto it = counters_.begin(); it != counters_.end();) {
    if (it->first.first == execution_arn)
      it = counters_.erase(it);
    else
      ++it;
  }
  std::erase_if(counter_order_, [&](const auto& k) { return k.first == execution_arn; });
}

}  // namespace stepwise::tasks
