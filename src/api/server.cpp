// The HTTP server: the listener (accepting in bursts, refusing over the connection limit),
// the connection table and the drain on stop, request ids, and the Server's interface.
// Connections live in server_connection.cpp.
#include "api/server.h"

#include <cstdio>

#include "api/server_internal.h"

namespace stepwise::api {

// ---- Server::State ----

void Server::State::accept() {
  acceptor.async_accept(net::make_strand(io),
                        beast::bind_front_handler(&State::on_accept, shared_from_this()));
}

void Server::State::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors (EMFILE) and the like: pause instead of spinning.
    retry_timer.expires_after(limits::accept_retry_delay);
    retry_timer.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e && !self->stopping.load()) self->accept();
    });
    return;
  }
  adopt(std::move(socket));
  // Drain the kernel's accept queue without a round trip per connection: a burst of thousands
  // of connects otherwise overflows the backlog and clients wait for SYN retransmits.
  for (std::size_t i = 0; i < accept_burst_max && !stopping.load(); ++i) {
    tcp::socket next(net::make_strand(io));
    acceptor.accept(next, ec);
    if (ec) break;  // would_block: the queue is empty
    adopt(std::move(next));
  }
  accept();
}

void Server::State::adopt(tcp::socket socket) {
  ++accepted;
  if (open.load() >= options.connections_max) {
    reject(socket);
  } else {
    std::uint64_t id;
    {
      base::MutexLock lock(mu);
      id = next_connection_id++;
    }
    auto c = std::make_shared<Connection>(shared_from_this(), std::move(socket), id);
    {
      base::MutexLock lock(mu);
      connections[id] = c;
    }
    c->start();
  }
}

// Over the connection limit: a short 503 written without waiting, then close.
void Server::State::reject(tcp::socket& socket) {
  ++rejected;
  static const std::string body =
      R"({"__type":"ServiceUnavailable","message":"Too many connections"})";
  const std::string answer =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/x-amz-json-1.0\r\n"
      "x-amzn-RequestId: " +
      next_request_id() +
      "\r\nx-amzn-ErrorType: ServiceUnavailable\r\nConnection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(net::buffer(answer), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

std::vector<std::shared_ptr<Connection>> Server::State::snapshot() {
  std::vector<std::shared_ptr<Connection>> out;
  base::MutexLock lock(mu);
  for (auto& [id, weak] : connections)
    if (auto c = weak.lock()) out.push_back(std::move(c));
  return out;
}

void Server::State::forget(std::uint64_t id) {
  bool last;
  {
    base::MutexLock lock(mu);
    connections.erase(id);
    last = connections.empty();
  }
  // Once the last connection is gone a stopping server needs its drain timer no more, so the
  // io_context can run out of work and return.
  if (last && stopping.load())
    net::post(strand, [self = shared_from_this()] { self->drain_timer.cancel(); });
}

void Server::State::begin_stop(std::chrono::milliseconds drain) {
  if (stopping.exchange(true)) return;
  beast::error_code ec;
  acceptor.close(ec);
  retry_timer.cancel();
  auto live = snapshot();
  if (live.empty()) return;
  for (auto& c : live) c->stop();
  drain_timer.expires_after(drain);
  drain_timer.async_wait([self = shared_from_this()](beast::error_code e) {
    if (e) return;
    for (auto& c : self->snapshot()) c->force_close();
  });
}

std::string Server::State::next_request_id() {
  std::uint64_t a = id_hi, b = id_lo + request_seq.fetch_add(1);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// ---- Server ----

Server::Server(net::io_context& io, ServerOptions options, Router& router)
    : state_(std::make_shared<State>(io, std::move(options), nullptr, router)) {}

namespace {
std::unique_ptr<Router> step_functions_router(Dispatcher& dispatcher) {
  auto router = std::make_unique<Router>();
  router->add_json_service(std::string(target_prefix), std::string(sigv4_service), dispatcher);
  return router;
}
}  // namespace

Server::Server(net::io_context& io, ServerOptions options, Dispatcher& dispatcher) {
  auto router = step_functions_router(dispatcher);
  Router& r = *router;
  state_ = std::make_shared<State>(io, std::move(options), std::move(router), r);
}

Server::~Server() = default;

Status Server::start() {
  if (state_->options.keys != nullptr && state_->options.clock == nullptr)
    return Error{"Api.Listen", "SigV4 verification needs a clock (ServerOptions::clock)"};
  beast::error_code ec;
  auto address = net::ip::make_address(state_->options.bind, ec);
  if (ec) return Error{"Api.Listen", "invalid bind address '" + state_->options.bind + "'"};
  tcp::endpoint endpoint(address, state_->options.port);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) acceptor.non_blocking(true, ec);  // for the accept drain in on_accept
  if (ec)
    return Error{"Api.Listen", "cannot listen on " + state_->options.bind + ":" +
                                   std::to_string(state_->options.port) + ": " + ec.message()};
  net::dispatch(state_->strand, [s = state_] { s->accept(); });
  return ok_status();
}

std::uint16_t Server::port() const {
  beast::error_code ec;
  auto ep = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::stop(std::chrono::milliseconds drain) {
  net::post(state_->strand, [s = state_, drain] { s->begin_stop(drain); });
}

ServerStats Server::stats() const { return state_->stats(); }

ServerStats Server::State::stats() const {
  ServerStats s;
  s.connections_open = open.load();
  s.connections_accepted = accepted.load();
  s.connections_rejected = rejected.load();
  s.requests = requests.load();
  s.timeouts = timeouts.load();
  return s;
}

}  // namespace stepwise::api
