// Objects kept in their record (s3_limits::inline_bytes_max and below) beside objects kept as
// files: where each kind's bytes go, the boundary size, reads (ranges, HEAD, copy) of both,
// overwrites from one kind to the other, deletes and multipart completion leaving no record or
// file behind, a restart on the SQLite record log, stores written before inline objects
// existed, and reads while a PUT's batch is not yet committed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "json/json.h"
#include "services/common/sqlite_record_log.h"
#include "services/s3/s3.h"
#include "services/s3/s3_internal.h"

namespace stepwise::services::s3 {
namespace {

constexpr std::size_t kEdge = s3_limits::inline_bytes_max;

// Bytes that differ at every position, so a range read from the wrong offset shows.
std::string pattern(std::size_t n, char salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + salt) & 0xff);
  return s;
}

std::size_t files_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

// A data directory of its own: `stepwise.db` (the record log) and `blobs/`.
struct TempData {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("s3inline-" + std::to_string(::getpid()) + "-" +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempData() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempData() { std::filesystem::remove_all(path); }
  std::filesystem::path blobs() const { return path / "blobs"; }
};

// Holds every batch until release(): a PUT whose record is not committed yet.
class HeldRecordLog final : public RecordLog {
 public:
  void write(std::vector<Mutation> batch, Done done) override {
    held_.emplace_back(std::move(batch), std::move(done));
  }
  Result<std::vector<Record>> load(const std::string& ns) override { return inner_.load(ns); }
  Result<std::optional<std::string>> read(const std::string& ns, const std::string& key) override {
    return inner_.read(ns, key);
  }
  void flush() override {}
  void release() {
    while (!held_.empty()) {
      auto [batch, done] = std::move(held_.front());
      held_.pop_front();
      inner_.write(std::move(batch), std::move(done));
    }
  }
  std::size_t held() const { return held_.size(); }

 private:
  MemoryRecordLog inner_;
  std::deque<std::pair<std::vector<Mutation>, Done>> held_;
};

class S3InlineTest : public ::testing::Test {
 protected:
  S3InlineTest() : clock_(1'700'000'000'000) {}

  // A fresh S3 (and record log) on the data directory, loaded.
  S3& reopen() {
    s3_.reset();
    log_.reset();
    auto log = SqliteRecordLog::open(data_.path / "stepwise.db");
    EXPECT_TRUE(log.ok());
    log_ = std::move(log).value();
    auto s = S3::open(S3Options{.clock = clock_, .log = *log_, .blob_dir = data_.blobs()});
    EXPECT_TRUE(s.ok());
    s3_ = std::move(s).value();
    std::size_t damaged = 99;
    EXPECT_TRUE(s3_->load(&damaged).ok());
    EXPECT_EQ(damaged, 0u);
    return *s3_;
  }
  template <class T, class F>
  Answer<T> now(F call) {
    std::promise<Answer<T>> p;
    call([&](Answer<T> a) { p.set_value(std::move(a)); });
    return p.get_future().get();
  }
  Answer<PutResult> put(const std::string& key, std::string body, const std::string& b = "bkt") {
    PutInput in;
    in.bucket = b;
    in.key = key;
    in.body = std::move(body);
    return now<PutResult>([&](auto d) { s3_->put_object(std::move(in), d); });
  }
  std::string get(const std::string& key, std::string_view range = "") {
    auto g = s3_->get_object("bkt", key, range);
    return g.ok() ? g.value.body : "<" + g.error->type + ">";
  }
  std::size_t inline_records() { return log_->load(kBytes)->size(); }

  TempData data_;
  ManualClock clock_;
  std::unique_ptr<SqliteRecordLog> log_;
  std::unique_ptr<S3> s3_;
};

TEST_F(S3InlineTest, UpToTheLimitInTheRecordAboveItAFile) {
  reopen();
  ASSERT_TRUE(now<Nothing>([&](auto d) { s3_->create_bucket("bkt", "", d); }).ok());
  const std::string at_edge = pattern(kEdge, 1), over = pattern(kEdge + 1, 2);
  ASSERT_TRUE(put("edge", at_edge).ok());
  EXPECT_EQ(files_in(data_.blobs()), 0u);
  EXPECT_EQ(inline_records(), 1u);
  ASSERT_TRUE(put("over", over).ok());
  EXPECT_EQ(files_in(data_.blobs()), 1u);
  EXPECT_EQ(inline_records(), 1u);
  ASSERT_TRUE(put("empty", "").ok());  // zero bytes: a record of its own too
  EXPECT_EQ(inline_records(), 2u);
  EXPECT_EQ(get("edge"), at_edge);
  EXPECT_EQ(get("over"), over);
  EXPECT_EQ(get("empty"), "");
  // Ranges of both kinds, and HEAD (no body read).
  EXPECT_EQ(get("edge", "bytes=100-199"), at_edge.substr(100, 100));
  EXPECT_EQ(get("edge", "bytes=-5"), at_edge.substr(kEdge - 5));
  EXPECT_EQ(get("over", "bytes=65530-"), over.substr(65530));
  auto head = s3_->get_object("bkt", "edge", "", false);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head.value.info.size, kEdge);
  EXPECT_TRUE(head.value.body.empty());
  // Both kinds survive a restart (the objects' index is rebuilt, the bytes stay in the store).
  reopen();
  EXPECT_EQ(get("edge"), at_edge);
  EXPECT_EQ(get("over"), over);
  EXPECT_EQ(get("edge", "bytes=0-0"), at_edge.substr(0, 1));
  // An object written after the restart takes a new record: the older ones keep their bytes.
  ASSERT_TRUE(put("later", "after the restart").ok());
  EXPECT_EQ(inline_records(), 3u);
  EXPECT_EQ(get("edge"), at_edge);
  EXPECT_EQ(get("empty"), "");
  EXPECT_EQ(get("later"), "after the restart");
}

