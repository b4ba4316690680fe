#include "api/server.h"

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
#include <cstdio>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "api/answer.h"
#include "api/json_protocol.h"
#include "api/protocol.h"
#include "base/ids.h"
#include "base/mutex.h"

namespace stepwise::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

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

}  // namespace

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

namespace {

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

// The StreamSink of one streaming connection. push() counts the chunk before posting it to the
// connection's strand, so the bound holds across threads; the count drops once it is written.
class Sink final : public StreamSink {
 public:
  Sink(std::weak_ptr<Connection> c, net::any_io_executor ex)
      : connection_(std::move(c)), executor_(std::move(ex)) {}
  bool push(std::string chunk) override {
    if (closed_.load()) return false;
    if (queued_.fetch_add(1) >= limits::stream_chunks_max) {
      --queued_;
      return false;
    }
    auto c = connection_.lock();
    if (!c) {
      closed_ = true;
      return false;
    }
    net::post(executor_,
              [c, chunk = std::move(chunk)]() mutable { c->stream_chunk(std::move(chunk)); });
    return true;
  }
  void close() override {
    if (closed_.exchange(true)) return;
    if (auto c = connection_.lock()) net::post(executor_, [c] { c->stream_end(); });
  }
  bool closed() const override { return closed_.load(); }
  // Every chunk the connection writes is counted, the head too (queued without push()).
  void queued_direct() { ++queued_; }
  void written() { --queued_; }
  void mark_closed() { closed_ = true; }

 private:
  std::weak_ptr<Connection> connection_;
  net::any_io_executor executor_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> closed_{false};
};

// Carries a Reply to its connection: once only, from any thread, and answers InternalFailure
// if the operation drops the Reply without calling it (so no connection waits forever).
template <class R>
class ReplyState {
 public:
  explicit ReplyState(std::shared_ptr<Connection> c) : connection_(std::move(c)) {}
  ~ReplyState() {
    // A stopped context is being torn down (pending operations destroyed with it): nobody is
    // left to answer, and posting into it would race its destruction.
    if (done_.load() || connection_context().stopped()) return;
    deliver(ApiError::internal("The operation ended without an answer"));
  }
  void deliver(R response) {
    if (done_.exchange(true)) return;
    auto c = connection_;
    net::dispatch(c_executor(),
                  [c, r = std::move(response)]() mutable { c->on_reply(std::move(r)); });
  }
  net::any_io_executor c_executor() { return executor_; }
  void set_executor(net::any_io_executor ex) { executor_ = std::move(ex); }
  net::io_context& connection_context() {
    return static_cast<net::io_context&>(net::query(executor_, net::execution::context));
  }

 private:
  std::shared_ptr<Connection> connection_;
  net::any_io_executor executor_;
  std::atomic<bool> done_{false};
};

void Connection::wait_request() {
  if (stopping_) return close();
  phase_ = Phase::idle;
  if (buffer_.size() > 0) return parse_buffered();  // a pipelined request is already here
  stream_.expires_after(opts_.idle_timeout);
  stream_.async_read_some(
      buffer_.prepare(first_read_bytes),
      beast::bind_front_handler(&Connection::on_first_bytes, shared_from_this()));
}

void Connection::on_first_bytes(beast::error_code ec, std::size_t n) {
  if (ec) return fail_read(ec);
  buffer_.commit(n);
  parse_buffered();
}

void Connection::parse_buffered() {
  // Fast path: a small request usually arrives whole in the first read. Parsing it here saves
  // two asynchronous hops and two timer resets per request.
  new_parser();
  beast::error_code pec;
  while (buffer_.size() > 0 && !parser_->is_done()) {
    std::size_t used = parser_->put(buffer_.data(), pec);
    buffer_.consume(used);
    if (pec || used == 0) break;
  }
  if (pec && pec != http::error::need_more) return fail_read(pec);
  if (parser_->is_done()) {
    keep_alive_ = parser_->get().keep_alive();
    ++server_->requests;
    // Parsed in one go under the largest limit: hold the request to its own.
    const std::size_t limit = server_->router.body_limit(parser_->get(), opts_.body_bytes_max);
    if (parser_->get().body().size() > limit) {
      request_id_ = server_->next_request_id();
      encoding_ = server_->router.classify(parser_->get());
      return write(entity_too_large(limit), false);
    }
    return handle(parser_->release());
  }
  if (parser_->is_header_done()) return on_header({});
  continue_header();
}

void Connection::new_parser() {
  phase_ = Phase::reading;
  encoding_ = Encoding{};
  resource_.clear();
  head_ = false;
  metrics_ = nullptr;
  parser_.emplace();
  parser_->eager(true);
  parser_->header_limit(static_cast<std::uint32_t>(opts_.header_bytes_max));
  // Beast refuses a declared Content-Length above this limit while it parses the headers, so
  // it starts at the largest any service takes; on_header narrows it to the request's.
  body_limit_ = server_->router.largest_body_limit(opts_.body_bytes_max);
  parser_->body_limit(body_limit_);
}

void Connection::continue_header() {
  stream_.expires_after(opts_.header_read_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
  if (ec) return fail_read(ec);
  auto length = parser_->content_length();
  keep_alive_ = parser_->get().keep_alive();
  // A service may take larger bodies than the server's default (S3's PUT): decided from the
  // headers, before any byte of the body is read.
  const std::size_t limit = server_->router.body_limit(parser_->get(), opts_.body_bytes_max);
  if (length && *length > limit) {
    ++server_->requests;
    request_id_ = server_->next_request_id();
    encoding_ = server_->router.classify(parser_->get());
    return write(entity_too_large(limit), false);
  }
  body_limit_ = limit;
  parser_->body_limit(limit);
  auto expect = parser_->get().find(http::field::expect);
  if (expect != parser_->get().end() && beast::iequals(expect->value(), "100-continue") &&
      !parser_->is_done())
    return send_continue();
  read_body();
}

void Connection::send_continue() {
  static const std::string continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
  stream_.expires_after(opts_.write_timeout);
  net::async_write(stream_, net::buffer(continue_line),
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec) return self->fail_read(ec);
                     self->read_body();
                   });
}

