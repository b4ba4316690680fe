#include "api/query_protocol.h"

#include <algorithm>
#include <cctype>

#include "api/xml_writer.h"

namespace stepwise::api {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

FormDecoded malformed(std::string message) {
  return FormDecoded{std::nullopt, ApiError{"MalformedQueryString", std::move(message), 400}};
}

}  // namespace

const std::string* Form::find(std::string_view name) const {
  for (const auto& [n, v] : params)
    if (n == name) return &v;
  return nullptr;
}

bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_digit(in[i + 1]);
      int lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

FormDecoded decode_form(std::string_view text) {
  Form form;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    if (form.params.size() >= query_limits::params_max)
      return malformed("The query string has more than " +
                       std::to_string(query_limits::params_max) + " parameters");
    std::size_t eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    if (name.empty()) return malformed("The query string has a parameter without a name");
    if (name.size() > query_limits::name_bytes_max)
      return malformed("A query parameter name is longer than " +
                       std::to_string(query_limits::name_bytes_max) + " bytes");
    std::pair<std::string, std::string> p;
    if (!percent_decode(name, true, p.first) || !percent_decode(value, true, p.second))
      return malformed("The query string contains a malformed %-escape");
    form.params.push_back(std::move(p));
  }
  return FormDecoded{std::move(form), {}};
}

bool is_form_content_type(std::string_view content_type) {
  constexpr std::string_view form = "application/x-www-form-urlencoded";
  if (content_type.size() < form.size()) return false;
  for (std::size_t i = 0; i < form.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(content_type[i])) != form[i]) return false;
  return content_type.size() == form.size() || content_type[form.size()] == ';' ||
         content_type[form.size()] == ' ';
}

std::string query_response_body(std::string_view action, std::string_view xmlns,
                                std::string_view result_xml, std::string_view request_id) {
  std::string response(action), result(action);
  response += "Response";
  result += "Result";
  XmlWriter w;
  w.open(response, xmlns);
  if (!result_xml.empty()) w.open(result).raw(result_xml).close();
  w.open("ResponseMetadata").element("RequestId", request_id).close();
  return w.finish();
}

ApiError missing_action() {
  return ApiError{"MissingAction", "The request must contain the parameter Action.", 400};
}

ApiError invalid_action(std::string_view action) {
  return ApiError{
      "InvalidAction",
      "The action " + std::string(action.substr(0, 128)) + " is not valid for this endpoint.", 400};
}

}  // namespace stepwise::api
