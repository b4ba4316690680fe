// HttpTaskRunner. A call: start() (loop thread) builds the request from the parameters (failing
// at once on bad ones), registers the call and queues it on the pool; a pool thread adds the
// authorization (fetching an OAuth token when the connection needs one), performs the request
// and shapes the outcome, which goes back through loop.post().
#include "tasks/http_task.h"
#include "base/mutex.h"
#include "json/clamp.h"

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/limits.h"
#include "tasks/lambda_shape.h"
#include "tasks/task_limits.h"
#include "tasks/worker_pool.h"

namespace stepwise::tasks {
namespace {

// Nested objects/arrays in a URL_ENCODED body become key[a][b]=v; deeper bodies are refused.
constexpr std::size_t url_encoded_depth_max = 32;

Error runtime_error(const std::string& cause) { return Error{"States.Runtime", cause}; }

// A JSON value as text in a header, query string or form: strings as they are, others as JSON.
std::string scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return "";
  return json::dump(v);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Sets a header, replacing one of the same name (names compare case-insensitively).
void set_header(KeyValues& headers, const std::string& name, const std::string& value) {
  for (auto& [n, v] : headers) {
    if (iequals(n, name)) {
      v = value;
      return;
    }
  }
  headers.emplace_back(name, value);
}

bool has_header(const KeyValues& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals(h.first, name)) return true;
  return false;
}

void set_pair(KeyValues& pairs, const std::string& name, const std::string& value) {
  for (auto& [n, v] : pairs) {
    if (n == name) {
      v = value;
      return;
    }
  }
  pairs.emplace_back(name, value);
}

Status encode_value(const std::string& key, const json::value& v, const std::string& format,
                    std::size_t depth, std::string& out);

void append_pair(const std::string& key, const std::string& value, std::string& out) {
  if (!out.empty()) out += '&';
  out += url_encode(key);
  out += '=';
  out += url_encode(value);
}

Status encode_array(const std::string& key, const json::array& a, const std::string& format,
                    std::size_t depth, std::string& out) {
  if (format == "COMMAS") {
    std::string joined;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i > 0) joined += ',';
      joined += scalar_text(a[i]);
    }
    append_pair(key, joined, out);
    return ok_status();
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::string item_key = format == "REPEAT"     ? key
                           : format == "BRACKETS" ? key + "[]"
                                                  : key + "[" + std::to_string(i) + "]";
    auto st = encode_value(item_key, a[i], format, depth + 1, out);
    if (!st) return st;
  }
  return ok_status();
}

Status encode_value(const std::string& key, const json::value& v, const std::string& format,
                    std::size_t depth, std::string& out) {
  if (depth > url_encoded_depth_max)
    return runtime_error("The RequestBody is nested too deeply to be URL-encoded.");
  if (v.is_array()) return encode_array(key, v.get_array(), format, depth, out);
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      auto st =
          encode_value(key + "[" + std::string(kv.key()) + "]", kv.value(), format, depth + 1, out);
      if (!st) return st;
    }
    return ok_status();
  }
  append_pair(key, scalar_text(v), out);
  return ok_status();
}

const json::value* field(const json::object& o, std::string_view name) {
  return o.if_contains(name);
}

// Header/query parameters: an object of name → scalar (arrays give repeated query keys).
Result<KeyValues> read_pairs(const json::object& params, std::string_view name, bool arrays) {
  KeyValues out;
  const json::value* v = field(params, name);
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_object())
    return runtime_error("The field '" + std::string(name) + "' must be a JSON object.");
  for (const auto& kv : v->get_object()) {
    std::string key(kv.key());
    if (arrays && kv.value().is_array()) {
      for (const auto& item : kv.value().get_array()) out.emplace_back(key, scalar_text(item));
    } else {
      out.emplace_back(key, scalar_text(kv.value()));
    }
  }
  return out;
}

std::string with_query(std::string url, const KeyValues& query) {
  if (query.empty()) return url;
  std::string q;
  for (const auto& [k, v] : query) append_pair(k, v, q);
  auto hash = url.find('#');
  if (hash != std::string::npos) url.erase(hash);
  url += url.find('?') == std::string::npos ? '?' : '&';
  return url + q;
}

