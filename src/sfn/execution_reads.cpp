// The read-only execution operations, from the store on the calling thread (see
// execution_reads.h).
#include "sfn/execution_reads.h"

#include <algorithm>
#include <string_view>

#include "api/protocol.h"
#include "sfn/executions.h"
#include "sfn/executions_internal.h"
#include "sfn/registry_rules.h"

namespace stepwise::sfn {
namespace {

using rules::Violations;
using namespace detail;

// The fields DescribeExecution and ListExecutions' items share, in AWS's order.
json::object execution_summary(const store::ExecutionRecord& r) {
  json::object o;
  o["executionArn"] = r.arn;
  o["stateMachineArn"] = r.state_machine_arn;
  o["name"] = r.name;
  o["status"] = r.status;
  o["startDate"] = date(r.start_ms);
  if (r.stop_ms != 0 && r.status != "RUNNING") o["stopDate"] = date(r.stop_ms);
  return o;
}

json::object describe_json(const store::ExecutionRecord& r, Millis now_ms) {
  json::object o = execution_summary(r);
  o["input"] = r.input;
  o["inputDetails"] = json::object{{"included", true}};
  if (r.output) {
    o["output"] = *r.output;
    o["outputDetails"] = json::object{{"included", true}};
  }
  if (r.error) o["error"] = *r.error;
  if (r.cause) o["cause"] = *r.cause;
  if (!r.version_arn.empty()) o["stateMachineVersionArn"] = r.version_arn;
  if (!r.alias_arn.empty()) o["stateMachineAliasArn"] = r.alias_arn;
  if (!r.trace_header.empty()) o["traceHeader"] = r.trace_header;
  o["redriveCount"] = r.redrive_count;
  std::string reason;
  o["redriveStatus"] = redrive_status(r, now_ms, &reason);
  if (!reason.empty()) o["redriveStatusReason"] = reason;
  if (r.redrive_ms != 0) o["redriveDate"] = date(r.redrive_ms);
  return o;
}

json::object list_item_json(const store::ExecutionRecord& r) {
  json::object o = execution_summary(r);
  if (!r.version_arn.empty()) o["stateMachineVersionArn"] = r.version_arn;
  if (!r.alias_arn.empty()) o["stateMachineAliasArn"] = r.alias_arn;
  o["redriveCount"] = r.redrive_count;
  if (r.redrive_ms != 0) o["redriveDate"] = date(r.redrive_ms);
  return o;
}

constexpr std::string_view kStatuses[] = {"SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE",
                                          "ABORTED",   "FAILED",    "RUNNING"};

// Events without their payloads (includeExecutionData=false): AWS then leaves out inputs and
// outputs but keeps everything else.
void strip_execution_data(json::value& event) {
  for (auto& kv : event.as_object()) {
    if (!kv.value().is_object()) continue;
    json::object& details = kv.value().as_object();
    details.erase("input");
    details.erase("output");
  }
}

}  // namespace

// token_chars_max: the operation's nextToken bound (AWS: ListExecutions 3096, the others 1024).
Result<PageRequest> page_request(const json::value& request, Violations& v,
                                 std::size_t token_chars_max) {
  PageRequest p;
  auto max = rules::integer_field(request, "maxResults");
  if (!max) return max.error();
  if (*max) {
    if (**max > execution_limits::execution_page_max) {
      v.add("maxResults", std::to_string(**max),
            "Member must have value less than or equal to " +
                std::to_string(execution_limits::execution_page_max));
    } else if (**max < 0) {
      v.add("maxResults", std::to_string(**max),
            "Member must have value greater than or equal to 0");
    } else if (**max > 0) {
      p.limit = static_cast<std::size_t>(**max);
    }
  }
  auto token = rules::string_field(request, "nextToken");
  if (!token) return token.error();
  if (*token) {
    if (rules::code_points(**token) > token_chars_max) {
      v.add("nextToken", **token,
            "Member must have length less than or equal to " + std::to_string(token_chars_max));
    } else if ((*token)->empty()) {
      v.add("nextToken", **token, "Member must have length greater than or equal to 1");
    }
    p.token = **token;
  }
  return p;
}

api::Response ExecutionReads::describe_execution(const json::value& request) const {
  Violations v;
  auto arn = execution_arn(request, v);
  if (!arn) return arn_failure(arn.error(), v);
  auto read = store_.get_execution(arn->text);
  if (!read.ok()) return rules::to_api_error(read.error());  // Store.*: never "does not exist"
  const auto& rec = *read;
  if (!rec) {
    if (auto child = describe_child(arn->text)) return std::move(*child);
    return execution_does_not_exist(arn->text);
  }
  return describe_json(*rec, clock_.now_ms());
}

api::Response ExecutionReads::describe_state_machine_for_execution(
    const json::value& request) const {
  Violations v;
  auto arn = execution_arn(request, v);
  if (!arn) return arn_failure(arn.error(), v);
  auto read = store_.get_execution(arn->text);
  if (!read.ok()) return rules::to_api_error(read.error());  // Store.*: never "does not exist"
  const auto& rec = *read;
  if (!rec) return execution_does_not_exist(arn->text);
  json::object o;
  o["stateMachineArn"] = rec->version_arn.empty() ? rec->state_machine_arn : rec->version_arn;
  auto parsed = rules::parse_arn(rec->state_machine_arn);
  o["name"] = parsed ? parsed->name : rec->state_machine_arn;
  o["definition"] = rec->definition;
  o["roleArn"] = rec->role_arn;
  json::value logging = json::object{{"level", "OFF"}, {"includeExecutionData", false}};
  json::value tracing = json::object{{"enabled", false}};
  Millis update_ms = rec->start_ms;
  auto machine = registry_store_.get_state_machine(rec->state_machine_arn);
  if (!machine.ok()) return rules::to_api_error(machine.error());
  if (const auto& m = *machine) {
    if (m->logging_configuration.is_object()) logging = m->logging_configuration;
    if (m->tracing_configuration.is_object()) tracing = m->tracing_configuration;
    update_ms = m->updated_ms != 0 ? m->updated_ms : m->created_ms;
    if (m->definition == rec->definition && !m->revision_id.empty())
      o["revisionId"] = m->revision_id;
  }
  o["updateDate"] = date(update_ms);
  o["loggingConfiguration"] = logging;
  o["tracingConfiguration"] = tracing;
  return o;
}

api::Response ExecutionReads::list_executions(const json::value& request) const {
  Violations v;
  auto arn_text = rules::string_field(request, "stateMachineArn");
  auto status = rules::string_field(request, "statusFilter");
  if (!arn_text) return rules::to_api_error(arn_text.error());
  if (!status) return rules::to_api_error(status.error());
  auto page = page_request(request, v, execution_limits::execution_token_chars_max);
  if (!page) return rules::to_api_error(page.error());
  if (*status &&
      std::find(std::begin(kStatuses), std::end(kStatuses), **status) == std::end(kStatuses)) {
    v.add("statusFilter", **status,
          "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, "
          "FAILED, RUNNING]");
  }
  if (!v.empty()) return v.error();
  const bool by_run = request.is_object() && request.as_object().contains("mapRunArn");
  if (*arn_text && by_run)
    return error("ValidationException", "Must provide only a StateMachine ARN or MapRun ARN");
  if (by_run) return list_map_run_executions(request, status->value_or(""), *page);
  if (!*arn_text)
    return error("ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
  auto parsed = rules::parse_arn(**arn_text);
  if (!parsed) return rules::to_api_error(parsed.error());
  if (parsed->type != "stateMachine") return rules::wrong_resource_type(*parsed);
  auto resolved = registry_.resolve(**arn_text);
  if (!resolved) return rules::to_api_error(resolved.error());
  if (resolved->type == "EXPRESS") return type_not_supported();

  store::ExecutionQuery q;
  q.state_machine_arn = resolved->state_machine_arn;
  if (!parsed->qualifier.empty()) {
    if (parsed->is_version())
      q.version_arn = parsed->text;
    else
      q.alias_arn = parsed->text;
  }
  if (*status) q.status = **status;
  const std::string list = "executions:" + parsed->text + ":" + q.status;
  if (page->token) {
    auto pos = rules::decode_token(list, *page->token);
    if (!pos) return rules::to_api_error(pos.error());
    q.after_arn = pos->after_key;
  }
  q.limit = page->limit + 1;
  auto read = store_.list_executions(q);
  if (!read.ok()) return rules::to_api_error(read.error());
  const std::vector<store::ExecutionRecord>& rows = *read;
  json::array items;
  for (std::size_t i = 0; i < rows.size() && i < page->limit; ++i)
    items.push_back(list_item_json(rows[i]));
  json::object o;
  o["executions"] = std::move(items);
  if (rows.size() > page->limit)
    o["nextToken"] = rules::encode_token(list, rows[page->limit - 1].arn, 0);
  return o;
}

api::Response ExecutionReads::get_execution_history(const json::value& request) const {
  Violations v;
  auto arn = execution_arn(request, v);
  auto reverse = rules::bool_field(request, "reverseOrder");
  auto data = rules::bool_field(request, "includeExecutionData");
  if (!reverse) return rules::to_api_error(reverse.error());
  if (!data) return rules::to_api_error(data.error());
  auto page = page_request(request, v, rules::next_token_chars_max);
  if (!page) return rules::to_api_error(page.error());
  if (!arn || !v.empty()) return arn ? api::Response(v.error()) : arn_failure(arn.error(), v);
  auto read = store_.get_execution(arn->text);
  if (!read.ok()) return rules::to_api_error(read.error());  // Store.*: never "does not exist"
  const auto& rec = *read;
  if (!rec) {
    if (auto child = child_history(arn->text, data->value_or(true), reverse->value_or(false)))
      return std::move(*child);
    return execution_does_not_exist(arn->text);
  }
  store::HistoryQuery q;
  q.execution_arn = arn->text;
  q.reverse = reverse->value_or(false);
  const std::string list = std::string("history:") + (q.reverse ? "r:" : "f:") + arn->text;
  if (page->token) {
    auto pos = rules::decode_token(list, *page->token);
    if (!pos) return rules::to_api_error(pos.error());
    q.after_id = static_cast<std::int64_t>(pos->position);
  }
  q.limit = page->limit + 1;
  auto read_events = store_.history(q);
  if (!read_events.ok()) return rules::to_api_error(read_events.error());
  const std::vector<engine::HistoryEvent>& events = *read_events;
  const bool include_data = data->value_or(true);
  json::array out;
  for (std::size_t i = 0; i < events.size() && i < page->limit; ++i) {
    json::value e = events[i].to_json();
    if (!include_data) strip_execution_data(e);
    out.push_back(std::move(e));
  }
  json::object o;
  o["events"] = std::move(out);
  if (events.size() > page->limit) {
    const std::int64_t last = events[page->limit - 1].id;
    o["nextToken"] =
        rules::encode_token(list, std::to_string(last), static_cast<std::size_t>(last));
  }
  return o;
}

}  // namespace stepwise::sfn
