// End-to-end tests of the server over loopback: a real Server on an ephemeral port, running
// the demo operations on its own I/O thread, and blocking Beast clients with socket timeouts
// (a misbehaving server fails a test instead of hanging it).
#include "api/server.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "api/demo.h"
#include "api/protocol.h"
#include "api/test_client.h"

namespace stepwise::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using testing::body_of;
using testing::Client;
using testing::type_of;

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.bind = "127.0.0.1";
    options.port = 0;
    add_demo_operations(table_, io_.get_executor());
    server_ = std::make_unique<Server>(io_, options, table_);
    ASSERT_TRUE(server_->start().ok());
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (!server_) return;
    server_->stop(100ms);
    wait_for([&] { return server_->stats().connections_open == 0; }, 3s);
    io_.stop();
    thread_.join();
    server_.reset();
  }

  template <typename Pred>
  static bool wait_for(Pred pred, std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return pred();
  }

  std::uint16_t port() const { return server_->port(); }

  net::io_context io_;
  OperationTable table_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerTest, ValidCallAnswersJsonWithAwsHeaders) {
  start();
  Client c(port());
  HttpResponse r = c.call("Echo", R"({"a":[1,2],"b":"x"})");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), R"({"a":[1,2],"b":"x"})");
  EXPECT_EQ(r[http::field::content_type], "application/x-amz-json-1.0");
  EXPECT_EQ(r["x-amzn-RequestId"].size(), 36u);
  EXPECT_TRUE(r.keep_alive());
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  start();
  Client c(port());
  std::string first_id;
  for (int i = 0; i < 20; ++i) {
    HttpResponse r = c.call("Echo", "{\"i\":" + std::to_string(i) + "}");
    ASSERT_EQ(r.body(), "{\"i\":" + std::to_string(i) + "}");
    if (i == 0)
      first_id = std::string(r["x-amzn-RequestId"]);
    else
      EXPECT_NE(r["x-amzn-RequestId"], first_id);
  }
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  Client c(port());
  std::ostringstream both;
  both << Client::request("GetActivityTask", R"({"holdMs":100})")
       << Client::request("Echo", R"({"n":2})");
  c.send_raw(both.str());
  EXPECT_EQ(c.receive().body(), "{}");
  EXPECT_EQ(c.receive().body(), R"({"n":2})");
}

TEST_F(ServerTest, HostWithSyncPrefixIsAccepted) {
  start();
  Client c(port());
  HttpRequest r = Client::request("ListStateMachines", "{}");
  r.set(http::field::host, "sync-localhost.stepwise:8083");
  c.send(r);
  EXPECT_EQ(c.receive().result_int(), 200u);
}

