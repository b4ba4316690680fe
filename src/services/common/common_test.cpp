// The services' shared pieces: record logs (memory and SQLite: atomic batches, reload, group
// commit), timers, codecs, SDK-style error shapes.
#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "services/common/codec.h"
#include "services/common/record_log.h"
#include "services/common/sdk_runner.h"
#include "services/common/sqlite_record_log.h"
#include "services/common/timers.h"

namespace stepwise::services {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("stepwise-services-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

Status write_sync(RecordLog& log, std::vector<Mutation> batch) {
  std::promise<Status> p;
  log.write(std::move(batch), [&](Status s) { p.set_value(s); });
  return p.get_future().get();
}

TEST(RecordLog, MemoryPutsDeletesAndLoadsInKeyOrder) {
  MemoryRecordLog log;
  ASSERT_TRUE(write_sync(log, {{"ns", "b", "2"}, {"ns", "a", "1"}, {"other", "x", "y"}}).ok());
  ASSERT_TRUE(write_sync(log, {{"ns", "b", std::nullopt}}).ok());
  auto got = log.load("ns");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].key, "a");
}

TEST(RecordLog, SqliteSurvivesReopenWithBinaryValues) {
  TempDir dir;
  const std::string value("bin\0ary", 7);
  {
    auto log = SqliteRecordLog::open(dir.path / "stepwise.db");
    ASSERT_TRUE(log.ok()) << log.error().cause;
    ASSERT_TRUE(write_sync(**log, {{"ns", "k1", value}, {"ns", "k2", "v2"}}).ok());
    ASSERT_TRUE(write_sync(**log, {{"ns", "k2", std::nullopt}}).ok());
  }
  auto log = SqliteRecordLog::open(dir.path / "stepwise.db");
  ASSERT_TRUE(log.ok());
  auto got = (*log)->load("ns");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].value, value);
}

TEST(RecordLog, SqliteGroupsConcurrentWritesIntoFewerCommits) {
  TempDir dir;
  auto log = SqliteRecordLog::open(dir.path / "stepwise.db");
  ASSERT_TRUE(log.ok());
  constexpr int threads = 8, per_thread = 50;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        (*log)->write({{"ns", std::to_string(t) + "-" + std::to_string(i), "v"}}, [&](Status s) {
          if (s.ok()) ++acknowledged;
        });
      }
    });
  }
  for (auto& t : ts) t.join();
  (*log)->flush();
  EXPECT_EQ(acknowledged.load(), threads * per_thread);
  EXPECT_LT((*log)->commits(), static_cast<std::uint64_t>(threads * per_thread));
  EXPECT_EQ((*log)->load("ns")->size(), static_cast<std::size_t>(threads * per_thread));
}

// read(ns, key): one record, by both logs; SQLite's from reader connections while the writer
// commits (every read sees a value some committed batch wrote, never a torn or missing one).
TEST(RecordLog, ReadOneRecord) {
  TempDir dir;
  MemoryRecordLog memory;
  auto sqlite = SqliteRecordLog::open(dir.path / "stepwise.db");
  ASSERT_TRUE(sqlite.ok());
  const std::string value("bin\0ary", 7);
  std::vector<RecordLog*> logs{&memory, sqlite->get()};
  for (RecordLog* log : logs) {
    ASSERT_TRUE(write_sync(*log, {{"ns", "k", value}, {"other", "k", "x"}}).ok());
    auto got = log->read("ns", "k");
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, value);
    EXPECT_FALSE(log->read("ns", "missing")->has_value());
    EXPECT_FALSE(log->read("nope", "k")->has_value());
    ASSERT_TRUE(write_sync(*log, {{"ns", "k", std::nullopt}}).ok());
    EXPECT_FALSE(log->read("ns", "k")->has_value());
    EXPECT_EQ(log->read("other", "k")->value_or("?"), "x");
  }
}

