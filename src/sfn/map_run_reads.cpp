// The Map Run reads of ExecutionReads: DescribeMapRun, ListMapRuns, ListExecutions(mapRunArn)
// and DescribeExecution / GetExecutionHistory of a Map Run's child execution, from the store on
// the calling thread (see execution_reads.h). UpdateMapRun changes a running execution and so
// goes to its engine loop (Executions::update_map_run).
#include <algorithm>
#include <string_view>

#include "api/protocol.h"
#include "sfn/execution_reads.h"
#include "sfn/executions.h"
#include "sfn/executions_internal.h"
#include "sfn/registry_rules.h"

namespace stepwise::sfn {
namespace {

using rules::Violations;
using namespace detail;

json::object counts_json(const store::MapRunCounts& c) {
  return json::object{{"pending", c.pending},
                      {"running", c.running},
                      {"succeeded", c.succeeded},
                      {"failed", c.failed},
                      {"timedOut", c.timed_out},
                      {"aborted", c.aborted},
                      {"total", c.total},
                      {"resultsWritten", c.results_written},
                      {"failuresNotRedrivable", c.failures_not_redrivable},
                      {"pendingRedrive", c.pending_redrive}};
}

// The state machine ARN a child shows: <machine ARN>/<Map label>, as the run's record has it.
json::object child_summary(const store::MapRunChild& c, const std::string& machine_label_arn) {
  json::object o;
  o["executionArn"] = c.arn;
  o["stateMachineArn"] = machine_label_arn;
  o["name"] = c.name;
  o["status"] = c.status;
  o["startDate"] = date(c.start_ms);
  if (c.stop_ms != 0 && c.status != "RUNNING") o["stopDate"] = date(c.stop_ms);
  return o;
}

// The <machine>/<label> state machine ARN of a child, from its run's ARN (no read needed).
std::string machine_label_arn(std::string_view run_arn) {
  const std::size_t at = run_arn.find(":mapRun:");
  const std::size_t last = run_arn.rfind(':');
  if (at == std::string_view::npos || last <= at) return std::string(run_arn);
  return std::string(run_arn.substr(0, at)) +
         ":stateMachine:" + std::string(run_arn.substr(at + 8, last - at - 8));
}

}  // namespace

Result<rules::Arn> map_run_arn(const json::value& request, Violations& v) {
  auto text = rules::string_field(request, "mapRunArn");
  if (!text) return text.error();
  if (!*text) {
    v.add("mapRunArn", std::nullopt, "Member must not be null");
    return Error{"", ""};
  }
  if ((*text)->size() > map_run_limits::arn_chars_max) {
    v.add("mapRunArn", **text,
          "Member must have length less than or equal to " +
              std::to_string(map_run_limits::arn_chars_max));
    return Error{"", ""};
  }
  auto arn = rules::parse_arn(**text);
  if (!arn) return arn.error();
  if (arn->type != "mapRun" || arn->qualifier.empty())
    return Error{"InvalidArn", "Invalid Arn: '" + arn->text + "'"};
  return arn;
}

api::ApiError map_run_does_not_exist(const std::string& arn) {
  return error("ResourceNotFound", "Resource not found: '" + arn + "'");
}

api::Response ExecutionReads::describe_map_run(const json::value& request) const {
  Violations v;
  auto arn = map_run_arn(request, v);
  if (!arn) return arn_failure(arn.error(), v);
  auto read = store_.get_map_run(arn->text);
  if (!read.ok()) return rules::to_api_error(read.error());
  if (!*read) return map_run_does_not_exist(arn->text);
  const store::MapRunRecord& r = **read;
  json::object o;
  o["mapRunArn"] = r.arn;
  o["executionArn"] = r.execution_arn;
  o["status"] = r.status;
  o["startDate"] = date(r.start_ms);
  if (r.stop_ms != 0 && r.status != "RUNNING") o["stopDate"] = date(r.stop_ms);
  o["maxConcurrency"] = r.max_concurrency;
  o["toleratedFailurePercentage"] = r.tolerated_failure_percentage;
  o["toleratedFailureCount"] = r.tolerated_failure_count;
  o["itemCounts"] = counts_json(r.items);
  o["executionCounts"] = counts_json(r.executions);
  o["redriveCount"] = r.redrive_count;
  if (r.redrive_ms != 0) o["redriveDate"] = date(r.redrive_ms);
  return o;
}

api::Response ExecutionReads::list_map_runs(const json::value& request) const {
  Violations v;
  auto arn = execution_arn(request, v);
  auto page = page_request(request, v, rules::next_token_chars_max);
  if (!page) return rules::to_api_error(page.error());
  if (!arn || !v.empty()) return arn ? api::Response(v.error()) : arn_failure(arn.error(), v);
  auto exec = store_.get_execution(arn->text);
  if (!exec.ok()) return rules::to_api_error(exec.error());
  if (!*exec) return execution_does_not_exist(arn->text);
  const std::string list = "maprun-list:" + arn->text;
  std::string after;
  if (page->token) {
    auto pos = rules::decode_token(list, *page->token);
    if (!pos) return rules::to_api_error(pos.error());
    after = pos->after_key;
  }
  auto read = store_.list_map_runs(arn->text, after, page->limit + 1);
  if (!read.ok()) return rules::to_api_error(read.error());
  const std::vector<store::MapRunRecord>& runs = *read;
  json::array items;
  for (std::size_t i = 0; i < runs.size() && i < page->limit; ++i) {
    const store::MapRunRecord& r = runs[i];
    json::object o{{"executionArn", r.execution_arn},
                   {"mapRunArn", r.arn},
                   {"stateMachineArn", r.state_machine_arn},
                   {"startDate", date(r.start_ms)}};
    if (r.stop_ms != 0 && r.status != "RUNNING") o["stopDate"] = date(r.stop_ms);
    items.push_back(std::move(o));
  }
  json::object o;
  o["mapRuns"] = std::move(items);
  if (runs.size() > page->limit)
    o["nextToken"] = rules::encode_token(list, runs[page->limit - 1].arn, 0);
  return o;
}

api::Response ExecutionReads::list_map_run_executions(const json::value& request,
                                                      const std::string& status,
                                                      const PageRequest& page) const {
  Violations v;
  auto arn = map_run_arn(request, v);
  if (!arn) return arn_failure(arn.error(), v);
  auto run = store_.get_map_run(arn->text);
  if (!run.ok()) return rules::to_api_error(run.error());
  if (!*run) return map_run_does_not_exist(arn->text);
  store::MapRunChildQuery q;
  q.map_run_arn = arn->text;
  q.status = status;
  const std::string list = "maprunexecutions:" + arn->text + ":" + status;
  if (page.token) {
    auto pos = rules::decode_token(list, *page.token);
    if (!pos) return rules::to_api_error(pos.error());
    q.after_arn = pos->after_key;
  }
  q.limit = page.limit + 1;
  auto read = store_.list_map_run_children(q);
  if (!read.ok()) return rules::to_api_error(read.error());
  const std::vector<store::MapRunChild>& rows = *read;
  const std::string machine = (*run)->state_machine_arn;
  const bool batched = (*run)->items.total != (*run)->executions.total;
  json::array items;
  for (std::size_t i = 0; i < rows.size() && i < page.limit; ++i) {
    json::object o = child_summary(rows[i], machine);
    o["mapRunArn"] = rows[i].map_run_arn;
    if (!batched) o["itemCount"] = 1;
    items.push_back(std::move(o));
  }
  json::object o;
  o["executions"] = std::move(items);
  if (rows.size() > page.limit)
    o["nextToken"] = rules::encode_token(list, rows[page.limit - 1].arn, 0);
  return o;
}

std::optional<api::Response> ExecutionReads::describe_child(const std::string& arn) const {
  auto read = store_.get_map_run_child(arn);
  if (!read.ok()) return api::Response(rules::to_api_error(read.error()));
  if (!*read) return std::nullopt;
  const store::MapRunChild& c = **read;
  json::object o = child_summary(c, machine_label_arn(c.map_run_arn));
  if (c.input) o["input"] = *c.input;
  o["inputDetails"] = json::object{{"included", c.input.has_value()}};
  if (c.status == "SUCCEEDED") {
    if (c.output) o["output"] = *c.output;
    o["outputDetails"] = json::object{{"included", c.output.has_value()}};
  }
  if (c.error) o["error"] = *c.error;
  if (c.cause) o["cause"] = *c.cause;
  o["mapRunArn"] = c.map_run_arn;
  o["redriveCount"] = 0;
  o["redriveStatus"] = "NOT_REDRIVABLE";
  o["redriveStatusReason"] = "Execution is a child of a Map Run: redrive its parent execution";
  return api::Response(std::move(o));
}

std::optional<api::Response> ExecutionReads::child_history(const std::string& arn,
                                                           bool include_data, bool reverse) const {
  auto read = store_.get_map_run_child(arn);
  if (!read.ok()) return api::Response(rules::to_api_error(read.error()));
  if (!*read) return std::nullopt;
  const store::MapRunChild& c = **read;
  // Only what the child's record holds: its start and, once ended, its end. The states inside
  // an iteration are not recorded (docs/API.md, "Map Runs").
  json::array events;
  json::object started;
  if (include_data && c.input) started["input"] = *c.input;
  started["inputDetails"] = json::object{{"truncated", false}};
  started["roleArn"] = "";
  events.push_back(json::object{{"timestamp", date(c.start_ms)},
                                {"type", "ExecutionStarted"},
                                {"id", 1},
                                {"previousEventId", 0},
                                {"executionStartedEventDetails", std::move(started)}});
  if (c.status != "RUNNING") {
    json::object end;
    std::string type = "ExecutionAborted", key = "executionAbortedEventDetails";
    if (c.status == "SUCCEEDED") {
      type = "ExecutionSucceeded";
      key = "executionSucceededEventDetails";
      if (include_data && c.output) end["output"] = *c.output;
      end["outputDetails"] = json::object{{"truncated", false}};
    } else if (c.status == "FAILED") {
      type = "ExecutionFailed";
      key = "executionFailedEventDetails";
    }
    if (c.error) end["error"] = *c.error;
    if (c.cause) end["cause"] = *c.cause;
    events.push_back(json::object{{"timestamp", date(c.stop_ms)},
                                  {"type", type},
                                  {"id", 2},
                                  {"previousEventId", 1},
                                  {key, std::move(end)}});
  }
  if (reverse) std::reverse(events.begin(), events.end());
  return api::Response(json::object{{"events", std::move(events)}});
}

}  // namespace stepwise::sfn

