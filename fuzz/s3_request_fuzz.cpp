// Fuzz target: the built-in S3's request decoding. Input: "METHOD TARGET\n" header lines
// "Name: value\n", a blank line, then the body. The body also goes straight through the
// aws-chunked decoder, the XML reader and the Range parser; the request then runs through the
// REST handler on a fresh in-memory S3 holding bucket "bkt" with object "obj" (so PUT, GET
// with Range, copies, multipart, DeleteObjects all reach real state). Every request must be
// answered exactly once, with an answer or S3's error — never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "api/rest_protocol.h"
#include "fuzz/fuzz_input.h"
#include "services/common/record_log.h"
#include "services/s3/s3.h"
#include "services/s3/s3_rest.h"
#include "services/s3/s3_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  using namespace stepwise::services;
  std::string_view text = fuzz::as_text(data, size);
  auto head_end = text.find("\n\n");
  std::string_view head = text.substr(0, head_end);
  std::string_view body = head_end == std::string_view::npos ? "" : text.substr(head_end + 2);

  // The decoders on their own.
  auto chunked = s3::decode_aws_chunked(body);
  if (!chunked.body && chunked.error.type.empty())
    fuzz::invariant_failed("aws-chunked failed without an error", text);
  (void)s3::parse_xml(body);
  auto range = s3::parse_range(body.substr(0, 64), 1000);
  if (range.kind == s3::RangeRequest::Kind::range &&
      (range.first > range.last || range.last >= 1000))
    fuzz::invariant_failed("a range outside the object", text);

  // The request line and headers.
  auto line_end = head.find('\n');
  std::string_view line = head.substr(0, line_end);
  auto space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  auto verb = boost::beast::http::string_to_verb(boost::beast::string_view(line.data(), space));
  if (verb == boost::beast::http::verb::unknown) return 0;
  std::string target(line.substr(space + 1));
  if (target.empty() || target.front() != '/') return 0;
  api::HttpRequest http;
  http.method(verb);
  http.target(target);
  http.set("Host", "localhost");
  std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 1;
  while (pos < head.size()) {
    auto end = head.find('\n', pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view h = head.substr(pos, end - pos);
    pos = end + 1;
    auto colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (value.find_first_of("\r\n") != std::string_view::npos) continue;
    http.set(boost::beast::string_view(h.data(), colon),
             boost::beast::string_view(value.data(), value.size()));
  }
  http.body() = std::string(body);
  auto [path, query] = api::split_target(http.target());
  api::Params params;
  if (!query.empty()) {
    auto decoded = api::decode_query_string(query);
    if (!decoded.ok()) return 0;
    params = decoded.form->params;
  }

  ManualClock clock(1'700'000'000'000);
  MemoryRecordLog log;
  auto opened = s3::S3::open(
      s3::S3Options{.clock = clock, .log = log, .put_bytes_max = 1 << 20, .id_seed = 1});
  if (!opened.ok()) fuzz::invariant_failed("S3 did not open", text);
  s3::S3& service = **opened;
  service.create_bucket("bkt", "us-east-1", [](s3::Answer<s3::Nothing>) {});
  s3::PutInput obj;
  obj.bucket = "bkt";
  obj.key = "obj";
  obj.body = "0123456789";
  service.put_object(obj, [](s3::Answer<s3::PutResult>) {});

  api::RestRequest request{"", std::string(path), "", {}, std::move(params), http};
  api::RequestInfo info;
  info.request_id = "fuzz";
  info.host = "localhost";
  int answers = 0;
  s3::handle_rest(service, request, info, [&](api::RawResponse r) {
    ++answers;
    if (r.is_error() && (r.error().status < 300 || r.error().type.empty()))
      fuzz::invariant_failed("an error without a code or an error status", text);
  });
  if (answers != 1) fuzz::invariant_failed("a request was not answered exactly once", text);
  return 0;
}
