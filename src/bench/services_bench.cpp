#include "bench/services_bench.h"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "bench/server_process.h"
#include "bench/services_load.h"
#include "bench/services_report.h"
#include "bench/services_requests.h"
#include "bench/workloads.h"

namespace stepwise::bench {

namespace fs = std::filesystem;

std::string default_moto_server() {
  glob_t g{};
  std::string found = "moto_server";
  if (glob("/root/.pyenv/versions/3.11*/bin/moto_server", 0, nullptr, &g) == 0 && g.gl_pathc > 0)
    found = g.gl_pathv[g.gl_pathc - 1];
  globfree(&g);
  return found;
}

std::string default_stepwise_binary() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "stepwise";
  if (self.filename() == "stepwise") return self.string();
  return (self.parent_path() / "stepwise").string();
}

namespace {

const std::vector<std::string> http_workloads = {"sqs", "dynamodb", "s3"};
const std::vector<std::string> integration_workloads = {"int-sqs", "int-s3"};

bool contains(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

// A server under test and the names its set-up made.
struct Server {
  std::string name;  // "stepwise" | "moto"
  ServerProcess process;
  std::string data_dir;
  std::vector<std::string> argv;
  ServiceNames names;
  std::string dynamodb_missing;  // why DynamoDB cannot run on it ("" when it can)
};

struct Plan {
  std::vector<std::string> http;          // selected HTTP workloads, in order
  std::vector<std::string> integrations;  // int-sqs, int-s3
  bool fill = false;
};

std::string join(const std::vector<std::string>& xs, const std::string& sep) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::string load_average() {
  auto text = read_file_text("/proc/loadavg");
  if (!text) return "?";
  std::string t = *text;
  auto third = t.find(' ', t.find(' ', t.find(' ') + 1) + 1);
  return t.substr(0, third);
}

class ServicesBench {
 public:
  ServicesBench(const ServicesBenchOptions& o, Plan p, std::ostream& out, std::ostream& err)
      : o_(o), p_(std::move(p)), out_(out), err_(err) {}
  int run();

 private:
  Status make_work_dir();
  Status start_stepwise(Server& s, const std::string& data_dir);
  Status start_moto(Server& s);
  Status set_up(Server& s, bool dynamodb_wanted);
  Status set_up_integrations(Server& s, int round);
  Status create_table(Server& s);
  Result<HttpAnswer> call(Server& s, const std::string& request, const std::string& what);
  Sample measure(Server& s, const std::string& workload, int round);
  void fill(const std::string& server, const std::string& what);
  void note(const std::string& line) {
    if (!o_.json) out_ << line << "\n" << std::flush;
  }

  const ServicesBenchOptions& o_;
  Plan p_;
  std::ostream& out_;
  std::ostream& err_;
  std::string work_;
  bool made_work_ = false;
  ServicesReport report_;
  int next_log_ = 0;
  std::string int_sqs_arn_, int_s3_arn_;  // the integration workloads' state machines
  std::string int_sqs_queue_url_;         // the queue int-sqs sends to this round
};

Status ServicesBench::make_work_dir() {
  if (!o_.work_dir.empty()) {
    work_ = o_.work_dir;
    std::error_code ec;
    fs::create_directories(work_, ec);
    if (ec) return Error{"Bench.BadOption", "cannot create " + work_ + ": " + ec.message()};
    return ok_status();
  }
  std::string tmpl = "/tmp/stepwise-svcbench.XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr)
    return Error{"Bench.ProcessError", "cannot create a folder under /tmp"};
  work_ = tmpl;
  made_work_ = true;
  return ok_status();
}

Status ServicesBench::start_stepwise(Server& s, const std::string& data_dir) {
  auto port = pick_free_port();
  if (!port) return port.error();
  s.name = "stepwise";
  s.data_dir = data_dir;
  std::string log = work_ + "/stepwise-" + std::to_string(next_log_++) + ".log";
  auto argv_for = [&](const std::string& services) {
    std::vector<std::string> argv{o_.stepwise.empty() ? default_stepwise_binary() : o_.stepwise,
                                  "serve",
                                  "--port",
                                  std::to_string(*port),
                                  "--store",
                                  o_.store,
                                  "--data-dir",
                                  data_dir,
                                  "--services",
                                  services};
    argv.insert(argv.end(), o_.serve_args.begin(), o_.serve_args.end());
    return argv;
  };
  // DynamoDB when this binary has it; else the others, and the DynamoDB workload is skipped.
  s.argv = argv_for("sqs,sns,s3,dynamodb");
  auto st = s.process.start(s.argv, *port, log);
  if (!st.ok() && st.error().cause.find("dynamodb") != std::string::npos) {
    s.dynamodb_missing = "this stepwise has no built-in DynamoDB (serve --services refuses it)";
    s.argv = argv_for("sqs,sns,s3");
    st = s.process.start(s.argv, *port, log);
  }
  return st;
}

Status ServicesBench::start_moto(Server& s) {
  auto port = pick_free_port();
  if (!port) return port.error();
  s.name = "moto";
  s.argv = {o_.moto.empty() ? default_moto_server() : o_.moto, "-p", std::to_string(*port)};
  return s.process.start(s.argv, *port, work_ + "/moto-" + std::to_string(next_log_++) + ".log");
}

Result<HttpAnswer> ServicesBench::call(Server& s, const std::string& request,
                                       const std::string& what) {
  auto a = http_call(s.process.port(), request);
  if (!a) return a.error();
  if (a->status >= 300 && !is_unknown_operation(a->status, a->body))
    return Error{"Bench.SetUpError", s.name + " " + what + ": HTTP " + std::to_string(a->status) +
                                         " " + a->body.substr(0, 300)};
  return a;
}

Status ServicesBench::create_table(Server& s) {
  const int port = s.process.port();
  const std::string create =
      R"({"TableName":")" + s.names.table +
      R"(","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],)"
      R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],)"
      R"("BillingMode":"PAY_PER_REQUEST"})";
  auto a = call(s, json_request(port, "dynamodb", "DynamoDB_20120810.CreateTable", create),
                "CreateTable");
  if (!a) return a.error();
  if (is_unknown_operation(a->status, a->body)) {
    s.dynamodb_missing =
        "the server answers UnknownOperation for DynamoDB_20120810.CreateTable "
        "(DynamoDB is not built in yet)";
    return ok_status();
  }
  // ACTIVE at once on both servers today; wait briefly in case a table is CREATING first.
  for (int i = 0; i < 100; ++i) {
    auto d = call(s,
                  json_request(port, "dynamodb", "DynamoDB_20120810.DescribeTable",
                               R"({"TableName":")" + s.names.table + "\"}"),
                  "DescribeTable");
    if (!d) return d.error();
    if (find_json_string(d->body, "TableStatus").value_or("") == "ACTIVE") return ok_status();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Error{"Bench.SetUpError", s.name + ": table " + s.names.table + " never became ACTIVE"};
}

