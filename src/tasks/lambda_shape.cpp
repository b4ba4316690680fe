// Lambda's shapes as Step Functions sees them (see lambda_shape.h): event bytes, payloads, the
// Invoke response, function and service errors, a Python traceback as the runtime reports it.
#include "tasks/lambda_shape.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <vector>

namespace stepwise::tasks {
namespace {

// Python's float repr: shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16.
std::string python_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string s(buf, r.ptr);
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  auto e = s.find('e');
  int exp = std::atoi(s.c_str() + e + 1);
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits.push_back(c);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int n = static_cast<int>(digits.size());
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return sign + "0." + std::string(-exp - 1, '0') + digits;
    if (n <= exp + 1) return sign + digits + std::string(exp + 1 - n, '0') + ".0";
    return sign + digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
  }
  std::string mant = digits.substr(0, 1) + (n > 1 ? "." + digits.substr(1) : "");
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
  return sign + mant + ebuf;
}

// Iterative over an explicit stack would be longer; values here were parsed with the json
// module's depth limit, so recursion depth is bounded by limits::json_depth_max.
void python_dump(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      out += std::to_string(v.get_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(v.get_uint64());
      return;
    case boost::json::kind::double_:
      out += python_float(v.get_double());
      return;
    case boost::json::kind::string:
      json::quote_to(v.get_string(), out, json::QuoteStyle::kPython);
      return;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        python_dump(item, out);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ", ";
        first = false;
        json::quote_to(kv.key(), out, json::QuoteStyle::kPython);
        out += ": ";
        python_dump(kv.value(), out);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

std::string python_json_dumps(const json::value& v) {
  std::string out;
  python_dump(v, out);
  return out;
}

std::string invoke_event_bytes(const json::value* payload) {
  if (payload == nullptr || payload->is_null()) return "{}";
  if (payload->is_string()) {
    std::string_view text = payload->get_string();
    if (json::parse(text).ok()) return std::string(text);
  }
  return json::dump(*payload);
}

json::value payload_from_bytes(std::string_view bytes) {
  auto parsed = json::parse(bytes);
  if (parsed.ok()) return std::move(parsed.value());
  // Raw bytes: kept as text; invalid UTF-8 becomes U+FFFD so the value stays valid JSON.
  std::string text;
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t start = i;
    std::uint32_t cp = json::next_code_point(bytes, &i);
    if (cp == 0xFFFD && !(i - start == 3 && bytes.substr(start, 3) == "\xEF\xBF\xBD"))
      text += "\xEF\xBF\xBD";
    else
      text.append(bytes.substr(start, i - start));
  }
  return json::value(json::string(text));
}

json::value invoke_response(json::value payload, const InvokeMeta& meta) {
  const std::string length = std::to_string(meta.payload_bytes);
  auto list = [](const std::string& s) { return json::value(json::array{json::value(s)}); };
  json::object all;
  if (meta.log_result) all["X-Amz-Log-Result"] = list(*meta.log_result);
  all["X-Amz-Executed-Version"] = list(meta.executed_version);
  all["x-amzn-Remapped-Content-Length"] = list("0");
  all["Connection"] = list("keep-alive");
  all["x-amzn-RequestId"] = list(meta.request_id);
  all["Content-Length"] = list(length);
  all["Date"] = list(meta.http_date);
  all["X-Amzn-Trace-Id"] = list(meta.trace_id);
  all["Content-Type"] = list("application/json");
  json::object headers;
  headers["Connection"] = "keep-alive";
  headers["Content-Length"] = length;
  headers["Content-Type"] = "application/json";
  headers["Date"] = meta.http_date;
  headers["X-Amz-Executed-Version"] = meta.executed_version;
  if (meta.log_result) headers["X-Amz-Log-Result"] = *meta.log_result;
  headers["x-amzn-Remapped-Content-Length"] = "0";
  headers["x-amzn-RequestId"] = meta.request_id;
  headers["X-Amzn-Trace-Id"] = meta.trace_id;
  json::object http;
  http["AllHttpHeaders"] = std::move(all);
  http["HttpHeaders"] = std::move(headers);
  http["HttpStatusCode"] = 200;
  json::object out;
  out["ExecutedVersion"] = meta.executed_version;
  if (meta.log_result) out["LogResult"] = *meta.log_result;
  out["Payload"] = std::move(payload);
  out["SdkHttpMetadata"] = std::move(http);
  out["SdkResponseMetadata"] = json::object{{"RequestId", meta.request_id}};
  out["StatusCode"] = 200;
  return out;
}

TaskOutcome function_error_outcome(std::string_view payload, CauseLayout layout) {
  auto parsed = json::parse(payload);
  if (parsed.ok() && parsed->is_object()) {
    const auto* type = parsed->get_object().if_contains("errorType");
    if (type != nullptr && type->is_string() && !type->get_string().empty()) {
      return TaskOutcome::failure(std::string(type->get_string()), layout == CauseLayout::compact
                                                                       ? json::dump(parsed.value())
                                                                       : std::string(payload));
    }
  }
  return TaskOutcome::failure(
      "Lambda.Unknown",
      "The cause could not be determined because Lambda did not return an error type. "
      "Returned payload: " +
          std::string(payload));
}

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// A Python class name, possibly qualified by its module ("requests.exceptions.HTTPError").
bool is_python_type_name(std::string_view name) {
  if (name.empty()) return false;
  bool start = true;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '.') {
      if (start) return false;
      start = true;
      continue;
    }
    if (!(std::isalpha(c) || ch == '_' || (!start && std::isdigit(c)))) return false;
    start = false;
  }
  return !start;
}

}  // namespace

