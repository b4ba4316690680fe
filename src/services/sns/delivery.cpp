#include "services/sns/delivery.h"

#include <fstream>

#include "services/sns/sns_limits.h"
#include "tasks/http_client.h"

namespace stepwise::services::sns {

ThreadDeliveryWorkers::ThreadDeliveryWorkers(std::filesystem::path email_file)
    : email_file_(std::move(email_file)),
      pool_(sns_limits::http_threads_max, sns_limits::http_queue_max) {}

ThreadDeliveryWorkers::~ThreadDeliveryWorkers() { stop(); }

void ThreadDeliveryWorkers::stop() { stopping_ = true; }

bool ThreadDeliveryWorkers::post(HttpDelivery delivery, std::function<void(bool ok)> done) {
  return pool_.submit([this, d = std::move(delivery), done = std::move(done)] {
    if (stopping_) return done(false);
    tasks::HttpRequest request;
    request.method = "POST";
    request.url = d.url;
    request.headers = d.headers;
    request.body = d.body;
    request.has_body = true;
    request.timeout_ms = sns_limits::http_timeout_ms;
    auto r = tasks::http_perform(request, &stopping_);
    done(r.ok() && r->status >= 200 && r->status < 300);
  });
}

void ThreadDeliveryWorkers::append_line(std::string line) {
  if (email_file_.empty()) return;
  pool_.submit([this, line = std::move(line)] {
    base::MutexLock lock(file_mu_);
    std::ofstream out(email_file_, std::ios::app | std::ios::binary);
    out << line << '\n';
  });
}

}  // namespace stepwise::services::sns