TEST_F(ServerTest, ErrorShapesCarryTypeAndKeepTheConnection) {
  start();
  Client c(port());
  HttpResponse r = c.call("NoSuchOperation", "{}");
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_EQ(type_of(r), "UnknownOperationException");
  EXPECT_EQ(r["x-amzn-ErrorType"], "UnknownOperationException");
  EXPECT_EQ(type_of(c.call("Echo", "not json")), "SerializationException");
  EXPECT_EQ(type_of(c.call("Echo", "[1]")), "SerializationException");
  EXPECT_EQ(type_of(c.call("Echo", "{\"a\":\"\xc3\x28\"}")), "SerializationException");
  HttpResponse f = c.call("Fail", R"({"type":"StateMachineDoesNotExist","message":"gone"})");
  EXPECT_EQ(f.result_int(), 400u);
  EXPECT_EQ(f.body(), R"({"__type":"StateMachineDoesNotExist","message":"gone"})");
  HttpRequest no_target = Client::request("Echo", "{}");
  no_target.erase("X-Amz-Target");
  c.send(no_target);
  EXPECT_EQ(type_of(c.receive()), "UnknownOperationException");
  HttpRequest get{http::verb::get, "/", 11};
  get.set(http::field::host, "localhost");
  c.send(get);
  EXPECT_EQ(type_of(c.receive()), "UnknownOperationException");
  EXPECT_EQ(c.call("Echo", "{}").result_int(), 200u);  // still the same connection
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

TEST_F(ServerTest, ThrowingOrSilentOperationsAnswerInternalFailure) {
  start();
  Client c(port());
  HttpResponse t = c.call("Throw", "{}");
  EXPECT_EQ(t.result_int(), 500u);
  EXPECT_EQ(type_of(t), "InternalFailure");
  HttpResponse d = c.call("Drop", "{}");
  EXPECT_EQ(d.result_int(), 500u);
  EXPECT_EQ(type_of(d), "InternalFailure");
}

TEST_F(ServerTest, HugeDeclaredBodyIsRefusedBeforeReading) {
  start();
  Client c(port());
  c.send_raw(
      "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.Echo\r\n"
      "Content-Length: 2000000\r\n\r\n");
  HttpResponse r = c.receive();
  EXPECT_EQ(r.result_int(), 413u);
  EXPECT_EQ(type_of(r), "RequestEntityTooLargeException");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_EQ(Client(port()).call("Echo", "{}").result_int(), 200u);
}

TEST_F(ServerTest, HugeSentBodyIsRefusedCleanly) {
  ServerOptions o;
  o.body_bytes_max = 64 * 1024;
  start(o);
  Client c(port());
  std::string body = "{\"a\":\"" + std::string(100 * 1024, 'x') + "\"}";
  c.send(Client::request("Echo", body));
  HttpResponse r = c.receive();
  EXPECT_EQ(r.result_int(), 413u);
  EXPECT_EQ(type_of(r), "RequestEntityTooLargeException");
  // Chunked: the length is only known while reading.
  Client chunked(port());
  std::string chunk(32 * 1024, 'y');
  std::ostringstream raw;
  raw << "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.Echo\r\n"
         "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) raw << std::hex << chunk.size() << "\r\n" << chunk << "\r\n";
  raw << "0\r\n\r\n";
  chunked.send_raw(raw.str());
  EXPECT_EQ(type_of(chunked.receive()), "RequestEntityTooLargeException");
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  start();
  Client c(port());
  c.send_raw(
      "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.Echo\r\n"
      "Expect: 100-continue\r\nContent-Length: 7\r\n\r\n");
  HttpResponse cont = c.receive();
  EXPECT_EQ(cont.result_int(), 100u);
  c.send_raw(R"({"a":1})");
  EXPECT_EQ(c.receive().body(), R"({"a":1})");
}

TEST_F(ServerTest, GarbageBytesGetAnErrorAndTheServerKeepsServing) {
  start();
  {
    Client c(port());
    c.send_raw("\x16\x03\x01\x02\x00garbage that is not HTTP\r\n\r\n");
    HttpResponse r = c.receive();
    EXPECT_TRUE(r.result_int() == 400u || r.result_int() == 0u);
    if (r.result_int() == 400u) {
      EXPECT_EQ(type_of(r), "MalformedHttpRequestException");
    }
  }
  EXPECT_EQ(Client(port()).call("Echo", "{}").result_int(), 200u);
}

TEST_F(ServerTest, OversizedHeadersAreRefused) {
  start();
  Client c(port());
  HttpRequest r = Client::request("Echo", "{}");
  r.set("X-Big", std::string(limits::header_bytes_max + 10, 'h'));
  c.send(r);
  HttpResponse res = c.receive();
  EXPECT_EQ(type_of(res), "MalformedHttpRequestException");
}

TEST_F(ServerTest, SlowLorisIsCutOffWhileOthersAreServed) {
  ServerOptions o;
  o.header_read_timeout = 300ms;
  start(o);
  Client slow(port());
  std::string head = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.Echo\r\n";
  auto began = std::chrono::steady_clock::now();
  beast::error_code ec;
  for (char ch : head) {
    net::write(slow.socket(), net::buffer(&ch, 1), ec);
    if (ec) break;
    EXPECT_EQ(Client(port()).call("Echo", "{}").result_int(), 200u);
    std::this_thread::sleep_for(20ms);
    if (std::chrono::steady_clock::now() - began > 1500ms) break;
  }
  EXPECT_TRUE(slow.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - began, 3s);
  EXPECT_GE(server_->stats().timeouts, 1u);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterTimeout) {
  ServerOptions o;
  o.idle_timeout = 200ms;
  start(o);
  Client c(port());
  EXPECT_EQ(c.call("Echo", "{}").result_int(), 200u);
  auto began = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
}

TEST_F(ServerTest, ConnectionsOverTheLimitGetServiceUnavailable) {
  ServerOptions o;
  o.connections_max = 4;
  start(o);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<Client>(port()));
    ASSERT_EQ(held.back()->call("Echo", "{}").result_int(), 200u);
  }
  Client extra(port());
  HttpResponse r = extra.receive();
  EXPECT_EQ(r.result_int(), 503u);
  EXPECT_EQ(type_of(r), "ServiceUnavailable");
  EXPECT_EQ(server_->stats().connections_rejected, 1u);
  held.pop_back();
  EXPECT_TRUE(wait_for([&] { return server_->stats().connections_open < 4; }, 2s));
  EXPECT_EQ(Client(port()).call("Echo", "{}").result_int(), 200u);
}

