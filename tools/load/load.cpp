// stepwise-load: a bounded load generator for the API server, over loopback only.
//
// It can start the demo server in-process (default, on its own I/O thread) or target a running
// server (--port). Phases: open --idle keep-alive connections (one request each, then silent),
// start --polls long polls (GetActivityTask with holdMs), run --requests of --operation over
// --connections keep-alive connections, then check that every idle connection still answers and
// every poll got its answer. Prints req/s and latency percentiles.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "api/demo.h"
#include "api/protocol.h"
#include "api/serve.h"
#include "api/server.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Bounds: this tool must never turn into an unbounded flood.
constexpr int connections_max = 20000;
constexpr long requests_max = 10'000'000;
constexpr int duration_s_max = 600;
constexpr int poll_ms_max = 60'000;

struct Options {
  int port = 0;         // 0: start the demo server in-process
  int serve_port = -1;  // >= 0: only serve the demo operations (serve_main) until SIGINT
  int server_threads = 1;
  int connections = 64;
  long requests = 200'000;
  int duration_s = 60;
  int idle = 0;
  int polls = 0;
  int poll_ms = 10'000;
  // GetActivityTask's body for the polls; empty: the demo server's {"holdMs": poll_ms}. Against
  // `stepwise serve`, {"activityArn": "..."}: the real poll, held until ~55 s pass.
  std::string poll_body;
  std::string operation = "ListStateMachines";
  std::string body = "{}";
  std::string auth_keys_file;
};

enum class Kind { bench, idle, poll };

struct Run {
  net::io_context io;
  tcp::endpoint endpoint;
  std::string bench_request, poll_request;
  long total = 0, issued = 0, completed = 0;
  long errors = 0, non_200 = 0;
  int idle_ready = 0, idle_verified = 0, polls_answered = 0, bench_open = 0;
  Clock::time_point deadline;
  std::vector<std::uint32_t> latencies_us;
};

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(Run& run, Kind kind) : run_(run), kind_(kind), stream_(run.io) {}

  void start() {
    stream_.async_connect(run_.endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail();
      beast::error_code ignored;
      self->stream_.socket().set_option(tcp::no_delay(true), ignored);
      self->send();
    });
  }

  // For idle connections: one more request to prove the connection is still alive.
  void verify() { send(); }

 private:
  const std::string& request() const {
    return kind_ == Kind::poll ? run_.poll_request : run_.bench_request;
  }

  void send() {
    began_ = Clock::now();
    net::async_write(stream_, net::buffer(request()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->fail();
                       self->read();
                     });
  }

  void read() {
    response_ = {};
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->fail();
                       self->on_response();
                     });
  }

  void on_response() {
    if (response_.result_int() != 200) ++run_.non_200;
    switch (kind_) {
      case Kind::poll:
        ++run_.polls_answered;
        return;
      case Kind::idle:
        ++(answered_once_ ? run_.idle_verified : run_.idle_ready);
        answered_once_ = true;
        return;
      case Kind::bench:
        break;
    }
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - began_);
    run_.latencies_us.push_back(static_cast<std::uint32_t>(us.count()));
    ++run_.completed;
    if (run_.issued < run_.total && Clock::now() < run_.deadline) {
      ++run_.issued;
      return send();
    }
    --run_.bench_open;
  }

  void fail() {
    ++run_.errors;
    if (kind_ == Kind::bench) --run_.bench_open;
    if (kind_ == Kind::idle) ++(answered_once_ ? run_.idle_verified : run_.idle_ready);
    if (kind_ == Kind::poll) ++run_.polls_answered;
  }

  Run& run_;
  Kind kind_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  Clock::time_point began_;
  bool answered_once_ = false;
};

std::string serialize(const std::string& op, const std::string& body) {
  auto r = stepwise::api::HttpRequest{http::verb::post, "/", 11};
  r.set(http::field::host, "127.0.0.1");
  r.set(http::field::content_type, stepwise::api::json_content_type);
  r.set("X-Amz-Target", "AWSStepFunctions." + op);
  r.body() = body;
  r.prepare_payload();
  std::ostringstream out;
  out << r;
  return out.str();
}

void raise_open_files(rlim_t want) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min(want, rl.rlim_max);
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

template <typename Pred>
void run_until(Run& run, Pred done) {
  while (!done() && run.io.run_one() > 0) {
  }
}

double percentile(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i] / 1000.0;
}

