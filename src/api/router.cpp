#include "api/router.h"

#include <boost/beast/http/field.hpp>

namespace stepwise::api {

namespace http = boost::beast::http;

struct Router::JsonService {
  std::string prefix, name, signing;
  Dispatcher* dispatcher;
  JsonServiceOptions options;
  ServiceMetrics* metrics;
};

struct Router::QueryService {
  std::string name, signing;
  QueryHandler handler;
  QueryServiceOptions options;
  ServiceMetrics* metrics;
};

struct Router::RestService {
  struct Compiled {
    http::verb method;
    PathPattern pattern;
    std::string operation;
  };
  std::string name, signing;
  RestHandler handler;
  RestServiceOptions options;
  std::vector<Compiled> routes;
  ServiceMetrics* metrics;
};

struct Router::GetRoute {
  std::string path;
  GetHandler handler;  // one of the three
  AsyncGetHandler async = {};
  StreamHandler stream = {};
  GetOptions options = {};
};

struct Router::StaticRoute {
  std::string prefix;
  GetHandler handler;
  GetOptions options = {};
};

namespace {

constexpr std::string_view json_content_type_prefix = "application/x-amz-json";

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

ApiError unknown_target(std::string message) {
  return ApiError{"UnknownOperationException", std::move(message), 400};
}

std::string only_post(const HttpRequest& request, std::string_view path) {
  return "Only POST / is served (AWS JSON 1.0 protocol); got " +
         std::string(request.method_string()) + " " + std::string(path.substr(0, 200));
}

bool has_dot_dot(std::string_view rel) {
  std::size_t start = 0;
  while (start <= rel.size()) {
    std::size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    if (rel.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

RawResponse serve_static(const StaticHandler& handler, const GetRequest& g) {
  std::string rel;
  if (!percent_decode(g.rest, false, rel) || has_dot_dot(rel) ||
      rel.find('\0') != std::string::npos)
    return ApiError{"NotFound", "No such file", 404};
  std::optional<StaticFile> file = handler(rel);
  if (!file) return ApiError{"NotFound", "No such file", 404};
  RawAnswer a;
  a.content_type = std::move(file->content_type);
  a.headers.emplace_back("Cache-Control", std::move(file->cache_control));
  if (!file->etag.empty()) {
    a.headers.emplace_back("ETag", file->etag);
    if (header_value(g.http, "If-None-Match") == file->etag) {
      a.status = 304;
      a.content_type.clear();
      return a;
    }
  }
  a.body = std::move(file->bytes);
  return a;
}

}  // namespace

Router::Router() {
  http_metrics_ = &metrics_.service("http");
  add_get("/health", [](const GetRequest&) -> RawResponse {
    return RawAnswer{200, "application/json", {}, R"({"status":"ok"})"};
  });
  add_get("/metrics", [this](const GetRequest& g) -> RawResponse {
    return RawAnswer{200,
                     std::string(prometheus_content_type),
                     {},
                     metrics_.render(g.server ? *g.server : ServerStats{})};
  });
}

Router::~Router() = default;

void Router::add_json_service(std::string target_prefix, std::string service_name,
                              Dispatcher& dispatcher, JsonServiceOptions options) {
  auto s = std::make_unique<JsonService>();
  s->prefix = std::move(target_prefix);
  s->signing = options.signing_name.empty() ? service_name : options.signing_name;
  s->metrics = &metrics_.service(service_name);
  s->name = std::move(service_name);
  s->dispatcher = &dispatcher;
  s->options = std::move(options);
  json_.push_back(std::move(s));
}

void Router::add_query_service(std::string service_name, std::vector<std::string> actions,
                               QueryHandler handler, QueryServiceOptions options) {
  auto s = std::make_unique<QueryService>();
  s->signing = options.signing_name.empty() ? service_name : options.signing_name;
  s->metrics = &metrics_.service(service_name);
  s->name = std::move(service_name);
  s->handler = std::move(handler);
  s->options = std::move(options);
  for (auto& a : actions) actions_[std::move(a)].push_back(s.get());
  query_.push_back(std::move(s));
}

void Router::set_default_query_service(std::string service_name) {
  default_query_ = std::move(service_name);
}

Status Router::add_rest_service(std::string service_name, RestServiceOptions options,
                                RestHandler handler) {
  auto s = std::make_unique<RestService>();
  for (const RestRoute& r : options.routes) {
    auto pattern = PathPattern::compile(r.pattern);
    if (!pattern) return pattern.error();
    s->routes.push_back({r.method, std::move(*pattern), r.operation});
  }
  s->signing = options.signing_name.empty() ? service_name : options.signing_name;
  s->metrics = &metrics_.service(service_name);
  s->name = std::move(service_name);
  s->handler = std::move(handler);
  s->options = std::move(options);
  has_virtual_host_ = has_virtual_host_ || s->options.virtual_host;
  has_large_bodies_ = has_large_bodies_ || s->options.body_bytes_max > 0;
  largest_body_ = std::max(largest_body_, s->options.body_bytes_max);
  rest_.push_back(std::move(s));
  return ok_status();
}

void Router::add_get(std::string path, GetHandler handler, GetOptions options) {
  gets_.push_back(std::make_unique<GetRoute>(
      GetRoute{std::move(path), std::move(handler), {}, {}, std::move(options)}));
}

void Router::add_get_async(std::string path, AsyncGetHandler handler, GetOptions options) {
  gets_.push_back(std::make_unique<GetRoute>(
      GetRoute{std::move(path), {}, std::move(handler), {}, std::move(options)}));
}

void Router::add_stream(std::string path, StreamHandler handler, GetOptions options) {
  gets_.push_back(std::make_unique<GetRoute>(
      GetRoute{std::move(path), {}, {}, std::move(handler), std::move(options)}));
}

void Router::add_static(std::string prefix, StaticHandler handler, GetOptions options) {
  GetHandler serve = [h = std::move(handler)](const GetRequest& g) { return serve_static(h, g); };
  statics_.push_back(std::make_unique<StaticRoute>(
      StaticRoute{std::move(prefix), std::move(serve), std::move(options)}));
}

// ---- routing ----

Route Router::route(const HttpRequest& request) const {
  Route r;
  auto [path, query] = split_target(request.target());
  if (auto t = request.find("X-Amz-Target"); t != request.end()) {
    route_json(request, {t->value().data(), t->value().size()}, true, r);
    return r;
  }
  std::string_view content_type = header_value(request, "Content-Type");
  if (request.method() == http::verb::post &&
      starts_with_icase(content_type, json_content_type_prefix)) {
    route_json(request, {}, false, r);  // AWS JSON without a target: that protocol's error
    return r;
  }
  std::string_view scope = sigv4::scope_service(header_value(request, "Authorization"));
  if (virtual_host_wanted(request, scope) && route_rest(request, scope, r)) return r;
  if (request.method() == http::verb::get || request.method() == http::verb::head) {
    if (route_get(request, path, r)) return r;
  }
  if (route_query(request, scope, r)) return r;
  if (route_rest(request, scope, r)) return r;
  refuse(request, r);
  return r;
}

Encoding Router::classify(const HttpRequest& request) const { return route(request).encoding; }

bool Router::virtual_host_wanted(const HttpRequest& request, std::string_view scope) const {
  if (!has_virtual_host_ || !bucket_from_host(header_value(request, "Host"))) return false;
  if (request.method() == http::verb::post &&
      is_form_content_type(header_value(request, "Content-Type")))
    return false;
  if (scope.empty()) return true;
  for (const auto& s : rest_)
    if (s->options.virtual_host && s->signing == scope) return true;
  return false;
}

std::size_t Router::largest_body_limit(std::size_t server_max) const {
  return std::max(server_max, largest_body_);
}

std::size_t Router::body_limit(const HttpRequest& request, std::size_t server_max) const {
  if (!has_large_bodies_ || request.find("X-Amz-Target") != request.end()) return server_max;
  std::string_view content_type = header_value(request, "Content-Type");
  if (request.method() == http::verb::post &&
      (starts_with_icase(content_type, json_content_type_prefix) ||
       is_form_content_type(content_type)))
    return server_max;
  Route r;
  std::string_view scope = sigv4::scope_service(header_value(request, "Authorization"));
  if (!route_rest(request, scope, r)) return server_max;
  return std::max(server_max, r.body_bytes_max);
}

bool Router::route_json(const HttpRequest& request, std::string_view target, bool has_target,
                        Route& r) const {
  r.protocol = Protocol::json;
  r.signing.service = {};
  r.metrics = http_metrics_;
  r.operation = ServiceMetrics::unknown_operation;
  const JsonService* service = nullptr;
  for (const auto& s : json_)
    if (target.starts_with(s->prefix)) {
      service = s.get();
      break;
    }
  if (service != nullptr) {
    r.encoding.json_content_type = json_content_type_of(service->options.version);
    r.encoding.query_compatible = service->options.query_compatible;
    r.signing.service = service->signing;
    r.metrics = service->metrics;
  } else if (header_value(request, "Content-Type").find("1.1") != std::string_view::npos) {
    r.encoding.json_content_type = json_1_1_content_type;  // answer as the client spoke
  }
  auto [path, query] = split_target(request.target());
  if (request.method() != http::verb::post || path != "/") {
    r.error = unknown_target(only_post(request, path));
  } else if (!has_target) {
    r.error = unknown_target("Missing X-Amz-Target header");
  } else if (service == nullptr || !is_operation_name(target.substr(service->prefix.size()))) {
    std::string_view expected = service             ? std::string_view(service->prefix)
                                : json_.size() == 1 ? std::string_view(json_[0]->prefix)
                                                    : std::string_view();
    r.error = unknown_target(expected.empty()
                                 ? "Unknown X-Amz-Target: " + std::string(target.substr(0, 200))
                                 : "Unknown X-Amz-Target: expected " + std::string(expected) +
                                       "<Operation>");
  } else {
    r.dispatcher = service->dispatcher;
    r.operation = target.substr(service->prefix.size());
  }
  return true;
}

bool Router::route_get(const HttpRequest& request, std::string_view path, Route& r) const {
  // `GET /?Action=...` is the query protocol (an SNS SubscribeURL a person visits), never the
  // console's page.
  const std::string_view query = split_target(request.target()).second;
  if (path == "/" &&
      (query.starts_with("Action=") || query.find("&Action=") != std::string_view::npos))
    return false;
  const bool signed_request = request.find(http::field::authorization) != request.end();
  auto use = [&](std::string_view name, std::string_view rest, const GetOptions& options) {
    r.protocol = Protocol::plain;
    r.encoding.protocol = Protocol::plain;
    r.needs_auth = options.needs_auth;
    r.signing.service = options.signing_name;
    r.metrics = http_metrics_;
    r.operation = name;
    r.get_rest = rest;
    return true;
  };
  for (const auto& g : gets_) {
    if (path != g->path || (g->options.unsigned_only && signed_request)) continue;
    if (g->async) {
      r.get_async = &g->async;
    } else if (g->stream) {
      r.stream = &g->stream;
    } else {
      r.get = &g->handler;
    }
    return use(g->path, {}, g->options);
  }
  for (const auto& s : statics_) {
    if (!path.starts_with(s->prefix) || (s->options.unsigned_only && signed_request)) continue;
    r.get = &s->handler;
    return use(s->prefix, path.substr(s->prefix.size()), s->options);
  }
  return false;
}

bool Router::route_query(const HttpRequest& request, std::string_view scope, Route& r) const {
  auto [path, query] = split_target(request.target());
  bool form_body = request.method() == http::verb::post &&
                   is_form_content_type(header_value(request, "Content-Type"));
  bool in_url = !form_body && path == "/" &&
                (query.starts_with("Action=") || query.find("&Action=") != std::string_view::npos);
  if ((!form_body && !in_url) || query_.empty()) return false;
  r.protocol = Protocol::query;
  r.encoding.protocol = Protocol::query;
  r.metrics = http_metrics_;
  r.operation = ServiceMetrics::unknown_operation;
  r.signing.service = {};
  FormDecoded decoded = decode_form(form_body ? std::string_view(request.body()) : query);
  if (!decoded.ok()) {
    r.error = std::move(decoded.error);
    return true;
  }
  const std::string* action = decoded.form->find("Action");
  if (action == nullptr || action->empty()) {
    r.error = missing_action();
    return true;
  }
  auto owners = actions_.find(std::string_view(*action));
  if (owners == actions_.end()) {
    r.error = invalid_action(*action);
    return true;
  }
  const QueryService* chosen = nullptr;
  for (const QueryService* s : owners->second)
    if (!scope.empty() && s->signing == scope) chosen = s;
  for (const QueryService* s : owners->second)
    if (chosen == nullptr && s->name == default_query_) chosen = s;
  if (chosen == nullptr) chosen = owners->second.front();
  r.encoding.xmlns = chosen->options.xmlns;
  r.signing.service = chosen->signing;
  r.metrics = chosen->metrics;
  r.operation = owners->first;
  r.query = &chosen->handler;
  r.form = std::move(decoded.form);
  return true;
}

void Router::use_rest(const RestService& s, Route& r) const {
  r.protocol = s.options.flavor == RestFlavor::xml ? Protocol::rest_xml : Protocol::rest_json;
  r.encoding.protocol = r.protocol;
  r.encoding.s3_errors = s.options.s3_errors;
  r.signing.service = s.signing;
  r.signing.s3_path = s.options.s3_errors;
  r.signing.unsigned_payload_allowed = true;
  r.body_bytes_max = s.options.body_bytes_max;
  r.metrics = s.metrics;
  r.rest = &s.handler;
}

bool Router::route_rest(const HttpRequest& request, std::string_view scope, Route& r) const {
  if (rest_.empty()) return false;
  auto [raw_path, query] = split_target(request.target());
  std::string_view path = raw_path;
  std::string vh_path;
  const RestService* only = nullptr;  // a virtual-host request belongs to that service
  if (auto bucket = bucket_from_host(header_value(request, "Host"))) {
    for (const auto& s : rest_)
      if (s->options.virtual_host && only == nullptr) only = s.get();
    if (only != nullptr) {
      vh_path = "/" + std::string(*bucket);
      if (raw_path != "/") vh_path += raw_path;
      path = vh_path;
      r.host_bucket = *bucket;
    }
  }
  if (path.size() > rest_limits::path_bytes_max) return false;
  const RestService* matched = nullptr;
  const RestService::Compiled* matched_route = nullptr;
  const RestService* wrong_method = nullptr;
  const RestService* catch_all = nullptr;
  Params params, captured;
  for (const auto& s : rest_) {
    if (only != nullptr && s.get() != only) continue;
    if (s->options.catch_all && catch_all == nullptr) catch_all = s.get();
    for (const auto& route : s->routes) {
      captured.clear();
      if (!route.pattern.match(path, &captured)) continue;
      if (route.method != request.method()) {
        if (wrong_method == nullptr) wrong_method = s.get();
        continue;
      }
      bool scope_says = !scope.empty() && s->signing == scope;
      if (matched == nullptr || (scope_says && matched->signing != scope)) {
        matched = s.get();
        matched_route = &route;
        params.swap(captured);
      }
      break;
    }
  }
  // The scope decides between a specific route and the catch-all (a bucket named "schedules").
  if (matched != nullptr && catch_all != nullptr && !scope.empty() && matched->signing != scope &&
      catch_all->signing == scope)
    matched = nullptr;
  if (matched == nullptr && catch_all == nullptr) {
    if (wrong_method == nullptr) return false;
    use_rest(*wrong_method, r);
    r.rest = nullptr;
    r.error = method_not_allowed(request.method_string(), path);
    r.operation = ServiceMetrics::unknown_operation;
    return true;
  }
  const RestService& s = matched ? *matched : *catch_all;
  use_rest(s, r);
  r.rest_path = std::string(path);
  if (s.options.s3_errors) r.resource = r.rest_path;
  if (matched != nullptr) {
    r.path_params = std::move(params);
    r.operation = matched_route->operation;
  }
  if (!query.empty()) {
    FormDecoded decoded = decode_query_string(query);
    if (!decoded.ok()) {
      r.error = std::move(decoded.error);
      r.rest = nullptr;
    } else {
      r.query_params = std::move(decoded.form->params);
    }
  }
  return true;
}

void Router::refuse(const HttpRequest& request, Route& r) const {
  auto [path, query] = split_target(request.target());
  r.metrics = http_metrics_;
  r.operation = ServiceMetrics::unknown_operation;
  if (!query_.empty() && is_form_content_type(header_value(request, "Content-Type"))) {
    r.protocol = r.encoding.protocol = Protocol::query;
    r.error = invalid_action("");
    return;
  }
  if (!rest_.empty()) {
    use_rest(*rest_.front(), r);
    r.rest = nullptr;
    r.metrics = http_metrics_;
    r.error = no_route(request.method_string(), path);
    return;
  }
  route_json(request, {}, false, r);  // no REST service: all else is AWS JSON's error
}

}  // namespace stepwise::api
