#include "app/conformance_dispatcher.h"

#include "base/clock.h"
#include "service/service.h"
#include "store/memory_store.h"

namespace stepwise::app {
namespace {

// The account the corpus's recordings were normalised to (their ARNs name it).
constexpr const char* kCorpusAccount = "111111111111";

class ServiceDispatcher final : public api::Dispatcher {
 public:
  ServiceDispatcher()
      : clock_(RealClock().now_ms()),
        service_(service::ServiceOptions{.clock = clock_,
                                         .store = store_,
                                         .place = service::Place{"us-east-1", kCorpusAccount},
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
  service::Service service_;
  api::OperationTable table_;
};

}  // namespace

std::unique_ptr<api::Dispatcher> make_service_dispatcher() {
  return std::make_unique<ServiceDispatcher>();
}

}  // namespace stepwise::app
