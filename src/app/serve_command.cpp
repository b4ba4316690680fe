// `stepwise serve`: wires the concrete clock, store, runners and Service, then serves.
#include "app/serve_command.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "api/router.h"
#include "api/serve.h"
#include "app/builtin_services.h"
#include "app/definition_file.h"
#include "app/integration_support.h"
#include "app/pass_through.h"
#include "app/serve_examples.h"
#include "app/stderr_log.h"
#include "app/store_size.h"
#include "app/task_config.h"
#include "base/arn.h"
#include "base/clock.h"
#include "console/console.h"
#include "console/live_hub.h"
#include "json/json.h"
#include "services/events/events_service.h"
#include "services/secretsmanager/secrets_service.h"
#include "services/sns/sns_service.h"
#include "sfn/service.h"
#include "store/memory_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tasks/functions.h"
#include "tasks/http_task.h"
#include "tasks/job_runner.h"
#include "tasks/local_integrations.h"
#include "tasks/mock_config.h"
#include "tasks/tasks_config.h"

namespace stepwise::app {
namespace {

namespace fs = std::filesystem;

// The runners a config file (docs/FUNCTIONS.md) feeds: local functions, HTTP connections, jobs.
struct TaskRunners {
  tasks::FunctionRunner functions;
  tasks::HttpTaskRunner http;
  tasks::JobRunner jobs;
};

// --examples: each example's functions.yaml, so its state machine runs as it does under
// `stepwise run` (the examples name their functions uniquely); then the --functions paths.
std::vector<std::string> config_paths(const ServeCommand& c) {
  std::vector<std::string> files;
  if (!c.examples_dir.empty()) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(c.examples_dir, ec)) {
      fs::path f = entry.path() / "functions.yaml";
      if (fs::exists(f, ec)) files.push_back(f.string());
    }
    std::sort(files.begin(), files.end());
  }
  files.insert(files.end(), c.functions_files.begin(), c.functions_files.end());
  return files;
}

// SIGHUP: the functions config read again and swapped in whole (FunctionRunner::
// replace_functions: calls in flight finish on the function they started with). A config that
// does not load is refused and the functions in use stay. Then the pass-through endpoints: the
// config's `endpoints:` and the credentials (the AWS shared files read again: rotated keys, a
// refreshed session token) replace those in use, for the services routed at start
// (reload_pass_through). Connections and jobs are read at start only. The signal is blocked in
// every thread (serve_command blocks it before any starts) and taken here, on a thread of its own,
// by sigtimedwait.
class HangupReloader {
 public:
  HangupReloader(std::vector<std::string> paths, tasks::FunctionRunner& functions,
                 services::remote::RemoteServices* remote, std::string region, std::ostream& err)
      : paths_(std::move(paths)),
        functions_(functions),
        remote_(remote),
        region_(std::move(region)),
        err_(err) {
    thread_ = std::thread([this] { loop(); });
  }
  ~HangupReloader() {
    stop_.store(true);
    thread_.join();
  }

  // Blocks SIGHUP in the calling thread and those it starts later. Call before any thread.
  static void block_hangup() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

 private:
  void loop() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    // The wait is sliced so that the destructor's stop is noticed.
    const timespec slice{0, 200 * 1000 * 1000};
    while (!stop_.load()) {
      if (sigtimedwait(&set, nullptr, &slice) == SIGHUP) reload();
    }
  }

  void reload() {
    auto config = load_task_configs(paths_);
    if (!config) {
      err_ << ("stepwise serve: SIGHUP: reload refused, the functions in use stay: " +
               config.error().cause + "\n")
           << std::flush;
      return;
    }
    const std::size_t count = config->functions.size();
    if (auto s = functions_.replace_functions(std::move(config->functions)); !s) {
      err_ << ("stepwise serve: SIGHUP: reload refused, the functions in use stay: " +
               s.error().cause + "\n")
           << std::flush;
    } else {
      err_ << ("stepwise serve: SIGHUP: reloaded " + std::to_string(count) + " functions from " +
               std::to_string(paths_.size()) + " path(s)\n")
           << std::flush;
    }
    std::ostringstream routes;
    if (auto s = reload_pass_through(remote_, endpoint_settings(config->endpoints), region_,
                                     "stepwise serve: SIGHUP", routes);
        !s) {
      err_ << ("stepwise serve: SIGHUP: the pass-through endpoints in use stay: " +
               s.error().cause + "\n")
           << std::flush;
    } else {
      err_ << routes.str() << std::flush;
    }
  }

  const std::vector<std::string> paths_;
  tasks::FunctionRunner& functions_;
  services::remote::RemoteServices* const remote_;  // null: nothing routed at start
  const std::string region_;
  std::ostream& err_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// --retention-days → milliseconds, refused when outside what the service accepts.
