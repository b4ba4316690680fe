// The outbound half of the pass-through endpoints: an AWS client that signs a request with
// SigV4 (the server's own canonicalisation, api/sigv4.h, so signer and verifier cannot drift)
// and sends it with libcurl (tasks/http_client.h) on a worker thread, never on an event loop.
//
//   Endpoint   where a service's calls go: a base URL ("http://127.0.0.1:4566",
//              "https://sqs.eu-west-1.amazonaws.com"), the region and the SigV4 signing name.
//   sign()     adds Host, X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256 (S3) and the
//              Authorization header; without credentials the request goes unsigned (a local
//              server without --auth-keys takes it; AWS answers MissingAuthenticationToken).
//   AwsClient  runs calls on a bounded pool (remote_limits.h), each with the call timeout and
//              the answer size limit; stop() ends the calls in flight.
//   RemoteDispatcher  the base of the three protocol Dispatchers: the client and the endpoint,
//              both replaceable while calls run (SIGHUP reloads them: set_credentials,
//              set_endpoint); each call signs with, and goes to, the values of its moment.
//
// Why on this layer and not the SDK's: the integrations already speak AWS's JSON shapes to a
// Dispatcher (services/common); a pass-through is one more Dispatcher per protocol
// (remote_json.h, remote_query.h, remote_s3.h) that turns those shapes into HTTP and back.
//
// Thread-safety: sign() and parse_endpoint() are pure; AwsClient::send() from any thread; its
// callbacks run on pool threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "base/result.h"
#include "services/remote/credentials.h"
#include "tasks/http_client.h"
#include "tasks/worker_pool.h"

namespace stepwise::services::remote {

struct Endpoint {
  std::string url;           // scheme://host[:port], no path, no trailing slash
  std::string host;          // host[:port] as the Host header carries it
  std::string region;        // the SigV4 scope's region
  std::string signing_name;  // the SigV4 scope's service: sqs, sns, s3, dynamodb, ...
};

// "http://127.0.0.1:4566" or "https://host/" → url, host. Errors (Usage): another scheme, a
// path, query or user part, an empty host.
Result<Endpoint> parse_endpoint(std::string_view url, std::string region, std::string signing_name);

// A request as it will be sent: `target` is the path and query, already %-encoded.
struct OutboundRequest {
  std::string method = "POST";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Signs `request` for `endpoint` at `now` (adds the headers listed above). `s3`: S3's rules
// (the path signed as sent, the payload hash in X-Amz-Content-Sha256).
void sign(OutboundRequest& request, const Endpoint& endpoint, const Credentials& credentials,
          Millis now, bool s3);

class AwsClient {
 public:
  // `clock` dates the signatures: it must be the real time (AWS refuses a skew over 15 min).
  AwsClient(Clock& clock, Credentials credentials);
  ~AwsClient();
  AwsClient(const AwsClient&) = delete;
  AwsClient& operator=(const AwsClient&) = delete;

  using Done = std::function<void(Result<tasks::HttpResponse>)>;
  // Signs and sends on a pool thread; `done` gets the answer, whatever its status, or a
  // transport error (Error.name "Socket", "Timeout", "TooLarge", "Cancelled", "Busy").
  void send(const Endpoint& endpoint, OutboundRequest request, bool s3, Done done);
  // Ends the calls in flight (they answer "Cancelled"), waits until every callback has run,
  // and refuses new calls (answered "Cancelled" at once). Idempotent.
  void stop();
  bool signs() const { return !credentials_.get().empty(); }
  // The credentials later calls sign with (calls already signed keep theirs).
  void set_credentials(Credentials credentials) { credentials_.set(std::move(credentials)); }

 private:
  Clock& clock_;
  base::Locked<Credentials> credentials_;
  std::atomic<bool> stopping_{false};
  base::Mutex mu_;
  // stop() takes it away while calls may still be sent.
  std::unique_ptr<tasks::WorkerPool> pool_ GUARDED_BY(mu_);
};

// A pass-through Dispatcher's shared half: where its calls go (replaceable) and the client.
class RemoteDispatcher : public api::Dispatcher {
 public:
  RemoteDispatcher(AwsClient& client, Endpoint endpoint)
      : client_(client), endpoint_(std::move(endpoint)) {}
  Endpoint endpoint() const { return endpoint_.get(); }
  void set_endpoint(Endpoint endpoint) { endpoint_.set(std::move(endpoint)); }

 protected:
  AwsClient& client_;

 private:
  base::Locked<Endpoint> endpoint_;
};

// The ApiError a transport failure becomes, so the task fails in the service's error shape:
// ServiceUnavailable (503; "Throttling" 400 when the queue is full), the message naming the
// endpoint and the reason.
api::ApiError transport_error(const Error& error, const Endpoint& endpoint);

// The value of header `name` (any case) in `headers`; empty when absent.
std::string header_value(const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string_view name);

}  // namespace stepwise::services::remote
