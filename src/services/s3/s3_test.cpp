// The built-in S3's logic without HTTP: wire decoding (aws-chunked, ranges, checksums, ETags,
// XML, names), listings with delimiters and paging, multipart rules, durability through the
// records and blob files, and the JSON level the integrations call.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "json/json.h"
#include "services/common/codec.h"
#include "services/s3/s3.h"
#include "services/s3/s3_rest.h"
#include "services/s3/s3_sdk.h"
#include "services/s3/s3_service.h"
#include "services/s3/s3_wire.h"

namespace stepwise::services::s3 {
namespace {

// ---- wire ----

TEST(S3Wire, BucketNames) {
  for (std::string ok : {"abc", "my-bucket", "my.bucket.1", "a23"})
    EXPECT_TRUE(valid_bucket_name(ok)) << ok;
  EXPECT_TRUE(valid_bucket_name(std::string(63, 'a')));
  EXPECT_FALSE(valid_bucket_name(std::string(64, 'a')));
  for (std::string bad : {"ab", "Abc", "-abc", "abc-", "a..b", "192.168.1.1", "xn--abc", "a_b",
                          "abc-s3alias", "sthree-x", "a b"})
    EXPECT_FALSE(valid_bucket_name(bad)) << bad;
}

TEST(S3Wire, Keys) {
  EXPECT_FALSE(check_key("../../etc/passwd").has_value());  // just a key: never a path
  EXPECT_FALSE(check_key(std::string("a\0b", 3)).has_value());
  EXPECT_EQ(check_key(std::string(1025, 'k'))->type, "KeyTooLongError");
  EXPECT_FALSE(check_key(std::string(1024, 'k')).has_value());
  EXPECT_EQ(check_key("\xff\xfe")->type, "InvalidArgument");
  EXPECT_EQ(check_key("")->type, "InvalidArgument");
}

TEST(S3Wire, Ranges) {
  using K = RangeRequest::Kind;
  auto r = parse_range("bytes=0-9", 100);
  EXPECT_EQ(r.kind, K::range);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 9u);
  r = parse_range("bytes=90-", 100);
  EXPECT_EQ(r.first, 90u);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=-10", 100);
  EXPECT_EQ(r.first, 90u);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=-1000", 100);
  EXPECT_EQ(r.first, 0u);
  r = parse_range("bytes=50-1000", 100);
  EXPECT_EQ(r.last, 99u);
  EXPECT_EQ(parse_range("bytes=100-", 100).kind, K::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-", 0).kind, K::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 100).kind, K::unsatisfiable);
  // What S3 ignores: the whole object.
  EXPECT_EQ(parse_range("bytes=5-2", 100).kind, K::whole);
  EXPECT_EQ(parse_range("bytes=0-1,5-6", 100).kind, K::whole);
  EXPECT_EQ(parse_range("items=0-1", 100).kind, K::whole);
  EXPECT_EQ(parse_range("bytes=x-1", 100).kind, K::whole);
  EXPECT_EQ(parse_range("bytes=99999999999999999999-", 100).kind, K::whole);
}

TEST(S3Wire, AwsChunkedSigned) {
  std::string body = "5;chunk-signature=" + std::string(64, 'a') + "\r\nhello\r\n" +
                     "6;chunk-signature=" + std::string(64, 'b') + "\r\n world\r\n" +
                     "0;chunk-signature=" + std::string(64, 'c') + "\r\n\r\n";
  auto d = decode_aws_chunked(body);
  ASSERT_TRUE(d.body.has_value());
  EXPECT_EQ(d.body->bytes, "hello world");
  EXPECT_TRUE(d.body->trailers.empty());
}

TEST(S3Wire, AwsChunkedUnsignedWithTrailer) {
  std::string crc = checksum_base64("CRC32", "hello world");
  std::string body = "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:" + crc + "\r\n\r\n";
  auto d = decode_aws_chunked(body);
  ASSERT_TRUE(d.body.has_value());
  EXPECT_EQ(d.body->bytes, "hello world");
  ASSERT_EQ(d.body->trailers.size(), 1u);
  EXPECT_EQ(d.body->trailers[0].first, "x-amz-checksum-crc32");
  EXPECT_EQ(d.body->trailers[0].second, crc);
}

TEST(S3Wire, AwsChunkedRejectsDamage) {
  for (std::string bad : {"", "5\r\nhel", "zz\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n",
                          "ffffffffffffffff\r\n", "3\r\nabc\r\n0\r\nno-colon\r\n\r\n"}) {
    auto d = decode_aws_chunked(bad);
    EXPECT_FALSE(d.body.has_value()) << bad;
    EXPECT_EQ(d.error.type, "IncompleteBody") << bad;
  }
  EXPECT_TRUE(is_aws_chunked("aws-chunked", ""));
  EXPECT_TRUE(is_aws_chunked("gzip, aws-chunked", ""));
  EXPECT_TRUE(is_aws_chunked("", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"));
  EXPECT_FALSE(is_aws_chunked("gzip", "UNSIGNED-PAYLOAD"));
}

TEST(S3Wire, ChecksumsAsAwsWritesThem) {
  // The recordings: Step Functions' putObject of "text data" stores "\"text data\"".
  EXPECT_EQ(checksum_base64("CRC32", "\"text data\""), "KUmHvQ==");
  EXPECT_EQ(checksum_base64("CRC32", "{\"Dict\":\"Value\"}"), "hnEfWw==");
  EXPECT_EQ(checksum_base64("CRC32", "0"), "9NvfIQ==");
  // Known check values of the CRC catalogue ("123456789").
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc64nvme("123456789"), 0xAE8B14860A799888ull);
  EXPECT_EQ(checksum_base64("SHA256", ""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(checksum_algorithm("crc32c"), "CRC32C");
  EXPECT_EQ(checksum_algorithm("md5"), "");
}

TEST(S3Wire, ETags) {
  EXPECT_EQ(etag_of(""), "\"d41d8cd98f00b204e9800998ecf8427e\"");
  EXPECT_EQ(etag_of("text data"), "\"332eec544317a6d340b8e77da7fe54ad\"");
  // md5(md5("a") ‖ md5("b")) with the part count.
  std::string a = md5_hex("a"), b = md5_hex("b");
  auto e = multipart_etag({"\"" + a + "\"", b});
  ASSERT_TRUE(e.has_value());
  std::string binary;
  for (const auto& h : {a, b})
    for (std::size_t i = 0; i < 32; i += 2)
      binary += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
  EXPECT_EQ(*e, "\"" + md5_hex(binary) + "-2\"");
  EXPECT_FALSE(multipart_etag({"nothex"}).has_value());
  EXPECT_EQ(quoted_etag(" abc "), "\"abc\"");
}

TEST(S3Wire, Xml) {
  auto doc = parse_xml(
      "<?xml version=\"1.0\"?>\n<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<!-- c --><Object><Key>a&amp;b&#x41;&#66;</Key></Object><Object><Key><![CDATA[<x>]]>"
      "</Key></Object><Quiet>true</Quiet></Delete>");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->name, "Delete");
  ASSERT_EQ(doc->children.size(), 3u);
  EXPECT_EQ(doc->children[0].child_text("Key"), "a&bAB");
  EXPECT_EQ(doc->children[1].child_text("Key"), "<x>");
  EXPECT_EQ(doc->child_text("Quiet"), "true");
  for (auto bad : {"", "<a>", "<a></b>", "<a>&bogus;</a>", "<a>&#0;</a>", "<a><b></a></b>",
                   "<a/><b/>", "<!DOCTYPE a><a/>", "<a x=\"1></a>"})
    EXPECT_FALSE(parse_xml(bad).has_value()) << bad;
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  EXPECT_FALSE(parse_xml(deep).has_value());
}

TEST(S3Wire, RestOperations) {
  api::Params none;
  EXPECT_EQ(rest_operation("PUT", false, none, false), "CreateBucket");
  EXPECT_EQ(rest_operation("GET", false, {{"list-type", "2"}}, false), "ListObjectsV2");
  EXPECT_EQ(rest_operation("GET", false, {{"prefix", "a"}}, false), "ListObjects");
  EXPECT_EQ(rest_operation("GET", false, {{"acl", ""}}, false), "");
  EXPECT_EQ(rest_operation("POST", false, {{"delete", ""}}, false), "DeleteObjects");
  EXPECT_EQ(rest_operation("PUT", true, none, true), "CopyObject");
  EXPECT_EQ(rest_operation("PUT", true, {{"partNumber", "1"}, {"uploadId", "u"}}, false),
            "UploadPart");
  EXPECT_EQ(rest_operation("POST", true, {{"uploads", ""}}, false), "CreateMultipartUpload");
  EXPECT_EQ(rest_operation("POST", true, {{"uploadId", "u"}}, false), "CompleteMultipartUpload");
  EXPECT_EQ(rest_operation("DELETE", true, {{"uploadId", "u"}}, false), "AbortMultipartUpload");
  EXPECT_EQ(rest_operation("GET", true, {{"uploadId", "u"}}, false), "ListParts");
  EXPECT_EQ(rest_operation("GET", true, {{"response-content-type", "x"}}, false), "GetObject");
  auto p = split_path("/bkt/a%20b/..%2F/c");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->first, "bkt");
  EXPECT_EQ(p->second, "a b/..//c");  // %2F decoded: keys are not paths
  EXPECT_FALSE(split_path("/bkt/%zz").has_value());
}

// ---- listings ----

std::map<std::string, ObjectInfo> keys(std::initializer_list<const char*> names) {
  std::map<std::string, ObjectInfo> m;
  for (auto n : names) m[n] = ObjectInfo{};
  return m;
}

std::vector<std::string> names(const ListResult& r) {
  std::vector<std::string> out;
  for (const auto& o : r.contents) out.push_back(o.key);
  return out;
}

TEST(S3Listing, DelimiterAndPrefix) {
  auto m = keys(
      {"a", "photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/index", "zeta"});
  ListInput in;
  in.delimiter = "/";
  auto r = list_keys(m, in);
  EXPECT_EQ(names(r), (std::vector<std::string>{"a", "zeta"}));
  EXPECT_EQ(r.common_prefixes, std::vector<std::string>{"photos/"});
  in.prefix = "photos/";
  r = list_keys(m, in);
  EXPECT_EQ(names(r), std::vector<std::string>{"photos/index"});
  EXPECT_EQ(r.common_prefixes, (std::vector<std::string>{"photos/2024/", "photos/2025/"}));
  in.delimiter = "";
  in.prefix = "photos/2024";
  r = list_keys(m, in);
  EXPECT_EQ(names(r), (std::vector<std::string>{"photos/2024/a.jpg", "photos/2024/b.jpg"}));
  in.prefix = "nothing";
  EXPECT_TRUE(list_keys(m, in).contents.empty());
}

TEST(S3Listing, PagesCountPrefixesAndKeys) {
  auto m = keys({"a/1", "a/2", "b", "c/1", "c/2", "d"});
  ListInput in;
  in.delimiter = "/";
  in.max_keys = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    auto r = list_keys(m, in);
    for (const auto& o : r.contents) seen.push_back(o.key);
    for (const auto& p : r.common_prefixes) seen.push_back(p);
    EXPECT_LE(r.contents.size() + r.common_prefixes.size(), 2u);
    if (!r.truncated) break;
    auto next = decode_continuation(r.next);
    ASSERT_TRUE(next.has_value());
    in.continuation = *next;
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"a/", "b", "c/", "d"}));
}

