#include "teststate/request.h"

#include "asl/validate.h"
#include "json/clamp.h"

namespace stepwise::teststate {
namespace {

Error validation(std::string message) { return Error{"ValidationException", std::move(message)}; }

// The service's wording for a field that breaks its declared constraint, as every other
// operation words it: "Value 'v' at 'f'", "Value null at 'f'" for a missing required field, and
// "Value at 'f'" for a member AWS's model marks sensitive (definition, input, mock.result),
// whose value is never echoed.
enum class Shown { kValue, kNull, kSensitive };
Error constraint(const std::string& field, const std::string& value, const std::string& rule,
                 Shown shown = Shown::kValue) {
  std::string v = shown == Shown::kSensitive ? "Value"
                  : shown == Shown::kNull    ? "Value null"
                                             : "Value '" + value + "'";
  return validation("1 validation error detected: " + v + " at '" + field +
                    "' failed to satisfy constraint: " + rule);
}

// A member of the wrong JSON type: the request does not deserialise, as for every other
// operation ("Unexpected value for 'roleArn': expected a string").
Error serialization(std::string_view key, std::string_view expected) {
  return Error{"SerializationException", "Unexpected value for '" + std::string(key) +
                                             "': expected " + std::string(expected)};
}

const json::value* member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() || it->value().is_null() ? nullptr : &it->value();
}

Result<std::optional<std::string>> optional_string(const json::object& o, std::string_view key) {
  const json::value* v = member(o, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return serialization(key, "a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<std::int64_t>> optional_int(const json::object& o, std::string_view key) {
  const json::value* v = member(o, key);
  if (v == nullptr) return std::optional<std::int64_t>();
  if (!json::is_number(*v) || !json::is_integral_number(*v))
    return serialization(key, "an integer");
  if (json::as_double(*v) < 0)
    return constraint(std::string(key), json::dump(*v),
                      "Member must have value greater than or equal to 0");
  return std::optional<std::int64_t>(json::as_int64_clamped(*v));
}

Result<Level> parse_level(const std::optional<std::string>& text) {
  if (!text || *text == "INFO") return Level::kInfo;
  if (*text == "DEBUG") return Level::kDebug;
  if (*text == "TRACE") return Level::kTrace;
  return constraint("inspectionLevel", *text,
                    "Member must satisfy enum value set: [INFO, DEBUG, TRACE]");
}

Result<Mock> parse_mock(const json::value& v) {
  if (!v.is_object()) return serialization("mock", "an object");
  const json::object& o = v.get_object();
  Mock m;
  auto result = optional_string(o, "result");
  if (!result) return std::move(result).error();
  const json::value* err = member(o, "errorOutput");
  if (*result && err != nullptr)
    return validation(
        "A test mock should have only one of the following fields: [result, errorOutput].");
  if (*result) {
    if (result->value().size() > payload_text_bytes_max)
      return constraint("mock.result", "", "Member must have length less than or equal to 262144",
                        Shown::kSensitive);
    auto parsed = json::parse(**result);
    if (!parsed) return validation("Mocked result must be valid JSON.");
    m.result = std::move(parsed).value();
    m.result_text = **result;
  } else if (err != nullptr) {
    if (!err->is_object()) return serialization("errorOutput", "an object");
    auto e = optional_string(err->get_object(), "error");
    auto c = optional_string(err->get_object(), "cause");
    if (!e) return std::move(e).error();
    if (!c) return std::move(c).error();
    m.error = e->value_or("");
    m.cause = c->value_or("");
  } else {
    return validation(
        "A test mock should have one of the following fields: [result, errorOutput].");
  }
  auto mode = optional_string(o, "fieldValidationMode");
  if (!mode) return std::move(mode).error();
  if (!*mode || **mode == "STRICT")
    m.validation = FieldValidation::kStrict;
  else if (**mode == "PRESENT")
    m.validation = FieldValidation::kPresent;
  else if (**mode == "NONE")
    m.validation = FieldValidation::kNone;
  else
    return constraint("mock.fieldValidationMode", **mode,
                      "Member must satisfy enum value set: [STRICT, PRESENT, NONE]");
  return m;
}

Result<StateConfiguration> parse_configuration(const json::value& v) {
  if (!v.is_object()) return serialization("stateConfiguration", "an object");
  const json::object& o = v.get_object();
  StateConfiguration c;
  auto retries = optional_int(o, "retrierRetryCount");
  auto failures = optional_int(o, "mapIterationFailureCount");
  auto caused = optional_string(o, "errorCausedByState");
  auto reader = optional_string(o, "mapItemReaderData");
  if (!retries) return std::move(retries).error();
  if (!failures) return std::move(failures).error();
  if (!caused) return std::move(caused).error();
  if (!reader) return std::move(reader).error();
  c.retrier_retry_count = *retries;
  c.map_iteration_failure_count = *failures;
  c.error_caused_by_state = *caused;
  c.map_item_reader_data = *reader;
  return c;
}

Result<json::value> parse_definition(const json::object& body) {
  const json::value* d = member(body, "definition");
  if (d == nullptr) return constraint("definition", "", "Member must not be null", Shown::kNull);
  if (d->is_object()) return *d;  // an in-process caller may hand the object itself
  if (!d->is_string()) return serialization("definition", "a string");
  const json::string& text = d->get_string();
  if (text.size() > definition_bytes_max)
    return constraint("definition", "", "Member must have length less than or equal to 1048576",
                      Shown::kSensitive);
  auto parsed = json::parse(std::string_view(text.data(), text.size()));
  if (!parsed || !parsed->is_object())
    return Error{"InvalidDefinition",
                 "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Definition must be "
                 "a JSON object.'"};
  return std::move(parsed).value();
}

Status parse_payloads(const json::object& body, Request& r) {
  auto input = optional_string(body, "input");
  if (!input) return std::move(input).error();
  r.input_text = input->value_or("{}");
  if (r.input_text.size() > payload_text_bytes_max)
    return constraint("input", "", "Member must have length less than or equal to 262144",
                      Shown::kSensitive);
  auto parsed = json::parse(r.input_text);
  // StartExecution's words: Jackson's message for the text, quoted.
  if (!parsed)
    return Error{"InvalidExecutionInput",
                 "Invalid State Machine Execution Input: '" +
                     asl::json_syntax_message(r.input_text, parsed.error().cause) + "'"};
  r.input = std::move(parsed).value();

  auto vars = optional_string(body, "variables");
  if (!vars) return std::move(vars).error();
  if (*vars) {
    auto v = json::parse(**vars);
    if (!v || !v->is_object()) return validation("Variables must be a valid JSON object.");
    r.variables = std::move(v->get_object());
    r.has_variables = true;
  }
  auto context = optional_string(body, "context");
  if (!context) return std::move(context).error();
  if (*context) {
    auto c = json::parse(**context);
    if (!c || !c->is_object())
      return validation(
          "Invalid Context object provided: Context object must be a valid JSON object");
    r.context = std::move(c->get_object());
  }
  return ok_status();
}

}  // namespace

Result<Request> parse_request(const json::value& body_value) {
  if (!body_value.is_object())
    return Error{"SerializationException", "Request body must be a JSON object"};
  const json::object& body = body_value.get_object();
  Request r;
  auto definition = parse_definition(body);
  if (!definition) return std::move(definition).error();
  r.definition = std::move(definition).value();

  auto role = optional_string(body, "roleArn");
  auto level = optional_string(body, "inspectionLevel");
  auto name = optional_string(body, "stateName");
  if (!role) return std::move(role).error();
  if (!level) return std::move(level).error();
  if (!name) return std::move(name).error();
  r.role_arn = role->value_or("");
  auto lv = parse_level(*level);
  if (!lv) return std::move(lv).error();
  r.level = *lv;
  if (*name && (*name)->empty())
    return constraint("stateName", "", "Member must have length greater than or equal to 1");
  r.state_name = *name;

  if (const json::value* reveal = member(body, "revealSecrets")) {
    if (!reveal->is_bool()) return serialization("revealSecrets", "a boolean");
    r.reveal_secrets = reveal->get_bool();
  }
  if (const json::value* m = member(body, "mock")) {
    auto mock = parse_mock(*m);
    if (!mock) return std::move(mock).error();
    r.mock = std::move(mock).value();
  }
  if (const json::value* c = member(body, "stateConfiguration")) {
    auto conf = parse_configuration(*c);
    if (!conf) return std::move(conf).error();
    r.config = std::move(conf).value();
  }
  if (r.reveal_secrets && r.mock)
    return validation("TestState does not support RevealSecrets when a mock is specified.");
  if (auto s = parse_payloads(body, r); !s) return std::move(s).error();
  return r;
}

}  // namespace stepwise::teststate
