// One client connection of the HTTP server: reading requests (100-continue, body limits,
// keep-alive), dispatching them to the router, answering (whole, raw or streamed), noticing
// clients that hang up, and closing with a linger so the client reads the answer.
#include <cstdio>

#include "api/server_internal.h"

namespace stepwise::api {

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

namespace {

SignedRequest to_signed(const HttpRequest& r) {
  SignedRequest s;
  s.method = std::string(r.method_string());
  s.target = std::string(r.target());
  for (const auto& f : r)
    s.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  s.body = r.body();
  return s;
}

}  // namespace

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

namespace {

// A header value a handler gave must not split the head.
bool header_safe(std::string_view v) { return v.find_first_of("\r\n") == std::string_view::npos; }

}  // namespace

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

}  // namespace stepwise::api