TEST(S3Listing, StartAfterAndMaxKeysZero) {
  auto m = keys({"a", "b", "c"});
  ListInput in;
  in.start_after = "a";
  EXPECT_EQ(names(list_keys(m, in)), (std::vector<std::string>{"b", "c"}));
  in.start_after = "bb";
  EXPECT_EQ(names(list_keys(m, in)), std::vector<std::string>{"c"});
  in.start_after = "";
  in.max_keys = 0;
  auto r = list_keys(m, in);
  EXPECT_TRUE(r.contents.empty());
  EXPECT_TRUE(r.truncated);
  // v1: NextMarker only with a delimiter.
  in.v2 = false;
  in.max_keys = 1;
  EXPECT_EQ(list_keys(m, in).next, "");
  in.delimiter = "/";
  EXPECT_EQ(list_keys(m, in).next, "a");
}

// ---- the service ----

class S3Test : public ::testing::Test {
 protected:
  S3Test() : clock_(1'700'000'000'000) {}
  void SetUp() override { s3_ = open(); }

  std::unique_ptr<S3> open(std::filesystem::path dir = {}) {
    auto s = S3::open(S3Options{.clock = clock_, .log = log_, .blob_dir = dir, .id_seed = 5});
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }
  template <class T, class F>
  Answer<T> now(F call) {
    std::optional<Answer<T>> out;
    call([&](Answer<T> a) { out = std::move(a); });
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : Answer<T>{api::ApiError::internal("no answer"), {}};
  }
  Answer<Nothing> create(S3& s, const std::string& b) {
    return now<Nothing>([&](auto d) { s.create_bucket(b, "us-east-1", d); });
  }
  Answer<PutResult> put(S3& s, const std::string& b, const std::string& k, std::string body,
                        PutInput in = {}) {
    in.bucket = b;
    in.key = k;
    in.body = std::move(body);
    // A file blob store answers from its writer thread: drain() waits for that answer.
    return now<PutResult>([&](auto d) {
      s.put_object(std::move(in), d);
      s.drain();
    });
  }
  std::string get(S3& s, const std::string& b, const std::string& k) {
    auto g = s.get_object(b, k, "");
    return g.ok() ? g.value.body : "<" + g.error->type + ">";
  }

