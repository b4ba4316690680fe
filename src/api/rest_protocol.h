// The REST protocols: REST-XML (S3) and REST-JSON (EventBridge Scheduler). The operation is
// named by the method and the path, e.g. `PUT /{Bucket}/{Key+}` or `POST /schedules/{Name}`;
// parameters come from the path, the query string and headers. This file holds the decoders:
// path patterns with their captures, the query string, S3's virtual-host bucket, header lookup.
//
// Thread-safety: PathPattern is immutable after compile(); the functions are pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/protocol.h"
#include "api/query_protocol.h"
#include "base/result.h"

namespace stepwise::api {

namespace rest_limits {
inline constexpr std::size_t pattern_segments_max = 32;
// A request path: S3 keys are at most 1,024 bytes, %-encoded up to three times that.
inline constexpr std::size_t path_bytes_max = 8 * 1024;
}  // namespace rest_limits

using Params = std::vector<std::pair<std::string, std::string>>;

// A path pattern as the AWS models write `requestUri` (without its query part): literal
// segments, `{Name}` (one non-empty segment) and a final `{Name+}` (the rest, '/' included).
class PathPattern {
 public:
  // Errors: "Api.Pattern" for a pattern not starting with '/', an unclosed '{', a greedy
  // capture before the end, or more than pattern_segments_max segments.
  static Result<PathPattern> compile(std::string_view pattern);

  // True when `path` (%-encoded, no query) matches; captures are appended %-decoded to params.
  // A capture whose %-escapes are malformed does not match.
  bool match(std::string_view path, Params* params) const;
  const std::string& text() const { return text_; }

 private:
  struct Segment {
    std::string text;  // the literal, or the capture's name
    bool capture = false;
    bool greedy = false;
  };
  std::string text_;
  std::vector<Segment> segments_;
};

// The path of a request-target (before '?') and its query string (after, may be empty).
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

// The query string decoded: as a form ('+' a space). `?uploads` gives {"uploads", ""}.
FormDecoded decode_query_string(std::string_view query);

// S3 virtual-host style: the bucket named by a Host `bucket.localhost[:port]` or
// `bucket.s3.<anything>`; nullopt for any other host (IP addresses, plain `localhost`).
std::optional<std::string_view> bucket_from_host(std::string_view host);

// A header's value ("" when absent); names compare case-insensitively.
std::string_view header_value(const HttpRequest& request, std::string_view name);

// REST routing errors: NotFound (404) and MethodNotAllowed (405).
ApiError no_route(std::string_view method, std::string_view path);
ApiError method_not_allowed(std::string_view method, std::string_view path);

}  // namespace stepwise::api