void Connection::read_body() {
  stream_.expires_after(opts_.body_read_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Connection::on_body(beast::error_code ec) {
  if (ec) return fail_read(ec);
  ++server_->requests;
  // Chunks parsed before on_header narrowed the limit count too.
  if (parser_->get().body().size() > body_limit_) {
    request_id_ = server_->next_request_id();
    encoding_ = server_->router.classify(parser_->get());
    return write(entity_too_large(body_limit_), false);
  }
  handle(parser_->release());
}

// A read failed: answer what deserves an answer, otherwise just close.
void Connection::fail_read(beast::error_code ec) {
  if (ec == beast::error::timeout) {
    ++server_->timeouts;  // the stream closed itself; nothing more can be sent
    return close();
  }
  if (phase_ == Phase::idle || ec == http::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::operation_aborted || ec == net::error::connection_reset)
    return close();
  request_id_ = server_->next_request_id();
  if (ec == http::error::body_limit) {
    // Beast refuses a declared length before it marks the header done, but every field is in.
    if (parser_) encoding_ = server_->router.classify(parser_->get());
    return write(entity_too_large(body_limit_), false);
  }
  if (ec == http::error::header_limit)
    return write(malformed_request("headers are larger than the limit of " +
                                   std::to_string(opts_.header_bytes_max) + " bytes"),
                 false);
  if (ec.category() == http::make_error_code(http::error::bad_method).category())
    return write(malformed_request(ec.message()), false);
  close();
}

RequestInfo Connection::info(const HttpRequest& request, std::string request_id) const {
  RequestInfo i;
  i.request_id = std::move(request_id);
  i.remote_address = remote_;
  if (auto host = request.find(http::field::host); host != request.end())
    i.host = std::string(host->value());
  return i;
}

SignedRequest to_signed(const HttpRequest& r) {
  SignedRequest s;
  s.method = std::string(r.method_string());
  s.target = std::string(r.target());
  for (const auto& f : r)
    s.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  s.body = r.body();
  return s;
}

void Connection::handle(HttpRequest request) {
  stream_.expires_never();  // a long poll may take a minute: no read timeout while pending
  phase_ = Phase::dispatching;
  started_ = std::chrono::steady_clock::now();  // tidy: allow request latency for /metrics
  request_id_ = server_->next_request_id();
  head_ = request.method() == http::verb::head;
  Route route = server_->router.route(request);
  encoding_ = route.encoding;
  resource_ = std::move(route.resource);
  metrics_ = route.metrics;
  operation_metrics_ = metrics_ ? metrics_->find(route.operation) : nullptr;
  if (operation_metrics_ == nullptr) operation_name_ = std::string(route.operation);
  RequestInfo request_info = info(request, request_id_);
  if (opts_.keys != nullptr && route.needs_auth) {
    Verified v =
        verify_sigv4(to_signed(request), *opts_.keys, opts_.clock->now_ms(), route.signing);
    if (!v.ok()) return write(v.error, keep_alive_ && !stopping_);
    request_info.access_key_id = v.identity->access_key_id;
    request_info.region = v.identity->region;
  }
  if (route.error) return write(*route.error, keep_alive_ && !stopping_);
  if (route.protocol == Protocol::plain) return answer_get(route, request);
  client_gone_ = std::make_shared<std::atomic<bool>>(false);
  request_info.client_gone = client_gone_;
  try {
    dispatch_route(route, request, request_info);
  } catch (...) {
    // Services must not throw; if one does, the dropped Reply answers InternalFailure.
  }
  // Most operations answer at once (we are then already writing); only a pending one needs
  // to watch for its client hanging up.
  if (phase_ == Phase::dispatching) watch_disconnect();
}

template <class R>
Reply_t<R> Connection::make_reply() {
  auto state = std::make_shared<ReplyState<R>>(shared_from_this());
  state->set_executor(stream_.get_executor());
  return [state](R r) { state->deliver(std::move(r)); };
}

void Connection::dispatch_route(Route& route, HttpRequest& request, const RequestInfo& info) {
  switch (route.protocol) {
    case Protocol::json: {
      JsonBody body = decode_json_body(request.body());
      if (!body.ok()) return write(body.error, keep_alive_ && !stopping_);
      return route.dispatcher->dispatch(route.operation, std::move(*body.value), info,
                                        make_reply<Response>());
    }
    case Protocol::query: {
      QueryRequest q{route.operation, std::move(*route.form), request};
      return (*route.query)(q, info, make_reply<RawResponse>());
    }
    case Protocol::rest_xml:
    case Protocol::rest_json: {
      RestRequest r{route.operation,
                    std::move(route.rest_path),
                    route.host_bucket,
                    std::move(route.path_params),
                    std::move(route.query_params),
                    request};
      return (*route.rest)(r, info, make_reply<RawResponse>());
    }
    case Protocol::plain:
      return;
  }
}

// GET routes answer at once, on this thread (an async one later, a stream for long).
void Connection::answer_get(const Route& route, const HttpRequest& request) {
  ServerStats stats = server_->stats();
  auto [path, query] = split_target(request.target());
  GetRequest g{request, path, route.get_rest, &stats};
  if (route.stream != nullptr) return answer_stream(route, g);
  if (route.get_async != nullptr) {
    try {
      (*route.get_async)(g, make_reply<RawResponse>());
    } catch (...) {
      // As for services: the dropped reply answers InternalFailure.
    }
    if (phase_ == Phase::dispatching) watch_disconnect();
    return;
  }
  std::optional<RawResponse> answer;
  try {
    answer.emplace((*route.get)(g));
  } catch (...) {
    answer.emplace(ApiError::internal("The route failed"));
  }
  write_raw(*answer, keep_alive_ && !stopping_);
}

// A header value a handler gave must not split the head.
bool header_safe(std::string_view v) { return v.find_first_of("\r\n") == std::string_view::npos; }

void Connection::answer_stream(const Route& route, const GetRequest& g) {
  sink_ = std::make_shared<Sink>(weak_from_this(), stream_.get_executor());
  std::optional<RawResponse> answer;
  try {
    answer.emplace((*route.stream)(g, sink_));
  } catch (...) {
    answer.emplace(ApiError::internal("The route failed"));
  }
  if (answer->is_error() || answer->status() >= 300 || head_) {
    sink_->mark_closed();
    sink_.reset();
    return write_raw(*answer, keep_alive_ && !stopping_);
  }
  record(answer->status(), {});
  // The body's end is the connection's end (no Content-Length, no chunked coding): what
  // EventSource expects, and nothing else may follow on this connection anyway.
  const RawAnswer& a = answer->answer();
  std::string head = "HTTP/1.1 " + std::to_string(a.status) + " OK\r\n";
  head += "Content-Type: " + (header_safe(a.content_type) ? a.content_type : "text/plain") + "\r\n";
  head += "x-amzn-RequestId: " + request_id_ + "\r\n";
  for (const auto& [name, value] : a.headers)
    if (header_safe(name) && header_safe(value) && !name.empty())
      head += name + ": " + value + "\r\n";
  head += "Connection: close\r\n\r\n";
  phase_ = Phase::streaming;
  stream_.expires_never();  // writes go to the socket: the hub's pings and the bound guard it
  stream_queue_.push_back(std::move(head) + a.body);
  sink_->queued_direct();
  stream_next();
  watch_stream_client();
}

void Connection::stream_chunk(std::string chunk) {
  if (phase_ != Phase::streaming) return;
  stream_queue_.push_back(std::move(chunk));
  if (!stream_writing_) stream_next();
}

void Connection::stream_end() {
  if (phase_ != Phase::streaming) return;
  stream_ending_ = true;
  if (!stream_writing_ && stream_queue_.empty()) close();
}

void Connection::stream_next() {
  if (phase_ != Phase::streaming) return;
  if (stream_queue_.empty()) {
    if (stream_ending_) close();
    return;
  }
  stream_writing_ = true;
  net::async_write(stream_.socket(), net::buffer(stream_queue_.front()),
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     self->stream_writing_ = false;
                     if (self->stream_queue_.size() > 0) self->stream_queue_.pop_front();
                     if (self->sink_) self->sink_->written();
                     if (ec) return self->close();
                     self->stream_next();
                   });
}

// A stream's client sends nothing after its request: readable means it hung up (or broke the
// protocol); either way the stream ends.
void Connection::watch_stream_client() {
  stream_.socket().async_wait(tcp::socket::wait_read,
                              [self = shared_from_this()](beast::error_code ec) {
                                if (ec == net::error::operation_aborted) return;
                                self->close();
                              });
}

bool Connection::answerable() {
  if (phase_ != Phase::dispatching) return false;
  if (watching_) {
    beast::error_code ec;
    stream_.socket().cancel(ec);  // stop the disconnect watch before writing
  }
  return true;
}

void Connection::record(unsigned status, std::string_view error_type) {
  if (metrics_ == nullptr) return;
  auto latency =
      std::chrono::steady_clock::now() - started_;  // tidy: allow request latency for /metrics
  OperationMetrics* m = operation_metrics_;
  if (error_type == "UnknownOperationException" || error_type == "InvalidAction") {
    m = &metrics_->unknown();
  } else if (m == nullptr) {
    m = &metrics_->get(operation_name_);
  }
  m->record(outcome_of_status(status), latency);
  metrics_ = nullptr;
}

// While an operation is pending, notice a client that hangs up (readable with zero bytes to
// peek) so long polls can let go. Pipelined bytes end the watch: the client is still there.
void Connection::watch_disconnect() {
  if (buffer_.size() > 0) return;
  watching_ = true;
  stream_.socket().async_wait(
      tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
        self->watching_ = false;
        if (ec || self->phase_ != Phase::dispatching) return;
        char c;
        ssize_t n = ::recv(self->stream_.socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          self->client_gone_->store(true);
          self->close();
        }
      });
}

