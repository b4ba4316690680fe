// The blocking side of SNS deliveries, kept off the I/O and engine threads: HTTP/HTTPS POSTs
// to subscribers' endpoints and appends to the e-mail file (`<data-dir>/sns-email.jsonl`, one
// JSON object per line, so that a person or a test can read an approval message or the
// confirmation link of an e-mail subscription).
//
// Sns decides what to send and when to retry (on its Timers); DeliveryWorkers only perform one
// attempt and report success. ThreadDeliveryWorkers runs them on a small WorkerPool; tests use
// their own implementation that records what would have been sent.
//
// Thread-safety: post() and append_line() from any thread; `done` runs on a worker thread.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "tasks/worker_pool.h"

namespace stepwise::services::sns {

struct HttpDelivery {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class DeliveryWorkers {
 public:
  virtual ~DeliveryWorkers() = default;
  // One POST; done(true) for a 2xx answer. False when the delivery could not even be queued.
  virtual bool post(HttpDelivery delivery, std::function<void(bool ok)> done) = 0;
  // Appends `line` and a newline to the e-mail file (dropped when there is none).
  virtual void append_line(std::string line) = 0;
  // Ends what is in flight at once (shutdown).
  virtual void stop() {}
};

class ThreadDeliveryWorkers final : public DeliveryWorkers {
 public:
  // email_file: empty for none (in-memory servers without a data directory).
  explicit ThreadDeliveryWorkers(std::filesystem::path email_file);
  ~ThreadDeliveryWorkers() override;
  bool post(HttpDelivery delivery, std::function<void(bool ok)> done) override;
  void append_line(std::string line) override;
  void stop() override;

 private:
  std::filesystem::path email_file_;
  base::Mutex file_mu_;  // one append at a time, whole lines
  std::atomic<bool> stopping_{false};
  tasks::WorkerPool pool_;  // last: its destructor runs queued jobs, which use the above
};

}  // namespace stepwise::services::sns
