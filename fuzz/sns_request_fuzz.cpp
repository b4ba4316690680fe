// Fuzz target: the built-in SNS's request decoding. Input: a query-protocol form, as every SDK
// sends to SNS. The form becomes the JSON request the operations take (sns_query.h); the Action
// it names (or Publish, to topic "t" unless the form names one) then runs on a fresh in-memory
// SNS whose topic "t" has an SQS subscription (a filter policy on attribute "kind") and an HTTP
// one, beside an in-memory SQS; the answer is written as AWS's XML, and the request is written
// back as a form (the pass-through client's direction). Deliveries and their retries run on the
// manual timers. Every request must be answered exactly once, an error always has a type, and
// a form error is MalformedQueryString.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "api/query_protocol.h"
#include "fuzz/fuzz_input.h"
#include "services/common/record_log.h"
#include "services/common/timers.h"
#include "services/sns/delivery.h"
#include "services/sns/sns.h"
#include "services/sns/sns_query.h"
#include "services/sqs/sqs.h"

namespace {

using namespace stepwise;
using namespace stepwise::services;

// HTTP deliveries answered at once, alternately failing, so retries are scheduled too.
class AnsweringWorkers final : public sns::DeliveryWorkers {
 public:
  bool post(sns::HttpDelivery, std::function<void(bool)> done) override {
    done((++posts_ % 2) == 0);
    return true;
  }
  void append_line(std::string) override {}

 private:
  std::uint64_t posts_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  api::FormDecoded decoded = api::decode_form(text);
  if (!decoded.ok()) return 0;
  const std::string* action = decoded.form->find("Action");
  std::string op = action ? *action : "Publish";
  sns::FormRequest request = sns::form_to_json(*decoded.form);
  if (request.error) {
    if (request.error->type != "MalformedQueryString")
      fuzz::invariant_failed("form error is not MalformedQueryString", text);
    return 0;
  }
  (void)sns::json_to_form(request.request);

  ManualClock clock(1'700'000'000'000);
  ManualTimers timers(&clock);
  MemoryRecordLog log;
  AnsweringWorkers workers;
  const Place place{"us-east-1", "123456789012", "http://localhost:9"};
  sqs::Sqs queues(
      sqs::SqsOptions{.clock = clock, .log = log, .timers = timers, .place = place, .id_seed = 3});
  sns::Sns service(sns::SnsOptions{.clock = clock,
                                   .log = log,
                                   .timers = timers,
                                   .workers = workers,
                                   .place = place,
                                   .id_seed = 7,
                                   .sqs = &queues});
  api::RequestInfo info;
  info.request_id = "fuzz";
  info.host = "localhost:9";
  int setup_answers = 0;
  auto setup = [&](api::Dispatcher& d, std::string_view setup_op, json::object r) {
    d.dispatch(setup_op, json::value(std::move(r)), info, [&](api::Response) { ++setup_answers; });
  };
  const std::string topic = "arn:aws:sns:us-east-1:123456789012:t";
  setup(queues, "CreateQueue", {{"QueueName", "q"}});
  setup(service, "CreateTopic", {{"Name", "t"}});
  setup(service, "Subscribe",
        {{"TopicArn", topic},
         {"Protocol", "sqs"},
         {"Endpoint", "arn:aws:sqs:us-east-1:123456789012:q"},
         {"Attributes", json::object{{"FilterPolicy", R"({"kind":["a",{"prefix":"b"}]})"}}}});
  setup(service, "Subscribe",
        {{"TopicArn", topic}, {"Protocol", "http"}, {"Endpoint", "http://h.example/x"}});
  if (setup_answers != 4) fuzz::invariant_failed("the setup was not answered", text);

  if (op == "Publish" && !request.request.contains("TopicArn") &&
      !request.request.contains("TargetArn") && !request.request.contains("PhoneNumber"))
    request.request["TopicArn"] = topic;
  int answers = 0;
  service.dispatch(op, json::value(request.request), info, [&](api::Response r) {
    ++answers;
    if (r.is_error()) {
      if (r.error().type.empty()) fuzz::invariant_failed("an error without a type", text);
      return;
    }
    const json::object empty;
    (void)sns::response_xml(op, r.body().is_object() ? r.body().get_object() : empty, "fuzz");
  });
  timers.advance(3'600'000);  // every delivery retry the input could have scheduled
  service.stop();
  queues.stop();
  if (answers != 1) fuzz::invariant_failed("a request was not answered exactly once", text);
  return 0;
}