std::optional<std::string> python_exception_error(std::string_view stderr_text,
                                                  const std::string& request_id) {
  constexpr std::string_view kHeader = "Traceback (most recent call last):";
  std::size_t at = stderr_text.rfind(kHeader);
  if (at == std::string_view::npos || (at > 0 && stderr_text[at - 1] != '\n')) return std::nullopt;
  std::vector<std::string_view> lines = split_lines(stderr_text.substr(at + kHeader.size() + 1));
  json::array frames;
  std::size_t i = 0;
  // Frames: "  File ..." then the frame's indented source (and caret) lines.
  while (i < lines.size() && lines[i].starts_with("  ")) {
    std::string frame = std::string(lines[i]) + "\n";
    for (++i; i < lines.size() && lines[i].starts_with("    "); ++i)
      frame += std::string(lines[i]) + "\n";
    frames.push_back(json::value(json::string(frame)));
  }
  if (i >= lines.size()) return std::nullopt;
  // "ValueError: message" (the message may span the lines up to the end), or just "ValueError".
  std::string_view first = lines[i];
  std::size_t colon = first.find(": ");
  std::string_view type = colon == std::string_view::npos ? first : first.substr(0, colon);
  if (!type.empty() && type.back() == ':') type.remove_suffix(1);
  if (!is_python_type_name(type)) return std::nullopt;
  std::string message = colon == std::string_view::npos ? "" : std::string(first.substr(colon + 2));
  for (++i; i < lines.size(); ++i) message += "\n" + std::string(lines[i]);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
  if (std::size_t dot = type.rfind('.'); dot != std::string_view::npos) type.remove_prefix(dot + 1);
  json::object error;
  error["errorMessage"] = message;
  error["errorType"] = std::string(type);
  error["requestId"] = request_id;
  error["stackTrace"] = std::move(frames);
  return python_json_dumps(json::value(std::move(error)));
}

TaskOutcome service_error_outcome(const std::string& type, const std::string& message) {
  json::object err;
  err["errorType"] = type;
  err["errorMessage"] = message;
  return TaskOutcome::failure(type, json::dump(err));
}

TaskOutcome data_limit_outcome(const std::string& resource) {
  return TaskOutcome::failure("States.DataLimitExceeded",
                              "The state/task '" + resource +
                                  "' returned a result with a size exceeding the maximum number "
                                  "of bytes service limit.");
}

std::string base64_encode(std::string_view bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                      (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                      static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(alphabet[(n >> shift) & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string http_date(std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace stepwise::tasks
