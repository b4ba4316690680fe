// Internals of the HTTP server (server.cpp: the listener, Server::State and the Server;
// server_connection.cpp: one client connection from its first byte to its last): the state
// they share and the Connection class. Not part of the api library's interface.
#pragma once

#include <sys/socket.h>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cerrno>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "api/answer.h"
#include "api/json_protocol.h"
#include "api/protocol.h"
#include "api/server.h"
#include "base/ids.h"
#include "base/mutex.h"

namespace stepwise::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Bytes read while a keep-alive connection waits for its next request.
constexpr std::size_t first_read_bytes = 4096;
// A refused or finished connection drains what the client still sends for this long (and at
// most linger_bytes_max) before closing, so the client reads our answer instead of a reset.
constexpr std::chrono::milliseconds linger_timeout{2000};
constexpr std::size_t linger_bytes_max = 4 * 1024 * 1024;
// Connections taken from the accept queue in one go before yielding to other work.
constexpr std::size_t accept_burst_max = 256;

class Connection;
class Sink;

template <class R>
struct ReplyOf;
template <>
struct ReplyOf<Response> {
  using type = Reply;
};
template <>
struct ReplyOf<RawResponse> {
  using type = RawReply;
};
template <class R>
using Reply_t = typename ReplyOf<R>::type;

struct Server::State : std::enable_shared_from_this<Server::State> {
  State(net::io_context& io_, ServerOptions options_, std::unique_ptr<Router> owned_,
        Router& router_)
      : io(io_),
        options(std::move(options_)),
        owned_router(std::move(owned_)),
        router(router_),
        strand(net::make_strand(io_)),
        acceptor(strand),
        retry_timer(strand),
        drain_timer(strand) {
    IdGenerator ids(options.request_id_seed);
    id_hi = ids.next_u64();
    id_lo = ids.next_u64();
  }

  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void adopt(tcp::socket socket);
  void reject(tcp::socket& socket);
  void begin_stop(std::chrono::milliseconds drain);
  std::vector<std::shared_ptr<Connection>> snapshot();
  void forget(std::uint64_t id);
  std::string next_request_id();

  ServerStats stats() const;

  net::io_context& io;
  const ServerOptions options;
  std::unique_ptr<Router> owned_router;  // the Dispatcher-only constructor's
  Router& router;
  net::strand<net::io_context::executor_type> strand;  // acceptor, timers, stop
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;
  net::steady_timer drain_timer;
  std::atomic<bool> stopping{false};

  base::Mutex mu;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections GUARDED_BY(mu);
  std::uint64_t next_connection_id GUARDED_BY(mu) = 1;

  std::uint64_t id_hi = 0, id_lo = 0;
  std::atomic<std::uint64_t> request_seq{0};

  std::atomic<std::size_t> open{0};
  std::atomic<std::uint64_t> accepted{0}, rejected{0}, requests{0}, timeouts{0};
};

// One client connection. All its handlers run on its own strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Server::State> server, tcp::socket socket, std::uint64_t id)
      : server_(std::move(server)),
        opts_(server_->options),
        stream_(std::move(socket)),
        buffer_(opts_.header_bytes_max + opts_.body_bytes_max + first_read_bytes),
        id_(id) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    stream_.socket().set_option(tcp::no_delay(true), ec);
    ++server_->open;
  }

  ~Connection() {
    --server_->open;
    server_->forget(id_);
  }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_request(); });
  }

  // Graceful stop: idle or half-read connections close now; a pending answer is still sent.
  void stop() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (self->phase_ == Phase::idle || self->phase_ == Phase::reading ||
          self->phase_ == Phase::streaming)
        self->close();
    });
  }

  void force_close() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

  // Called (on the strand) when the operation answers.
  void on_reply(Response response) {
    if (!answerable()) return;
    write(response, keep_alive_ && !stopping_);
  }
  void on_reply(RawResponse response) {
    if (!answerable()) return;
    write_raw(response, keep_alive_ && !stopping_);
  }

  // A stream's chunk (on the strand): queued, then written after the ones before it.
  void stream_chunk(std::string chunk);
  void stream_end();

 private:
  enum class Phase { idle, reading, dispatching, writing, lingering, streaming, closed };

  void wait_request();
  void on_first_bytes(beast::error_code ec, std::size_t n);
  void new_parser();
  void parse_buffered();
  void continue_header();
  void on_header(beast::error_code ec);
  void send_continue();
  void read_body();
  void on_body(beast::error_code ec);
  void handle(HttpRequest request);
  bool answerable();
  template <class R>
  Reply_t<R> make_reply();
  void dispatch_route(Route& route, HttpRequest& request, const RequestInfo& info);
  void answer_get(const Route& route, const HttpRequest& request);
  void answer_stream(const Route& route, const GetRequest& g);
  void stream_next();
  void watch_stream_client();
  void record(unsigned status, std::string_view error_type);
  void write(const Response& response, bool keep_alive);
  void write_raw(const RawResponse& response, bool keep_alive);
  void send(bool keep_alive);
  void on_write(beast::error_code ec, bool keep_alive);
  void fail_read(beast::error_code ec);
  void linger();
  void close();
  void watch_disconnect();
  RequestInfo info(const HttpRequest& request, std::string request_id) const;

  std::shared_ptr<Server::State> server_;
  const ServerOptions& opts_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpResponse response_;
  std::string request_id_;
  std::array<char, 8192> discard_{};
  std::size_t discarded_ = 0;
  std::uint64_t id_;
  std::string remote_;
  Phase phase_ = Phase::idle;
  bool keep_alive_ = true;
  bool stopping_ = false;
  bool watching_ = false;
  std::shared_ptr<std::atomic<bool>> client_gone_;
  // The request being answered: how to encode its answer, and where its metrics go.
  Encoding encoding_;
  std::string resource_;
  bool head_ = false;
  std::size_t body_limit_ = 0;  // the request's body limit (the router's, else the server's)
  ServiceMetrics* metrics_ = nullptr;
  OperationMetrics* operation_metrics_ = nullptr;
  std::string operation_name_;  // only when operation_metrics_ was not found
  std::chrono::steady_clock::time_point started_;
  // A stream (Router::add_stream): its sink, and the chunks not written yet.
  std::shared_ptr<Sink> sink_;
  std::deque<std::string> stream_queue_;
  bool stream_writing_ = false;
  bool stream_ending_ = false;
};

}  // namespace stepwise::api