  ManualClock clock_;
  MemoryRecordLog log_;
  std::unique_ptr<S3> s3_;
};

TEST_F(S3Test, BucketsAsAws) {
  EXPECT_TRUE(create(*s3_, "bkt").ok());
  EXPECT_TRUE(create(*s3_, "bkt").ok());  // us-east-1's legacy answer
  auto again = now<Nothing>([&](auto d) { s3_->create_bucket("bkt", "eu-west-1", d); });
  EXPECT_EQ(again.error->type, "BucketAlreadyOwnedByYou");
  EXPECT_EQ(create(*s3_, "Bad_Name").error->type, "InvalidBucketName");
  EXPECT_EQ(s3_->head_bucket("nope").error->type, "NoSuchBucket");
  put(*s3_, "bkt", "k", "v");
  auto del = now<Nothing>([&](auto d) { s3_->delete_bucket("bkt", d); });
  EXPECT_EQ(del.error->type, "BucketNotEmpty");
  EXPECT_EQ(del.error->status, 409u);
  now<Nothing>([&](auto d) { s3_->delete_object("bkt", "k", d); });
  EXPECT_TRUE(now<Nothing>([&](auto d) { s3_->delete_bucket("bkt", d); }).ok());
  EXPECT_TRUE(s3_->list_buckets().empty());
}

