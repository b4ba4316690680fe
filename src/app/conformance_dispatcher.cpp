#include "app/conformance_dispatcher.h"

#include <atomic>

#include "app/builtin_services.h"
#include "base/clock.h"
#include "sfn/service.h"
#include "store/memory_store.h"
#include "tasks/functions.h"
#include "tasks/local_integrations.h"

namespace stepwise::app {
namespace {

// The account the corpus's recordings were normalised to (their ARNs name it).
constexpr const char* kCorpusAccount = "111111111111";
// Where the service cases' queues were when traced (their queue URLs name it).
constexpr const char* kCorpusSqsEndpoint = "http://sqs.us-east-1.localhost:4566";

class ServiceDispatcher final : public api::Dispatcher {
 public:
  ServiceDispatcher()
      : clock_(RealClock().now_ms()),
        service_(sfn::ServiceOptions{.clock = clock_,
                                     .registry_store = store_,
                                     .execution_store = store_,
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
  bool is_manual() const override {
    return released_.load(std::memory_order_acquire) && holds_.load() == 0;
  }
  void advance_to(Millis t) override {
    if (!is_manual()) return;
    Millis cur = now_.load();
    while (t > cur && !now_.compare_exchange_weak(cur, t)) {
    }
  }
  void release() { released_.store(true, std::memory_order_release); }
  // Held, the released clock stands still again (a background worker is acting).
  void hold() { ++holds_; }
  void unhold() { --holds_; }

 private:
  std::atomic<Millis> now_;
  std::atomic<bool> released_{false};
  std::atomic<int> holds_{0};
};

class CaseServiceImpl final : public conformance::CaseService {
 public:
  CaseServiceImpl(const conformance::CaseServiceOptions& options,
                  std::unique_ptr<tasks::FunctionRunner> functions,
                  std::unique_ptr<GatedClock> clock, std::unique_ptr<BuiltinServices> builtins)
      : clock_(std::move(clock)),
        functions_(std::move(functions)),
        builtins_(std::move(builtins)),
        service_(sfn::ServiceOptions{
            .clock = *clock_,
            .registry_store = store_,
            .execution_store = store_,
            .place = sfn::Place{"us-east-1", kCorpusAccount},
            .integrations =
                [local = tasks::local_integrations({.functions = functions_.get()}),
                 b = builtins_.get()](tasks::IntegrationRegistry& registry) {
                  if (auto s = local(registry); !s.ok()) return s;
                  return b->add_integrations(registry);
                },
            .id_seed = options.id_seed}) {
    functions_->set_callbacks(&service_.callbacks());
    service_.add_operations(table_);
    // EventBridge's state-machine targets start executions here, as under `stepwise serve`.
    builtins_->set_execution_starter(&table_);
    service_.start();
  }
  // The Service's contract: stop it, then destroy its function runner, then the Service.
  ~CaseServiceImpl() override {
    builtins_->stop();
    builtins_->set_execution_starter(nullptr);
    service_.stop();
    functions_.reset();
  }

  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override {
    table_.dispatch(operation, std::move(request), info, std::move(reply));
  }

  void release_clock() override {
    clock_->release();
    service_.post([] {});  // wakes the loop from a real-time wait so that it jumps ahead
  }
  void hold_clock() override { clock_->hold(); }
  void unhold_clock() override {
    clock_->unhold();
    service_.post([] {});  // as release_clock: the idle loop may jump ahead again
  }
  void advance_clock(Millis by) override {
    clock_->advance_to(clock_->now_ms() + by);
    service_.post([] {});
  }
  api::Dispatcher* builtin(std::string_view name) override {
    services::BuiltinService* s = builtins_->find(name);
    return s ? &s->operations() : nullptr;
  }
  std::vector<std::string> builtin_names() const override { return case_service_builtins(); }

 private:
  std::unique_ptr<GatedClock> clock_;
  store::MemoryStore store_;
  std::unique_ptr<tasks::FunctionRunner> functions_;
  std::unique_ptr<BuiltinServices> builtins_;
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
  auto clock = std::make_unique<GatedClock>(options.clock_start_ms);
  auto builtins = BuiltinServices::open(
      BuiltinServicesOptions{.clock = *clock,
                             .place = {"us-east-1", kCorpusAccount, kCorpusSqsEndpoint},
                             .database = {},
                             .enabled = case_service_builtins(),
                             .id_seed = options.id_seed});
  if (!builtins.ok()) return builtins.error();
  return std::unique_ptr<conformance::CaseService>(std::make_unique<CaseServiceImpl>(
      options, std::move(functions), std::move(clock), std::move(builtins).value()));
}

// Every built-in service: EventBridge's recorded cases set up a rule with an SQS target, which
// delivers the events their executions put.
std::vector<std::string> case_service_builtins() {
  return {"sqs", "sns", "s3", "dynamodb", "secretsmanager", "events"};
}

}  // namespace stepwise::app
