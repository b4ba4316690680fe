// serve_main: the body of `stepwise serve` — loads the --auth-keys file, warns when a
// non-loopback bind has no keys, raises the open-file limit, runs the Server on an io_context
// until SIGINT/SIGTERM, then stops gracefully. The CLI parses flags into ServeOptions and
// supplies the Dispatcher (the operations).
//
// Thread-safety: call once per process (it installs signal handling for its duration).
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <ostream>
#include <string>

#include "api/dispatcher.h"
#include "api/server.h"

namespace stepwise::api {

struct ServeOptions {
  ServerOptions server;        // bind, port, limits, timeouts (keys/clock are set by serve_main)
  std::string auth_keys_file;  // empty: no authentication
  int threads = 1;             // I/O threads running the io_context (1..16)
  std::chrono::milliseconds drain = limits::drain_timeout;
  // Optional: called on the I/O context once listening (e.g. to start engine timers on it).
  std::function<void(boost::asio::io_context&)> on_listening;
  // Optional: called when a stop signal arrives, before the server drains.
  std::function<void()> on_stop;
  // Where start/stop messages and warnings go (the caller's stderr); null: nowhere.
  std::ostream* log = nullptr;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(const std::string& bind);

// Runs until SIGINT/SIGTERM; returns the process exit code (0 after a clean stop, 1 when the
// keys file is unusable or the address cannot be bound). Messages go to options.log.
int serve_main(const ServeOptions& options, Router& router);
// Step Functions alone (AWSStepFunctions. -> dispatcher, plus /health and /metrics).
int serve_main(const ServeOptions& options, Dispatcher& dispatcher);

}  // namespace stepwise::api