bool is_method(const std::string& m) {
  for (const char* ok : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"})
    if (m == ok) return true;
  return false;
}

// The body and its content type, from RequestBody, Transform and the connection's body params.
Status set_body(const json::object& params, const ConnectionSpec* connection, HttpRequest& req) {
  json::value body = nullptr;
  if (const auto* b = field(params, "RequestBody")) body = *b;
  if (connection != nullptr && !connection->invocation.body.empty()) {
    if (body.is_null()) body = json::object{};
    if (!body.is_object())
      return runtime_error(
          "The connection adds body parameters, so RequestBody must be a JSON "
          "object.");
    for (const auto& [k, v] : connection->invocation.body) body.get_object()[k] = v;
  }
  if (body.is_null()) return ok_status();
  std::string encoding, array_format = "INDICES";
  if (const auto* t = field(params, "Transform"); t != nullptr && t->is_object()) {
    const auto& to = t->get_object();
    if (const auto* e = field(to, "RequestBodyEncoding"); e != nullptr && e->is_string())
      encoding = std::string(e->get_string());
    if (const auto* o = field(to, "RequestEncodingOptions"); o != nullptr && o->is_object()) {
      const auto* f = field(o->get_object(), "ArrayFormat");
      if (f != nullptr && f->is_string()) array_format = std::string(f->get_string());
    }
  }
  req.has_body = true;
  if (encoding == "URL_ENCODED") {
    auto form = url_encoded_body(body, array_format);
    if (!form) return form.error();
    req.body = std::move(form.value());
    if (!has_header(req.headers, "Content-Type"))
      req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return ok_status();
  }
  if (!encoding.empty() && encoding != "NONE")
    return runtime_error("Invalid RequestBodyEncoding '" + encoding +
                         "': expected URL_ENCODED or NONE.");
  req.body = body.is_string() ? std::string(body.get_string()) : json::dump(body);
  if (!has_header(req.headers, "Content-Type"))
    req.headers.emplace_back("Content-Type", "application/json");
  return ok_status();
}

bool json_content_type(const HttpResponse& r) {
  for (const auto& [name, value] : r.headers) {
    if (!iequals(name, "Content-Type")) continue;
    std::string v;
    for (char c : value) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v.find("application/json") != std::string::npos || v.find("+json") != std::string::npos;
  }
  return false;
}

}  // namespace

Result<std::string> url_encoded_body(const json::value& body, const std::string& array_format) {
  if (array_format != "INDICES" && array_format != "REPEAT" && array_format != "COMMAS" &&
      array_format != "BRACKETS")
    return runtime_error("Invalid ArrayFormat '" + array_format +
                         "': expected INDICES, REPEAT, COMMAS or BRACKETS.");
  if (!body.is_object()) return runtime_error("A URL_ENCODED RequestBody must be a JSON object.");
  std::string out;
  for (const auto& kv : body.get_object()) {
    auto st = encode_value(std::string(kv.key()), kv.value(), array_format, 0, out);
    if (!st) return st.error();
  }
  return out;
}

Result<HttpRequest> http_task_request(const json::value& parameters,
                                      const ConnectionSpec* connection) {
  if (!parameters.is_object()) return runtime_error("The HTTP Task parameters must be an object.");
  const auto& p = parameters.get_object();
  const auto* endpoint = field(p, "ApiEndpoint");
  if (endpoint == nullptr || !endpoint->is_string())
    return runtime_error("The field 'ApiEndpoint' is required and must be a string.");
  const auto* method = field(p, "Method");
  if (method == nullptr || !method->is_string())
    return runtime_error("The field 'Method' is required and must be a string.");
  HttpRequest req;
  req.method = std::string(method->get_string());
  if (!is_method(req.method))
    return runtime_error("Invalid Method '" + req.method +
                         "': expected GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD.");
  auto headers = read_pairs(p, "Headers", false);
  if (!headers) return headers.error();
  auto query = read_pairs(p, "QueryParameters", true);
  if (!query) return query.error();
  req.headers = std::move(headers.value());
  KeyValues q = std::move(query.value());
  if (connection != nullptr) {
    for (const auto& [k, v] : connection->invocation.headers) set_header(req.headers, k, v);
    for (const auto& [k, v] : connection->invocation.query) set_pair(q, k, v);
  }
  std::string url(endpoint->get_string());
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
    return runtime_error("The ApiEndpoint '" + url + "' must be an https:// (or http://) URL.");
  req.url = with_query(std::move(url), q);
  auto st = set_body(p, connection, req);
  if (!st) return st.error();
  if (!has_header(req.headers, "User-Agent"))
    req.headers.emplace_back("User-Agent", "Amazon|StepFunctions|HttpInvoke|stepwise");
  req.timeout_ms = limits::http_timeout_ms_default;
  req.response_bytes_max = limits::http_response_bytes_max;
  return req;
}

