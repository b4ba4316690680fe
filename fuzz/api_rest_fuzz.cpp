// Fuzz target: the REST decoders. Input "PATTERN\nMETHOD TARGET\nHOST": the pattern is
// compiled (PathPattern) and matched against the target's path; the request is routed with
// that method, target and Host (path patterns, S3 virtual hosts, the query string). A match
// captures one parameter per capture segment; routes are always sane.
#include <cstddef>
#include <cstdint>

#include "api/rest_protocol.h"
#include "fuzz/api_fuzz_router.h"
#include "fuzz/fuzz_input.h"

namespace {

std::string_view line(std::string_view& text) {
  std::size_t newline = text.find('\n');
  std::string_view first = text.substr(0, newline);
  text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  return first;
}

bool header_safe(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  namespace http = boost::beast::http;
  std::string_view text = fuzz::as_text(data, size);
  std::string_view pattern_text = line(text), request_line = line(text), host = line(text);
  std::size_t space = request_line.find(' ');
  std::string_view method = request_line.substr(0, space);
  std::string_view target =
      space == std::string_view::npos ? std::string_view("/") : request_line.substr(space + 1);
  auto [path, query] = api::split_target(target);

  auto pattern = api::PathPattern::compile(pattern_text);
  if (pattern.ok()) {
    api::Params params;
    bool matched = pattern->match(path, &params);
    if (!matched && !params.empty()) fuzz::invariant_failed("a failed match left captures", path);
    std::size_t captures = 0;
    for (char c : pattern_text) captures += c == '{';
    if (matched && params.size() != captures)
      fuzz::invariant_failed("captures differ from the pattern's", pattern_text);
  }
  (void)api::decode_query_string(query);
  if (auto bucket = api::bucket_from_host(host); bucket && bucket->empty())
    fuzz::invariant_failed("an empty virtual-host bucket", host);

  if (target.empty() || !header_safe(host) || target.find_first_of(" \r\n") != target.npos)
    return 0;
  http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) verb = http::verb::get;
  api::HttpRequest request{verb, std::string(target), 11};
  request.set(http::field::host, host);
  api::Route route = fuzz::fuzz_router().route(request);
  if (!fuzz::route_is_sane(route)) fuzz::invariant_failed("an insane route", request_line);
  return 0;
}
