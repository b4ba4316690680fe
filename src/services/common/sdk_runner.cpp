#include "services/common/sdk_runner.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <utility>

#include "api/protocol.h"

namespace stepwise::services {

std::string sdk_operation(const std::string& resource, std::string_view service) {
  const std::string prefix = "aws-sdk:" + std::string(service) + ":";
  auto pos = resource.find(prefix);
  if (pos == std::string::npos) return "";
  std::string_view action = std::string_view(resource).substr(pos + prefix.size());
  constexpr std::string_view callback = ".waitForTaskToken";
  if (action.ends_with(callback)) action.remove_suffix(callback.size());
  if (action.empty() || action.find_first_of(":.") != std::string_view::npos) return "";
  std::string op(action);
  op[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(op[0])));
  return op;
}

void call_operation(api::Dispatcher& operations, std::string operation, json::value params,
                    std::string request_id, EventLoop& loop,
                    std::shared_ptr<std::atomic<bool>> gone,
                    std::function<void(api::Response)> on_answer) {
  loop.add_pending_work();
  api::RequestInfo info;
  info.request_id = std::move(request_id);
  info.client_gone = gone;
  auto answer = std::make_shared<std::function<void(api::Response)>>(std::move(on_answer));
  api::Reply reply = [&loop, answer, gone](api::Response r) {
    loop.post([answer, gone, r = std::move(r)]() mutable {
      if (!gone->load()) (*answer)(std::move(r));
    });
    loop.done_pending_work();
  };
  operations.dispatch(operation, std::move(params), info, std::move(reply));
}

json::object take_object(api::Response& r) {
  json::value body = r.take_body();
  return body.is_object() ? std::move(body.get_object()) : json::object();
}

void move_members(json::object& to, json::object from) {
  to.reserve(to.size() + from.size());
  for (auto& kv : from) to[kv.key()] = std::move(kv.value());
}

std::string http_date(Millis t) {
  // One integration call after another asks for the same second: the text is kept per thread.
  thread_local Millis cached_second = -1;
  thread_local std::string cached;
  if (t / 1000 == cached_second && !cached.empty()) return cached;
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
                tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  cached_second = t / 1000;
  cached = buf;
  return cached;
}

json::object sdk_http_metadata(std::size_t content_length, const std::string& request_id,
                               Millis now, std::string_view content_type) {
  // Built member by member (each integration call makes one): an initializer list of value_refs
  // copies every nested object once more.
  const std::string_view type = content_type.empty() ? api::json_content_type : content_type;
  // What the Java SDK v1 inside Step Functions attaches (the recordings show these five
  // headers).
  char length_buf[24];
  const std::string_view length(
      length_buf,
      static_cast<std::size_t>(
          std::to_chars(length_buf, length_buf + sizeof length_buf, content_length).ptr -
          length_buf));
  const std::string date = http_date(now);
  auto listed = [](std::string_view v) {
    json::array a;
    a.emplace_back(v);
    return a;
  };
  json::object all(5);
  all.emplace("x-amzn-RequestId", listed(request_id));
  all.emplace("connection", listed("keep-alive"));
  all.emplace("Content-Length", listed(length));
  all.emplace("Date", listed(date));
  all.emplace("Content-Type", listed(type));
  json::object headers(5);
  headers.emplace("connection", "keep-alive");
  headers.emplace("Content-Length", length);
  headers.emplace("Content-Type", type);
  headers.emplace("Date", date);
  headers.emplace("x-amzn-RequestId", request_id);
  json::object http(3);
  http.emplace("AllHttpHeaders", std::move(all));
  http.emplace("HttpHeaders", std::move(headers));
  http.emplace("HttpStatusCode", 200);
  json::object response(1);
  response.emplace("RequestId", request_id);
  json::object out(2);
  out.emplace("SdkHttpMetadata", std::move(http));
  out.emplace("SdkResponseMetadata", std::move(response));
  return out;
}

tasks::TaskOutcome optimized_failure(std::string_view prefix, std::string_view service_name,
                                     std::string_view exception, std::string_view generic,
                                     const api::ApiError& error, const std::string& request_id) {
  std::string name =
      std::string(prefix) + "." + std::string(exception.empty() ? generic : exception);
  const std::string& code = error.query_code.empty() ? error.type : error.query_code;
  std::string cause = error.message + " (Service: " + std::string(service_name) +
                      "; Status Code: " + std::to_string(error.status) + "; Error Code: " + code +
                      "; Request ID: " + request_id + "; Proxy: null)";
  return tasks::TaskOutcome::failure(std::move(name), std::move(cause));
}

tasks::TaskOutcome sdk_failure(std::string_view prefix, const api::ApiError& error,
                               const std::string& request_id) {
  std::string name = std::string(prefix) + "." + error.type;
  if (!error.type.ends_with("Exception")) name += "Exception";
  std::string cause = error.message + " (Service: " + std::string(prefix) +
                      ", Status Code: " + std::to_string(error.status) +
                      ", Request ID: " + request_id + ") (SDK Attempt Count: 1)";
  return tasks::TaskOutcome::failure(std::move(name), std::move(cause));
}

std::string call_key(const tasks::TaskRequest& request) {
  if (!request.task_id.empty()) return request.task_id;
  return request.execution_arn + "#" + request.state_name + "#" + std::to_string(request.attempt);
}

InFlightCalls::Gone InFlightCalls::add(const std::string& key) {
  auto gone = std::make_shared<std::atomic<bool>>(false);
  base::MutexLock lock(mu_);
  calls_[key] = gone;
  return gone;
}

void InFlightCalls::finished(const std::string& key, const Gone& gone) {
  base::MutexLock lock(mu_);
  auto it = calls_.find(key);
  if (it != calls_.end() && it->second == gone) calls_.erase(it);
}

void InFlightCalls::cancel(const std::string& key) {
  base::MutexLock lock(mu_);
  auto it = calls_.find(key);
  if (it == calls_.end()) return;
  it->second->store(true);
  calls_.erase(it);
}

SdkRunner::SdkRunner(api::Dispatcher& operations, std::string service, std::string prefix,
                     std::uint64_t id_seed, bool any_loop)
    : operations_(operations),
      service_(std::move(service)),
      prefix_(std::move(prefix)),
      ids_(id_seed),
      any_loop_(any_loop) {}

void SdkRunner::start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) {
  const std::string op = sdk_operation(request.resource, service_);
  if (op.empty()) {
    done(tasks::TaskOutcome::failure("States.Runtime",
                                     "The resource '" + request.resource + "' is not supported."));
    return;
  }
  json::value params =
      request.parameters.is_object() ? request.parameters : json::value(json::object());
  std::string key = call_key(request);
  auto gone = in_flight_.add(key);
  std::string rid = ids_.uuid_v4();
  call_operation(operations_, op, std::move(params), rid, loop, gone,
                 [this, key = std::move(key), gone, rid, done = std::move(done)](api::Response r) {
                   in_flight_.finished(key, gone);
                   if (r.is_error()) {
                     done(sdk_failure(prefix_, r.error(), rid));
                   } else {
                     done(tasks::TaskOutcome::success(r.take_body()));
                   }
                 });
}

void SdkRunner::cancel(const tasks::TaskRequest& request) { in_flight_.cancel(call_key(request)); }

}  // namespace stepwise::services
