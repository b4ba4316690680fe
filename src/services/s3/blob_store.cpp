#include "services/s3/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

#include "services/s3/s3_limits.h"

namespace stepwise::services::s3 {
namespace {

constexpr std::string_view kTempPrefix = "tmp-";

Error io_error(std::string_view what, int err) {
  return Error{"S3.Io", std::string(what) + ": " + std::strerror(err)};
}

std::string hex16(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Closes a file descriptor on every path.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

bool is_blob_id(std::string_view id) {
  if (id.size() < 18 || id.size() > 40 || id[16] != '-') return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (i == 16) continue;
    bool ok = i < 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// ---- memory ----

Result<std::string> MemoryBlobStore::put(std::string_view bytes) {
  base::MutexLock lock(mu_);
  std::string id = hex16(ids_.next_u64()) + "-" + std::to_string(blobs_.size());
  while (blobs_.contains(id)) id = hex16(ids_.next_u64()) + "-0";
  blobs_[id] = std::make_shared<const std::string>(bytes);
  return id;
}

Status MemoryBlobStore::append(const std::string& id, std::uint64_t offset, std::uint64_t length,
                               std::string& out) {
  std::shared_ptr<const std::string> blob;
  {
    base::MutexLock lock(mu_);
    auto it = blobs_.find(id);
    if (it == blobs_.end()) return Error{"S3.Io", "blob " + id + " is gone"};
    blob = it->second;
  }
  if (offset > blob->size() || length > blob->size() - offset)
    return Error{"S3.Io", "range past the end of blob " + id};
  out.append(*blob, static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
  return ok_status();
}

Result<std::string> MemoryBlobStore::read(const std::string& id, std::uint64_t offset,
                                          std::uint64_t length) {
  std::string out;
  if (auto s = append(id, offset, length, out); !s.ok()) return s.error();
  return out;
}

void MemoryBlobStore::remove(const std::string& id) {
  base::MutexLock lock(mu_);
  blobs_.erase(id);
}

void MemoryBlobStore::sweep(const std::function<bool(const std::string&)>& live) {
  base::MutexLock lock(mu_);
  std::erase_if(blobs_, [&](const auto& kv) { return !live(kv.first); });
}

std::size_t MemoryBlobStore::size() const {
  base::MutexLock lock(mu_);
  return blobs_.size();
}

// ---- files ----

Result<std::unique_ptr<FileBlobStore>> FileBlobStore::open(const std::filesystem::path& dir,
                                                           std::uint64_t id_seed) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"S3.Io", "cannot create " + dir.string() + ": " + ec.message()};
  return std::unique_ptr<FileBlobStore>(new FileBlobStore(dir, id_seed));
}

std::string FileBlobStore::new_id() {
  base::MutexLock lock(mu_);
  // 64 random bits make a clash across restarts unlikely; O_EXCL below makes it harmless.
  return hex16(ids_.next_u64()) + "-" + std::to_string(++counter_ % 1'000'000'000);
}

Result<std::string> FileBlobStore::put(std::string_view bytes) {
  std::string id = new_id();
  const std::filesystem::path temp = dir_ / (std::string(kTempPrefix) + id);
  const std::filesystem::path final_path = dir_ / id;
  {
    Fd f{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
    if (f.fd < 0) return io_error("create " + temp.string(), errno);
    if (!write_all(f.fd, bytes) || ::fsync(f.fd) != 0) {
      int err = errno;
      ::unlink(temp.c_str());
      return io_error("write " + temp.string(), err);
    }
  }
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return io_error("rename " + temp.string(), err);
  }
  // The rename itself must be durable before the object's record says the blob exists.
  Fd d{::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0 || ::fsync(d.fd) != 0) return io_error("fsync " + dir_.string(), errno);
  return id;
}

FileBlobStore::~FileBlobStore() {
  std::vector<std::thread> writers;
  {
    base::MutexLock lock(jobs_mu_);
    while (!jobs_.empty() || running_ != 0) idle_cv_.wait(jobs_mu_);
    stopping_ = true;
    writers.swap(writers_);
  }
  jobs_cv_.notify_all();
  for (auto& t : writers) t.join();
}

void FileBlobStore::put_then(std::string_view bytes, PutDone done) {
  {
    base::MutexLock lock(jobs_mu_);
    if (writers_.empty() && !stopping_) {
      for (std::size_t i = 0; i < s3_limits::blob_writer_threads; ++i)
        writers_.emplace_back([this] { write_loop(); });
    }
    // Back-pressure: the caller waits (as it did for its own write) while the queue is full.
    while (jobs_.size() >= s3_limits::blob_writes_queued_max) idle_cv_.wait(jobs_mu_);
    jobs_.push_back([this, bytes, done = std::move(done)] { done(put(bytes)); });
  }
  jobs_cv_.notify_one();
}

void FileBlobStore::write_loop() {
  base::MutexLock lock(jobs_mu_);
  while (true) {
    while (!stopping_ && jobs_.empty()) jobs_cv_.wait(jobs_mu_);
    if (jobs_.empty()) return;  // stopping, and nothing left
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    ++running_;
    lock.unlock();
    job();
    lock.lock();
    --running_;
    idle_cv_.notify_all();
  }
}

void FileBlobStore::drain() {
  base::MutexLock lock(jobs_mu_);
  while (!jobs_.empty() || running_ != 0) idle_cv_.wait(jobs_mu_);
}

Status FileBlobStore::append(const std::string& id, std::uint64_t offset, std::uint64_t length,
                             std::string& out) {
  if (!is_blob_id(id)) return Error{"S3.Io", "not a blob id"};
  const std::filesystem::path path = dir_ / id;
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return io_error("open " + path.string(), errno);
  const std::size_t start = out.size();
  out.resize(start + static_cast<std::size_t>(length));
  std::uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(f.fd, out.data() + start + done, static_cast<std::size_t>(length - done),
                        static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      out.resize(start);
      return n < 0 ? io_error("read " + path.string(), errno)
                   : Error{"S3.Io", "blob " + id + " is shorter than its record"};
    }
    done += static_cast<std::uint64_t>(n);
  }
  return ok_status();
}

Result<std::string> FileBlobStore::read(const std::string& id, std::uint64_t offset,
                                        std::uint64_t length) {
  std::string out;
  if (auto s = append(id, offset, length, out); !s.ok()) return s.error();
  return out;
}

void FileBlobStore::remove(const std::string& id) {
  if (!is_blob_id(id)) return;
  ::unlink((dir_ / id).c_str());
}

void FileBlobStore::sweep(const std::function<bool(const std::string&)>& live) {
  std::error_code ec;
  std::vector<std::filesystem::path> doomed;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(kTempPrefix) || (is_blob_id(name) && !live(name)))
      doomed.push_back(entry.path());
  }
  for (const auto& p : doomed) std::filesystem::remove(p, ec);
}

}  // namespace stepwise::services::s3