Status ServicesBench::set_up(Server& s, bool dynamodb_wanted) {
  const int port = s.process.port();
  auto q =
      call(s, json_request(port, "sqs", "AmazonSQS.CreateQueue", R"({"QueueName":"svcbench"})"),
           "CreateQueue");
  if (!q) return q.error();
  auto url = find_json_string(q->body, "QueueUrl");
  if (!url) return Error{"Bench.SetUpError", s.name + " CreateQueue: no QueueUrl: " + q->body};
  s.names.queue_url = *url;
  auto b = call(s, rest_request(port, "s3", "PUT", "/" + s.names.bucket, ""), "CreateBucket");
  if (!b) return b.error();
  if (dynamodb_wanted && s.dynamodb_missing.empty()) return create_table(s);
  return ok_status();
}

// A queue per round for the sqs:sendMessage workflow, the previous round's deleted first (its
// half a million messages would otherwise stay in memory, and each round would start from a
// bigger server than the one before), and its state machine, which names the queue as a constant: a
// "$$" path would have the engine build the context object, with a copy of the execution input (the
// 1,000 items), for every call. The putObject state machine once.
Status ServicesBench::set_up_integrations(Server& s, int round) {
  const int port = s.process.port();
  if (!int_sqs_queue_url_.empty()) {
    auto d = call(s,
                  json_request(port, "sqs", "AmazonSQS.DeleteQueue",
                               json::dump(json::object{{"QueueUrl", int_sqs_queue_url_}})),
                  "DeleteQueue");
    if (!d) return d.error();
    int_sqs_queue_url_.clear();
  }
  const std::string queue = "svcbench-int-" + std::to_string(round);
  auto q = call(
      s, json_request(port, "sqs", "AmazonSQS.CreateQueue", R"({"QueueName":")" + queue + "\"}"),
      "CreateQueue");
  if (!q) return q.error();
  auto url = find_json_string(q->body, "QueueUrl");
  if (!url) return Error{"Bench.SetUpError", "CreateQueue: no QueueUrl: " + q->body};
  const std::string queue_url = *url;
  int_sqs_queue_url_ = queue_url;
  for (const std::string kind : {"sqs", "s3"}) {
    if (kind == "s3" && round > 0) continue;
    json::object task;
    task["Type"] = "Task";
    task["End"] = true;
    if (kind == "sqs") {
      task["Resource"] = "arn:aws:states:::sqs:sendMessage";
      task["Parameters"] = json::object{{"QueueUrl", queue_url}, {"MessageBody.$", "$"}};
    } else {
      task["Resource"] = "arn:aws:states:::aws-sdk:s3:putObject";
      task["Parameters"] =
          json::object{{"Bucket", s.names.bucket}, {"Key.$", "$"}, {"Body", "integration call"}};
    }
    json::object map{
        {"Type", "Map"}, {"ItemsPath", "$.items"}, {"ResultPath", nullptr}, {"End", true}};
    map["ItemProcessor"] = json::object{{"ProcessorConfig", json::object{{"Mode", "INLINE"}}},
                                        {"StartAt", "Call"},
                                        {"States", json::object{{"Call", task}}}};
    json::object definition{{"StartAt", "Each"}, {"States", json::object{{"Each", map}}}};
    std::string name = "svcbench-int-" + kind + (kind == "sqs" ? "-" + std::to_string(round) : "");
    json::object body{{"name", name},
                      {"definition", json::dump(definition)},
                      {"roleArn", "arn:aws:iam::123456789012:role/StepwiseBench"},
                      {"type", "EXPRESS"}};
    auto a = call(
        s, json_request(port, "states", "AWSStepFunctions.CreateStateMachine", json::dump(body)),
        "CreateStateMachine");
    if (!a) return a.error();
    auto arn = find_json_string(a->body, "stateMachineArn");
    if (!arn) return Error{"Bench.SetUpError", "CreateStateMachine: " + a->body.substr(0, 300)};
    (kind == "sqs" ? int_sqs_arn_ : int_s3_arn_) = *arn;
  }
  return ok_status();
}