int run_load(const Options& o, std::uint16_t port) {
  Run run;
  run.endpoint = tcp::endpoint(net::ip::make_address("127.0.0.1"), port);
  run.bench_request = serialize(o.operation, o.body);
  run.poll_request = serialize(
      "GetActivityTask",
      o.poll_body.empty() ? "{\"holdMs\":" + std::to_string(o.poll_ms) + "}" : o.poll_body);
  run.total = o.requests;
  run.latencies_us.reserve(static_cast<std::size_t>(o.requests));
  auto work = net::make_work_guard(run.io);

  std::vector<std::shared_ptr<Conn>> idle;
  for (int i = 0; i < o.idle; ++i) {
    idle.push_back(std::make_shared<Conn>(run, Kind::idle));
    idle.back()->start();
  }
  run_until(run, [&] { return run.idle_ready >= o.idle; });
  for (int i = 0; i < o.polls; ++i) std::make_shared<Conn>(run, Kind::poll)->start();

  auto began = Clock::now();
  run.deadline = began + std::chrono::seconds(o.duration_s);
  for (int i = 0; i < o.connections && run.issued < run.total; ++i) {
    ++run.issued;
    ++run.bench_open;
    std::make_shared<Conn>(run, Kind::bench)->start();
  }
  run_until(run, [&] { return run.bench_open == 0; });
  double seconds = std::chrono::duration<double>(Clock::now() - began).count();

  for (auto& c : idle) c->verify();
  run_until(run, [&] { return run.idle_verified >= o.idle; });
  int polls_pending_after_bench = o.polls - run.polls_answered;
  run_until(run, [&] { return run.polls_answered >= o.polls; });

  std::printf("operation        %s over %d connections\n", o.operation.c_str(), o.connections);
  std::printf("requests         %ld in %.2f s = %.0f req/s\n", run.completed, seconds,
              run.completed / seconds);
  std::printf("latency ms       p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
              percentile(run.latencies_us, 0.50), percentile(run.latencies_us, 0.90),
              percentile(run.latencies_us, 0.99), percentile(run.latencies_us, 1.0));
  if (o.idle > 0)
    std::printf("idle keep-alive  %d opened, %d still answering after the run\n", o.idle,
                run.idle_verified);
  if (o.polls > 0)
    std::printf("long polls       %d held (%d still pending after the run), %d answered\n", o.polls,
                polls_pending_after_bench, run.polls_answered);
  std::printf("errors           %ld transport, %ld non-200\n", run.errors, run.non_200);
  return run.errors == 0 && run.non_200 == 0 ? 0 : 1;
}

// The demo operations behind serve_main, as `stepwise serve` will run the real ones. Their
// timers live on a separate context and thread, so replies cross threads as engine replies will.
int serve_demo(const Options& o) {
  net::io_context timers;
  auto guard = net::make_work_guard(timers);
  std::thread timer_thread([&] { timers.run(); });
  stepwise::api::OperationTable table;
  stepwise::api::add_demo_operations(table, timers.get_executor());
  stepwise::api::ServeOptions so;
  so.server.port = static_cast<std::uint16_t>(o.serve_port);
  so.server.connections_max = static_cast<std::size_t>(connections_max) + 1024;
  so.threads = o.server_threads;
  so.auth_keys_file = o.auth_keys_file;
  so.log = &std::cerr;
  int rc = stepwise::api::serve_main(so, table);
  guard.reset();
  timers.stop();
  timer_thread.join();
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"stepwise-load: loopback load generator for the Stepwise API server"};
  app.add_option("--port", o.port, "target 127.0.0.1:PORT (default: an in-process demo server)");
  app.add_option("--server-threads", o.server_threads, "I/O threads of the in-process server")
      ->check(CLI::Range(1, 16));
  app.add_option("-c,--connections", o.connections, "concurrent keep-alive connections")
      ->check(CLI::Range(1, connections_max))
      ->capture_default_str();
  app.add_option("-n,--requests", o.requests, "total requests")
      ->check(CLI::Range(1L, requests_max))
      ->capture_default_str();
  app.add_option("--duration-s", o.duration_s, "stop issuing after this many seconds")
      ->check(CLI::Range(1, duration_s_max))
      ->capture_default_str();
  app.add_option("--idle", o.idle, "extra idle keep-alive connections held during the run")
      ->check(CLI::Range(0, connections_max));
  app.add_option("--polls", o.polls, "long polls (GetActivityTask) pending during the run")
      ->check(CLI::Range(0, connections_max));
  app.add_option("--poll-ms", o.poll_ms, "how long each poll is held")
      ->check(CLI::Range(0, poll_ms_max))
      ->capture_default_str();
  app.add_option("--poll-body", o.poll_body,
                 "GetActivityTask body for the polls (default: the demo's {\"holdMs\": poll-ms}; "
                 "against stepwise serve: {\"activityArn\": ARN})");
  app.add_option("--operation", o.operation, "operation to measure")->capture_default_str();
  app.add_option("--body", o.body, "request body")->capture_default_str();
  app.add_option("--serve", o.serve_port,
                 "only run the demo server on 127.0.0.1:PORT until SIGINT/SIGTERM");
  app.add_option("--auth-keys", o.auth_keys_file, "with --serve: require SigV4 with these keys");
  CLI11_PARSE(app, argc, argv);
  if (o.serve_port >= 0) return serve_demo(o);

  raise_open_files(static_cast<rlim_t>(2 * (o.connections + o.idle + o.polls) + 256));
  if (o.port != 0) return run_load(o, static_cast<std::uint16_t>(o.port));

  net::io_context server_io;
  stepwise::api::OperationTable table;
  stepwise::api::add_demo_operations(table, server_io.get_executor());
  stepwise::api::ServerOptions so;
  so.port = 0;
  so.connections_max = static_cast<std::size_t>(connections_max) + 1024;
  stepwise::api::Server server(server_io, so, table);
  if (auto s = server.start(); !s.ok()) {
    std::cerr << s.error().cause << "\n";
    return 2;
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < o.server_threads; ++i) threads.emplace_back([&] { server_io.run(); });
  int rc = run_load(o, server.port());
  server.stop(std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server_io.stop();
  for (auto& t : threads) t.join();
  return rc;
}
