// S3: the built-in Amazon S3's state and operations, independent of any protocol. The REST-XML
// routes (s3_rest.cpp) and the JSON level the integrations call (s3_sdk.cpp) both translate to
// these typed calls, so bytes never pass through JSON on the HTTP path.
//
// What it does as AWS does: buckets (name rules, BucketAlreadyOwnedByYou, BucketNotEmpty),
// objects with user metadata, content type and the standard entity headers, ETags (quoted MD5
// hex; multipart "<md5 of part md5s>-<n>"), Content-MD5 and x-amz-checksum-* verification (the
// checksum is kept and returned with ChecksumMode), ranges, copy, delete (a missing key is no
// error), DeleteObjects, listings (v1 and v2: Prefix, Delimiter/CommonPrefixes, StartAfter,
// Marker, MaxKeys, ContinuationToken), multipart uploads (part numbers 1-10,000, every part
// but the last ≥ 5 MiB, InvalidPart/InvalidPartOrder, ListParts, ListMultipartUploads).
//
// Durability: an object of s3_limits::inline_bytes_max or less keeps its bytes in a record
// ("s3.bytes") written in the same batch as its metadata record; a larger one's bytes go to the
// BlobStore (fsynced, renamed) before the metadata record is written. An operation that changes
// state answers once its records are durable in the RecordLog (namespaces "s3.buckets",
// "s3.objects", "s3.bytes", "s3.uploads", "s3.parts"). Blobs an overwrite or delete leaves
// behind are removed after that (an inline object's bytes record goes in the same batch);
// blobs of a write that never committed are swept at start.
//
// Memory: the index (buckets, keys, ObjectInfo) is in memory, ~300 bytes an object plus its key
// and metadata; an inline object's bytes are not (GET reads them from the RecordLog), except
// while its batch is being committed.
//
// Threading: one mutex guards the metadata; blob reads and writes happen outside it. Answers
// (Done callbacks) run on the RecordLog's writer thread or the caller's, never under the mutex
// except with a synchronous RecordLog (MemoryRecordLog): they must not call back into S3
// synchronously.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/mutex.h"
#include "services/common/builtin_service.h"
#include "services/common/record_log.h"
#include "services/s3/blob_store.h"
#include "services/s3/s3_limits.h"
#include "services/s3/s3_wire.h"

