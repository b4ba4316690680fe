#include "services/sqs/message.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "api/protocol.h"
#include "json/clamp.h"
#include "services/common/codec.h"
#include "services/common/record_text.h"
#include "services/sqs/sqs_limits.h"

namespace stepwise::services::sqs {
namespace {

void put_length_prefixed(std::string& out, std::string_view bytes) {
  const auto n = static_cast<std::uint32_t>(bytes.size());
  out += static_cast<char>((n >> 24) & 0xff);
  out += static_cast<char>((n >> 16) & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
  out.append(bytes);
}

api::ApiError invalid(std::string message) {
  return api::ApiError{"InvalidParameterValue", std::move(message), 400, "InvalidParameterValue"};
}

// Names: letters, digits, '_', '-', '.'; no leading/trailing or doubled '.'; not AWS./Amazon.
bool valid_attribute_name(std::string_view name) {
  if (name.empty() || name.size() > sqs_limits::attribute_name_bytes_max) return false;
  if (name.front() == '.' || name.back() == '.') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return false;
    if (c == '.' && i + 1 < name.size() && name[i + 1] == '.') return false;
  }
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return !lower.starts_with("aws.") && !lower.starts_with("amazon.");
}

// "Number" values: an optional sign, digits, an optional fraction and exponent.
bool valid_number(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

std::string base_type(std::string_view data_type) {
  auto dot = data_type.find('.');
  return std::string(data_type.substr(0, dot));
}

std::string str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<api::ApiError> parse_one(const std::string& name, const json::value& v, bool system,
                                       AttributeMap& out) {
  if (!v.is_object())
    return invalid("The message attribute '" + name + "' must contain a DataType.");
  const auto& o = v.get_object();
  AttributeValue a;
  a.data_type = str(o, "DataType");
  if (a.data_type.empty())
    return invalid("The message attribute '" + name +
                   "' must contain non-empty message "
                   "attribute type.");
  const std::string base = base_type(a.data_type);
  if ((base != "String" && base != "Number" && base != "Binary") ||
      a.data_type.size() > sqs_limits::data_type_bytes_max)
    return invalid("The type of message (user) attribute '" + name +
                   "' is invalid. You must "
                   "use only the following supported type prefixes: Binary, Number, String.");
  if (system && (name != "AWSTraceHeader" || base != "String"))
    return invalid("Message system attribute name '" + name + "' is invalid.");
  a.binary = base == "Binary";
  if (a.binary) {
    auto* b = o.if_contains("BinaryValue");
    auto bytes =
        b && b->is_string() ? base64_decode(std::string_view(b->get_string())) : std::nullopt;
    if (!bytes || bytes->empty())
      return invalid("The message attribute '" + name +
                     "' must contain non-empty message "
                     "attribute value for message attribute type '" +
                     base + "'.");
    a.value = std::move(*bytes);
  } else {
    a.value = str(o, "StringValue");
    if (a.value.empty())
      return invalid("The message attribute '" + name +
                     "' must contain non-empty message "
                     "attribute value for message attribute type '" +
                     base + "'.");
    if (base == "Number" && !valid_number(a.value))
      return invalid("Can't cast the value of message (user) attribute '" + name +
                     "' to a number.");
    if (!valid_message_characters(a.value))
      return api::ApiError{"InvalidMessageContents",
                           "Invalid characters found. Valid unicode characters are #x9 | #xA | "
                           "#xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
                           400, "InvalidMessageContents"};
  }
  out[name] = std::move(a);
  return std::nullopt;
}

}  // namespace

std::string attributes_md5(const AttributeMap& attributes) {
  if (attributes.empty()) return "";
  std::string bytes;
  for (const auto& [name, a] : attributes) {
    put_length_prefixed(bytes, name);
    put_length_prefixed(bytes, a.data_type);
    bytes += static_cast<char>(a.binary ? 2 : 1);
    put_length_prefixed(bytes, a.value);
  }
  return md5_hex(bytes);
}

std::optional<api::ApiError> parse_attributes(const json::value* v, bool system,
                                              AttributeMap& out) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_object()) return invalid("The request has an invalid message attribute map.");
  const auto& o = v->get_object();
  if (o.size() > sqs_limits::message_attributes_max)
    return invalid("Number of message attributes [" + std::to_string(o.size()) +
                   "] exceeds the allowed maximum [" +
                   std::to_string(sqs_limits::message_attributes_max) + "].");
  for (const auto& kv : o) {
    std::string name(kv.key());
    if (!system && !valid_attribute_name(name))
      return invalid("Message (user) attribute name '" + name + "' is invalid.");
    if (auto e = parse_one(name, kv.value(), system, out)) return e;
  }
  return std::nullopt;
}