Sample ServicesBench::measure(Server& s, const std::string& workload, int round) {
  Sample out;
  out.workload = workload;
  out.server = s.name;
  out.round = round;
  const bool integration = workload.starts_with("int-");
  ServiceNames names = s.names;
  if (integration) {
    names.state_machine_arn = workload == "int-sqs" ? int_sqs_arn_ : int_s3_arn_;
    names.items = o_.integration_items;
  }
  auto scenario = make_scenario(integration ? "integrations" : workload, s.process.port(), names);
  LoadOptions lo;
  lo.port = s.process.port();
  lo.clients = integration ? o_.integration_clients : o_.clients;
  lo.warmup_s = o_.warmup_s;
  lo.duration_s = o_.duration_s;
  Result<ProcStats> before = Error{"", ""}, after = Error{"", ""};
  const pid_t pid = s.process.pid();
  lo.on_window_open = [&] { before = read_proc_stats(pid); };
  lo.on_window_close = [&] { after = read_proc_stats(pid); };
  auto r = run_load(lo, *scenario);
  if (!r) {
    out.errors = 1;
    out.first_error = r.error().cause;
    return out;
  }
  out.ops = integration ? r->iterations * o_.integration_items : r->requests;
  out.ops_per_s = r->seconds > 0 ? static_cast<double>(out.ops) / r->seconds : 0;
  out.iterations_per_s = r->iterations_per_s();
  if (before && after && out.ops > 0) {
    out.server_cpu_ms_per_kop = (after->cpu_s - before->cpu_s) * 1e6 / static_cast<double>(out.ops);
    out.driver_cpu_ms_per_kop = r->driver_cpu_s * 1e6 / static_cast<double>(out.ops);
  }
  out.p50_ms = percentile_ms(r->latencies_us, 0.50);
  out.p99_ms = percentile_ms(r->latencies_us, 0.99);
  out.errors = r->errors;
  out.first_error = r->first_error;
  if (!s.process.running()) {
    ++out.errors;
    if (out.first_error.empty()) out.first_error = s.name + " exited during the run";
  }
  return out;
}

