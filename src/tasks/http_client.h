// A blocking HTTP/1.1 client over libcurl, for the task runners that reach HTTP endpoints (HTTP
// tasks, URL functions, OAuth token requests). Redirects are not followed unless asked; the
// response is read up to a byte limit and refused beyond it; a call ends by its deadline or when
// its cancel flag is raised.
//
// Thread-safety: http_perform() blocks its calling thread (run it off the event loop) and may run
// on many threads at once (each call has its own curl handle; global init happens once).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace stepwise::tasks {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool has_body = false;
  std::int64_t timeout_ms = 60000;
  bool follow_redirects = false;
  std::size_t response_bytes_max = 256 * 1024;
};

struct HttpResponse {
  long status = 0;
  std::string status_text;  // the reason phrase the server sent (may be empty under HTTP/2)
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as sent
  std::string body;
};

// Performs the request. Errors (Error.name): "Socket" (no connection, reset, DNS, TLS),
// "Timeout" (the deadline passed), "TooLarge" (the body exceeded response_bytes_max),
// "Cancelled", "BadRequest" (the URL or method could not be used). Cause: a readable reason.
Result<HttpResponse> http_perform(const HttpRequest& request, const std::atomic<bool>* cancel);

// Percent-encoding of RFC 3986 unreserved characters kept (as URLSearchParams-like encoders used
// by AWS do for query strings and form bodies).
std::string url_encode(std::string_view text);

// The standard reason phrase of a status code ("OK", "Not Found"), or "" when unknown.
const char* http_reason_phrase(long status);

}  // namespace stepwise::tasks
