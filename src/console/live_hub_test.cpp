// LiveHub: a durable change reaches the streams that follow it (and no others), a full client
// is closed, pending changes past the bound turn into a resync, tickets are good once.
#include "console/live_hub.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "console/console.h"

namespace stepwise::console {
namespace {

using namespace std::chrono_literals;

// A sink that keeps what it is given; `capacity` pushes then it refuses (a client not reading).
class FakeSink final : public api::StreamSink {
 public:
  explicit FakeSink(std::size_t capacity = 1'000'000) : capacity_(capacity) {}
  bool push(std::string chunk) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || chunks_.size() >= capacity_) return false;
    chunks_.push_back(std::move(chunk));
    return true;
  }
  void close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  bool closed() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  std::string text() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string all;
    for (const auto& c : chunks_) all += c;
    return all;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> chunks_;
  std::size_t capacity_;
  bool closed_ = false;
};

store::ExecutionRecord row(std::string name, std::string status, std::int64_t events) {
  store::ExecutionRecord r;
  r.arn = "arn:aws:states:us-east-1:123456789012:execution:m:" + name;
  r.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
  r.name = std::move(name);
  r.status = std::move(status);
  r.history_count = events;
  r.start_ms = 1'795'000'000'000;
  return r;
}

template <class F>
bool eventually(F f) {
  for (int i = 0; i < 400 && !f(); ++i) std::this_thread::sleep_for(5ms);
  return f();
}

TEST(LiveHub, AChangeReachesEveryStreamThatFollowsIt) {
  LiveHub hub;
  auto all = std::make_shared<FakeSink>();
  auto one = std::make_shared<FakeSink>();
  auto other = std::make_shared<FakeSink>();
  ASSERT_TRUE(hub.add_client(all, {}).ok());
  ASSERT_TRUE(hub.add_client(one, Filter{row("a", "", 0).arn, {}}).ok());
  ASSERT_TRUE(hub.add_client(other, Filter{row("zzz", "", 0).arn, {}}).ok());
  hub.changed(row("a", "RUNNING", 4));
  hub.changed(row("b", "SUCCEEDED", 9));
  ASSERT_TRUE(eventually([&] { return all->text().find("\"b\"") != std::string::npos; }));
  ASSERT_TRUE(eventually([&] { return one->text().find("\"a\"") != std::string::npos; }));
  EXPECT_NE(all->text().find("event: execution\ndata: {"), std::string::npos);
  EXPECT_NE(one->text().find("\"historyCount\":4"), std::string::npos);
  EXPECT_EQ(one->text().find("\"b\""), std::string::npos);
  EXPECT_EQ(other->text().find("execution"), std::string::npos);
}

TEST(LiveHub, DataThatLooksLikeTheProtocolStaysOnOneDataLine) {
  LiveHub hub;
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(hub.add_client(sink, {}).ok());
  hub.changed(row("x\n\nevent: resync\ndata: <script>", "RUNNING", 1));
  ASSERT_TRUE(eventually([&] { return !sink->text().empty(); }));
  EXPECT_EQ(sink->text().find("\nevent: resync"), std::string::npos);
  EXPECT_NE(sink->text().find("\\n\\nevent: resync"), std::string::npos);
}

TEST(LiveHub, AStreamThatDoesNotReadIsClosed) {
  LiveHub hub;
  auto slow = std::make_shared<FakeSink>(2);
  ASSERT_TRUE(hub.add_client(slow, {}).ok());
  for (int i = 0; i < 5; ++i) {
    hub.changed(row("e" + std::to_string(i), "RUNNING", 1));
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(eventually([&] { return slow->closed(); }));
  EXPECT_TRUE(eventually([&] { return hub.client_count() == 0; }));
}

TEST(LiveHub, NobodyWatchingCostsNoCopies) {
  LiveHub hub;
  for (int i = 0; i < 100; ++i) hub.changed(row("e" + std::to_string(i), "RUNNING", 1));
  EXPECT_EQ(hub.changes_seen(), 100u);
  EXPECT_EQ(hub.changes_dropped(), 0u);
}

TEST(LiveHub, StreamsPastTheLimitAreRefused) {
  LiveHub hub;
  std::vector<std::shared_ptr<FakeSink>> sinks;
  for (std::size_t i = 0; i < hub_limits::clients_max; ++i) {
    sinks.push_back(std::make_shared<FakeSink>());
    ASSERT_TRUE(hub.add_client(sinks.back(), {}).ok());
  }
  auto more = std::make_shared<FakeSink>();
  EXPECT_FALSE(hub.add_client(more, {}).ok());
  sinks.front()->close();  // a closed one frees its place
  EXPECT_TRUE(hub.add_client(more, {}).ok());
}

TEST(LiveHub, TicketsAreGoodOnceAndUnguessable) {
  LiveHub hub;
  std::string t = hub.issue_ticket();
  EXPECT_EQ(t.size(), 48u);
  EXPECT_NE(t, hub.issue_ticket());
  EXPECT_FALSE(hub.redeem_ticket("not-a-ticket"));
  EXPECT_FALSE(hub.redeem_ticket(""));
  EXPECT_TRUE(hub.redeem_ticket(t));
  EXPECT_FALSE(hub.redeem_ticket(t));
}

TEST(ConsoleApi, WaitingTasksAreListedAsJson) {
  std::string body = waiting_tasks_json({sfn::WaitingTask{.task_token = "tok",
                                                          .execution_arn = "arn:e",
                                                          .state_machine_arn = "arn:m",
                                                          .state_name = "Approve \"now\"",
                                                          .resource = "arn:a",
                                                          .attempt = 1}});
  EXPECT_EQ(body, R"({"tasks":[{"taskToken":"tok","executionArn":"arn:e","stateMachineArn":)"
                  R"("arn:m","stateName":"Approve \"now\"","resource":"arn:a","attempt":1}]})");
}

}  // namespace
}  // namespace stepwise::console