// A fresh server, `count` messages or items written in batches by the clients, then its peak
// memory and store size; Stepwise is then restarted on its store (read back at start).
void ServicesBench::fill(const std::string& server, const std::string& what) {
  const bool sqs = what == "sqs";
  FillFigure f;
  f.what = sqs ? "sqs messages" : "dynamodb items";
  f.server = server;
  Server s;
  const std::string data = work_ + "/fill-" + what + "-" + server;
  Status st = server == "stepwise" ? start_stepwise(s, data) : start_moto(s);
  if (st.ok()) st = set_up(s, !sqs);
  if (!st.ok() || (!sqs && !s.dynamodb_missing.empty())) {
    std::string why = st.ok() ? s.dynamodb_missing : st.error().cause;
    report_.skips.push_back(Skip{"fill-" + what, server, why});
    note("skipped: fill " + what + " on " + server + ": " + why);
    return;
  }
  const std::int64_t count = sqs ? o_.fill_messages : o_.fill_items;
  const int batch = sqs ? sqs_batch_entries : dynamodb_batch_items;
  auto scenario = make_scenario(sqs ? "fill-sqs" : "fill-dynamodb", s.process.port(), s.names);
  LoadOptions lo;
  lo.port = s.process.port();
  lo.clients = o_.clients;
  lo.warmup_s = 0;
  lo.duration_s = load_seconds_max;
  lo.iterations_max = (count + batch - 1) / batch;
  auto r = run_load(lo, *scenario);
  if (!r) {
    report_.skips.push_back(Skip{"fill-" + what, server, r.error().cause});
    return;
  }
  f.count = r->iterations * batch;
  f.seconds = r->seconds;
  f.per_s = r->seconds > 0 ? static_cast<double>(f.count) / r->seconds : 0;
  f.errors = r->errors;
  f.first_error = r->first_error;
  if (auto ps = read_proc_stats(s.process.pid())) {
    f.peak_rss_mb = static_cast<double>(ps->hwm_kb) / 1024;
    f.rss_mb = static_cast<double>(ps->rss_kb) / 1024;
  }
  if (server == "stepwise" && o_.store != "memory") {
    s.process.stop();
    f.store_mb = static_cast<double>(directory_bytes(data)) / (1024.0 * 1024.0);
    auto again = s.process.start(s.argv, s.process.port(),
                                 work_ + "/restart-" + std::to_string(next_log_++) + ".log");
    if (again.ok()) {
      f.restart_s = s.process.start_seconds();
      if (auto ps = read_proc_stats(s.process.pid()))
        f.restart_rss_mb = static_cast<double>(ps->rss_kb) / 1024;
    } else {
      f.first_error += " restart: " + again.error().cause;
    }
  }
  s.process.stop();
  report_.fills.push_back(f);
  note("fill " + what + " on " + server + ": " + std::to_string(f.count) + " in " +
       std::to_string(static_cast<int>(f.seconds)) + " s");
}

