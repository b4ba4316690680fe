// RecordLog: the durable state of a built-in service, as records (namespace, key, value bytes)
// that are put or deleted in atomic batches and all read back once at start.
//
// Why a log of records and not the Step Functions Store: the services' state (queues and their
// messages, later topics, tables, buckets' metadata) is simple key/value data written at a high
// rate, and the Store is being split and given a shared group commit (store/group_commit.*) by
// other work. Services see only this interface, so the SQLite implementation below can move onto
// the store's group commit (and PostgreSQL) later without touching a service.
//
// Contract:
//  - write(batch, done): the batch is applied atomically, in submission order relative to other
//    batches; `done(ok)` runs once the batch is durable (SQLite: committed to the WAL, so it
//    survives kill -9), on an unspecified thread (the writer's), never under the caller's lock
//    unless the implementation is synchronous (MemoryRecordLog calls it before write returns).
//    An I/O error is reported to `done` and every later batch fails too (the service must stop
//    acknowledging writes).
//  - load(ns): every live record of a namespace, in key order. Call before serving.
//  - read(ns, key): one record's value (nullopt: none), for data too large to keep in memory
//    (the built-in S3's small objects). Sees every batch whose `done` has run; any thread,
//    concurrently with writes.
//  - flush(): waits until every batch written so far is durable (shutdown, tests).
//
// Thread-safety: write(), read() and flush() from any thread; load() before writes start.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "json/json.h"

namespace stepwise::services {

namespace record_limits {
// A namespace or key (queue names are ≤ 80, message keys ≤ 120 bytes).
inline constexpr std::size_t key_bytes_max = 1024;
// A value: an SQS message of 256 KiB with attributes, JSON-escaped, fits.
inline constexpr std::size_t value_bytes_max = 4 * 1024 * 1024;
// Batches waiting for the writer before write() blocks the caller (back-pressure).
inline constexpr std::size_t pending_batches_max = 65'536;
// Mutations in one SQLite transaction (a group commit takes several batches up to this).
inline constexpr std::size_t mutations_per_commit_max = 8'192;
// SQLite connections serving read() at once (WAL readers do not wait for the writer); a read
// beyond them waits for one to be free.
inline constexpr std::size_t readers_max = 4;
}  // namespace record_limits

struct Mutation {
  std::string ns;
  std::string key;
  std::optional<std::string> value;  // nullopt: delete
};

struct Record {
  std::string key;
  std::string value;
};

class RecordLog {
 public:
  using Done = std::function<void(Status)>;
  virtual ~RecordLog() = default;
  virtual void write(std::vector<Mutation> batch, Done done) = 0;
  virtual Result<std::vector<Record>> load(const std::string& ns) = 0;
  virtual Result<std::optional<std::string>> read(const std::string& ns,
                                                  const std::string& key) = 0;
  virtual void flush() = 0;
};

// load(ns) for records whose values are JSON objects (every service writes them so): hands each
// to `each` with its key; a value that is not a JSON object, or that `each` refuses (returns
// false: it names a parent that is gone, say), counts in `bad`. Errors: load's.
Status load_json_objects(RecordLog& log, const std::string& ns, std::size_t& bad,
                         const std::function<bool(const Record&, const json::object&)>& each);

// In memory (tests, `--store memory`): applies at once and calls `done` before returning.
class MemoryRecordLog final : public RecordLog {
 public:
  void write(std::vector<Mutation> batch, Done done) override {
    {
      base::MutexLock lock(mu_);
      for (auto& m : batch) {
        auto& space = records_[m.ns];
        if (m.value) {
          space[m.key] = std::move(*m.value);
        } else {
          space.erase(m.key);
        }
      }
    }
    if (done) done(ok_status());
  }
  Result<std::vector<Record>> load(const std::string& ns) override {
    base::MutexLock lock(mu_);
    std::vector<Record> out;
    auto it = records_.find(ns);
    if (it == records_.end()) return out;
    for (const auto& [k, v] : it->second) out.push_back({k, v});
    return out;
  }
  Result<std::optional<std::string>> read(const std::string& ns, const std::string& key) override {
    base::MutexLock lock(mu_);
    auto space = records_.find(ns);
    if (space == records_.end()) return std::optional<std::string>();
    auto it = space->second.find(key);
    if (it == space->second.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  void flush() override {}

 private:
  base::Mutex mu_;
  std::map<std::string, std::map<std::string, std::string>> records_ GUARDED_BY(mu_);
};

}  // namespace stepwise::services
