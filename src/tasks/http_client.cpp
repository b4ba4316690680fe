// libcurl, one easy handle per call. Cancellation and the byte limit use the transfer callbacks:
// returning a short count (write) or non-zero (progress) aborts the transfer at once.
#include "tasks/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

#include "tasks/task_limits.h"

namespace stepwise::tasks {
namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  const HttpRequest* request = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  HttpResponse response;
  std::size_t header_bytes = 0;
  bool too_large = false;
  bool headers_too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t bytes = size * n;
  if (t->response.body.size() + bytes > t->request->response_bytes_max) {
    t->too_large = true;
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, bytes);
  return bytes;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// Header lines arrive one per call; a status line starts a new response (after a 100 Continue,
// or a redirect being followed), so earlier headers are dropped.
std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t bytes = size * n;
  t->header_bytes += bytes;
  if (t->header_bytes > limits::http_header_bytes_max) {
    t->headers_too_large = true;
    return 0;
  }
  std::string line(data, bytes);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();
    auto sp1 = line.find(' ');
    auto sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
    t->response.status_text = sp2 == std::string::npos ? "" : trim(line.substr(sp2 + 1));
    return bytes;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return bytes;  // the blank line ending the headers
  t->response.headers.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
  return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->cancel != nullptr && t->cancel->load() ? 1 : 0;
}

bool method_ok(const std::string& m) {
  if (m.empty() || m.size() > 32) return false;
  for (char c : m)
    if (!std::isupper(static_cast<unsigned char>(c))) return false;
  return true;
}

Error transfer_error(CURLcode code, const Transfer& t, const char* detail) {
  std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  if (t.cancel != nullptr && t.cancel->load()) return Error{"Cancelled", why};
  if (t.too_large) return Error{"TooLarge", "the response body exceeds the size limit"};
  if (t.headers_too_large) return Error{"TooLarge", "the response headers exceed the size limit"};
  if (code == CURLE_OPERATION_TIMEDOUT) return Error{"Timeout", why};
  return Error{"Socket", why};
}

// Owns the curl handle and header list of one call.
struct Handles {
  CURL* easy = curl_easy_init();
  curl_slist* headers = nullptr;
  ~Handles() {
    curl_slist_free_all(headers);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

void set_options(CURL* easy, const HttpRequest& request, Transfer& t, curl_slist* headers,
                 char* errbuf) {
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  if (request.has_body) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // any encoding curl can decode
}

}  // namespace

Result<HttpResponse> http_perform(const HttpRequest& request, const std::atomic<bool>* cancel) {
  global_init_once();
  if (!method_ok(request.method))
    return Error{"BadRequest", "invalid HTTP method '" + request.method + "'"};
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0)
    return Error{"BadRequest", "the URL must start with http:// or https://"};
  Handles h;
  if (h.easy == nullptr) return Error{"Socket", "cannot create an HTTP client"};
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    if (line.find_first_of("\r\n") != std::string::npos)
      return Error{"BadRequest", "header '" + name + "' contains a line break"};
    h.headers = curl_slist_append(h.headers, line.c_str());
  }
  // curl adds "Expect: 100-continue" to larger bodies: a needless round trip.
  h.headers = curl_slist_append(h.headers, "Expect:");
  Transfer t;
  t.request = &request;
  t.cancel = cancel;
  char errbuf[CURL_ERROR_SIZE] = {0};
  set_options(h.easy, request, t, h.headers, errbuf);
  CURLcode code = curl_easy_perform(h.easy);
  if (code != CURLE_OK) return transfer_error(code, t, errbuf);
  curl_easy_getinfo(h.easy, CURLINFO_RESPONSE_CODE, &t.response.status);
  if (t.response.status_text.empty())
    t.response.status_text = http_reason_phrase(t.response.status);
  return std::move(t.response);
}

std::string url_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

const char* http_reason_phrase(long status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

}  // namespace stepwise::tasks
