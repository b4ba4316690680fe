// Request field readers, AWS's error texts, queue names and attributes, receipt handles.
#include <cctype>
#include <charconv>

#include "services/common/codec.h"
#include "services/sqs/sqs_internal.h"

namespace stepwise::services::sqs {

const json::value* field(const json::object& r, std::string_view name) {
  const json::value* v = r.if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

std::string text_field(const json::object& r, std::string_view name) {
  const json::value* v = field(r, name);
  if (v == nullptr) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "true" : "false";
  if (json::is_number(*v)) return json::dump(*v);
  return "";
}

IntField int_field(const json::object& r, std::string_view name) {
  const json::value* v = field(r, name);
  if (v == nullptr) return {};
  if (v->is_int64()) return {v->get_int64(), std::nullopt};
  if (v->is_uint64() && v->get_uint64() <= 0x7fffffffffffffffULL)
    return {static_cast<std::int64_t>(v->get_uint64()), std::nullopt};
  if (v->is_string()) {
    std::string_view s(v->get_string());
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return {n, std::nullopt};
  }
  std::string shown = v->is_string() ? std::string(v->get_string()) : json::dump(*v);
  return {std::nullopt, invalid_value(name, shown, "Must be an integer.")};
}

std::vector<std::string> list_field(const json::object& r, std::string_view name) {
  std::vector<std::string> out;
  const json::value* v = field(r, name);
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& item : v->get_array())
    if (item.is_string()) out.emplace_back(item.get_string());
  return out;
}

api::ApiError sqs_error(std::string type, std::string message, std::string query_code,
                        unsigned status) {
  if (query_code.empty()) query_code = type;
  return api::ApiError{std::move(type), std::move(message), status, std::move(query_code)};
}

api::ApiError no_such_queue() {
  return sqs_error("QueueDoesNotExist", "The specified queue does not exist.",
                   "AWS.SimpleQueueService.NonExistentQueue");
}

api::ApiError missing(std::string_view parameter) {
  return sqs_error("MissingParameter",
                   "The request must contain the parameter " + std::string(parameter) + ".");
}

api::ApiError invalid_value(std::string_view parameter, std::string_view value,
                            std::string_view reason) {
  return sqs_error("InvalidParameterValue", "Value " + std::string(value) + " for parameter " +
                                                std::string(parameter) +
                                                " is invalid. Reason: " + std::string(reason));
}

api::ApiError invalid_attribute_name(std::string_view name) {
  return sqs_error("InvalidAttributeName", "Unknown Attribute " + std::string(name) + ".");
}

bool valid_queue_name(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > sqs_limits::queue_name_bytes_max) return false;
  std::string_view stem = name;
  if (fifo) {
    if (!name.ends_with(".fifo") || name.size() == 5) return false;
    stem.remove_suffix(5);
  }
  for (char c : stem) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

namespace {

struct IntRange {
  const char* name;
  std::int64_t min;
  std::int64_t max;
};
constexpr IntRange kIntAttributes[] = {
    {"DelaySeconds", 0, sqs_limits::delay_seconds_max},
    {"MaximumMessageSize", static_cast<std::int64_t>(sqs_limits::message_bytes_min_setting),
     static_cast<std::int64_t>(sqs_limits::message_bytes_max)},
    {"MessageRetentionPeriod", sqs_limits::retention_seconds_min,
     sqs_limits::retention_seconds_max},
    {"ReceiveMessageWaitTimeSeconds", 0, sqs_limits::wait_seconds_max},
    {"VisibilityTimeout", 0, sqs_limits::visibility_seconds_max},
    {"KmsDataKeyReusePeriodSeconds", 60, 86'400},
};

api::ApiError invalid_attribute_value(const std::string& name) {
  return sqs_error("InvalidAttributeValue", "Invalid value for the parameter " + name + ".");
}

bool parse_int(std::string_view s, std::int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

std::optional<api::ApiError> check_redrive(const std::string& value) {
  auto parsed = json::parse(value);
  auto bad = [&](std::string reason) { return invalid_value("RedrivePolicy", value, reason); };
  if (!parsed.ok() || !parsed->is_object()) return bad("Redrive policy is not a valid JSON map.");
  const auto& o = parsed->get_object();
  std::string target = text_field(o, "deadLetterTargetArn");
  if (target.empty())
    return bad(
        "Redrive policy does not contain mandatory attribute: "
        "deadLetterTargetArn.");
  std::int64_t n = 0;
  if (!parse_int(text_field(o, "maxReceiveCount"), n))
    return bad("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  if (n < 1 || n > sqs_limits::max_receive_count_max)
    return bad("Invalid value for maxReceiveCount: " + std::to_string(n) +
               ", valid values are from 1 to 1000 both inclusive.");
  return std::nullopt;
}

}  // namespace

std::optional<api::ApiError> check_attribute(const std::string& name, const std::string& value,
                                             bool fifo, bool creating) {
  for (const auto& r : kIntAttributes) {
    if (name != r.name) continue;
    std::int64_t n = 0;
    if (!parse_int(value, n) || n < r.min || n > r.max) return invalid_attribute_value(name);
    return std::nullopt;
  }
  if (name == "RedrivePolicy") return value.empty() ? std::nullopt : check_redrive(value);
  if (name == "Policy" || name == "RedriveAllowPolicy") {
    if (value.size() > sqs_limits::policy_bytes_max) return invalid_attribute_value(name);
    if (!value.empty() && !json::parse(value).ok()) return invalid_attribute_value(name);
    return std::nullopt;
  }
  if (name == "KmsMasterKeyId") return std::nullopt;
  if (name == "SqsManagedSseEnabled") {
    if (value != "true" && value != "false") return invalid_attribute_value(name);
    return std::nullopt;
  }
  if (name == "FifoQueue") {
    if (!creating) return invalid_attribute_name(name);
    if (value != "true" && value != "false") return invalid_attribute_value(name);
    return std::nullopt;
  }
  if (name == "ContentBasedDeduplication" || name == "DeduplicationScope" ||
      name == "FifoThroughputLimit") {
    if (!fifo) return invalid_attribute_name(name);
    bool ok = name == "ContentBasedDeduplication" ? (value == "true" || value == "false")
              : name == "DeduplicationScope"
                  ? (value == "messageGroup" || value == "queue")
                  : (value == "perQueue" || value == "perMessageGroupId");
    if (!ok) return invalid_attribute_value(name);
    return std::nullopt;
  }
  return invalid_attribute_name(name);
}

std::map<std::string, std::string> default_attributes(bool fifo) {
  std::map<std::string, std::string> a{
      {"DelaySeconds", "0"},
      {"MaximumMessageSize", std::to_string(sqs_limits::message_bytes_max)},
      {"MessageRetentionPeriod", std::to_string(sqs_limits::retention_seconds_default)},
      {"ReceiveMessageWaitTimeSeconds", "0"},
      {"VisibilityTimeout", "30"},
      {"SqsManagedSseEnabled", "true"},
  };
  if (fifo) {
    a["FifoQueue"] = "true";
    a["ContentBasedDeduplication"] = "false";
    a["DeduplicationScope"] = "queue";
    a["FifoThroughputLimit"] = "perQueue";
  }
  return a;
}

std::map<std::string, std::string> attribute_map(const json::value* v, api::ApiError* error) {
  std::map<std::string, std::string> out;
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_object()) {
    *error = sqs_error("InvalidParameterValue", "Attributes must be a map of names to values.");
    return out;
  }
  for (const auto& kv : v->get_object()) {
    const auto& val = kv.value();
    std::string text = val.is_string() ? std::string(val.get_string())
                       : val.is_bool() ? (val.get_bool() ? "true" : "false")
                                       : json::dump(val);
    out[std::string(kv.key())] = std::move(text);
  }
  return out;
}

bool valid_batch_id(std::string_view id) {
  if (id.empty() || id.size() > sqs_limits::batch_id_bytes_max) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

std::string receipt_handle(const std::string& queue_key, std::uint64_t seq, std::uint64_t nonce) {
  return base64_encode(queue_key + "\n" + std::to_string(seq) + "\n" + std::to_string(nonce));
}

std::optional<Receipt> parse_receipt(std::string_view handle) {
  auto bytes = base64_decode(handle);
  if (!bytes) return std::nullopt;
  auto a = bytes->find('\n');
  auto b = a == std::string::npos ? a : bytes->find('\n', a + 1);
  if (b == std::string::npos) return std::nullopt;
  Receipt r;
  r.queue_key = bytes->substr(0, a);
  std::string_view s(*bytes);
  auto seq = s.substr(a + 1, b - a - 1), nonce = s.substr(b + 1);
  if (std::from_chars(seq.data(), seq.data() + seq.size(), r.seq).ptr != seq.data() + seq.size())
    return std::nullopt;
  if (std::from_chars(nonce.data(), nonce.data() + nonce.size(), r.nonce).ptr !=
      nonce.data() + nonce.size())
    return std::nullopt;
  if (r.queue_key.empty() || r.seq == 0) return std::nullopt;
  return r;
}

std::string seq_key(const std::string& queue_key, std::uint64_t seq) {
  std::string digits = std::to_string(seq);
  return queue_key + "/" + std::string(20 - std::min<std::size_t>(20, digits.size()), '0') + digits;
}

void Sqs::Queue::refresh() {
  auto num = [&](const char* k, std::int64_t def) {
    auto it = attributes.find(k);
    std::int64_t n = def;
    if (it != attributes.end() && !parse_int(it->second, n)) n = def;
    return n;
  };
  delay_s = num("DelaySeconds", 0);
  visibility_s = num("VisibilityTimeout", 30);
  retention_s = num("MessageRetentionPeriod", sqs_limits::retention_seconds_default);
  max_size = num("MaximumMessageSize", static_cast<std::int64_t>(sqs_limits::message_bytes_max));
  wait_s = num("ReceiveMessageWaitTimeSeconds", 0);
  content_dedup = attributes["ContentBasedDeduplication"] == "true";
  dedup_per_group = attributes["DeduplicationScope"] == "messageGroup";
  if (!fifo) {
    attributes.erase("ContentBasedDeduplication");
    attributes.erase("DeduplicationScope");
  }
  dlq_arn.clear();
  max_receive = 0;
  auto rp = attributes.find("RedrivePolicy");
  if (rp != attributes.end() && !rp->second.empty()) {
    auto parsed = json::parse(rp->second);
    if (parsed.ok() && parsed->is_object()) {
      dlq_arn = text_field(parsed->get_object(), "deadLetterTargetArn");
      std::int64_t n = 0;
      if (parse_int(text_field(parsed->get_object(), "maxReceiveCount"), n)) max_receive = n;
    }
  }
}

}  // namespace stepwise::services::sqs
