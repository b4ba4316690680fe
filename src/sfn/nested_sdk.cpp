#include "sfn/nested_sdk.h"

#include <cctype>
#include <cmath>
#include <utility>

#include "base/clock.h"
#include "sfn/nested.h"

namespace stepwise::sfn {
namespace {

constexpr std::string_view kPrefix = "aws-sdk:sfn:";
constexpr std::string_view kCallback = ".waitForTaskToken";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string with_first(std::string_view key, bool upper) {
  std::string out(key);
  if (!out.empty()) {
    auto c = static_cast<unsigned char>(out[0]);
    out[0] = static_cast<char>(upper ? std::toupper(c) : std::tolower(c));
  }
  return out;
}

// A timestamp member of the API (epoch seconds) that the SDK shows as ISO-8601 text.
bool timestamp_key(std::string_view key) { return ends_with(key, "Date") || key == "timestamp"; }

json::value rename(const json::value& v, bool upper, std::size_t depth) {
  if (depth >= sdk_limits::sdk_key_depth_max) return v;
  if (const auto* obj = v.if_object()) {
    json::object out;
    out.reserve(obj->size());
    for (const auto& kv : *obj) {
      const std::string_view key(kv.key().data(), kv.key().size());
      if (upper && timestamp_key(key) && json::is_number(kv.value())) {
        const double secs = json::as_double(kv.value());
        out[with_first(key, true)] =
            format_iso8601_ms(static_cast<Millis>(std::llround(secs * 1000.0)));
        continue;
      }
      out[with_first(key, upper)] = rename(kv.value(), upper, depth + 1);
    }
    return out;
  }
  if (const auto* arr = v.if_array()) {
    json::array out;
    out.reserve(arr->size());
    for (const auto& item : *arr) out.push_back(rename(item, upper, depth + 1));
    return out;
  }
  return v;
}

}  // namespace

std::string sfn_sdk_operation(const std::string& resource) {
  auto pos = resource.find(kPrefix);
  if (pos == std::string::npos) return "";
  std::string_view action = std::string_view(resource).substr(pos + kPrefix.size());
  if (ends_with(action, kCallback)) action.remove_suffix(kCallback.size());
  if (action.empty() || action.find(':') != std::string_view::npos) return "";
  return with_first(action, true);
}

json::value sdk_to_api_names(const json::value& v) { return rename(v, false, 0); }
json::value api_to_sdk_names(const json::value& v) { return rename(v, true, 0); }

tasks::TaskOutcome sfn_sdk_failure(const api::ApiError& error, const std::string& request_id) {
  std::string name = "Sfn." + error.type;
  if (!ends_with(error.type, "Exception")) name += "Exception";
  std::string cause = error.message +
                      " (Service: Sfn, Status Code: " + std::to_string(error.status) +
                      ", Request ID: " + request_id + ") (SDK Attempt Count: 1)";
  return tasks::TaskOutcome::failure(std::move(name), std::move(cause));
}

SfnSdkRunner::SfnSdkRunner(api::Dispatcher& service, IdGenerator& ids)
    : service_(service), ids_(ids) {}

void SfnSdkRunner::start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) {
  const std::string operation = sfn_sdk_operation(request.resource);
  if (operation.empty()) {
    done(tasks::TaskOutcome::failure("States.Runtime",
                                     "The resource '" + request.resource + "' is not supported."));
    return;
  }
  json::value body = request.parameters.is_null() ? json::value(json::object())
                                                  : sdk_to_api_names(request.parameters);
  const std::string key = task_key(request);
  Call call{next_call_++, std::make_shared<std::atomic<bool>>(false)};
  in_flight_[key] = call;
  auto shared = std::make_shared<tasks::TaskDone>(std::move(done));
  api::Reply reply = [this, &loop, shared, key, id = call.id, gone = call.gone,
                      rid = ids_.uuid_v4()](api::Response r) {
    tasks::TaskOutcome o = r.is_error() ? sfn_sdk_failure(r.error(), rid)
                                        : tasks::TaskOutcome::success(api_to_sdk_names(r.body()));
    loop.post([this, shared, key, id, gone, o = std::move(o)]() mutable {
      if (gone->load()) return;  // cancelled: the task does not want it
      finished(key, id);
      (*shared)(std::move(o));
    });
  };
  api::RequestInfo info;
  info.request_id = ids_.uuid_v4();
  info.client_gone = call.gone;
  service_.dispatch(operation, std::move(body), info, std::move(reply));
}

void SfnSdkRunner::cancel(const tasks::TaskRequest& request) {
  auto it = in_flight_.find(task_key(request));
  if (it == in_flight_.end()) return;
  it->second.gone->store(true);
  in_flight_.erase(it);
}

void SfnSdkRunner::finished(const std::string& key, std::uint64_t id) {
  auto it = in_flight_.find(key);
  if (it != in_flight_.end() && it->second.id == id) in_flight_.erase(it);
}

}  // namespace stepwise::sfn