Result<Millis> retention_ms(double days) {
  using namespace sfn::retention_limits;
  // Bounded in days first: a NaN or huge double must not reach the integer conversion.
  if (std::isnan(days)) return Error{"Usage", "the retention must be a number of days"};
  const double max_days = double(retention_max_ms) / double(day_ms);
  const double bounded = std::clamp(days, -1.0, max_days + 1);
  const Millis ms = static_cast<Millis>(bounded * double(day_ms));
  if (std::string why = sfn::retention_problem(ms); !why.empty()) return Error{"Usage", why};
  return ms;
}

Result<std::unique_ptr<store::Store>> open_store(const ServeCommand& c) {
  if (c.store == "memory") return std::unique_ptr<store::Store>(new store::MemoryStore());
  if (c.store != "sqlite") return Error{"Usage", "--store must be sqlite or memory"};
  auto s = store::SqliteStore::open(c.data_dir);
  if (!s) return s.error();
  return std::unique_ptr<store::Store>(std::move(*s));
}

}  // namespace

int serve_command(const ServeCommand& c, std::ostream& out, std::ostream& err) {
  if (c.port < 0 || c.port > 65535) {
    err << "stepwise serve: --port must be 0..65535\n";
    return 2;
  }
  // Before any thread starts, so that every thread inherits the mask (HangupReloader).
  HangupReloader::block_hangup();
  auto runners = std::make_unique<TaskRunners>();
  // A function's or job's stderr is its log: on Stepwise's stderr, one block per call.
  runners->functions.set_log_sink(stderr_log_sink());
  runners->jobs.set_log_sink(stderr_log_sink());
  const std::vector<std::string> configs = config_paths(c);
  std::vector<tasks::EndpointSpec> config_endpoints;  // `endpoints:` (pass_through.h)
  if (!configs.empty()) {
    auto loaded = load_task_configs(configs);
    Status applied = ok_status();
    if (!loaded.ok()) {
      applied = loaded.error();
    } else {
      config_endpoints = std::move(loaded->endpoints);
      applied =
          apply_task_config(std::move(*loaded), runners->functions, runners->http, runners->jobs);
    }
    if (!applied.ok()) {
      err << "stepwise serve: " << applied.error().name << ": " << applied.error().cause << "\n";
      return 2;
    }
  }
  tasks::FunctionRunner* functions = &runners->functions;
  std::string mock_file = c.mock_config_file;
  if (mock_file.empty()) {
    if (const char* env = std::getenv("SFN_MOCK_CONFIG")) mock_file = env;
  }
  std::optional<tasks::MockConfig> mocks;
  if (!mock_file.empty()) {
    auto config = tasks::load_mock_config_file(mock_file);
    if (!config) {
      err << "stepwise serve: " << config.error().name << ": " << config.error().cause << "\n";
      return 2;
    }
    mocks = std::move(*config);
  }
  auto retention = retention_ms(c.retention_days);
  if (!retention) {
    err << "stepwise serve: --retention-days: " << retention.error().cause << "\n";
    return 2;
  }
  auto store = open_store(c);
  if (!store) {
    err << "stepwise serve: cannot open the store: " << store.error().name << ": "
        << store.error().cause << "\n";
    return store.error().name == "Usage" ? 2 : 1;
  }

  RealClock real;
  ManualClock manual(real.now_ms());
  Clock& clock = c.fast_time ? static_cast<Clock&>(manual) : static_cast<Clock&>(real);
  sfn::ServiceOptions options{
      .clock = clock, .registry_store = **store, .execution_store = **store};
  options.place.region = c.region;
  options.place.account = c.account;
  // The built-in services keep their records beside the store's (its file, their own table).
  const auto endpoints = endpoint_settings(config_endpoints);
  BuiltinServicesOptions service_options{
      .clock = clock,
      .place = {c.region, c.account,
                "http://" +
                    (c.bind == "0.0.0.0" || c.bind == "::" ? std::string("localhost") : c.bind) +
                    ":" + std::to_string(c.port)},
      .database =
          c.store == "sqlite" ? fs::path(c.data_dir) / store::SqliteStore::kFileName : fs::path(),
      // A service with a pass-through endpoint is not run here: its integrations go there.
      .enabled = without_routed(parse_service_list(c.services), endpoints),
      .data_dir = c.data_dir,
      .s3_put_bytes_max = c.s3_max_put_bytes};
  auto remote = open_pass_through(endpoints, real, c.region, "stepwise serve", out);
  if (!remote) {
    err << "stepwise serve: pass-through endpoints: " << remote.error().name << ": "
        << remote.error().cause << "\n";
    return 2;
  }
  if (*remote) {
    // SNS and EventBridge here deliver to queues on SQS's endpoint when SQS is routed, and
    // EventBridge to topics on SNS's when SNS is.
    service_options.routed_sqs = (*remote)->find("sqs");
    service_options.routed_sns = (*remote)->find("sns");
    if (service_options.routed_sqs != nullptr)
      service_options.routed_sqs_url = [r = remote->get()] { return r->url_of("sqs"); };
  }
  auto builtins = BuiltinServices::open(service_options);
  if (!builtins) {
    err << "stepwise serve: built-in services: " << builtins.error().name << ": "
        << builtins.error().cause << "\n";
    return builtins.error().name == "Usage" ? 2 : 1;
  }
  // HTTP connections that name a secret read it from the built-in Secrets Manager (on the
  // loop, at each call). The runners outlive the Service, whose loops make those calls.
  if (auto* sm = dynamic_cast<services::secretsmanager::SecretsService*>(
          (*builtins)->find("secretsmanager"))) {
    runners->http.set_secret_reader([sm](const std::string& id) -> std::optional<std::string> {
      auto value = sm->secrets().current_value(id);
      if (!value) return std::nullopt;
      return value->string_value;
    });
  }
  options.integrations =
      [local = tasks::local_integrations(
           {.functions = functions, .http = &runners->http, .jobs = &runners->jobs}),
       b = builtins->get(), r = remote->get()](tasks::IntegrationRegistry& registry) {
        if (auto s = local(registry); !s.ok()) return s;
        if (r != nullptr) {
          if (auto s = r->add_integrations(registry); !s.ok()) return s;
        }
        return b->add_integrations(registry);
      };
  // With a mock config any Task may be answered by a test case: nothing is refused at create.
  const bool refuse_unsupported = !mocks && !c.accept_unsupported;
  options.mock_config = std::move(mocks);
  options.log_dir = !c.log_dir.empty()    ? c.log_dir
                    : c.store == "memory" ? std::string("./stepwise-logs")
                                          : (fs::path(c.data_dir) / "logs").string();
  options.retention_ms = *retention;
  options.log = app::stderr_message_sink();
  options.shards =
      c.shards > 0 ? c.shards : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int code = 0;
  {
    console::LiveHub hub;  // the console's live stream: outlives the Service it observes
    options.observer = &hub;
    sfn::Service svc(std::move(options));
    functions->set_callbacks(&svc.callbacks());
    api::OperationTable table;
    svc.add_operations(table);
    if (const Status& st = svc.integrations_status(); !st) {
      err << "stepwise serve: " << st.error().name << ": " << st.error().cause << "\n";
      return 2;
    }
    // SNS's lambda subscriptions and EventBridge's Lambda targets call the local functions, on
    // the engine's home loop (where the runners live), as a Task naming the function's ARN
    // would.
    auto calls = std::make_shared<std::atomic<std::uint64_t>>(0);
    auto invoker = [functions, &svc, calls](const char* caller) {
      return [functions, &svc, calls, caller](const std::string& arn, json::value event,
                                              std::function<void(bool)> done) {
        svc.post([functions, &svc, calls, caller, arn, event = std::move(event),
                  done = std::move(done)]() mutable {
          tasks::TaskRequest request;
          request.resource = arn;
          request.parameters = std::move(event);
          request.state_name = caller;
          request.task_id = std::string(caller) + "-delivery#" + std::to_string(++*calls);
          functions->start(request, svc.loop(),
                           [done = std::move(done)](tasks::TaskOutcome o) { done(o.succeeded); });
        });
      };
    };
    auto* sns = dynamic_cast<services::sns::SnsService*>((*builtins)->find("sns"));
    if (sns != nullptr) sns->sns().set_function_invoker(invoker("sns"));
    // EventBridge's state-machine targets start executions through the API's StartExecution
    // (any thread), with the event as input.
    auto* events = dynamic_cast<services::events::EventsService*>((*builtins)->find("events"));
    if (events != nullptr) events->events().set_function_invoker(invoker("events"));
    (*builtins)->set_execution_starter(&table);
    std::size_t resumed = svc.start();
    if (resumed > 0) out << "stepwise serve: resumed " << resumed << " running executions\n";
    if (!c.examples_dir.empty())
      create_examples(table, **builtins, c.examples_dir, c.account, out, err);

    // One port for every protocol: the Step Functions operations are the JSON service
    // `AWSStepFunctions.` (SigV4 name `states`); /health and /metrics come with the Router.
    // CreateStateMachine/UpdateStateMachine refuse a Task this server cannot run (naming what
    // it runs), unless a mock config may answer it or --accept-unsupported asks for AWS's
    // behaviour (accepted, failing with States.Runtime when the state runs).
    tasks::IntegrationRegistry supported;
    tasks::MockRunner placeholder(tasks::MockTestCase{}, nullptr);  // never started
    if (auto st = register_server_integrations(supported, &placeholder); !st) {
      err << "stepwise serve: " << st.error().name << ": " << st.error().cause << "\n";
      return 2;
    }
    // The pass-through services' integrations too (some have no built-in service).
    if (*remote) {
      for (const auto& [service, url] : (*remote)->routes()) {
        for (const auto& name : services::remote::integration_names(service)) {
          (void)supported.add(name, &placeholder);  // a built-in one may hold it
        }
      }
    }
    UnsupportedIntegrationGuard guard(table, supported);
    api::Router router;
    router.add_json_service("AWSStepFunctions.", "states",
                            refuse_unsupported ? static_cast<api::Dispatcher&>(guard) : table);
    console::register_console(router, svc, hub, {.auth = !c.auth_keys_file.empty()});
    (*builtins)->add_routes(router);  // SQS (JSON, query), SNS (query), S3 (REST-XML)
    api::ServeOptions serve;
    serve.log = &err;
    serve.server.bind = c.bind;
    serve.server.port = static_cast<unsigned short>(c.port);
    serve.auth_keys_file = c.auth_keys_file;
    serve.threads = c.threads;
    if (c.store == "sqlite") {
      const std::string dir = c.data_dir;
      router.metrics().add_gauge("stepwise_store_bytes",
                                 "Bytes the SQLite store takes on disk (database, WAL, shm).",
                                 [dir] { return sqlite_store_bytes(dir); });
    }
    out << "stepwise serve: "
        << (c.store == "memory"
                ? std::string("memory store")
                : "store in " + c.data_dir + " (" + human_bytes(sqlite_store_bytes(c.data_dir)) +
                      " on disk; docs/STORE.md: size and retention)")
        << (c.fast_time ? ", fast time" : "") << "\n";
    out.flush();
    {
      // Ends (joins) before the runners go: a late SIGHUP must not reach a destroyed runner.
      HangupReloader reloader(configs, *functions, remote->get(), c.region, err);
      code = api::serve_main(serve, router);
    }
    (*builtins)->stop();
    // The pass-through calls in flight end (their answers reach the Service's loops, which
    // still run) before the Service stops; the runners stay until the Service is gone.
    if (*remote) (*remote)->stop();
    if (sns != nullptr) sns->sns().set_function_invoker(nullptr);
    if (events != nullptr) events->events().set_function_invoker(nullptr);
    (*builtins)->set_execution_starter(nullptr);
    svc.stop();
    // The runners join their threads, which post into the Service's loop: before the Service
    // goes.
    runners.reset();
  }
  (*store)->flush();
  return code;
}

}  // namespace stepwise::app