json::value http_task_result(const HttpResponse& response) {
  json::object headers;
  for (const auto& [name, value] : response.headers) {
    json::value& slot = headers[name];
    if (!slot.is_array()) slot = json::array{};
    slot.get_array().emplace_back(value);
  }
  json::value body = json::value(response.body);
  if (json_content_type(response) && !response.body.empty()) {
    auto parsed = json::parse(response.body);
    if (parsed.ok()) body = std::move(parsed.value());
  }
  return json::object{{"Headers", std::move(headers)},
                      {"ResponseBody", std::move(body)},
                      {"StatusCode", response.status},
                      {"StatusText", response.status_text}};
}

namespace {

struct HttpCall {
  TaskRequest request;
  HttpRequest http;
  const ConnectionSpec* connection = nullptr;
  std::optional<ConnectionSpec> resolved;  // the connection with its secret's authorization
  std::atomic<bool> cancelled{false};
  EventLoop* loop = nullptr;
  TaskDone done;
};

struct CachedToken {
  std::string token;
  std::int64_t expires_ms = 0;
};

TaskOutcome socket_failure(const Error& e) {
  return TaskOutcome::failure("States.Http.Socket", e.cause);
}

}  // namespace

struct HttpTaskRunner::Impl {
  std::map<std::string, ConnectionSpec> connections;
  SecretReader secrets;
  base::Mutex mu;
  std::vector<std::shared_ptr<HttpCall>> in_flight GUARDED_BY(mu);
  std::map<std::string, CachedToken> tokens GUARDED_BY(mu);
  WorkerPool pool{limits::http_threads_max, limits::http_queue_max};  // last: destroyed first

  Result<std::string> oauth_token(const ConnectionSpec& c, const std::atomic<bool>* cancel);
  Status authorize(HttpCall& call);
  TaskOutcome perform(HttpCall& call);
  void finish(const std::shared_ptr<HttpCall>& call, TaskOutcome outcome);
};

Result<std::string> HttpTaskRunner::Impl::oauth_token(const ConnectionSpec& c,
                                                      const std::atomic<bool>* cancel) {
  {
    base::MutexLock lock(mu);
    auto it = tokens.find(c.name);
    if (it != tokens.end() && it->second.expires_ms > monotonic_ms()) return it->second.token;
  }
  HttpRequest req;
  req.method = c.oauth_method;
  req.headers = c.oauth_parameters.headers;
  set_header(req.headers, "Authorization",
             "Basic " + base64_encode(c.client_id + ":" + c.client_secret));
  KeyValues form{{"grant_type", "client_credentials"}};
  for (const auto& [k, v] : c.oauth_parameters.body) set_pair(form, k, v);
  KeyValues query = c.oauth_parameters.query;
  if (req.method == "GET") {
    for (const auto& kv : form) set_pair(query, kv.first, kv.second);
  } else {
    req.has_body = true;
    for (const auto& [k, v] : form) append_pair(k, v, req.body);
    set_header(req.headers, "Content-Type", "application/x-www-form-urlencoded");
  }
  req.url = with_query(c.oauth_endpoint, query);
  req.timeout_ms = limits::http_timeout_ms_default;
  req.response_bytes_max = limits::http_response_bytes_max;
  auto r = http_perform(req, cancel);
  if (!r) return r.error();
  auto parsed = json::parse(r->body);
  const json::value* token = nullptr;
  if (parsed.ok() && parsed->is_object()) token = parsed->get_object().if_contains("access_token");
  if (r->status / 100 != 2 || token == nullptr || !token->is_string())
    return Error{"OAuth", "the OAuth token endpoint of connection '" + c.name + "' answered " +
                              std::to_string(r->status) + " without an access_token"};
  std::int64_t ttl = limits::oauth_token_ttl_ms_default;
  if (const auto* e = parsed->get_object().if_contains("expires_in"); e && json::is_number(*e))
    ttl = std::min<std::int64_t>(ttl, json::clamp_to_int64(json::as_double(*e) * 1000));
  std::string value(token->get_string());
  base::MutexLock lock(mu);
  tokens[c.name] = CachedToken{value, monotonic_ms() + ttl};
  return value;
}

