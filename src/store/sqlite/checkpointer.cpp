// Background WAL checkpoints. See sqlite_checkpointer.h.
#include "store/sqlite/checkpointer.h"

namespace stepwise::store::sqlite {

namespace {
constexpr int kBusyTimeoutMs = 5000;
}

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(const std::string& file,
                                                          const char* sync_pragma,
                                                          Options options) {
  std::unique_ptr<Checkpointer> c(new Checkpointer(options));
  if (auto st = c->db_.open(file, SQLITE_OPEN_READWRITE); !st.ok()) return std::move(st).error();
  sqlite3_busy_timeout(c->db_.handle(), kBusyTimeoutMs);
  if (auto st = c->db_.exec(sync_pragma, "cannot set durability"); !st.ok())
    return std::move(st).error();
  c->thread_ = std::thread([p = c.get()] { p->loop(); });
  return c;
}

Checkpointer::~Checkpointer() {
  {
    base::MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::committed() {
  {
    base::MutexLock lock(mu_);
    if (work_) return;
    work_ = true;
  }
  cv_.notify_all();
}

std::uint64_t Checkpointer::checkpoints() {
  base::MutexLock lock(mu_);
  return checkpoints_;
}

void Checkpointer::loop() {
  base::MutexLock lock(mu_);
  for (;;) {
    while (!stop_ && !work_) cv_.wait(mu_);
    // Let commits accumulate: one checkpoint per interval, not one per commit.
    const auto deadline = base::CondVar::deadline_in(options_.interval);
    while (!stop_ && cv_.wait_until(mu_, deadline)) {
    }
    if (stop_) return;
    work_ = false;
    lock.unlock();
    checkpoint();
    lock.lock();
    ++checkpoints_;
  }
}

// A failed checkpoint loses nothing (the frames stay in the WAL, which readers and recovery
// use); the next commit schedules another try.
void Checkpointer::checkpoint() {
  int log_frames = 0;
  int copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                     &copied);
  if (rc == SQLITE_OK && log_frames > options_.wal_frames_max && copied < log_frames) {
    (void)sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr,
                                    nullptr);
  }
}

}  // namespace stepwise::store::sqlite
