#include "api/serve.h"

#include "api/protocol.h"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <thread>
#include <vector>

namespace stepwise::api {

namespace net = boost::asio;

namespace {

constexpr int threads_max = 16;

// 10,000 clients need 10,000 descriptors; the usual soft limit is 1,024. Raise it to the hard
// limit (never above what the connection limit needs plus slack).
void raise_open_files(std::size_t connections_max) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rlim_t want = static_cast<rlim_t>(connections_max) + 256;
  if (rl.rlim_max != RLIM_INFINITY) want = std::min(want, rl.rlim_max);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    rl.rlim_cur = want;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

bool is_loopback(const std::string& bind) {
  if (bind == "localhost") return true;
  boost::system::error_code ec;
  auto address = net::ip::make_address(bind, ec);
  return !ec && address.is_loopback();
}

int serve_main(const ServeOptions& options, Dispatcher& dispatcher) {
  Router router;
  router.add_json_service(std::string(target_prefix), std::string(sigv4_service), dispatcher);
  return serve_main(options, router);
}

int serve_main(const ServeOptions& options, Router& router) {
  std::ostream discard(nullptr);  // no buffer: writes are dropped
  std::ostream& log = options.log ? *options.log : discard;
  ServerOptions server_options = options.server;
  std::optional<KeyStore> keys;
  if (!options.auth_keys_file.empty()) {
    auto loaded = KeyStore::load_file(options.auth_keys_file);
    if (!loaded.ok()) {
      log << "stepwise serve: " << loaded.error().cause << "\n";
      return 1;
    }
    keys = std::move(*loaded);
  } else if (!is_loopback(server_options.bind)) {
    log << "stepwise serve: warning: listening on " << server_options.bind
        << " without --auth-keys: anyone who can reach this address can run workflows\n";
  }
  RealClock clock;
  server_options.keys = keys ? &*keys : nullptr;
  server_options.clock = &clock;
  raise_open_files(server_options.connections_max);

  net::io_context io;
  Server server(io, server_options, router);
  if (auto started = server.start(); !started.ok()) {
    log << "stepwise serve: " << started.error().cause << "\n";
    return 1;
  }
  log << "stepwise serve: listening on http://" << server_options.bind << ":" << server.port()
      << (keys ? " (SigV4 required)" : "") << "\n";
  if (options.on_listening) options.on_listening(io);

  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer poll(io);
  std::chrono::steady_clock::time_point deadline;
  // After the signal: stop as soon as no connection is left, at the latest after the drain.
  // io.stop() rather than running out of work, because the dispatcher may still hold timers
  // (pending long polls) on this context.
  std::function<void()> wait_drained = [&] {
    if (server.stats().connections_open == 0 ||
        std::chrono::steady_clock::now() > deadline)  // tidy: allow drain deadline of real sockets
      return io.stop();
    poll.expires_after(std::chrono::milliseconds(20));
    poll.async_wait([&](const boost::system::error_code& e) {
      if (!e) wait_drained();
    });
  };
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    log << "stepwise serve: stopping\n";
    if (options.on_stop) options.on_stop();
    server.stop(options.drain);
    const auto grace = options.drain + std::chrono::milliseconds(200);
    deadline = std::chrono::steady_clock::now() + grace;  // tidy: allow real sockets drain
    wait_drained();
  });

  int threads = std::clamp(options.threads, 1, threads_max);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  log << "stepwise serve: stopped\n";
  return 0;
}

}  // namespace stepwise::api
