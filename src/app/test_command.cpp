// `stepwise test`: files into cases, each case on a fresh in-process Service, checks, reports.
#include "app/test_command.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "api/xml_writer.h"
#include "app/builtin_services.h"
#include "app/child_processes.h"
#include "app/definition_file.h"
#include "app/input_quota.h"
#include "app/integration_support.h"
#include "app/task_config.h"
#include "app/test_file.h"
#include "app/trace.h"
#include "asl/compile.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "sfn/service.h"
#include "store/memory_store.h"
#include "tasks/functions.h"
#include "tasks/http_task.h"
#include "tasks/job_runner.h"
#include "tasks/local_integrations.h"
#include "tasks/mock_config.h"

namespace stepwise::app {
namespace {

constexpr const char* kRole = "arn:aws:iam::123456789012:role/StepwiseTest";
// The mock config test case an inline `mocks:` map becomes.
constexpr const char* kInlineCase = "stepwise-test-inline";
// How often a case asks whether its execution has ended (real time).
constexpr int poll_interval_ms = 2;
// GetExecutionHistory pages (1000 events each): the 25,000-event quota fits.
constexpr int history_pages_max = 30;

// One case's world: a memory store, the functions of its file, its mocks, the built-in
// services it asks for (in memory, over the case's clock), a Service.
class CaseWorld {
 public:
  // Errors: the built-in services cannot start (an unknown name).
  static Result<std::unique_ptr<CaseWorld>> make(bool fast_time,
                                                 std::optional<tasks::MockConfig> mocks,
                                                 const std::vector<std::string>& services) {
    std::unique_ptr<CaseWorld> w(new CaseWorld(fast_time));
    // The same ids on every run of a case, as for the Service (queue URLs on the default
    // place: http://localhost:8083/123456789012/NAME).
    auto builtins = BuiltinServices::open(BuiltinServicesOptions{
        .clock = w->clock_, .place = {}, .database = {}, .enabled = services, .id_seed = 1});
    if (!builtins) return builtins.error();
    w->builtins_ = std::move(builtins).value();
    w->init(std::move(mocks));
    return w;
  }

 private:
  explicit CaseWorld(bool fast_time)
      : manual_(RealClock().now_ms()),
        clock_(fast_time ? static_cast<Clock&>(manual_) : static_cast<Clock&>(real_)),
        functions_(std::make_unique<tasks::FunctionRunner>()),
        http_(std::make_unique<tasks::HttpTaskRunner>()),
        jobs_(std::make_unique<tasks::JobRunner>()) {}

  void init(std::optional<tasks::MockConfig> mocks) {
    sfn::ServiceOptions options{
        .clock = clock_, .registry_store = store_, .execution_store = store_};
    options.integrations =
        [local = tasks::local_integrations(
             {.functions = functions_.get(), .http = http_.get(), .jobs = jobs_.get()}),
         b = builtins_.get()](tasks::IntegrationRegistry& registry) {
          if (auto s = local(registry); !s.ok()) return s;
          return b->add_integrations(registry);
        };
    options.mock_config = std::move(mocks);
    options.id_seed = 1;  // the same ids on every run of a case
    service_ = std::make_unique<sfn::Service>(std::move(options));
    functions_->set_callbacks(&service_->callbacks());
    service_->add_operations(table_);
  }

 public:
  // The Service's contract: stop it, then its runners, then the Service itself; the built-in
  // services its integrations call go last.
  ~CaseWorld() {
    service_->stop();
    builtins_->stop();
    functions_.reset();
    http_.reset();
    jobs_.reset();
    service_.reset();
    builtins_.reset();
  }

  tasks::FunctionRunner& functions() { return *functions_; }
  tasks::HttpTaskRunner& http() { return *http_; }
  tasks::JobRunner& jobs() { return *jobs_; }
  void start() { service_->start(); }

  // One operation, waited for: its body, or "Operation: Type: message".
  Result<json::object> call(const std::string& operation, json::object request) {
    std::promise<api::Response> answer;
    auto done = answer.get_future();
    api::RequestInfo info;
    info.request_id = "stepwise-test";
    table_.dispatch(operation, json::value(std::move(request)), info,
                    [&answer](api::Response r) { answer.set_value(std::move(r)); });
    api::Response r = done.get();
    if (r.is_error())
      return Error{"Api", operation + ": " + r.error().type + ": " + r.error().message};
    return r.body().is_object() ? r.body().get_object() : json::object{};
  }