namespace stepwise::sfn {

api::Response ExecutionReads::check_map_run_update(const json::value& request,
                                                   std::string& execution_arn) const {
  Violations v;
  auto arn = map_run_arn(request, v);
  auto max = rules::integer_field(request, "maxConcurrency");
  auto count = rules::integer_field(request, "toleratedFailureCount");
  if (!max) return rules::to_api_error(max.error());
  if (!count) return rules::to_api_error(count.error());
  const json::value* pct =
      request.is_object() ? request.as_object().if_contains("toleratedFailurePercentage") : nullptr;
  if (pct != nullptr && !json::is_number(*pct)) {
    return error("SerializationException", "toleratedFailurePercentage must be a number");
  }
  if (*max && **max < 0) {
    v.add("maxConcurrency", std::to_string(**max),
          "Member must have value greater than or equal to 0");
  }
  if (*count && **count < 0) {
    v.add("toleratedFailureCount", std::to_string(**count),
          "Member must have value greater than or equal to 0");
  }
  if (pct != nullptr && (json::as_double(*pct) < 0 || json::as_double(*pct) > 100)) {
    v.add("toleratedFailurePercentage", json::dump(*pct),
          json::as_double(*pct) < 0 ? "Member must have value greater than or equal to 0"
                                    : "Member must have value less than or equal to 100");
  }
  if (!arn || !v.empty()) return arn ? api::Response(v.error()) : arn_failure(arn.error(), v);
  if (!*max && !*count && pct == nullptr) {
    return error("ValidationException",
                 "At least one of maxConcurrency, toleratedFailurePercentage or "
                 "toleratedFailureCount must be given");
  }
  auto run = store_.get_map_run(arn->text);
  if (!run.ok()) return rules::to_api_error(run.error());
  if (!*run) return map_run_does_not_exist(arn->text);
  if ((*run)->status != "RUNNING") {
    return error("ValidationException",
                 "Map Run " + arn->text + " is " + (*run)->status + " and cannot be updated");
  }
  execution_arn = (*run)->execution_arn;
  json::object update{{"mapRunArn", arn->text}};
  if (*max) update["maxConcurrency"] = **max;
  if (*count) update["toleratedFailureCount"] = **count;
  if (pct != nullptr) update["toleratedFailurePercentage"] = json::as_double(*pct);
  return update;
}

}  // namespace stepwise::sfn