TEST_F(S3Test, ObjectsAndRanges) {
  create(*s3_, "bkt");
  PutInput in;
  in.metadata = {{"owner", "me"}};
  in.content_type = "text/plain";
  auto p = put(*s3_, "bkt", "dir/file.txt", "0123456789", in);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value.etag, etag_of("0123456789"));
  auto g = s3_->get_object("bkt", "dir/file.txt", "bytes=2-4");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g.value.body, "234");
  EXPECT_TRUE(g.value.partial);
  EXPECT_EQ(g.value.info.metadata, (Pairs{{"owner", "me"}}));
  EXPECT_EQ(g.value.info.content_type, "text/plain");
  EXPECT_EQ(s3_->get_object("bkt", "dir/file.txt", "bytes=10-").error->type, "InvalidRange");
  EXPECT_EQ(get(*s3_, "bkt", "missing"), "<NoSuchKey>");
  EXPECT_EQ(get(*s3_, "nobucket", "x"), "<NoSuchBucket>");
  // Default content type, overwrite.
  put(*s3_, "bkt", "dir/file.txt", "new");
  EXPECT_EQ(get(*s3_, "bkt", "dir/file.txt"), "new");
  EXPECT_EQ(s3_->get_object("bkt", "dir/file.txt", "").value.info.content_type,
            "binary/octet-stream");
  EXPECT_EQ(s3_->object_count(), 1u);
}

