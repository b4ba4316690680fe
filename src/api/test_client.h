// A blocking loopback HTTP client for the server tests, with socket timeouts so that a
// misbehaving server fails a test instead of hanging it.
// Thread-safety: one client per thread.
#pragma once

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "api/protocol.h"

namespace stepwise::api::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

class Client {
 public:
  explicit Client(std::uint16_t port, std::chrono::milliseconds timeout = 5000ms) : socket_(io_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }

  static HttpRequest request(std::string_view op, std::string body) {
    HttpRequest r{http::verb::post, "/", 11};
    r.set(http::field::host, "localhost");
    r.set(http::field::content_type, json_content_type);
    r.set("X-Amz-Target", std::string(target_prefix) + std::string(op));
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
  }

  void send(const HttpRequest& r) { http::write(socket_, r); }
  void send_raw(std::string_view bytes) { net::write(socket_, net::buffer(bytes)); }

  // The next response; a response with result 0 means the connection ended instead.
  HttpResponse receive() {
    HttpResponse res;
    beast::error_code ec;
    http::read(socket_, buffer_, res, ec);
    if (ec) res.result(0);
    return res;
  }

  HttpResponse call(std::string_view op, std::string body) {
    send(request(op, std::move(body)));
    return receive();
  }

  HttpResponse call_raw(const HttpRequest& r) {
    send(r);
    return receive();
  }

  // The answer to a HEAD request: headers only, whatever Content-Length says.
  HttpResponse receive_head() {
    http::response_parser<http::string_body> parser;
    parser.skip(true);
    beast::error_code ec;
    http::read(socket_, buffer_, parser, ec);
    HttpResponse res = parser.release();
    if (ec) res.result(0);
    return res;
  }

  // True when the server closed the connection (EOF or reset) within the socket timeout.
  bool closed_by_server() {
    char c;
    beast::error_code ec;
    socket_.read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

  tcp::socket& socket() { return socket_; }

 private:
  net::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

inline json::value body_of(const HttpResponse& r) {
  auto parsed = json::parse(r.body());
  return parsed.ok() ? *parsed : json::value("<not json: " + r.body() + ">");
}

inline std::string type_of(const HttpResponse& r) {
  json::value b = body_of(r);
  if (!b.is_object() || !b.as_object().contains("__type")) return "";
  return std::string(b.as_object().at("__type").as_string());
}

}  // namespace stepwise::api::testing
