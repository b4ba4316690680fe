#include "services/remote/aws_client.h"

#include <cctype>

#include "api/sigv4.h"
#include "services/remote/remote_limits.h"

namespace stepwise::services::remote {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Error usage(std::string why) { return Error{"Usage", std::move(why)}; }

}  // namespace

std::string header_value(const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

api::ApiError transport_error(const Error& error, const Endpoint& endpoint) {
  if (error.name == "Busy") return api::ApiError{"Throttling", error.cause, 400};
  return api::ApiError{
      "ServiceUnavailable",
      "Unable to execute HTTP request to " + endpoint.url + ": " + error.name + ": " + error.cause,
      503};
}

Result<Endpoint> parse_endpoint(std::string_view url, std::string region,
                                std::string signing_name) {
  const std::string shown(url);
  std::string_view rest = url;
  std::string scheme;
  if (rest.starts_with("http://")) {
    scheme = "http://";
  } else if (rest.starts_with("https://")) {
    scheme = "https://";
  } else {
    return usage("endpoint '" + shown + "' must start with http:// or https://");
  }
  rest.remove_prefix(scheme.size());
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty()) return usage("endpoint '" + shown + "' has no host");
  if (rest.find_first_of("/?#@ \t\r\n") != std::string_view::npos) {
    return usage("endpoint '" + shown +
                 "' must be scheme://host[:port] (no path, query or user part)");
  }
  Endpoint e;
  e.host = std::string(rest);
  // The Host header leaves out the scheme's default port, as SDKs sign it.
  if (scheme == "http://" && e.host.ends_with(":80")) e.host.resize(e.host.size() - 3);
  if (scheme == "https://" && e.host.ends_with(":443")) e.host.resize(e.host.size() - 4);
  e.url = scheme + std::string(rest);
  e.region = std::move(region);
  e.signing_name = std::move(signing_name);
  return e;
}

void sign(OutboundRequest& request, const Endpoint& endpoint, const Credentials& credentials,
          Millis now, bool s3) {
  request.headers.emplace_back("Host", endpoint.host);
  const std::string date = api::sigv4::amz_date(now);
  request.headers.emplace_back("X-Amz-Date", date);
  const std::string payload_hash = api::sigv4::sha256_hex(request.body);
  if (s3) request.headers.emplace_back("X-Amz-Content-Sha256", payload_hash);
  if (credentials.empty()) return;
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  api::SignedRequest signed_request{request.method, request.target, request.headers, request.body};
  request.headers.emplace_back(
      "Authorization", api::sigv4::authorization(signed_request, credentials.access_key_id,
                                                 credentials.secret_access_key, endpoint.region,
                                                 endpoint.signing_name, date, s3, payload_hash));
}

AwsClient::AwsClient(Clock& clock, Credentials credentials)
    : clock_(clock),
      credentials_(std::move(credentials)),
      pool_(std::make_unique<tasks::WorkerPool>(remote_limits::workers_max,
                                                remote_limits::queue_max)) {}

AwsClient::~AwsClient() { stop(); }

void AwsClient::stop() {
  stopping_.store(true);  // calls in flight abort (libcurl's progress callback reads it)
  std::unique_ptr<tasks::WorkerPool> pool;
  {
    base::MutexLock lock(mu_);
    pool = std::move(pool_);
  }
  pool.reset();  // joins: every queued call runs (and answers Cancelled) before this returns
}

void AwsClient::send(const Endpoint& endpoint, OutboundRequest request, bool s3, Done done) {
  auto job = [this, endpoint, request = std::move(request), s3, done]() mutable {
    if (stopping_.load()) return done(Error{"Cancelled", "the server is stopping"});
    sign(request, endpoint, credentials_.get(), clock_.now_ms(), s3);
    tasks::HttpRequest http;
    http.method = request.method;
    http.url = endpoint.url + request.target;
    http.headers = std::move(request.headers);
    http.body = std::move(request.body);
    http.has_body = request.method != "GET" && request.method != "HEAD";
    http.timeout_ms = remote_limits::call_timeout_ms;
    http.response_bytes_max = remote_limits::response_bytes_max;
    done(tasks::http_perform(http, &stopping_));
  };
  bool stopped = false, queued = false;
  {
    base::MutexLock lock(mu_);
    stopped = pool_ == nullptr || stopping_.load();
    if (!stopped) queued = pool_->submit(std::move(job));
  }
  if (stopped) return done(Error{"Cancelled", "the server is stopping"});
  if (!queued) {
    done(Error{"Busy", "more than " + std::to_string(remote_limits::queue_max) +
                           " pass-through calls are waiting"});
  }
}

}  // namespace stepwise::services::remote