Status HttpTaskRunner::Impl::authorize(HttpCall& call) {
  const ConnectionSpec* c = call.connection;
  if (c == nullptr) return ok_status();
  switch (c->auth) {
    case AuthKind::none:
      return ok_status();
    case AuthKind::api_key:
      set_header(call.http.headers, c->api_key_name, c->api_key_value);
      break;
    case AuthKind::basic:
      set_header(call.http.headers, "Authorization",
                 "Basic " + base64_encode(c->username + ":" + c->password));
      break;
    case AuthKind::oauth_client_credentials: {
      auto token = oauth_token(*c, &call.cancelled);
      if (!token) return token.error();
      set_header(call.http.headers, "Authorization", "Bearer " + token.value());
      break;
    }
  }
  return ok_status();
}

TaskOutcome HttpTaskRunner::Impl::perform(HttpCall& call) {
  auto auth = authorize(call);
  if (!auth) {
    if (auth.error().name == "Cancelled")
      return TaskOutcome::failure("States.Runtime", "cancelled");
    return socket_failure(auth.error());
  }
  auto r = http_perform(call.http, &call.cancelled);
  if (!r) {
    const Error& e = r.error();
    if (e.name == "TooLarge") return data_limit_outcome("http");
    if (e.name == "BadRequest") return TaskOutcome::failure("States.Runtime", e.cause);
    if (e.name == "Timeout")
      return TaskOutcome::failure("States.Http.Socket",
                                  "The HTTP request timed out after " +
                                      std::to_string(call.http.timeout_ms / 1000) +
                                      " seconds: " + e.cause);
    return socket_failure(e);
  }
  json::value result = http_task_result(r.value());
  if (r->status / 100 != 2)
    return TaskOutcome::failure("States.Http.StatusCode." + std::to_string(r->status),
                                json::dump(result));
  if (json::dumped_size(result) > stepwise::limits::payload_bytes_max)
    return data_limit_outcome("http");
  return TaskOutcome::success(std::move(result));
}

void HttpTaskRunner::Impl::finish(const std::shared_ptr<HttpCall>& call, TaskOutcome outcome) {
  {
    base::MutexLock lock(mu);
    std::erase(in_flight, call);
  }
  EventLoop* loop = call->loop;
  loop->post([call, outcome = std::move(outcome)]() mutable {
    if (!call->cancelled.load()) call->done(std::move(outcome));
  });
  loop->done_pending_work();
}

HttpTaskRunner::HttpTaskRunner() : impl_(std::make_unique<Impl>()) {}

HttpTaskRunner::~HttpTaskRunner() {
  base::MutexLock lock(impl_->mu);
  for (auto& call : impl_->in_flight) call->cancelled.store(true);
}

void HttpTaskRunner::set_secret_reader(SecretReader reader) { impl_->secrets = std::move(reader); }

Result<ConnectionSpec> connection_with_secret(const ConnectionSpec& connection,
                                              const std::optional<std::string>& secret_text) {
  const std::string about =
      "The secret '" + connection.secret + "' of connection '" + connection.name + "' ";
  if (!secret_text) return runtime_error(about + "does not exist or has no current value.");
  auto parsed = json::parse(*secret_text);
  if (!parsed.ok() || !parsed->is_object())
    return runtime_error(about + "does not hold a JSON object.");
  const json::object& o = parsed->get_object();
  ConnectionSpec c = connection;
  auto take = [&](const char* key, std::string& out) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) return false;
    out = std::string(v->get_string());
    return true;
  };
  // Every key is read (no short-circuit): a secret may fill some fields of each kind.
  const bool api_key = take("api_key_name", c.api_key_name);
  take("api_key_value", c.api_key_value);
  const bool basic = take("username", c.username);
  take("password", c.password);
  const bool oauth = take("client_id", c.client_id);
  take("client_secret", c.client_secret);
  take("authorization_endpoint", c.oauth_endpoint);
  take("http_method", c.oauth_method);
  if (c.auth == AuthKind::none) {
    c.auth = api_key ? AuthKind::api_key
             : basic ? AuthKind::basic
             : oauth ? AuthKind::oauth_client_credentials
                     : AuthKind::none;
  }
  if (c.auth == AuthKind::none)
    return runtime_error(about + "holds none of api_key_name, username, client_id.");
  if (c.auth == AuthKind::oauth_client_credentials && c.oauth_endpoint.rfind("http", 0) != 0)
    return runtime_error(about + "gives no authorization_endpoint for OAuth.");
  return c;
}