TEST_F(S3Test, DigestsAndLimits) {
  create(*s3_, "bkt");
  PutInput in;
  in.content_md5 = base64_encode("0123456789abcdef");
  EXPECT_EQ(put(*s3_, "bkt", "k", "x", in).error->type, "BadDigest");
  in.content_md5 = "!!";
  EXPECT_EQ(put(*s3_, "bkt", "k", "x", in).error->type, "InvalidDigest");
  in = {};
  in.checksum_algorithm = "CRC32";
  in.checksum = "AAAAAA==";
  EXPECT_EQ(put(*s3_, "bkt", "k", "x", in).error->type, "BadDigest");
  in.checksum = checksum_base64("CRC32", "x");
  auto ok = put(*s3_, "bkt", "k", "x", in);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value.checksum_type, "FULL_OBJECT");
  in = {};
  in.metadata = {{"big", std::string(2048, 'm')}};
  EXPECT_EQ(put(*s3_, "bkt", "k", "x", in).error->type, "MetadataTooLarge");
  EXPECT_EQ(put(*s3_, "bkt", std::string(1025, 'k'), "x").error->type, "KeyTooLongError");
}

TEST_F(S3Test, CopyAndDeleteObjects) {
  create(*s3_, "bkt");
  create(*s3_, "other");
  PutInput in;
  in.metadata = {{"a", "1"}};
  put(*s3_, "bkt", "src", "payload", in);
  CopyInput c;
  c.src_bucket = "bkt";
  c.src_key = "src";
  c.bucket = "other";
  c.key = "dst";
  auto r = now<CopyResult>([&](auto d) { s3_->copy_object(c, d); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.etag, etag_of("payload"));
  EXPECT_EQ(s3_->get_object("other", "dst", "").value.info.metadata, (Pairs{{"a", "1"}}));
  c.bucket = "bkt";
  c.key = "src";
  EXPECT_EQ(now<CopyResult>([&](auto d) { s3_->copy_object(c, d); }).error->type,
            "InvalidRequest");  // onto itself without a change
  c.src_key = "missing";
  EXPECT_EQ(now<CopyResult>([&](auto d) { s3_->copy_object(c, d); }).error->type, "NoSuchKey");
  auto del = now<DeleteResult>([&](auto d) {
    s3_->delete_objects("bkt", {"src", "never-there"}, d);
  });
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del.value.deleted.size(), 2u);
  EXPECT_EQ(get(*s3_, "bkt", "src"), "<NoSuchKey>");
  EXPECT_EQ(now<DeleteResult>([&](auto d) { s3_->delete_objects("bkt", {}, d); }).error->type,
            "MalformedXML");
}