TEST_F(S3InlineTest, OverwritesCopiesAndDeletesLeaveNothingBehind) {
  reopen();
  ASSERT_TRUE(now<Nothing>([&](auto d) { s3_->create_bucket("bkt", "", d); }).ok());
  ASSERT_TRUE(put("k", "small").ok());
  // Inline → file: the old record goes in the same batch.
  const std::string big = pattern(kEdge + 10, 3);
  ASSERT_TRUE(put("k", big).ok());
  EXPECT_EQ(inline_records(), 0u);
  EXPECT_EQ(files_in(data_.blobs()), 1u);
  EXPECT_EQ(get("k"), big);
  // File → inline: the file is unlinked once the record commits.
  ASSERT_TRUE(put("k", "small again").ok());
  EXPECT_EQ(inline_records(), 1u);
  EXPECT_EQ(files_in(data_.blobs()), 0u);
  EXPECT_EQ(get("k"), "small again");
  // Inline → inline.
  ASSERT_TRUE(put("k", "third").ok());
  EXPECT_EQ(inline_records(), 1u);
  EXPECT_EQ(get("k"), "third");
  // Copies: a small source makes an inline copy, a large one a file.
  ASSERT_TRUE(put("large", big).ok());
  for (auto [src, dst] : {std::pair{"k", "k-copy"}, std::pair{"large", "large-copy"}}) {
    CopyInput c;
    c.src_bucket = c.bucket = "bkt";
    c.src_key = src;
    c.key = dst;
    ASSERT_TRUE(now<CopyResult>([&](auto d) { s3_->copy_object(c, d); }).ok()) << src;
  }
  EXPECT_EQ(inline_records(), 2u);
  EXPECT_EQ(files_in(data_.blobs()), 2u);
  EXPECT_EQ(get("k-copy"), "third");
  EXPECT_EQ(get("large-copy"), big);
  // Deletes of both kinds, one at a time and in a batch.
  ASSERT_TRUE(now<Nothing>([&](auto d) { s3_->delete_object("bkt", "k", d); }).ok());
  EXPECT_EQ(inline_records(), 1u);
  ASSERT_TRUE(now<Nothing>([&](auto d) { s3_->delete_object("bkt", "large", d); }).ok());
  EXPECT_EQ(files_in(data_.blobs()), 1u);
  auto del = now<DeleteResult>([&](auto d) {
    s3_->delete_objects("bkt", {"k-copy", "large-copy", "never"}, d);
  });
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del.value.deleted.size(), 3u);
  EXPECT_EQ(inline_records(), 0u);
  EXPECT_EQ(files_in(data_.blobs()), 0u);
  EXPECT_EQ(get("k-copy"), "<NoSuchKey>");
  ASSERT_TRUE(now<Nothing>([&](auto d) { s3_->delete_bucket("bkt", d); }).ok());
  reopen();
  EXPECT_EQ(s3_->object_count(), 0u);
  EXPECT_EQ(inline_records(), 0u);
}

TEST_F(S3InlineTest, MultipartCompletionReplacesAnInlineObject) {
  reopen();
  ASSERT_TRUE(now<Nothing>([&](auto d) { s3_->create_bucket("bkt", "", d); }).ok());
  ASSERT_TRUE(put("obj", "inline first").ok());
  PutInput in;
  in.bucket = "bkt";
  in.key = "obj";
  auto id = now<std::string>([&](auto d) { s3_->create_upload(in, d); });
  ASSERT_TRUE(id.ok());
  PutInput part;
  part.body = "one small part";  // the last (only) part may be small; it is a file all the same
  auto e1 = now<PutResult>([&](auto d) { s3_->upload_part("bkt", "obj", id.value, 1, part, d); });
  ASSERT_TRUE(e1.ok());
  EXPECT_EQ(files_in(data_.blobs()), 1u);
  auto done = now<CompleteResult>([&](auto d) {
    s3_->complete_upload("bkt", "obj", id.value, {{1, e1.value.etag}}, d);
  });
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(inline_records(), 0u);
  EXPECT_EQ(get("obj"), "one small part");
  reopen();
  EXPECT_EQ(get("obj", "bytes=4-8"), "small");
  EXPECT_EQ(files_in(data_.blobs()), 1u);
}