int ServicesBench::run() {
  if (auto st = make_work_dir(); !st.ok()) {
    err_ << st.error().cause << "\n";
    return 2;
  }
  auto m = std::thread::hardware_concurrency();
  report_.conditions["cpus"] = m;
  report_.conditions["load_average_before"] = load_average();
  report_.conditions["clients"] = o_.clients;
  report_.conditions["rounds"] = o_.rounds;
  report_.conditions["warmup_s"] = o_.warmup_s;
  report_.conditions["duration_s"] = o_.duration_s;
  report_.conditions["store"] = o_.store;
  int rc = 0;
  const bool any_timed = !p_.http.empty() || !p_.integrations.empty();
  Server ours, peer;
  if (any_timed) {
    Status st = start_stepwise(ours, work_ + "/stepwise-data");
    if (st.ok()) st = set_up(ours, contains(p_.http, "dynamodb"));
    if (st.ok() && o_.peer && !p_.http.empty()) {
      st = start_moto(peer);
      if (st.ok()) st = set_up(peer, contains(p_.http, "dynamodb"));
    }
    if (!st.ok()) {
      err_ << "services bench: " << st.error().cause << "\n";
      return 2;
    }
    report_.conditions["stepwise"] = join(ours.argv, " ");
    if (o_.peer && !p_.http.empty()) report_.conditions["peer"] = join(peer.argv, " ");
    note("stepwise: " + join(ours.argv, " ") + " (pid " + std::to_string(ours.process.pid()) + ")");
    if (o_.peer && !p_.http.empty())
      note("peer: " + join(peer.argv, " ") + " (pid " + std::to_string(peer.process.pid()) + ")");
    char conditions[200];
    std::snprintf(conditions, sizeof conditions,
                  "%d rounds of %g s warm-up + %g s measured, %d HTTP clients", o_.rounds,
                  o_.warmup_s, o_.duration_s, o_.clients);
    note("load average " + load_average() + "; " + conditions);
  }
  std::vector<std::string> http = p_.http;
  if (contains(http, "dynamodb")) {
    for (Server* s : {&ours, &peer}) {
      if (s->name.empty() || s->dynamodb_missing.empty()) continue;
      report_.skips.push_back(Skip{"dynamodb", s->name, s->dynamodb_missing});
      note("skipped: DynamoDB put+get: " + s->name + ": " + s->dynamodb_missing);
      http.erase(std::remove(http.begin(), http.end(), "dynamodb"), http.end());
    }
  }
  for (int round = 0; round < o_.rounds && any_timed; ++round) {
    for (const auto& w : http) {
      std::vector<Server*> order = {&ours};
      if (o_.peer) order.insert(round % 2 ? order.end() : order.begin(), &peer);
      for (Server* s : order) {
        report_.samples.push_back(measure(*s, w, round));
        const Sample& x = report_.samples.back();
        note("round " + std::to_string(round + 1) + " " + w + " " + s->name + ": " +
             std::to_string(static_cast<long>(x.ops_per_s)) + " ops/s, " +
             std::to_string(x.errors) + " errors");
      }
    }
    if (!p_.integrations.empty()) {
      if (auto st = set_up_integrations(ours, round); !st.ok()) {
        err_ << "services bench: " << st.error().cause << "\n";
        rc = 1;
        break;
      }
      for (const auto& w : p_.integrations) {
        report_.samples.push_back(measure(ours, w, round));
        const Sample& x = report_.samples.back();
        note("round " + std::to_string(round + 1) + " " + w + ": " +
             std::to_string(static_cast<long>(x.ops_per_s)) + " calls/s, " +
             std::to_string(x.errors) + " errors");
      }
    }
  }
  ours.process.stop();
  peer.process.stop();
  if (p_.fill) {
    fill("stepwise", "sqs");
    fill("stepwise", "dynamodb");
    if (o_.peer && o_.fill_peer) {
      fill("moto", "sqs");
      fill("moto", "dynamodb");
    }
  }
  report_.conditions["load_average_after"] = load_average();
  bool met = true;
  std::string targets = services_targets(report_, &met);
  if (o_.json) {
    out_ << json::dump(services_json(report_)) << "\n";
  } else {
    out_ << "\n" << services_table(report_) << "\n" << targets;
  }
  for (const auto& s : report_.samples) rc = s.errors > 0 ? 1 : rc;
  for (const auto& f : report_.fills) rc = f.errors > 0 ? 1 : rc;
  if (made_work_ && !o_.keep) {
    std::error_code ec;
    fs::remove_all(work_, ec);
  } else if (!o_.json) {
    out_ << "work folder (data and server logs): " << work_ << "\n";
  }
  return o_.check_targets && !met ? 1 : rc;
}

