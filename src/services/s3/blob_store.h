// BlobStore: where the built-in S3 keeps the bytes of objects over s3_limits::inline_bytes_max
// and of multipart parts (smaller objects' bytes are records in the RecordLog: s3.h). Objects
// are stored as blobs named by ids this server makes (never by the object's key, so no key —
// "../x", NUL, 1 KiB of slashes — can reach a path outside the blob folder); the object's
// metadata, in the RecordLog, lists its blobs (one for a PUT, one per part for a multipart
// upload, so completing an upload copies nothing).
//
//  - FileBlobStore: one file per blob under `<data-dir>/s3/blobs/`. put() writes a temporary
//    file, fsyncs it, renames it into place and fsyncs the folder before returning, so a blob
//    whose metadata record is acknowledged survives kill -9. sweep() (at start) removes blobs
//    no record names — those of a write that crashed before its record committed, or of a
//    delete that crashed before its unlink — and leftover temporary files.
//    put_then() does the same on a few writer threads of the store's own, so that a PUT's two
//    fsyncs neither hold up the server's I/O thread nor wait for each other: concurrent fsyncs
//    share the file system's journal commits (ext4 on the 2-core build VM: ~100 blob writes/s
//    one at a time, ~1,700/s from 8 threads).
//  - MemoryBlobStore: the same in memory (`--store memory`, tests, the conformance runner).
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/ids.h"
#include "base/mutex.h"
#include "base/result.h"

namespace stepwise::services::s3 {

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Stores bytes durably; returns the new blob's id. Errors: "S3.Io" with the OS's reason.
  virtual Result<std::string> put(std::string_view bytes) = 0;
  // put(), then `done` with its result: on a writer thread (FileBlobStore) or before returning.
  // `bytes` must stay valid until `done` runs.
  using PutDone = std::function<void(Result<std::string>)>;
  virtual void put_then(std::string_view bytes, PutDone done) { done(put(bytes)); }
  // Waits until every put_then so far has called its `done` (shutdown).
  virtual void drain() {}
  // Bytes [offset, offset + length) of a blob. Errors: "S3.Io" (a blob deleted meanwhile too).
  virtual Result<std::string> read(const std::string& id, std::uint64_t offset,
                                   std::uint64_t length) = 0;
  // Appends a blob's range to `out` (as read(), without a copy).
  virtual Status append(const std::string& id, std::uint64_t offset, std::uint64_t length,
                        std::string& out) = 0;
  virtual void remove(const std::string& id) = 0;
  // Removes every blob for which `live` is false (and temporary leftovers). Before serving.
  virtual void sweep(const std::function<bool(const std::string&)>& live) = 0;
};

class MemoryBlobStore final : public BlobStore {
 public:
  explicit MemoryBlobStore(std::uint64_t id_seed = 0) : ids_(id_seed) {}
  Result<std::string> put(std::string_view bytes) override;
  Result<std::string> read(const std::string& id, std::uint64_t offset,
                           std::uint64_t length) override;
  Status append(const std::string& id, std::uint64_t offset, std::uint64_t length,
                std::string& out) override;
  void remove(const std::string& id) override;
  void sweep(const std::function<bool(const std::string&)>& live) override;
  std::size_t size() const;

 private:
  mutable base::Mutex mu_;
  IdGenerator ids_ GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<const std::string>> blobs_ GUARDED_BY(mu_);
};

class FileBlobStore final : public BlobStore {
 public:
  // Creates the folder if needed. Errors: "S3.Io".
  static Result<std::unique_ptr<FileBlobStore>> open(const std::filesystem::path& dir,
                                                     std::uint64_t id_seed = 0);
  ~FileBlobStore() override;  // drains, then ends the writer threads
  Result<std::string> put(std::string_view bytes) override;
  void put_then(std::string_view bytes, PutDone done) override;
  void drain() override;
  Result<std::string> read(const std::string& id, std::uint64_t offset,
                           std::uint64_t length) override;
  Status append(const std::string& id, std::uint64_t offset, std::uint64_t length,
                std::string& out) override;
  void remove(const std::string& id) override;
  void sweep(const std::function<bool(const std::string&)>& live) override;

 private:
  FileBlobStore(std::filesystem::path dir, std::uint64_t id_seed)
      : dir_(std::move(dir)), ids_(id_seed) {}
  std::string new_id();
  void write_loop();
  std::filesystem::path dir_;
  base::Mutex mu_;
  IdGenerator ids_ GUARDED_BY(mu_);
  std::uint64_t counter_ GUARDED_BY(mu_) = 0;
  // The writer threads (started by the first put_then) and their queue.
  base::Mutex jobs_mu_;
  base::CondVar jobs_cv_, idle_cv_;
  std::deque<std::function<void()>> jobs_ GUARDED_BY(jobs_mu_);
  std::size_t running_ GUARDED_BY(jobs_mu_) = 0;  // jobs being run
  bool stopping_ GUARDED_BY(jobs_mu_) = false;
  std::vector<std::thread> writers_ GUARDED_BY(jobs_mu_);
};

// True for an id this store could have made (16 lowercase hex digits + '-' + counter digits);
// anything else in the folder is not ours to read.
bool is_blob_id(std::string_view id);

}  // namespace stepwise::services::s3