void raise_open_files(rlim_t want) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min(want, rl.rlim_max);
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

TEST_F(ServerTest, TwoThousandConcurrentConnectionsAreAllServed) {
  raise_open_files(4500);
  start();
  constexpr int n = 2000;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < n; ++i) clients.push_back(std::make_unique<Client>(port()));
  for (int i = 0; i < n; ++i)
    clients[i]->send(Client::request("Echo", "{\"i\":" + std::to_string(i) + "}"));
  int ok = 0;
  for (int i = 0; i < n; ++i)
    ok += clients[i]->receive().body() == "{\"i\":" + std::to_string(i) + "}";
  EXPECT_EQ(ok, n);
  EXPECT_EQ(server_->stats().connections_open, static_cast<std::size_t>(n));
}

TEST_F(ServerTest, LongPollsHoldNoThread) {
  start();  // one I/O thread serves every poll
  constexpr int n = 300;
  std::vector<std::unique_ptr<Client>> clients;
  auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    clients.push_back(std::make_unique<Client>(port()));
    clients.back()->send(Client::request("GetActivityTask", R"({"holdMs":400})"));
  }
  EXPECT_EQ(Client(port()).call("Echo", "{}").result_int(), 200u);  // not blocked by polls
  int ok = 0;
  for (auto& c : clients) ok += c->receive().body() == "{}";
  EXPECT_EQ(ok, n);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 3s);
}

TEST_F(ServerTest, GracefulStopFinishesInFlightAndClosesIdle) {
  start();
  Client idle(port());
  EXPECT_EQ(idle.call("Echo", "{}").result_int(), 200u);
  Client polling(port());
  polling.send(Client::request("GetActivityTask", R"({"holdMs":300})"));
  ASSERT_TRUE(wait_for([&] { return server_->stats().requests >= 2; }, 2s));
  const std::uint16_t listening_port = port();
  server_->stop(3s);
  EXPECT_TRUE(idle.closed_by_server());
  HttpResponse r = polling.receive();
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(wait_for([&] { return server_->stats().connections_open == 0; }, 2s));
  beast::error_code ec;
  net::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), listening_port), ec);
  EXPECT_TRUE(ec);  // no longer accepting
}

