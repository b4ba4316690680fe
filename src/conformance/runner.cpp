#include "conformance/runner.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "conformance/api_cases.h"
#include "conformance/check.h"
#include "conformance/definition.h"
#include "conformance/service_calls.h"
#include "conformance/service_execute.h"

namespace stepwise::conformance {
namespace {

bool runnable_kind(const std::string& kind) {
  return kind == "execution" || kind == "execution_sync" || kind == "validate_definition" ||
         kind == "create_error" || kind == "test_state" || kind == "api_error";
}

// Requirements no runner offers. `external:*` names AWS services beyond Lambda. (Activities,
// callbacks, nested executions and aws-sdk:sfn run through the case service: see run_case.)
bool unsupported_requirement(const std::string& r) {
  static const char* const unsupported[] = {"test_state_mock"};
  if (r.rfind("external:", 0) == 0) return true;
  return std::find(std::begin(unsupported), std::end(unsupported), r) != std::end(unsupported);
}

CaseResult verdict_of(CaseResult r, const CheckReport& report) {
  r.soft = report.soft;
  if (report.failure) {
    r.verdict = Verdict::failed;
    r.detail = *report.failure;
  } else {
    r.verdict = Verdict::passed;
  }
  return r;
}

// compare.py's ACTUAL.json: {"status", "output" (text), "error", "cause", "history"}.
void dump_actual(const Case& c, const ActualExecution& a, const std::string& dir) {
  json::object o{{"status", a.status}};
  if (a.output) o["output"] = json::dump(*a.output);
  if (a.error) o["error"] = *a.error;
  if (a.cause) o["cause"] = *a.cause;
  o["history"] = json::object{{"events", a.events}};
  std::ofstream(std::filesystem::path(dir) / (c.name + ".json")) << json::dump(o) << "\n";
}

CaseResult run_execution_case(const Case& c, const RunnerConfig& config, CaseResult r) {
  auto actual = needs_service(c) ? execute_case_with_service(c, config) : execute_case(c, config);
  if (!actual.ok()) {
    r.verdict = Verdict::failed;
    r.detail = "could not run: " + actual.error().name + ": " + actual.error().cause;
    return r;
  }
  if (!config.dump_actual_dir.empty()) dump_actual(c, *actual, config.dump_actual_dir);
  CheckReport report =
      c.kind == "execution_sync" ? check_sync_execution(c, *actual) : check_execution(c, *actual);
  if (!report.failure && actual->post_failure) report.failure = *actual->post_failure;
  for (auto& note : actual->post_notes) report.soft.push_back(note);
  return verdict_of(std::move(r), report);
}

std::string definition_text(const Case& c) {
  const auto& request = object_of(c.doc, "request");
  if (auto* d = request.if_contains("definition"); d && d->is_string())
    return std::string(d->get_string());
  if (auto* d = c.doc.if_contains("definition_raw"); d && d->is_string())
    return std::string(d->get_string());
  if (auto* d = c.doc.if_contains("definition")) return json::dump(*d);
  return "";
}

// The machine type the case's API call named (request.type), else the case's own type.
bool express_request(const Case& c) {
  std::string type = string_of(object_of(c.doc, "request"), "type");
  return type.empty() ? c.express() : type == "EXPRESS";
}

CaseResult run_create_error_case(const Case& c, CaseResult r) {
  std::optional<std::string> message;
  if (auto* d = c.doc.if_contains("definition"); d && d->is_object()) {
    message = create_error_message(*d, express_request(c));
  } else {
    message = create_error_message_text(definition_text(c), express_request(c));
  }
  std::optional<std::string> code;
  if (message) code = "InvalidDefinition";
  return verdict_of(std::move(r), check_create_error(c, code, message));
}

// CreateStateMachine errors about names, versions or logging: replayed through the API.
bool create_error_needs_api(const Case& c) {
  return c.kind == "create_error" && string_of(c.expected(), "error_code") != "InvalidDefinition";
}

}  // namespace

std::string skip_reason(const Case& c) {
  if (!runnable_kind(c.kind)) return "kind " + c.kind + " not run";
  // CreateStateMachine errors about names, versions or logging need the API's state, not the
  // definition: they belong with the api_error cases.
  if (create_error_needs_api(c))
    return "create error " + string_of(c.expected(), "error_code") + " needs the API";
  // Validation and CreateStateMachine cases only look at the definition: the integrations they
  // name need not exist.
  if (c.kind != "execution" && c.kind != "execution_sync") return "";
  for (const auto& r : c.requires_list())
    if (unsupported_requirement(r)) return "requires " + r;
  return "";
}

CaseResult run_case(const Case& c, const RunnerConfig& config) {
  CaseResult r;
  r.name = c.name;
  r.category = c.category;
  r.kind = c.kind;
  std::string why = skip_reason(c);
  if (why.empty() && c.kind == "api_error") why = api_error_skip_reason(c, config);
  // With a dispatcher, they run as api_error cases do (setup calls, then the failing one).
  const bool via_api = create_error_needs_api(c) && config.dispatcher_factory;
  if (via_api) why.clear();
  if (why.empty() && (c.kind == "execution" || c.kind == "execution_sync") && needs_service(c) &&
      !config.case_service_factory)
    why = "needs the API (no case service)";
  if (why.empty() && (c.kind == "execution" || c.kind == "execution_sync")) {
    if (std::string s = missing_service(c, config.builtin_services); !s.empty())
      why = "requires " + s + " (not built in yet)";
  }
  if (!why.empty()) {
    r.verdict = Verdict::skipped;
    r.detail = why;
    return r;
  }
  if (c.kind == "validate_definition")
    return verdict_of(std::move(r), check_validation(c, validation_response(definition_text(c),
                                                                            express_request(c))));
  if (c.kind == "api_error" || via_api)
    return verdict_of(std::move(r), run_api_error_case(c, config));
  if (c.kind == "create_error") return run_create_error_case(c, std::move(r));
  if (c.kind == "test_state") return verdict_of(std::move(r), run_test_state_case(c, config));
  return run_execution_case(c, config, std::move(r));
}

}  // namespace stepwise::conformance
