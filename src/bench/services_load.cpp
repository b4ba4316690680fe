#include "bench/services_load.h"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>

namespace stepwise::bench {

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using boost::system::error_code;

SteadyClock::time_point now() {
  return SteadyClock::now();  // tidy: allow a benchmark measures real time
}

double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

enum class Phase { warmup, window, draining };

class Client;

// The run: its phases, the counters, and the clients still running.
struct Driver {
  Driver(const LoadOptions& o, Scenario& s)
      : options(o),
        scenario(s),
        endpoint(net::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(o.port)),
        timer(io) {}

  void open_window() {
    if (phase != Phase::warmup) return;
    phase = Phase::window;
    if (options.on_window_open) options.on_window_open();
    window_open = now();
    cpu_open = process_cpu_s();
  }
  void close_window() {
    if (phase == Phase::draining) return;
    if (phase == Phase::warmup) open_window();
    result.seconds = std::chrono::duration<double>(now() - window_open).count();
    result.driver_cpu_s = process_cpu_s() - cpu_open;
    phase = Phase::draining;
    if (options.on_window_close) options.on_window_close();
    timer.cancel();
  }
  void error(std::string why) {
    ++result.errors;
    if (result.first_error.empty()) result.first_error = std::move(why);
  }
  void client_done() {
    if (--active == 0) {
      close_window();
      timer.cancel();
    }
  }

  const LoadOptions& options;
  Scenario& scenario;
  net::io_context io;
  tcp::endpoint endpoint;
  net::steady_timer timer;
  Phase phase = Phase::warmup;
  SteadyClock::time_point window_open;
  double cpu_open = 0;
  std::int64_t next_iteration = 0;
  int active = 0;
  LoadResult result;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(Driver& d, int index) : d_(d), socket_(d.io) { state_.client = index; }

  void next_iteration() {
    if (d_.phase == Phase::draining ||
        (d_.options.iterations_max > 0 && d_.next_iteration >= d_.options.iterations_max))
      return finish();
    state_.iteration = d_.next_iteration++;
    state_.step = 0;
    state_.memo.clear();
    send();
  }

 private:
  void send() {
    d_.scenario.request(state_, request_);
    began_ = now();
    if (connected_) return write();
    socket_.async_connect(d_.endpoint, [self = shared_from_this()](error_code ec) {
      if (ec) return self->transport_error("connect: " + ec.message());
      error_code ignored;
      self->socket_.set_option(tcp::no_delay(true), ignored);
      self->connected_ = true;
      self->write();
    });
  }

  void write() {
    net::async_write(socket_, net::buffer(request_),
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec) return self->transport_error("write: " + ec.message());
                       self->read();
                     });
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(response_body_bytes_max);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec) return self->transport_error("read: " + ec.message());
                       self->on_response();
                     });
  }

  void on_response() {
    auto& res = parser_->get();
    if (!parser_->keep_alive()) {
      // The server closes after each answer (moto): drop the connection at once, without a
      // TIME_WAIT entry per request on the loopback, and open a new one for the next request.
      close_connection();
      ++d_.result.reconnects;
    }
    bool done = false;
    std::string why;
    bool ok = d_.scenario.answer(state_, res.result_int(), res.body(), &done, &why);
    if (d_.phase == Phase::window && ok) {
      ++d_.result.requests;
      if (done) ++d_.result.iterations;
      if (d_.result.latencies_us.size() < latency_samples_max) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(now() - began_).count();
        d_.result.latencies_us.push_back(static_cast<std::uint32_t>(us));
      }
    }
    if (!ok) {
      d_.error("HTTP " + std::to_string(res.result_int()) + ": " + why);
      done = true;
    }
    if (d_.phase == Phase::draining) return finish();
    if (done) return next_iteration();
    send();
  }

  void transport_error(const std::string& what) {
    d_.error(what);
    close_connection();
    if (d_.phase == Phase::draining) return finish();
    // A server may close an idle keep-alive connection at any time: reconnect for the next.
    next_iteration();
  }

  void close_connection() {
    if (!connected_ && !socket_.is_open()) return;
    error_code ignored;
    socket_.set_option(net::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
    connected_ = false;
    buffer_.clear();
  }

  void finish() {
    close_connection();
    d_.client_done();
  }

  Driver& d_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::string request_;
  ClientState state_;
  SteadyClock::time_point began_;
  bool connected_ = false;
};

}  // namespace

Result<LoadResult> run_load(const LoadOptions& o, Scenario& scenario) {
  if (o.port <= 0 || o.port > 65535) return Error{"Bench.BadOption", "bad port"};
  if (o.clients < 1 || o.clients > load_clients_max)
    return Error{"Bench.BadOption", "clients must be 1.." + std::to_string(load_clients_max)};
  if (o.warmup_s < 0 || o.duration_s <= 0 || o.warmup_s + o.duration_s > load_seconds_max)
    return Error{"Bench.BadOption", "warm-up and duration must be within 0.." +
                                        std::to_string(static_cast<int>(load_seconds_max)) + " s"};
  Driver d(o, scenario);
  d.result.latencies_us.reserve(std::min<std::size_t>(latency_samples_max, 1 << 20));
  auto arm = [&d](double seconds, auto then) {
    d.timer.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(seconds * 1e6)));
    d.timer.async_wait([then](error_code ec) {
      if (!ec) then();
    });
  };
  auto close_later = [&d, &o, arm] { arm(o.duration_s, [&d] { d.close_window(); }); };
  if (o.warmup_s > 0) {
    arm(o.warmup_s, [&d, close_later] {
      d.open_window();
      close_later();
    });
  } else {
    d.open_window();
    close_later();
  }
  std::vector<std::shared_ptr<Client>> clients;
  d.active = o.clients;
  for (int i = 0; i < o.clients; ++i) clients.push_back(std::make_shared<Client>(d, i));
  for (auto& c : clients) c->next_iteration();
  d.io.run();
  return std::move(d.result);
}

double percentile_ms(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  p = std::clamp(p, 0.0, 1.0);
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i] / 1000.0;
}

}  // namespace stepwise::bench