namespace stepwise::services::s3 {

struct S3Options {
  Clock& clock;
  RecordLog& log;
  // Where blobs go (`<data-dir>/s3/blobs`); empty: in memory.
  std::filesystem::path blob_dir = {};
  Place place = {};
  // A single PUT or UploadPart (s3_limits.h: put_bytes_max_default).
  std::uint64_t put_bytes_max = s3_limits::put_bytes_max_default;
  std::uint64_t id_seed = 0;  // 0: unpredictable
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

// One stored blob of an object: a PUT has one, a multipart object one per part.
struct Segment {
  std::string blob;
  std::uint64_t size = 0;
};

struct ObjectInfo {
  std::uint64_t size = 0;
  std::string etag;  // quoted
  std::string content_type;
  Pairs metadata;  // x-amz-meta-* names (lower case, no prefix) and values
  Pairs headers;   // Cache-Control, Content-Disposition, Content-Encoding, Content-Language,
                   // Expires, as sent
  Millis last_modified = 0;
  std::string checksum_algorithm;  // "" when the writer sent none
  std::string checksum;            // base64
  std::string checksum_type;       // FULL_OBJECT or COMPOSITE
  int parts = 0;                   // multipart objects: the part count
  std::vector<Segment> segments;   // file-backed objects: their blobs, in order
  // Inline objects (≤ s3_limits::inline_bytes_max): their bytes are the record
  // "s3.bytes"/inline_record_key(inline_id); no segments. 0: file-backed (every record written
  // before inline objects existed).
  std::uint64_t inline_id = 0;
};

template <class T>
struct Answer {
  std::optional<api::ApiError> error;
  T value{};
  bool ok() const { return !error.has_value(); }
};
template <class T>
using Done = std::function<void(Answer<T>)>;
struct Nothing {};

// What a PUT (or the SDK's PutObject) carries besides the bytes.
struct PutInput {
  std::string bucket, key;
  std::string body;
  std::string content_type;  // "" → binary/octet-stream
  Pairs metadata;
  Pairs headers;
  std::string content_md5;  // base64, checked when present
  // x-amz-checksum-<algorithm>: checked when present; `checksum_algorithm` alone (the SDK's
  // x-amz-sdk-checksum-algorithm) asks S3 to compute and keep it.
  std::string checksum_algorithm;
  std::string checksum;
};
struct PutResult {
  std::string etag;
  std::string checksum_algorithm, checksum, checksum_type;
};

struct GetResult {
  ObjectInfo info;       // segments cleared
  std::string body;      // the whole object or the range
  bool partial = false;  // a Range was served (206)
  std::uint64_t first = 0, last = 0;
};

struct ListInput {
  std::string prefix, delimiter, start_after;
  std::string continuation;  // v2's token, or v1's Marker
  std::size_t max_keys = s3_limits::list_keys_max;
  bool v2 = true;
};
struct ListedObject {
  std::string key;
  ObjectInfo info;  // segments cleared
};
struct ListResult {
  std::vector<ListedObject> contents;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next;  // v2: NextContinuationToken; v1: NextMarker (with a delimiter)
};

struct BucketInfo {
  std::string name;
  Millis created = 0;
  std::string region;
};

struct CopyInput {
  std::string src_bucket, src_key, bucket, key;
  bool replace_metadata = false;  // x-amz-metadata-directive: REPLACE
  std::string content_type;
  Pairs metadata, headers;
  std::string checksum_algorithm;
};
struct CopyResult {
  std::string etag;
  Millis last_modified = 0;
  std::string checksum_algorithm, checksum;
};

struct DeleteResult {
  std::vector<std::string> deleted;
  std::vector<std::pair<std::string, api::ApiError>> errors;
};

struct PartInfo {
  int number = 0;
  std::uint64_t size = 0;
  std::string etag;
  std::string checksum;
  Millis last_modified = 0;
  std::string blob;
};
struct UploadInfo {
  std::string id, bucket, key;
  Millis initiated = 0;
  std::string content_type;
  Pairs metadata, headers;
  std::string checksum_algorithm;
  std::map<int, PartInfo> parts;
};
struct PartsPage {
  std::vector<PartInfo> parts;
  bool truncated = false;
  int next_marker = 0;
  UploadInfo upload;  // parts cleared
};
struct CompletedPart {
  int number = 0;
  std::string etag;
};
struct CompleteResult {
  std::string etag;
  std::string checksum_algorithm, checksum, checksum_type;
};

class S3 {
 public:
  // Errors: the blob folder cannot be created.
  static Result<std::unique_ptr<S3>> open(S3Options options);
  ~S3();

  // Reads the records back and sweeps orphan blobs (before serving). A damaged record is
  // skipped and counted.
  Status load(std::size_t* damaged = nullptr);

  const S3Options& options() const { return options_; }

  // Buckets. `region`: the SigV4 scope's region or LocationConstraint ("" → the place's).
  void create_bucket(const std::string& name, const std::string& region, Done<Nothing> done);
  Answer<BucketInfo> head_bucket(const std::string& name) const;
  std::vector<BucketInfo> list_buckets() const;
  void delete_bucket(const std::string& name, Done<Nothing> done);

  // Objects.
  void put_object(PutInput in, Done<PutResult> done);
  // `range`: a Range header ("" for the whole object).
  Answer<GetResult> get_object(const std::string& bucket, const std::string& key,
                               std::string_view range, bool with_body = true) const;
  void copy_object(CopyInput in, Done<CopyResult> done);
  void delete_object(const std::string& bucket, const std::string& key, Done<Nothing> done);
  void delete_objects(const std::string& bucket, std::vector<std::string> keys,
                      Done<DeleteResult> done);
  Answer<ListResult> list_objects(const std::string& bucket, const ListInput& in) const;

