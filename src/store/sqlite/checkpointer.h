// Checkpointer: copies committed WAL frames into the database file on its own thread and
// connection, so that a group commit never pays for a checkpoint (the page copies and, with
// synchronous=FULL, two more fsyncs). The write connection runs with wal_autocheckpoint=0.
//
// Checkpoints are PASSIVE (they never block commits) and at most one per `interval`; when the
// WAL has grown past `wal_frames_max` without being fully copied, a RESTART checkpoint briefly
// holds new commits back so the log can start over (bounded WAL size).
//
// Thread-safety: committed() may be called from any thread; the rest is internal.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "base/mutex.h"
#include "base/result.h"
#include "store/sqlite/db.h"

namespace stepwise::store::sqlite {

class Checkpointer {
 public:
  struct Options {
    std::chrono::milliseconds interval{100};
    int wal_frames_max = 65536;  // 256 MiB of 4 KiB pages
  };
  // Opens its own connection to `file` with the store's synchronous pragma.
  static Result<std::unique_ptr<Checkpointer>> start(const std::string& file,
                                                     const char* sync_pragma, Options options);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // A transaction was committed: there are frames to copy.
  void committed();
  std::uint64_t checkpoints();  // completed checkpoint calls (tests, stats)

 private:
  explicit Checkpointer(Options options) : options_(options) {}
  void loop();
  void checkpoint();

  Options options_;
  Connection db_;
  base::Mutex mu_;
  base::CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  bool work_ GUARDED_BY(mu_) = false;
  std::uint64_t checkpoints_ GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace stepwise::store::sqlite
