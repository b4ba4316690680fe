#include "app/conformance_dispatcher.h"

#include <atomic>

#include "base/clock.h"
#include "sfn/service.h"
#include "store/memory_store.h"
#include "tasks/functions.h"
#include "tasks/local_integrations.h"

namespace stepwise::app {
namespace {

// The account the corpus's recordings were normalised to (their ARNs name it).
constexpr const char* kCorpusAccount = "111111111111";

class ServiceDispatcher final : public api::Dispatcher {
 public:
  ServiceDispatcher()
      : clock_(RealClock().now_ms()),
        service_(sfn::ServiceOptions{.clock = clock_,
                                         .registry_store = store_, .execution_store = store_,
                                         .place = sfn::Place{"us-east-1", kCorpusAccount},
                                         .id_seed = 1}) {
    service_.add_operations(table_);
    service_.start();
  }
  ~ServiceDispatcher() override { service_.stop(); }

  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override {
    table_.dispatch(operation, std::move(request), info, std::move(reply));
  }

 private:
  ManualClock clock_;
  store::MemoryStore store_;
  sfn::Service service_;
  api::OperationTable table_;
};

// A manual clock that stands still until released. Held, it claims to be a real clock, so an
// idle event loop waits for posts instead of jumping to its next timer (and never advances it);
// released, it is a ManualClock: the idle loop jumps straight to each next timer.
class GatedClock final : public Clock {
 public:
  explicit GatedClock(Millis start_ms) : now_(start_ms) {}
  Millis now_ms() const override { return now_.load(std::memory_order_relaxed); }
  bool is_manual() const override { return released_.load(std::memory_order_acquire); }
  void advance_to(Millis t) override {
    if (!released_.load(std::memory_order_acquire)) return;
    Millis cur = now_.load();
    while (t > cur && !now_.compare_exchange_weak(cur, t)) {
    }
  }
  void release() { released_.store(true, std::memory_order_release); }

 private:
  std::atomic<Millis> now_;
  std::atomic<bool> released_{false};
};

class CaseServiceImpl final : public conformance::CaseService {
 public:
  CaseServiceImpl(const conformance::CaseServiceOptions& options,
                  std::unique_ptr<tasks::FunctionRunner> functions)
      : clock_(options.clock_start_ms),
        functions_(std::move(functions)),
        service_(sfn::ServiceOptions{.clock = clock_,
                                         .registry_store = store_, .execution_store = store_,
                                         .place = sfn::Place{"us-east-1", kCorpusAccount},
                                         .integrations = tasks::local_integrations(
                                             {.functions = functions_.get()}),
                                         .id_seed = options.id_seed}) {
    functions_->set_callbacks(&service_.callbacks());
    service_.add_operations(table_);
    service_.start();
  }
  // The Service's contract: stop it, then destroy its function runner, then the Service.
  ~CaseServiceImpl() override {
    service_.stop();
    functions_.reset();
  }

  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override {
    table_.dispatch(operation, std::move(request), info, std::move(reply));
  }

  void release_clock() override {
    clock_.release();
    service_.post([] {});  // wakes the loop from a real-time wait so that it jumps ahead
  }

 private:
  GatedClock clock_;
  store::MemoryStore store_;
  std::unique_ptr<tasks::FunctionRunner> functions_;
  sfn::Service service_;
  api::OperationTable table_;
};

}  // namespace

std::unique_ptr<api::Dispatcher> make_service_dispatcher() {
  return std::make_unique<ServiceDispatcher>();
}

Result<std::unique_ptr<conformance::CaseService>> make_case_service(
    const conformance::CaseServiceOptions& options) {
  auto functions = std::make_unique<tasks::FunctionRunner>();
  if (options.functions) {
    if (auto s = options.functions(*functions); !s.ok()) return s.error();
  }
  return std::unique_ptr<conformance::CaseService>(
      std::make_unique<CaseServiceImpl>(options, std::move(functions)));
}

}  // namespace stepwise::app
