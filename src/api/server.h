// Server: the asynchronous HTTP/1.1 server of the Stepwise API (Boost.Beast on Asio). It
// accepts connections, reads requests with per-phase timeouts (slow-loris guard), asks the
// Router which service and protocol a request is for, verifies SigV4 for that service when keys
// are given, decodes the body and hands the call to the service; answers go back on the same
// keep-alive connection, one request at a time (pipelined requests wait in the buffer, so order
// is kept), encoded in the request's protocol. No thread is held while an operation is pending.
//
// Threading: the Server runs on the io_context it is given; run that context on one or more
// threads (each connection has its own strand). start() and the constructor belong to the
// creating thread; stop() and stats() may be called from any thread. The io_context, the
// Router (or Dispatcher), the KeyStore and the Clock must outlive all of the server's work on
// the context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/api_limits.h"
#include "api/dispatcher.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/sigv4.h"
#include "base/clock.h"
#include "base/result.h"

namespace stepwise::api {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8083;  // 0: an ephemeral port (tests); read it back with port()
  std::size_t body_bytes_max = limits::body_bytes_max;
  std::size_t header_bytes_max = limits::header_bytes_max;
  std::size_t connections_max = limits::connections_max;
  std::chrono::milliseconds header_read_timeout = limits::header_read_timeout;
  std::chrono::milliseconds body_read_timeout = limits::body_read_timeout;
  std::chrono::milliseconds idle_timeout = limits::idle_timeout;
  std::chrono::milliseconds write_timeout = limits::write_timeout;
  // SigV4 is verified when keys is set; clock then gives "now" for the 15-minute skew check.
  const KeyStore* keys = nullptr;
  const Clock* clock = nullptr;
  // Seeds the request ids (x-amzn-RequestId). 0: unpredictable (IdGenerator's own seeding);
  // tests give a fixed seed to get the same ids every run.
  std::uint64_t request_id_seed = 0;
};

class Server {
 public:
  // Every request through `router`.
  Server(boost::asio::io_context& io, ServerOptions options, Router& router);
  // Step Functions alone: a Router of its own with `AWSStepFunctions.` -> dispatcher (service
  // `states`), /health and /metrics.
  Server(boost::asio::io_context& io, ServerOptions options, Dispatcher& dispatcher);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts accepting. Errors: "Api.Listen" with the OS's reason.
  Status start();
  std::uint16_t port() const;

  // Graceful stop: stop accepting, close idle connections, let in-flight requests answer
  // (their connections then close), and after drain force-close whatever remains.
  void stop(std::chrono::milliseconds drain = limits::drain_timeout);
  ServerStats stats() const;

  struct State;  // shared with connections; defined in server.cpp

 private:
  std::shared_ptr<State> state_;
};

}  // namespace stepwise::api