json::object attributes_json(const AttributeMap& attributes) {
  json::object out;
  for (const auto& [name, a] : attributes) {
    json::object v{{"DataType", a.data_type}};
    if (a.binary) {
      v["BinaryValue"] = base64_encode(a.value);
    } else {
      v["StringValue"] = a.value;
    }
    out[name] = std::move(v);
  }
  return out;
}

std::size_t attributes_size(const AttributeMap& attributes) {
  std::size_t n = 0;
  for (const auto& [name, a] : attributes) n += name.size() + a.data_type.size() + a.value.size();
  return n;
}

bool valid_message_characters(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = api::utf8_sequence_length(text, i);
    if (len == 0) return false;
    if (len == 1) {
      auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 && c != 0x9 && c != 0xA && c != 0xD) return false;
    } else if (len == 3) {
      // U+FFFE and U+FFFF are not allowed (surrogates are already malformed UTF-8).
      auto b1 = static_cast<unsigned char>(text[i + 1]);
      auto b2 = static_cast<unsigned char>(text[i + 2]);
      if (static_cast<unsigned char>(text[i]) == 0xEF && b1 == 0xBF && (b2 == 0xBE || b2 == 0xBF))
        return false;
    }
    i += len;
  }
  return true;
}

std::string message_record(const Message& m) {
  // Written as text, not built as a json::object and dumped: every sent message makes one, and
  // the tree would copy the body once more. The same bytes as dumping that object.
  std::string out;
  out.reserve(192 + m.body.size() + m.id.size() + m.sender_id.size());
  namespace rt = record_text;
  out += "{\"seq\":";
  rt::integer(out, m.seq);
  rt::text(out, "id", m.id);
  rt::text(out, "body", m.body);
  rt::integer(out, "sent", m.sent_ms);
  rt::integer(out, "visible", m.visible_ms);
  rt::integer(out, "first", m.first_receive_ms);
  rt::integer(out, "count", m.receive_count);
  rt::integer(out, "receipt", m.receipt);
  rt::key(out, "flight");
  out += m.in_flight ? "true" : "false";
  rt::text(out, "sender", m.sender_id);
  if (!m.attributes.empty()) {
    rt::key(out, "attrs");
    json::dump_to(attributes_json(m.attributes), out);
  }
  if (!m.system_attributes.empty()) {
    rt::key(out, "sys");
    json::dump_to(attributes_json(m.system_attributes), out);
  }
  if (!m.group_id.empty()) rt::text(out, "group", m.group_id);
  if (!m.dedup_id.empty()) rt::text(out, "dedup", m.dedup_id);
  if (!m.sequence_number.empty()) rt::text(out, "seqno", m.sequence_number);
  if (!m.dead_letter_source_arn.empty()) rt::text(out, "dlq_source", m.dead_letter_source_arn);
  out += '}';
  return out;
}

std::optional<Message> message_from_record(std::string_view text) {
  auto parsed = json::parse(text);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const auto& o = parsed->get_object();
  auto num = [&](std::string_view k) -> std::int64_t {
    auto* v = o.if_contains(k);
    return v && json::is_number(*v) ? json::as_int64_clamped(*v) : 0;
  };
  auto u64 = [&](std::string_view k) -> std::uint64_t {
    auto* v = o.if_contains(k);
    if (v == nullptr) return 0;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64()) return static_cast<std::uint64_t>(v->get_int64());
    return 0;
  };
  Message m;
  m.seq = u64("seq");
  m.id = str(o, "id");
  m.body = str(o, "body");
  m.sent_ms = num("sent");
  m.visible_ms = num("visible");
  m.first_receive_ms = num("first");
  m.receive_count = num("count");
  m.receipt = u64("receipt");
  auto* flight = o.if_contains("flight");
  m.in_flight = flight && flight->is_bool() && flight->get_bool();
  m.sender_id = str(o, "sender");
  if (parse_attributes(o.if_contains("attrs"), false, m.attributes)) return std::nullopt;
  if (parse_attributes(o.if_contains("sys"), true, m.system_attributes)) return std::nullopt;
  m.group_id = str(o, "group");
  m.dedup_id = str(o, "dedup");
  m.sequence_number = str(o, "seqno");
  m.dead_letter_source_arn = str(o, "dlq_source");
  m.md5_body = md5_hex(m.body);
  m.md5_attributes = attributes_md5(m.attributes);
  m.md5_system_attributes = attributes_md5(m.system_attributes);
  if (m.id.empty() || m.seq == 0) return std::nullopt;
  return m;
}

}  // namespace stepwise::services::sqs
