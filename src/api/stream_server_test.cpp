// The console hooks of the Router through the real Server: streams (Server-Sent Events) write
// their head and then every pushed chunk in order, refuse chunks past the bound for a client
// that does not read, end when the client hangs up or the server stops; GET routes answered
// later from another thread; GET routes that need SigV4; pages only for unsigned requests.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "api/router.h"
#include "api/server.h"
#include "api/test_client.h"

namespace stepwise::api {
namespace {

namespace http = boost::beast::http;
namespace net = boost::asio;
using namespace std::chrono_literals;
using testing::Client;

constexpr Millis now_ms = 1'795'000'000'000;

class StreamServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add_stream(
        "/events", [this](const GetRequest&, std::shared_ptr<StreamSink> sink) -> RawResponse {
          sinks_.set_value(sink);
          return RawAnswer{200, "text/event-stream", {{"Cache-Control", "no-store"}}, "hello\n\n"};
        });
    router_.add_get_async("/later",
                          [](const GetRequest&, RawReply reply) {
                            std::thread([reply = std::move(reply)] {
                              std::this_thread::sleep_for(20ms);
                              reply(RawAnswer{200, "application/json", {}, R"({"later":true})"});
                            }).detach();
                          },
                          {.needs_auth = true});
    router_.add_get("/",
                    [](const GetRequest&) -> RawResponse {
                      return RawAnswer{200, "text/html", {}, "page"};
                    },
                    {.unsigned_only = true});
    ASSERT_TRUE(router_
                    .add_rest_service("s3", {.routes = {}, .catch_all = true, .s3_errors = true},
                                      [](RestRequest&, const RequestInfo&, RawReply reply) {
                                        reply(RawAnswer{200, "application/xml", {}, "<s3/>"});
                                      })
                    .ok());
  }

  void start(bool auth) {
    keys_.add("AKIDSTREAM", "stream-secret");
    ServerOptions options;
    options.port = 0;
    if (auth) {
      options.keys = &keys_;
      options.clock = &clock_;
    }
    server_ = std::make_unique<Server>(io_, options, router_);
    ASSERT_TRUE(server_->start().ok());
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (!server_) return;
    server_->stop(100ms);
    auto end = std::chrono::steady_clock::now() + 3s;
    while (server_->stats().connections_open > 0 && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(5ms);
    io_.stop();
    thread_.join();
  }

  static HttpRequest get(std::string target) {
    HttpRequest r{http::verb::get, target, 11};
    r.set(http::field::host, "localhost");
    return r;
  }

  // Reads from the stream until `want` has arrived (or the timeout); returns what came.
  static std::string read_until(Client& c, std::string_view want) {
    std::string got;
    char buf[4096];
    while (got.find(want) == std::string::npos) {
      boost::beast::error_code ec;
      std::size_t n = c.socket().read_some(net::buffer(buf), ec);
      if (ec) break;
      got.append(buf, n);
    }
    return got;
  }

  std::shared_ptr<StreamSink> open_stream(Client& c) {
    c.send(get("/events"));
    auto sink = sinks_.get_future().get();
    EXPECT_NE(read_until(c, "hello\n\n").find("text/event-stream"), std::string::npos);
    return sink;
  }

  net::io_context io_;
  Router router_;
  KeyStore keys_;
  ManualClock clock_{now_ms};
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::promise<std::shared_ptr<StreamSink>> sinks_;
};

TEST_F(StreamServerTest, StreamWritesTheHeadThenEveryChunkInOrderUntilClosed) {
  start(false);
  Client c(server_->port());
  auto sink = open_stream(c);
  std::thread pusher([sink] {
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(sink->push("data: " + std::to_string(i) + "\n\n"));
  });
  pusher.join();
  std::string got = read_until(c, "data: 49\n\n");
  for (int i = 0; i < 50; ++i) {
    std::size_t at = got.find("data: " + std::to_string(i) + "\n\n");
    ASSERT_NE(at, std::string::npos) << i;
    if (i > 0) {
      EXPECT_GT(at, got.find("data: " + std::to_string(i - 1) + "\n\n"));
    }
  }
  sink->close();
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_FALSE(sink->push("late"));
}

TEST_F(StreamServerTest, AClientThatDoesNotReadMeetsTheChunkBound) {
  start(false);
  Client c(server_->port());
  auto sink = open_stream(c);
  const std::string chunk(256 * 1024, 'x');  // fills the socket buffers quickly
  std::size_t accepted = 0;
  while (accepted < 4 * limits::stream_chunks_max && sink->push(chunk)) ++accepted;
  EXPECT_LT(accepted, 4 * limits::stream_chunks_max) << "the bound never refused a chunk";
  EXPECT_GE(accepted, limits::stream_chunks_max);
}

TEST_F(StreamServerTest, StreamEndsWhenTheClientHangsUp) {
  start(false);
  auto c = std::make_unique<Client>(server_->port());
  auto sink = open_stream(*c);
  c.reset();
  auto end = std::chrono::steady_clock::now() + 3s;
  while (!sink->closed() && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(sink->closed());
}

TEST_F(StreamServerTest, StoppingTheServerEndsStreams) {
  start(false);
  Client c(server_->port());
  auto sink = open_stream(c);
  server_->stop(100ms);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(StreamServerTest, AsyncGetAnswersFromAnotherThread) {
  start(false);
  Client c(server_->port());
  HttpResponse r = c.call_raw(get("/later"));
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), R"({"later":true})");
}

TEST_F(StreamServerTest, GetRouteThatNeedsAuthRefusesUnsignedRequests) {
  start(true);
  Client c(server_->port());
  HttpResponse r = c.call_raw(get("/later"));
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(testing::type_of(r), "MissingAuthenticationTokenException");
}

TEST_F(StreamServerTest, UnsignedOnlyPageLeavesSignedRequestsToRestServices) {
  start(false);
  Client c(server_->port());
  EXPECT_EQ(c.call_raw(get("/")).body(), "page");
  HttpRequest signed_get = get("/");
  signed_get.set(http::field::authorization,
                 "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, "
                 "SignedHeaders=host, Signature=00");
  EXPECT_EQ(c.call_raw(signed_get).body(), "<s3/>");
}

}  // namespace
}  // namespace stepwise::api