  // Multipart uploads.
  void create_upload(PutInput in, Done<std::string> done);  // body ignored; answers the id
  void upload_part(const std::string& bucket, const std::string& key, const std::string& id,
                   int number, PutInput body, Done<PutResult> done);
  void complete_upload(const std::string& bucket, const std::string& key, const std::string& id,
                       std::vector<CompletedPart> parts, Done<CompleteResult> done);
  void abort_upload(const std::string& bucket, const std::string& key, const std::string& id,
                    Done<Nothing> done);
  Answer<PartsPage> list_parts(const std::string& bucket, const std::string& key,
                               const std::string& id, int marker, std::size_t max) const;
  Answer<std::vector<UploadInfo>> list_uploads(const std::string& bucket,
                                               const std::string& prefix) const;

  std::size_t object_count() const;
  // Waits until every PUT whose bytes are being written has handed its record to the log
  // (before the log's last flush at shutdown).
  void drain();
  // The place's region (CreateBucket without one; HeadBucket's x-amz-bucket-region).
  const std::string& region() const { return options_.place.region; }

  struct Bucket;
  struct PendingBytes;

 private:
  explicit S3(S3Options options, std::unique_ptr<BlobStore> blobs);

  // put_object with a size cap (copies may exceed the PUT cap).
  void store(PutInput in, std::uint64_t cap, Done<PutResult> done);
  // The rest of store(): once the bytes are durable in a blob (`blob`, on a blob writer
  // thread), or at once for an inline object (`blob` nullopt: the bytes go in the batch).
  void stored(PutInput in, std::optional<std::string> blob, const std::string& algorithm,
              const std::string& checksum, Done<PutResult> done);
  template <class T>
  void persist(std::vector<Mutation> batch, Answer<T> answer, Done<T> done,
               std::vector<std::string> doomed_blobs = {}, std::uint64_t held_inline = 0)
      REQUIRES(mu_);
  // Appends bytes [first, last] of an object (its blobs, or its inline record) to `out`.
  // Errors: the bytes are gone (a concurrent delete) or unreadable.
  Status read_bytes(const std::vector<Segment>& segments, std::uint64_t inline_id,
                    std::uint64_t size, std::uint64_t first, std::uint64_t last,
                    std::string& out) const;
  Mutation record_of(const std::string& bucket, const std::string& key, const ObjectInfo& o) const
      REQUIRES(mu_);
  Mutation record_of(const Bucket& b) const REQUIRES(mu_);
  Mutation record_of(const UploadInfo& u) const REQUIRES(mu_);
  Mutation record_of(const UploadInfo& u, const PartInfo& p) const REQUIRES(mu_);
  std::optional<api::ApiError> check_put(const PutInput& in, std::string* checksum_algorithm,
                                         std::string* checksum) const;
  Bucket* find_bucket(const std::string& name, api::ApiError* error) REQUIRES(mu_);
  const Bucket* find_bucket(const std::string& name, api::ApiError* error) const REQUIRES(mu_);
  // The multipart upload `id` if it exists for this bucket and key; null otherwise (NoSuchUpload).
  UploadInfo* find_upload(const std::string& bucket, const std::string& key, const std::string& id)
      REQUIRES(mu_);
  const UploadInfo* find_upload(const std::string& bucket, const std::string& key,
                                const std::string& id) const REQUIRES(mu_);
  // What goes with an object that is replaced or deleted: its blobs (removed once the change
  // is durable) or its inline bytes record (deleted in the same batch).
  static void collect(const ObjectInfo& o, std::vector<std::string>& doomed_blobs,
                      std::vector<Mutation>& batch);

  S3Options options_;
  std::unique_ptr<BlobStore> blobs_;
  mutable base::Mutex mu_;
  IdGenerator ids_ GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Bucket>> buckets_ GUARDED_BY(mu_);
  std::map<std::string, UploadInfo> uploads_ GUARDED_BY(mu_);  // id → upload
  std::size_t objects_ GUARDED_BY(mu_) = 0;
  // The next inline id: above every id a record names (load()), so a new object's bytes never
  // land on a live record's key.
  std::uint64_t next_inline_ GUARDED_BY(mu_) = 1;
  std::shared_ptr<PendingBytes> pending_;
};

// The listing itself, over a bucket's sorted keys (exposed for tests).
ListResult list_keys(const std::map<std::string, ObjectInfo>& objects, const ListInput& in);

// v2 continuation tokens: opaque to clients (base64 of the last key or prefix returned).
std::string continuation_token(std::string_view last);
std::optional<std::string> decode_continuation(std::string_view token);

}  // namespace stepwise::services::s3