  // One call to a built-in service, waited for: its answer, or its error (name: the AWS
  // error code, e.g. "QueueDoesNotExist").
  Result<json::value> call_service(const ServiceCall& c) {
    services::BuiltinService* service = builtins_->find(c.service);
    if (service == nullptr)
      return Error{"TestFile",
                   c.where + ": the case does not run '" + c.service + "' (see `services:`)"};
    std::promise<api::Response> answer;
    auto done = answer.get_future();
    api::RequestInfo info;
    info.request_id = "stepwise-test";
    service->operations().dispatch(c.operation, json::value(c.params), info,
                                   [&answer](api::Response r) { answer.set_value(std::move(r)); });
    api::Response r = done.get();
    if (r.is_error()) return Error{r.error().type, r.error().message};
    return r.body();
  }

 private:
  RealClock real_;
  ManualClock manual_;
  Clock& clock_;
  store::MemoryStore store_;
  std::unique_ptr<tasks::FunctionRunner> functions_;
  std::unique_ptr<tasks::HttpTaskRunner> http_;
  std::unique_ptr<tasks::JobRunner> jobs_;
  std::unique_ptr<BuiltinServices> builtins_;
  std::unique_ptr<sfn::Service> service_;
  api::OperationTable table_;
};

// A check's verdict: "" when the answer meets it, else the first difference.
std::string check_call(CaseWorld& world, const ServiceCall& c) {
  const std::string what = c.where + " (" + c.service + ": " + c.operation + ")";
  auto got = world.call_service(c);
  if (c.error) {
    if (got) return what + ": expected error " + *c.error + ", got an answer";
    if (got.error().name != *c.error)
      return what + ": expected error " + *c.error + ", got " + got.error().name + ": " +
             got.error().cause;
    return "";
  }
  if (!got) return what + ": " + got.error().name + ": " + got.error().cause;
  if (!c.contains) return "";
  if (auto d = json_contains_difference(*c.contains, *got); !d.empty()) return what + " " + d;
  return "";
}

std::string string_of(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The file's mock config plus the case's inline mocks (as test case kInlineCase, which also
// takes over the named test case's states, the inline ones winning).
Result<std::optional<tasks::MockConfig>> case_mocks(const TestFile& f, const TestCase& c,
                                                    const std::optional<tasks::MockConfig>& base) {
  if (!c.mocks) return base;
  json::object states;
  json::object responses;
  for (const auto& kv : *c.mocks) {
    const std::string response = std::string(kInlineCase) + ":" + std::string(kv.key());
    states[kv.key()] = response;
    const json::value& m = kv.value();
    const bool indexed =
        m.is_object() && !m.get_object().contains("Return") && !m.get_object().contains("Throw");
    responses[response] = indexed ? m : json::value(json::object{{"0", m}});
  }
  json::object doc{
      {"StateMachines",
       json::object{
           {f.machine_name, json::object{{"TestCases", json::object{{kInlineCase, states}}}}}}},
      {"MockedResponses", responses}};
  auto inline_config = tasks::parse_mock_config(json::dump(doc));
  if (!inline_config) return Error{"TestFile", "mocks: " + inline_config.error().cause};
  tasks::MockConfig merged = base.value_or(tasks::MockConfig{});
  auto& cases = merged.machines[f.machine_name];
  std::map<std::string, std::string> mapping;
  if (!c.test_case.empty()) {
    auto named = cases.find(c.test_case);
    if (named == cases.end())
      return Error{"TestFile", "test case '" + c.test_case + "' is not in the mock config"};
    mapping = named->second;
  }
  for (auto& [state, response] : inline_config->machines[f.machine_name][kInlineCase])
    mapping[state] = response;
  cases[kInlineCase] = std::move(mapping);
  for (auto& [name, list] : inline_config->responses) merged.responses[name] = std::move(list);
  return std::optional<tasks::MockConfig>(std::move(merged));
}

// The states the case's mocks answer (they need no runner).
std::set<std::string> mocked_states(const TestFile& f, const std::optional<tasks::MockConfig>& m,
                                    const std::string& test_case) {
  std::set<std::string> out;
  if (!m || test_case.empty()) return out;
  auto machine = m->machines.find(f.machine_name);
  if (machine == m->machines.end()) return out;
  auto tc = machine->second.find(test_case);
  if (tc == machine->second.end()) return out;
  for (const auto& [state, response] : tc->second) out.insert(state);
  return out;
}

Result<json::array> read_history(CaseWorld& world, const std::string& arn) {
  json::array events;
  std::string token;
  for (int page = 0; page < history_pages_max; ++page) {
    json::object request{{"executionArn", arn}, {"maxResults", 1000}};
    if (!token.empty()) request["nextToken"] = token;
    auto body = world.call("GetExecutionHistory", std::move(request));
    if (!body) return body.error();
    if (const auto* e = body->if_contains("events"); e != nullptr && e->is_array())
      for (const auto& ev : e->get_array()) events.push_back(ev);
    token = string_of(*body, "nextToken");
    if (token.empty()) return events;
  }
  return Error{"HistoryTooLong", "more than " + std::to_string(history_pages_max) + " pages"};
}

// StartExecution (StartSyncExecution for EXPRESS), then DescribeExecution until it ends.
Result<json::object> execute(CaseWorld& world, const TestFile& f, const std::string& machine_arn,
                             const std::string& test_case, const std::string& input) {
  std::string arn = machine_arn + (test_case.empty() ? "" : "#" + test_case);
  if (f.type == "EXPRESS") {
    return world.call("StartSyncExecution",
                      json::object{{"stateMachineArn", arn}, {"input", input}});
  }
  auto started =
      world.call("StartExecution", json::object{{"stateMachineArn", arn}, {"input", input}});
  if (!started) return started.error();
  const std::string execution = string_of(*started, "executionArn");
  const std::int64_t deadline_ms = monotonic_ms() + std::int64_t(f.timeout_seconds) * 1000;
  for (;;) {
    auto d = world.call("DescribeExecution", json::object{{"executionArn", execution}});
    if (!d || string_of(*d, "status") != "RUNNING") return d;
    if (monotonic_ms() > deadline_ms) {
      return Error{"Timeout", "still RUNNING after " + std::to_string(f.timeout_seconds) +
                                  " s (timeout_seconds)"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_interval_ms));
  }
}

// Everything about one case but the timing: runs it and checks it.
TestResult run_case_body(const TestFile& f, const TestCase& c,
                         const std::optional<tasks::MockConfig>& file_mocks, bool trace) {
  TestResult r{f.path, c.name, TestResult::Outcome::error, "", 0, ""};
  auto fail = [&r](std::string why) {  // the case could not run: an error, not a failure
    r.message = std::move(why);
    return r;
  };
  auto mocks = case_mocks(f, c, file_mocks);
  if (!mocks) return fail(mocks.error().cause);
  const std::string test_case = c.mocks ? kInlineCase : c.test_case;
  if (auto quota = input_quota_error(c.input_text)) return fail(*quota);
  auto definition = load_definition_text(f.definition_path);
  if (!definition) return fail(definition.error().cause);
  auto machine = asl::compile_text(*definition);
  if (!machine) return fail(f.definition_path + ": " + machine.error().cause);
  tasks::IntegrationRegistry registry;
  tasks::MockRunner placeholder(tasks::MockTestCase{}, nullptr);  // never started
  if (auto s = register_server_integrations(registry, &placeholder); !s)
    return fail(s.error().cause);
  auto unsupported = unsupported_tasks(**machine, registry, mocked_states(f, *mocks, test_case));
  if (!unsupported.empty())
    return fail(unsupported_message(unsupported, registry, "stepwise test"));

  auto made_world =
      CaseWorld::make(f.fast_time, *mocks, f.services.value_or(builtin_service_names()));
  if (!made_world) return fail(made_world.error().cause);
  CaseWorld& world = **made_world;
  if (!f.functions_files.empty()) {
    auto config = load_task_configs(f.functions_files);
    if (!config) return fail(config.error().cause);
    auto applied =
        apply_task_config(std::move(*config), world.functions(), world.http(), world.jobs());
    if (!applied) return fail(applied.error().cause);
  }
  world.start();
  for (const auto* list : {&f.setup, &c.setup}) {
    for (const auto& call : *list) {
      auto done = world.call_service(call);
      if (!done)
        return fail(call.where + " (" + call.service + ": " + call.operation +
                    "): " + done.error().name + ": " + done.error().cause);
    }
  }
  for (const auto& [name, path] : f.machines) {
    auto text = load_definition_text(path);
    if (!text) return fail(text.error().cause);
    auto made = world.call("CreateStateMachine",
                           json::object{{"name", name}, {"definition", *text}, {"roleArn", kRole}});
    if (!made) return fail("machines." + name + ": " + made.error().cause);
  }
  auto made = world.call("CreateStateMachine", json::object{{"name", f.machine_name},
                                                            {"definition", *definition},
                                                            {"roleArn", kRole},
                                                            {"type", f.type}});
  if (!made) return fail(made.error().cause);
  auto ended = execute(world, f, string_of(*made, "stateMachineArn"), test_case, c.input_text);
  if (!ended) return fail(ended.error().cause);
  TestActual actual;
  actual.status = string_of(*ended, "status");
  if (ended->contains("output")) {
    auto output = json::parse(string_of(*ended, "output"));
    if (output) actual.output = std::move(*output);
  }
  if (ended->contains("error")) actual.error = string_of(*ended, "error");
  if (ended->contains("cause")) actual.cause = string_of(*ended, "cause");
  if (f.type == "STANDARD") {
    auto events = read_history(world, string_of(*ended, "executionArn"));
    if (!events) return fail(events.error().cause);
    actual.path = state_path(*events);
    if (trace) {
      std::ostringstream text;
      print_trace(*events, text);
      r.trace = text.str();
    }
  }
  r.message = first_difference(c.expect, actual);
  for (std::size_t i = 0; i < c.expect.calls.size() && r.message.empty(); ++i)
    r.message = check_call(world, c.expect.calls[i]);
  r.outcome = r.message.empty() ? TestResult::Outcome::passed : TestResult::Outcome::failed;
  return r;
}

struct Job {
  std::shared_ptr<const TestFile> file;
  std::shared_ptr<const std::optional<tasks::MockConfig>> mocks;
  std::size_t index = 0;
};

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", s);
  return buf;
}

void print_result(const TestResult& r, std::ostream& out) {
  const char* label = r.outcome == TestResult::Outcome::passed   ? "PASS "
                      : r.outcome == TestResult::Outcome::failed ? "FAIL "
                                                                 : "ERROR";
  std::string text =
      std::string(label) + " " + r.file + ": " + r.name + " (" + seconds_text(r.seconds) + ")\n";
  if (!r.message.empty()) text += "      " + r.message + "\n";
  text += r.trace;
  out << text << std::flush;
}

}  // namespace

using api::xml_escape;

std::string junit_xml(const std::vector<TestResult>& results, double seconds) {
  std::map<std::string, std::vector<const TestResult*>> by_file;
  std::vector<std::string> order;
  for (const auto& r : results) {
    if (!by_file.count(r.file)) order.push_back(r.file);
    by_file[r.file].push_back(&r);
  }
  auto count = [](const std::vector<const TestResult*>& list, TestResult::Outcome o) {
    return std::count_if(list.begin(), list.end(), [o](const auto* r) { return r->outcome == o; });
  };
  std::vector<const TestResult*> all;
  for (const auto& r : results) all.push_back(&r);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites name=\"stepwise\" tests=\"" + std::to_string(results.size()) +
         "\" failures=\"" + std::to_string(count(all, TestResult::Outcome::failed)) +
         "\" errors=\"" + std::to_string(count(all, TestResult::Outcome::error)) + "\" time=\"" +
         std::to_string(seconds) + "\">\n";
  for (const auto& file : order) {
    const auto& list = by_file[file];
    double suite_seconds = 0;
    for (const auto* r : list) suite_seconds += r->seconds;
    xml += "  <testsuite name=\"" + xml_escape(file) + "\" tests=\"" + std::to_string(list.size()) +
           "\" failures=\"" + std::to_string(count(list, TestResult::Outcome::failed)) +
           "\" errors=\"" + std::to_string(count(list, TestResult::Outcome::error)) +
           "\" skipped=\"0\" time=\"" + std::to_string(suite_seconds) + "\">\n";
    for (const auto* r : list) {
      xml += "    <testcase classname=\"" + xml_escape(file) + "\" name=\"" + xml_escape(r->name) +
             "\" time=\"" + std::to_string(r->seconds) + "\"";
      if (r->outcome == TestResult::Outcome::passed) {
        xml += "/>\n";
        continue;
      }
      const char* tag = r->outcome == TestResult::Outcome::failed ? "failure" : "error";
      xml += ">\n      <" + std::string(tag) + " message=\"" + xml_escape(r->message) + "\">" +
             xml_escape(r->message + (r->trace.empty() ? "" : "\n" + r->trace)) + "</" + tag +
             ">\n    </testcase>\n";
    }
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

int test_command(const TestCommand& command, std::ostream& out, std::ostream& err) {
  const std::int64_t start_ms = monotonic_ms();
  auto files =
      find_test_files(command.paths.empty() ? std::vector<std::string>{"."} : command.paths);
  if (!files) {
    err << "stepwise test: " << files.error().cause << "\n";
    return 2;
  }
  if (files->empty()) {
    err << "stepwise test: no test files (*.test.yaml, *.test.yml, *.test.json)\n";
    return 2;
  }
  std::vector<TestResult> results;
  std::vector<Job> jobs;
  bool unreadable = false;
  for (const auto& path : *files) {
    auto file = load_test_file(path);
    std::optional<tasks::MockConfig> mocks;
    if (file && !file->mock_config_path.empty()) {
      auto config = tasks::load_mock_config_file(file->mock_config_path);
      if (!config)
        file = Error{"TestFile", path + ": " + config.error().cause};
      else
        mocks = std::move(*config);
    }
    if (!file) {
      unreadable = true;
      results.push_back(
          TestResult{path, "(file)", TestResult::Outcome::error, file.error().cause, 0, ""});
      print_result(results.back(), out);
      continue;
    }
    auto shared = std::make_shared<const TestFile>(std::move(*file));
    auto shared_mocks = std::make_shared<const std::optional<tasks::MockConfig>>(std::move(mocks));
    for (std::size_t i = 0; i < shared->cases.size(); ++i) {
      if (!command.name_contains.empty() &&
          (path + ": " + shared->cases[i].name).find(command.name_contains) == std::string::npos)
        continue;
      jobs.push_back(Job{shared, shared_mocks, i});
    }
  }
  const std::size_t first_case = results.size();
  results.resize(first_case + jobs.size());
  std::atomic<std::size_t> next{0};
  base::Mutex print_mu;
  auto worker = [&] {
    for (std::size_t j = next++; j < jobs.size(); j = next++) {
      const Job& job = jobs[j];
      const std::int64_t t0 = monotonic_ms();
      TestResult r =
          run_case_body(*job.file, job.file->cases[job.index], *job.mocks, command.trace);
      r.seconds = double(monotonic_ms() - t0) / 1000.0;
      hold_if_stopping();  // Ctrl-C: the case ended because its processes were killed
      base::MutexLock lock(print_mu);
      print_result(r, out);
      results[first_case + j] = std::move(r);
    }
  };
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::clamp(command.threads > 0 ? command.threads : cores, 1, 64);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads && std::size_t(i) < jobs.size(); ++i) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  hold_if_stopping();

  const double seconds = double(monotonic_ms() - start_ms) / 1000.0;
  std::size_t passed = 0, failed = 0, errors = 0;
  for (const auto& r : results) {
    if (r.outcome == TestResult::Outcome::passed)
      ++passed;
    else if (r.outcome == TestResult::Outcome::failed)
      ++failed;
    else
      ++errors;
  }
  out << "\n";
  for (const auto& r : results) {
    if (r.outcome == TestResult::Outcome::passed) continue;
    out << (r.outcome == TestResult::Outcome::failed ? "failed: " : "error:  ") << r.file << ": "
        << r.name << "\n        " << r.message << "\n";
  }
  out << "tests: " << passed << " passed, " << failed << " failed, " << errors << " errors ("
      << results.size() << " cases, " << seconds_text(seconds) << ")\n";
  if (!command.junit_file.empty()) {
    std::ofstream junit(command.junit_file, std::ios::binary | std::ios::trunc);
    junit << junit_xml(results, seconds);
    if (!junit) {
      err << "stepwise test: cannot write " << command.junit_file << "\n";
      return 2;
    }
  }
  if (unreadable) return 2;
  return failed + errors == 0 ? 0 : 1;
}

}  // namespace stepwise::app