TEST_F(S3Test, MultipartUpload) {
  create(*s3_, "bkt");
  PutInput in;
  in.bucket = "bkt";
  in.key = "big";
  in.content_type = "video/mp4";
  auto id = now<std::string>([&](auto d) { s3_->create_upload(in, d); });
  ASSERT_TRUE(id.ok());
  std::string part1(s3_limits::part_bytes_min, 'a'), part2 = "tail";
  auto up = [&](int n, std::string body) {
    PutInput b;
    b.body = std::move(body);
    return now<PutResult>([&](auto d) { s3_->upload_part("bkt", "big", id.value, n, b, d); });
  };
  auto e1 = up(1, part1), e2 = up(2, part2), e3 = up(3, "unused");
  EXPECT_EQ(up(0, "x").error->type, "InvalidArgument");
  EXPECT_EQ(up(10'001, "x").error->type, "InvalidArgument");
  auto parts = s3_->list_parts("bkt", "big", id.value, 0, 2);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts.value.parts.size(), 2u);
  EXPECT_TRUE(parts.value.truncated);
  auto complete = [&](std::vector<CompletedPart> ps) {
    return now<CompleteResult>(
        [&](auto d) { s3_->complete_upload("bkt", "big", id.value, ps, d); });
  };
  EXPECT_EQ(complete({{2, e2.value.etag}, {1, e1.value.etag}}).error->type, "InvalidPartOrder");
  EXPECT_EQ(complete({{1, "\"00000000000000000000000000000000\""}}).error->type, "InvalidPart");
  // A part other than the last under 5 MiB.
  EXPECT_EQ(complete({{2, e2.value.etag}, {3, e3.value.etag}}).error->type, "EntityTooSmall");
  auto done = complete({{1, e1.value.etag}, {2, e2.value.etag}});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done.value.etag, *multipart_etag({e1.value.etag, e2.value.etag}));
  EXPECT_TRUE(done.value.etag.ends_with("-2\""));
  auto g = s3_->get_object("bkt", "big", "bytes=5242878-5242881");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g.value.body, "aata");  // a range across the two parts
  EXPECT_EQ(g.value.info.content_type, "video/mp4");
  EXPECT_EQ(g.value.info.parts, 2);
  EXPECT_EQ(complete({{1, e1.value.etag}}).error->type, "NoSuchUpload");
  auto abort = now<Nothing>([&](auto d) { s3_->abort_upload("bkt", "big", "nope", d); });
  EXPECT_EQ(abort.error->type, "NoSuchUpload");
}

TEST_F(S3Test, FilesSurviveARestartAndOrphansAreSwept) {
  auto dir = std::filesystem::temp_directory_path() / ("s3test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  // Objects over the inline limit: files (s3_inline_test.cpp has the small ones).
  const std::string large(s3_limits::inline_bytes_max + 1, 'L');
  {
    auto s = open(dir);
    ASSERT_TRUE(create(*s, "bkt").ok());
    ASSERT_TRUE(put(*s, "bkt", "../../escape", large).ok());
    ASSERT_TRUE(put(*s, "bkt", "gone", large + "x").ok());
    now<Nothing>([&](auto d) { s->delete_object("bkt", "gone", d); });
  }
  // A blob whose record never committed (a crash between the two).
  {
    auto stray = FileBlobStore::open(dir);
    ASSERT_TRUE(stray.ok());
    ASSERT_TRUE((*stray)->put("orphan").ok());
  }
  std::size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 2u);
  auto s = open(dir);
  std::size_t damaged = 9;
  ASSERT_TRUE(s->load(&damaged).ok());
  EXPECT_EQ(damaged, 0u);
  EXPECT_EQ(get(*s, "bkt", "../../escape"), large);
  EXPECT_EQ(get(*s, "bkt", "gone"), "<NoSuchKey>");
  files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
  EXPECT_FALSE(std::filesystem::exists(dir.parent_path() / "escape"));
  std::filesystem::remove_all(dir);
}

