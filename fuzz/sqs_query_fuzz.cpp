// Fuzz target: the SQS request decoders. Input: a query-protocol form. The form becomes the JSON
// request the operations take (sqs_query.h); the Action it names (or SendMessage) then runs on a
// fresh in-memory SQS that already holds a queue, and its answer is written as XML. Every
// request must be answered exactly once, with an answer or an AWS error — never a crash.
#include <cstddef>
#include <cstdint>

#include "api/query_protocol.h"
#include "fuzz/fuzz_input.h"
#include "services/common/record_log.h"
#include "services/common/timers.h"
#include "services/sqs/sqs.h"
#include "services/sqs/sqs_query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  using namespace stepwise::services;
  std::string_view text = fuzz::as_text(data, size);
  api::FormDecoded decoded = api::decode_form(text);
  if (!decoded.ok()) return 0;
  const std::string* action = decoded.form->find("Action");
  std::string op = action ? *action : "SendMessage";
  sqs::FormRequest request = sqs::form_to_json(op, *decoded.form);
  if (request.error) {
    if (request.error->type != "MalformedQueryString")
      fuzz::invariant_failed("form index error is not MalformedQueryString", text);
    return 0;
  }
  ManualClock clock(1'700'000'000'000);
  ManualTimers timers(&clock);
  MemoryRecordLog log;
  sqs::Sqs service(sqs::SqsOptions{.clock = clock, .log = log, .timers = timers});
  int answers = 0;
  api::RequestInfo info;
  info.request_id = "fuzz";
  info.host = "localhost";
  service.dispatch("CreateQueue", json::object{{"QueueName", "q"}}, info,
                   [&](api::Response) { ++answers; });
  if (!request.request.contains("QueueUrl")) request.request["QueueUrl"] = "/123456789012/q";
  service.dispatch(op, json::value(request.request), info, [&](api::Response r) {
    ++answers;
    if (!r.is_error() && r.body().is_object()) (void)sqs::result_xml(op, r.body().get_object());
  });
  timers.advance(21'000);  // ends any long poll the input asked for
  service.stop();
  if (answers != 2) fuzz::invariant_failed("a request was not answered exactly once", text);
  return 0;
}