void HttpTaskRunner::add_connection(ConnectionSpec connection) {
  std::string name = connection.name;
  impl_->connections[name] = std::move(connection);
}

namespace {

// The connection named by Authentication.ConnectionArn; null when the Task names none.
Result<const ConnectionSpec*> connection_of(const json::value& params,
                                            const std::map<std::string, ConnectionSpec>& all) {
  if (!params.is_object()) return static_cast<const ConnectionSpec*>(nullptr);
  const auto* auth = params.get_object().if_contains("Authentication");
  if (auth == nullptr || auth->is_null()) return static_cast<const ConnectionSpec*>(nullptr);
  const json::value* arn =
      auth->is_object() ? auth->get_object().if_contains("ConnectionArn") : nullptr;
  if (arn == nullptr || !arn->is_string())
    return runtime_error("The field 'Authentication.ConnectionArn' must be a string.");
  auto it = all.find(connection_name_of(arn->get_string()));
  if (it == all.end())
    return runtime_error("The connection '" + std::string(arn->get_string()) +
                         "' is not defined in the functions config (connections section).");
  return &it->second;
}

}  // namespace

void HttpTaskRunner::start(const TaskRequest& request, EventLoop& loop, TaskDone done) {
  auto call = std::make_shared<HttpCall>();
  auto connection = connection_of(request.parameters, impl_->connections);
  Result<HttpRequest> http = connection ? http_task_request(request.parameters, *connection)
                                        : Result<HttpRequest>(connection.error());
  if (!http) {
    Error e = std::move(http).error();
    loop.post([done = std::move(done), e] { done(TaskOutcome::failure(e.name, e.cause)); });
    return;
  }
  call->request = request;
  call->http = std::move(http.value());
  call->connection = *connection;
  if (call->connection != nullptr && !call->connection->secret.empty()) {
    std::optional<std::string> text;
    if (impl_->secrets) text = impl_->secrets(call->connection->secret);
    auto resolved = impl_->secrets
                        ? connection_with_secret(*call->connection, text)
                        : Result<ConnectionSpec>(runtime_error(
                              "The connection '" + call->connection->name +
                              "' names a secret, but the built-in Secrets Manager is not "
                              "running (serve --services)."));
    if (!resolved) {
      Error e = std::move(resolved).error();
      loop.post([done = std::move(done), e] { done(TaskOutcome::failure(e.name, e.cause)); });
      return;
    }
    call->resolved = std::move(resolved).value();
    call->connection = &*call->resolved;
  }
  if (request.timeout_seconds && *request.timeout_seconds > 0)
    call->http.timeout_ms = std::min(call->http.timeout_ms, *request.timeout_seconds * 1000);
  call->loop = &loop;
  call->done = std::move(done);
  {
    base::MutexLock lock(impl_->mu);
    impl_->in_flight.push_back(call);
  }
  loop.add_pending_work();
  Impl* impl = impl_.get();
  if (!impl->pool.submit([impl, call] { impl->finish(call, impl->perform(*call)); })) {
    impl->finish(call, TaskOutcome::failure("States.Http.Socket",
                                            "Too many HTTP calls are waiting to be sent."));
  }
}

void HttpTaskRunner::cancel(const TaskRequest& request) {
  base::MutexLock lock(impl_->mu);
  for (auto& call : impl_->in_flight) {
    const TaskRequest& r = call->request;
    bool match = !request.task_id.empty()
                     ? r.task_id == request.task_id
                     : r.execution_arn == request.execution_arn &&
                           r.state_name == request.state_name && r.attempt == request.attempt;
    if (match) call->cancelled.store(true);
  }
}

}  // namespace stepwise::tasks