TEST(RecordLog, SqliteReadsWhileWriting) {
  TempDir dir;
  auto log = SqliteRecordLog::open(dir.path / "stepwise.db");
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(write_sync(**log, {{"ns", "k", std::string(8192, '0')}}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, reads{0};
  // More readers than record_limits::readers_max: some wait for a free connection.
  std::vector<std::thread> readers;
  for (std::size_t t = 0; t < record_limits::readers_max + 2; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        auto got = (*log)->read("ns", "k");
        if (!got.ok() || !got->has_value() || (*got)->size() != 8192 ||
            (*got)->find_first_not_of((**got)[0]) != std::string::npos)
          ++bad;
        ++reads;
      }
    });
  }
  for (int i = 1; i <= 200; ++i) {
    std::string next(8192, static_cast<char>('0' + i % 10));
    ASSERT_TRUE(write_sync(**log, {{"ns", "k", std::move(next)}}).ok());
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ((**(*log)->read("ns", "k"))[0], '0');  // the last write: 200 % 10
}

TEST(Timers, ManualFiresInDueOrderAndCancels) {
  ManualClock clock(1000);
  ManualTimers timers(&clock);
  std::vector<int> fired;
  timers.after(30, [&] { fired.push_back(3); });
  timers.after(10, [&] { fired.push_back(1); });
  auto id = timers.after(20, [&] { fired.push_back(2); });
  timers.cancel(id);
  timers.advance(15);
  EXPECT_EQ(fired, (std::vector<int>{1}));
  EXPECT_EQ(clock.now_ms(), 1015);
  timers.advance(100);
  EXPECT_EQ(fired, (std::vector<int>{1, 3}));
}

TEST(Timers, ThreadTimersRunCallbacks) {
  ThreadTimers timers;
  std::promise<void> done;
  timers.after(5, [&] { done.set_value(); });
  EXPECT_EQ(done.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  timers.cancel(timers.after(1, [] { FAIL() << "cancelled timer ran"; }));
}

TEST(Codec, Base64AndMd5) {
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64_decode("aGVsbG8"), std::nullopt);
  EXPECT_EQ(base64_decode("a=Vs"), std::nullopt);
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(xml_text("a\r<b"), "a&#xD;&lt;b");
}

TEST(SdkErrors, OptimizedAndSdkShapes) {
  api::ApiError e{"QueueDoesNotExist", "The specified queue does not exist.", 400,
                  "AWS.SimpleQueueService.NonExistentQueue"};
  auto o = optimized_failure("SQS", "AmazonSQS", "QueueDoesNotExistException", "AmazonSQSException",
                             e, "rid");
  EXPECT_EQ(o.error, "SQS.QueueDoesNotExistException");
  EXPECT_EQ(o.cause,
            "The specified queue does not exist. (Service: AmazonSQS; Status Code: 400; "
            "Error Code: AWS.SimpleQueueService.NonExistentQueue; Request ID: rid; "
            "Proxy: null)");
  auto s = sdk_failure("Sqs", e, "rid");
  EXPECT_EQ(s.error, "Sqs.QueueDoesNotExistException");
  EXPECT_EQ(sdk_operation("arn:aws:states:::aws-sdk:sqs:receiveMessage", "sqs"), "ReceiveMessage");
  EXPECT_EQ(sdk_operation("arn:aws:states:::aws-sdk:sqs:x.waitForTaskToken", "sqs"), "X");
  EXPECT_EQ(sdk_operation("arn:aws:states:::aws-sdk:sns:publish", "sqs"), "");
}

}  // namespace
}  // namespace stepwise::services

namespace stepwise::services {
namespace {
TEST(SdkMetadata, HttpDateAndHeaders) {
  EXPECT_EQ(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(http_date(1'764'675'600'000), "Tue, 02 Dec 2025 11:40:00 GMT");
  auto m = sdk_http_metadata(106, "rid", 0);
  EXPECT_EQ(m.at("SdkHttpMetadata").at("HttpHeaders").at("Content-Length"), "106");
  EXPECT_EQ(m.at("SdkResponseMetadata").at("RequestId"), "rid");
}
}  // namespace
}  // namespace stepwise::services