void Connection::write(const Response& response, bool keep_alive) {
  record(response.is_error() ? response.error().status : 200u,
         response.is_error() ? std::string_view(response.error().type) : std::string_view());
  response_ = encode_answer(encoding_, response, request_id_,
                            parser_ ? parser_->get().version() : 11, keep_alive);
  send(keep_alive);
}

void Connection::write_raw(const RawResponse& response, bool keep_alive) {
  record(response.status(),
         response.is_error() ? std::string_view(response.error().type) : std::string_view());
  response_ = encode_raw(encoding_, response, request_id_, parser_ ? parser_->get().version() : 11,
                         keep_alive, resource_);
  send(keep_alive);
}

void Connection::send(bool keep_alive) {
  if (head_ && !response_.body().empty()) {  // HEAD: the headers of the GET, no bytes
    std::size_t length = response_.body().size();
    response_.body().clear();
    response_.content_length(length);
  }
  phase_ = Phase::writing;
  stream_.expires_after(opts_.write_timeout);
  http::async_write(stream_, response_,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                      self->on_write(ec, keep_alive);
                    });
}

void Connection::on_write(beast::error_code ec, bool keep_alive) {
  if (ec) {
    if (ec == beast::error::timeout) ++server_->timeouts;
    return close();
  }
  response_ = {};
  if (!keep_alive || stopping_) return linger();
  wait_request();
}

// Half-close, then read and drop what the client still sends (a refused body) so that the
// kernel does not answer it with a reset that could destroy our response in flight.
void Connection::linger() {
  phase_ = Phase::lingering;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec || stopping_) return close();
  stream_.expires_after(linger_timeout);
  stream_.async_read_some(net::buffer(discard_),
                          [self = shared_from_this()](beast::error_code e, std::size_t n) {
                            self->discarded_ += n;
                            if (e || self->discarded_ > linger_bytes_max) return self->close();
                            self->linger();
                          });
}

void Connection::close() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  if (sink_) sink_->mark_closed();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace

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