TEST(S3Blobs, WriterThreadsAnswerEveryPutAndDrainWaitsForThem) {
  auto dir = std::filesystem::temp_directory_path() / ("s3blobs-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto store = FileBlobStore::open(dir, 3);
    ASSERT_TRUE(store.ok());
    // More writes than threads and answers from several threads at once.
    constexpr int writes = 64;
    std::vector<std::string> bodies(writes);
    std::mutex mu;
    std::map<int, std::string> ids;
    for (int i = 0; i < writes; ++i) {
      bodies[i] = "blob " + std::to_string(i);
      (*store)->put_then(bodies[i], [&, i](Result<std::string> id) {
        std::lock_guard lock(mu);
        ids[i] = id.ok() ? *id : "";
      });
    }
    (*store)->drain();
    std::lock_guard lock(mu);
    ASSERT_EQ(ids.size(), static_cast<std::size_t>(writes));
    for (const auto& [i, id] : ids) {
      auto bytes = (*store)->read(id, 0, bodies[i].size());
      ASSERT_TRUE(bytes.ok()) << i;
      EXPECT_EQ(*bytes, bodies[i]);
    }
  }
  std::filesystem::remove_all(dir);
}

// ---- the JSON level and the integration's shapes ----

TEST_F(S3Test, SdkShapes) {
  S3Operations ops(*s3_);
  api::RequestInfo info;
  auto call = [&](std::string_view op, json::object r) {
    std::optional<api::Response> out;
    ops.dispatch(op, json::value(std::move(r)), info, [&](api::Response a) { out = a; });
    EXPECT_TRUE(out.has_value());
    return *out;
  };
  EXPECT_EQ(json::dump(call("CreateBucket", {{"Bucket", "bkt"}}).body()), R"({"Location":"/bkt"})");
  json::value params = sdk_parameters(
      "PutObject", json::object{{"Bucket", "bkt"}, {"Key", "k"}, {"Body", "text data"}});
  auto put_r = call("PutObject", params.get_object());
  ASSERT_FALSE(put_r.is_error());
  EXPECT_EQ(put_r.body().at("ChecksumCRC32"), "KUmHvQ==");
  EXPECT_EQ(put_r.body().at("ChecksumType"), "FULL_OBJECT");
  EXPECT_EQ(put_r.body().at("ETag"), "\"2b5df3712557f503a9977a8ea893b2c9\"");
  auto g = call("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}});
  EXPECT_EQ(g.body().at("Body"), "\"text data\"");
  EXPECT_EQ(g.body().at("ContentType"), "text/plain; charset=UTF-8");
  EXPECT_EQ(g.body().at("ContentLength"), 11);
  EXPECT_EQ(g.body().at("LastModified"), "2023-11-14T22:13:20Z");
  auto missing = call("GetObject", {{"Bucket", "bkt"}, {"Key", "no"}});
  ASSERT_TRUE(missing.is_error());
  auto failure = s3_failure(missing.error(), "RID", "EXT");
  EXPECT_EQ(failure.error, "S3.NoSuchKeyException");
  EXPECT_EQ(failure.cause,
            "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: RID, "
            "Extended Request ID: EXT)");
  auto head = call("HeadObject", {{"Bucket", "bkt"}, {"Key", "no"}});
  EXPECT_EQ(head.error().message, "null");
  auto nb = call("ListObjects", {{"Bucket", "nope"}});
  EXPECT_EQ(s3_failure(nb.error(), "R", "E").error, "S3.NoSuchBucketException");
  auto ne = call("DeleteBucket", {{"Bucket", "bkt"}});
  EXPECT_EQ(s3_failure(ne.error(), "R", "E").error, "S3.S3Exception");
  EXPECT_EQ(utf8_lossy("a\xff"), "a\xEF\xBF\xBD");
}

}  // namespace
}  // namespace stepwise::services::s3
