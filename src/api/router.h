// Router: one port, every protocol. Services register here; for each request the server asks
// route() which service and operation it is for, the way AWS endpoints tell them apart:
//
//  1. `X-Amz-Target` present: AWS JSON 1.0/1.1, the service whose target prefix starts the
//     value ("AWSStepFunctions.", "AmazonSQS.", ...). Must be POST /.
//  2. A Host naming an S3 bucket (`bucket.localhost:port`, `bucket.s3.<region>.localhost`,
//     `bucket.s3.<anything>`) with a virtual-host REST service registered: that service —
//     unless the request is a query-protocol form or its SigV4 scope names another service
//     (SQS's query clients at `sqs.us-east-1.localhost` are not a bucket "sqs.us-east-1").
//  3. GET/HEAD on a registered GET path (/health, /metrics, add_get) or static prefix.
//  4. POST with a form body (or `Action=` in the query string of /): the query protocol, the
//     service owning the form's Action; an Action two services share goes to the one named by
//     the SigV4 credential scope, else to the default query service.
//  5. REST routes by method and path pattern; when several services match, the one named by
//     the SigV4 scope wins, then the specific route, then the catch-all (S3).
//  6. Otherwise the error of the protocol the request looks like (UnknownOperationException,
//     InvalidAction, 404/405 XML), and without any REST service, the JSON error as before.
// Matching uses string_view compares and one hash lookup; no regex, no allocation for JSON.
//
// Thread-safety: register everything before the server starts; route() and the handlers'
// lookups are then read-only and safe from many threads. Metrics are thread-safe.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/answer.h"
#include "api/dispatcher.h"
#include "api/json_protocol.h"
#include "api/metrics.h"
#include "api/query_protocol.h"
#include "api/rest_protocol.h"
#include "api/sigv4.h"

namespace stepwise::api {

// ---- what services register ----

struct JsonServiceOptions {
  JsonVersion version = JsonVersion::v1_0;
  bool query_compatible = false;  // botocore's awsQueryCompatible: send x-amzn-query-error
  std::string signing_name = {};  // SigV4 service; empty: the service name
};

struct QueryRequest {
  std::string_view action;
  Form form;          // every parameter, Action and Version included
  HttpRequest& http;  // valid during the call only; move the body out if kept
};
using QueryHandler =
    std::function<void(QueryRequest& request, const RequestInfo& info, RawReply reply)>;
struct QueryServiceOptions {
  // On <ErrorResponse>, e.g. http://sns.amazonaws.com/doc/2010-03-31/
  std::string xmlns = {};
  std::string signing_name = {};  // SigV4 service; empty: the service name
};

enum class RestFlavor : std::uint8_t { xml, json };

struct RestRoute {
  boost::beast::http::verb method;
  std::string pattern;    // "/schedules/{Name}", "/{Bucket}/{Key+}"
  std::string operation;  // "CreateSchedule"
};

struct RestServiceOptions {
  RestFlavor flavor = RestFlavor::xml;
  std::vector<RestRoute> routes = {};
  // Takes every request no other route claims (S3); its operation is then empty.
  bool catch_all = false;
  // Also takes S3 virtual-host requests (bucket in the Host); the bucket is prefixed to path.
  bool virtual_host = false;
  bool s3_errors = false;         // S3's <Error> shape, x-amz-request-id, S3 signing rules
  std::string signing_name = {};  // SigV4 service; empty: the service name
  // The largest request body this service takes (S3's PUT and UploadPart); 0: the server's.
  std::size_t body_bytes_max = 0;
};

struct RestRequest {
  std::string_view operation;    // the route's operation; empty for a catch-all request
  std::string path;              // %-encoded path; "/bucket" prefixed for virtual-host requests
  std::string_view host_bucket;  // the bucket taken from Host, else empty
  Params path_params;            // the route's captures, decoded
  Params query;                  // the query string, decoded
  HttpRequest& http;             // method, headers, body; valid during the call only
};
using RestHandler =
    std::function<void(RestRequest& request, const RequestInfo& info, RawReply reply)>;

// GET routes answer at once (no SigV4). `rest` is the path after a static prefix.
struct GetRequest {
  const HttpRequest& http;
  std::string_view path;
  std::string_view rest;
  const ServerStats* server = nullptr;  // filled by the server (for /metrics)
};
using GetHandler = std::function<RawResponse(const GetRequest& request)>;

// A static file for the console hook: bytes, type and caching headers.
struct StaticFile {
  std::string bytes;
  std::string content_type;
  std::string cache_control = "no-cache";
  std::string etag = {};  // sent as ETag and matched against If-None-Match (304) when set
};
// nullopt: no such file (404). `relative_path` is %-decoded, never holds "..".
using StaticHandler = std::function<std::optional<StaticFile>(std::string_view relative_path)>;

// A GET route answered later: `reply` once, from any thread (one that asks an engine thread).
using AsyncGetHandler = std::function<void(const GetRequest& request, RawReply reply)>;

// A long-lived answer (Server-Sent Events). The handler answers the head; a 2xx answer starts
// the stream (its body is the first chunk; the connection then carries only this stream and
// closes when it ends), anything else is answered as usual. Each chunk pushed is then written
// in order. The sink outlives neither side's close: push() says false once it is closed.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues bytes for the client; false when the stream is closed or already holds
  // limits::stream_chunks_max unwritten chunks (a client that does not read). Any thread.
  virtual bool push(std::string chunk) = 0;
  // Ends the stream (the connection closes once what is queued is written). Any thread.
  virtual void close() = 0;
  virtual bool closed() const = 0;
};
using StreamHandler =
    std::function<RawResponse(const GetRequest& request, std::shared_ptr<StreamSink> sink)>;