Result<Plan> make_plan(const ServicesBenchOptions& o) {
  Plan p;
  for (const auto& w : o.workloads) {
    if (w == "all") {
      for (const auto& h : http_workloads)
        if (!contains(p.http, h)) p.http.push_back(h);
      for (const auto& i : integration_workloads)
        if (!contains(p.integrations, i)) p.integrations.push_back(i);
    } else if (contains(http_workloads, w)) {
      if (!contains(p.http, w)) p.http.push_back(w);
    } else if (contains(integration_workloads, w)) {
      if (!contains(p.integrations, w)) p.integrations.push_back(w);
    } else if (w == "fill") {
      p.fill = true;
    } else {
      return Error{"Bench.BadOption", "unknown services workload " + w +
                                          " (sqs, dynamodb, s3, int-sqs, int-s3, fill, all)"};
    }
  }
  if (o.rounds < 1 || o.rounds > services_rounds_max)
    return Error{"Bench.BadOption", "rounds must be 1.." + std::to_string(services_rounds_max)};
  if (o.clients < 1 || o.clients > load_clients_max || o.integration_clients < 1 ||
      o.integration_clients > load_clients_max)
    return Error{"Bench.BadOption", "clients must be 1.." + std::to_string(load_clients_max)};
  if (o.warmup_s < 0 || o.duration_s <= 0 || o.warmup_s + o.duration_s > load_seconds_max)
    return Error{"Bench.BadOption", "warm-up and duration out of range"};
  if (o.integration_items < 1 || o.integration_items > integration_items_max)
    return Error{"Bench.BadOption",
                 "integration items must be 1.." + std::to_string(integration_items_max)};
  if (o.fill_messages < 1 || o.fill_messages > fill_count_max || o.fill_items < 1 ||
      o.fill_items > fill_count_max)
    return Error{"Bench.BadOption", "fill counts must be 1.." + std::to_string(fill_count_max)};
  if (o.store != "sqlite" && o.store != "memory")
    return Error{"Bench.BadOption", "store must be sqlite or memory"};
  return p;
}

}  // namespace

int run_services_bench(const ServicesBenchOptions& options, std::ostream& out, std::ostream& err) {
  auto plan = make_plan(options);
  if (!plan) {
    err << plan.error().cause << "\n";
    return 2;
  }
  ServicesBench bench(options, std::move(*plan), out, err);
  return bench.run();
}

int run_services_bench(const ServicesBenchOptions& options) {
  return run_services_bench(options, std::cout,
                            std::cerr);  // tidy: allow the user command default streams
}

}  // namespace stepwise::bench