TEST_F(ServerTest, SigV4IsRequiredWhenKeysAreConfigured) {
  KeyStore keys;
  keys.add("AKIDTEST", "s3cret");
  ManualClock clock(1795611780000);
  ServerOptions o;
  o.keys = &keys;
  o.clock = &clock;
  start(o);
  Client c(port());
  HttpResponse unsigned_r = c.call("Echo", "{}");
  EXPECT_EQ(unsigned_r.result_int(), 400u);
  EXPECT_EQ(type_of(unsigned_r), "MissingAuthenticationTokenException");

  HttpRequest r = Client::request("Echo", R"({"signed":true})");
  r.set("X-Amz-Date", sigv4::amz_date(clock.now_ms()));
  SignedRequest s;
  s.method = "POST";
  s.target = "/";
  for (const auto& f : r)
    s.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  s.body = r.body();
  r.set(http::field::authorization,
        sigv4::authorization(s, "AKIDTEST", "s3cret", "us-west-2", "states",
                             sigv4::amz_date(clock.now_ms())));
  c.send(r);
  HttpResponse ok = c.receive();
  EXPECT_EQ(ok.result_int(), 200u) << ok.body();
  EXPECT_EQ(ok.body(), R"({"signed":true})");

  r.body() = R"({"signed":false})";  // body changed after signing
  r.prepare_payload();
  c.send(r);
  EXPECT_EQ(type_of(c.receive()), "InvalidSignatureException");
}

TEST_F(ServerTest, RepliesFromAnotherThreadReachTheirOwnConnection) {
  std::mutex mu;
  std::vector<Reply> parked;
  table_.add("Park", [&](json::value, const RequestInfo&, Reply reply) {
    std::lock_guard<std::mutex> lock(mu);
    parked.push_back(std::move(reply));
  });
  start();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<Client>(port()));
    clients.back()->send(Client::request("Park", "{}"));
    ASSERT_TRUE(wait_for(
        [&] {
          std::lock_guard<std::mutex> l(mu);
          return parked.size() == i + 1u;
        },
        2s));
  }
  for (int i = 2; i >= 0; --i) {  // answer in reverse order, from this (non-I/O) thread
    parked[i](json::object{{"k", i}});
    parked[i](json::object{{"k", 99}});  // a second answer is ignored
  }
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(clients[i]->receive().body(), "{\"k\":" + std::to_string(i) + "}");
  EXPECT_EQ(clients[0]->call("Echo", "{}").result_int(), 200u);  // still in step afterwards
}

TEST_F(ServerTest, PendingOperationSeesItsClientHangUp) {
  std::mutex mu;
  std::shared_ptr<const std::atomic<bool>> gone;
  Reply parked;
  table_.add("Park", [&](json::value, const RequestInfo& info, Reply reply) {
    std::lock_guard<std::mutex> lock(mu);
    gone = info.client_gone;
    parked = std::move(reply);
  });
  start();
  {
    Client c(port());
    c.send(Client::request("Park", "{}"));
    ASSERT_TRUE(wait_for(
        [&] {
          std::lock_guard<std::mutex> l(mu);
          return gone != nullptr;
        },
        2s));
    EXPECT_FALSE(gone->load());
  }  // the client closes its socket
  EXPECT_TRUE(wait_for([&] { return gone->load(); }, 2s));
  parked(json::object{});  // answering a gone client is harmless
  parked = nullptr;        // the connection object lives until its Reply is released
  EXPECT_TRUE(wait_for([&] { return server_->stats().connections_open == 0; }, 2s));
}

TEST_F(ServerTest, RandomBytesNeverStopTheServer) {
  start();
  std::mt19937 rng(1125);
  for (int i = 0; i < 40; ++i) {
    Client c(port(), 1000ms);
    std::string bytes;
    // Half the cases start like a real request so the parser gets past the request line.
    if (i % 2 == 0) bytes = "POST / HTTP/1.1\r\nX-Amz-Target: AWSStepFunctions.Echo\r\n";
    for (std::size_t n = 1 + rng() % 3000; n > 0; --n) bytes += static_cast<char>(rng() % 256);
    beast::error_code ec;
    net::write(c.socket(), net::buffer(bytes), ec);
    HttpResponse r = c.receive();  // an error answer, a close, or our 1 s read timeout
    EXPECT_TRUE(r.result_int() == 0 || r.result_int() >= 400u) << r.result_int();
  }
  EXPECT_EQ(Client(port()).call("Echo", R"({"still":"serving"})").body(), R"({"still":"serving"})");
}

}  // namespace
}  // namespace stepwise::api