TEST_F(S3InlineTest, ObjectRecordsAreTheTextOfTheirJsonObject) {
  // Records are written as text (record_text.h); a store reads them as JSON, so the text must be
  // what dumping the object with these members in this order gives.
  reopen();
  ASSERT_TRUE(now<Nothing>([&](auto d) { s3_->create_bucket("bkt", "", d); }).ok());
  for (const std::size_t size : {std::size_t{5}, kEdge + 1}) {
    PutInput in;
    in.bucket = "bkt";
    in.key = "k\"ey/\u00e9";
    in.body = pattern(size, 'r');
    in.content_type = "text/plain; charset=\"utf-8\"";
    in.metadata = {{"owner", "ann \"a\""}, {"z", ""}};
    in.headers = {{"Cache-Control", "no-cache"}};
    in.checksum_algorithm = "CRC32";
    ASSERT_TRUE(now<PutResult>([&](auto d) { s3_->put_object(in, d); }).ok());
    auto records = log_->load(kObjects);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 1u);
    const std::string& text = records->front().value;
    auto parsed = json::parse(text);
    ASSERT_TRUE(parsed.ok()) << text;
    const json::object& o = parsed->as_object();
    json::object expected{{"b", "bkt"},
                          {"k", in.key},
                          {"size", size},
                          {"etag", o.at("etag")},
                          {"ct", in.content_type},
                          {"meta", json::object{{"owner", "ann \"a\""}, {"z", ""}}},
                          {"h", json::object{{"Cache-Control", "no-cache"}}},
                          {"lm", clock_.now_ms()},
                          {"ca", "CRC32"},
                          {"cs", o.at("cs")},
                          {"cty", "FULL_OBJECT"},
                          {"parts", 0}};
    json::array seg;
    if (size > kEdge) seg.push_back(json::array{o.at("seg").at(0).at(0), size});
    expected["seg"] = std::move(seg);
    if (size <= kEdge) expected["in"] = o.at("in");
    EXPECT_EQ(text, json::dump(expected));
    EXPECT_EQ(get(in.key), in.body);
  }
}

TEST_F(S3InlineTest, StoresWrittenBeforeInlineObjectsStillLoad) {
  // An object record as the store wrote it before objects could live in their record: no
  // "in", its bytes in a blob file named by "seg"; keyed by the bucket and the SHA-256 of the
  // object's key ("old"), as s3.cpp keys them.
  const std::string kOldRecordKey =
      "bkt/cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4";
  std::filesystem::create_directories(data_.blobs());
  auto blobs = FileBlobStore::open(data_.blobs());
  ASSERT_TRUE(blobs.ok());
  auto blob = (*blobs)->put("old bytes");
  ASSERT_TRUE(blob.ok());
  {
    auto log = SqliteRecordLog::open(data_.path / "stepwise.db");
    ASSERT_TRUE(log.ok());
    json::object o{{"b", "bkt"},  {"k", "old"}, {"size", 9}, {"etag", etag_of("old bytes")},
                   {"ct", "a/b"}, {"lm", 1},    {"parts", 0}};
    // Built in two steps: `json::array{json::array{...}}` is a copy of the inner array under
    // clang (a braced list of one element of the same class), a nested array under g++.
    json::array seg;
    seg.push_back(json::array{*blob, 9});
    o["seg"] = std::move(seg);
    std::promise<Status> p;
    (*log)->write({{kBuckets, "bkt", R"({"created":1,"region":"us-east-1"})"},
                   {kObjects, kOldRecordKey, json::dump(o)}},
                  [&](Status s) { p.set_value(s); });
    ASSERT_TRUE(p.get_future().get().ok());
  }
  reopen();
  EXPECT_EQ(get("old"), "old bytes");
  EXPECT_EQ(get("old", "bytes=4-"), "bytes");
  // Overwritten by an inline object: the old file goes.
  ASSERT_TRUE(put("old", "new").ok());
  EXPECT_EQ(files_in(data_.blobs()), 0u);
  reopen();
  EXPECT_EQ(get("old"), "new");
}

TEST(S3InlinePending, ReadsBeforeTheRecordCommitsAndAfter) {
  ManualClock clock(1'700'000'000'000);
  HeldRecordLog log;
  auto s = S3::open(S3Options{.clock = clock, .log = log});
  ASSERT_TRUE(s.ok());
  S3& s3 = **s;
  s3.create_bucket("bkt", "", [](Answer<Nothing>) {});
  log.release();
  std::optional<Answer<PutResult>> answer;
  PutInput in;
  in.bucket = "bkt";
  in.key = "k";
  in.body = "not yet committed";
  s3.put_object(std::move(in), [&](Answer<PutResult> a) { answer = std::move(a); });
  // Not acknowledged, yet readable (as a later GET on AWS would see it), from memory.
  EXPECT_FALSE(answer.has_value());
  EXPECT_EQ(log.held(), 1u);
  auto early = s3.get_object("bkt", "k", "bytes=4-6");
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early.value.body, "yet");
  log.release();
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(answer->ok());
  // Committed: read from the record log now.
  auto later = s3.get_object("bkt", "k", "");
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later.value.body, "not yet committed");
  auto stored = log.load(kBytes);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].value, "not yet committed");
}

}  // namespace
}  // namespace stepwise::services::s3