struct GetOptions {
  // Verify SigV4 (for signing_name) when the server has keys: routes that reveal or act on
  // execution data, unlike /health, /metrics and the console's own files.
  bool needs_auth = false;
  std::string signing_name = std::string(sigv4_service);
  // Skipped when the request carries an Authorization header: a browser's page at `/` must not
  // take a signed `GET /` (S3's ListBuckets) from the REST services.
  bool unsigned_only = false;
};

// ---- what the router answers ----

// The decision for one request. Views point into the request or the Router.
struct Route {
  Protocol protocol = Protocol::json;
  Encoding encoding;
  std::optional<ApiError> error;  // refused: answer this (after SigV4, when auth is on)
  bool needs_auth = true;         // false for GET routes
  SigningRules signing;           // service name empty: accept the scope's service
  ServiceMetrics* metrics = nullptr;
  std::string_view operation;  // JSON: a view into X-Amz-Target; others: the route's name
  std::string resource;        // S3 errors' <Resource> (the path), else empty

  Dispatcher* dispatcher = nullptr;     // json
  const QueryHandler* query = nullptr;  // query (form decoded below)
  std::optional<Form> form;
  const RestHandler* rest = nullptr;  // rest
  Params path_params;
  Params query_params;
  std::string rest_path;
  std::string_view host_bucket;
  std::size_t body_bytes_max = 0;   // rest: the service's, 0 for the server's
  const GetHandler* get = nullptr;  // plain: one of get, get_async, stream
  const AsyncGetHandler* get_async = nullptr;
  const StreamHandler* stream = nullptr;
  std::string_view get_rest;
};

class Router {
 public:
  // Registers GET /health ({"status":"ok"}) and GET /metrics (Prometheus text).
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // target_prefix ends with '.', e.g. "AWSStepFunctions.". The dispatcher outlives the router.
  void add_json_service(std::string target_prefix, std::string service_name, Dispatcher& dispatcher,
                        JsonServiceOptions options = {});
  void add_query_service(std::string service_name, std::vector<std::string> actions,
                         QueryHandler handler, QueryServiceOptions options = {});
  // Which query service takes an Action several services own when the scope does not say.
  void set_default_query_service(std::string service_name);
  // Errors: "Api.Pattern" for a bad route pattern.
  Status add_rest_service(std::string service_name, RestServiceOptions options,
                          RestHandler handler);
  void add_get(std::string path, GetHandler handler, GetOptions options = {});
  void add_get_async(std::string path, AsyncGetHandler handler, GetOptions options = {});
  void add_stream(std::string path, StreamHandler handler, GetOptions options = {});
  // Serves GET/HEAD `prefix` + path from handler (e.g. "/console/"); no SigV4.
  void add_static(std::string prefix, StaticHandler handler, GetOptions options = {});

  // The decision for a request whose headers and body are complete.
  Route route(const HttpRequest& request) const;
  // From the headers alone (a body refused as too large): the protocol's error shape.
  Encoding classify(const HttpRequest& request) const;
  // From the headers alone: the largest body the request's service takes — `server_max`
  // unless the request goes to a REST service with a larger body_bytes_max (S3's PUT).
  std::size_t body_limit(const HttpRequest& request, std::size_t server_max) const;
  // The largest body any service takes (the parser's limit until the headers say which).
  std::size_t largest_body_limit(std::size_t server_max) const;

  Metrics& metrics() { return metrics_; }

 private:
  struct JsonService;
  struct QueryService;
  struct RestService;
  struct GetRoute;
  struct StaticRoute;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  bool route_json(const HttpRequest& request, std::string_view target, bool has_target,
                  Route& r) const;
  bool route_get(const HttpRequest& request, std::string_view path, Route& r) const;
  bool route_query(const HttpRequest& request, std::string_view scope, Route& r) const;
  bool route_rest(const HttpRequest& request, std::string_view scope, Route& r) const;
  bool virtual_host_wanted(const HttpRequest& request, std::string_view scope) const;
  void refuse(const HttpRequest& request, Route& r) const;
  void use_rest(const RestService& s, Route& r) const;

  Metrics metrics_;
  std::vector<std::unique_ptr<JsonService>> json_;
  std::vector<std::unique_ptr<QueryService>> query_;
  std::unordered_map<std::string, std::vector<const QueryService*>, Hash, std::equal_to<>> actions_;
  std::string default_query_;
  std::vector<std::unique_ptr<RestService>> rest_;
  std::vector<std::unique_ptr<GetRoute>> gets_;
  std::vector<std::unique_ptr<StaticRoute>> statics_;
  ServiceMetrics* http_metrics_ = nullptr;
  bool has_virtual_host_ = false;
  bool has_large_bodies_ = false;  // some REST service takes bodies above the server's limit
  std::size_t largest_body_ = 0;   // the largest body_bytes_max of a REST service
};

}  // namespace stepwise::api
