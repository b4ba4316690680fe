#include "api/demo.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <stdexcept>

namespace stepwise::api {

namespace {

std::int64_t hold_ms(const json::value& request) {
  const auto* obj = request.if_object();
  const json::value* v = obj ? obj->if_contains("holdMs") : nullptr;
  if (v == nullptr || !v->is_int64()) return 0;
  return std::clamp<std::int64_t>(v->get_int64(), 0, demo_hold_ms_max);
}

std::string string_field(const json::value& request, std::string_view key, std::string fallback) {
  const auto* obj = request.if_object();
  const json::value* v = obj ? obj->if_contains(key) : nullptr;
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : fallback;
}

}  // namespace

void add_demo_operations(OperationTable& table, boost::asio::any_io_executor executor) {
  table.add_sync("Echo", [](const json::value& request, const RequestInfo&) { return request; });
  table.add_sync("ListStateMachines", [](const json::value&, const RequestInfo&) {
    return json::object{{"stateMachines", json::array{}}};
  });
  table.add("GetActivityTask", [executor](json::value request, const RequestInfo&, Reply reply) {
    auto timer = std::make_shared<boost::asio::steady_timer>(executor);
    timer->expires_after(std::chrono::milliseconds(hold_ms(request)));
    timer->async_wait([timer, reply](const boost::system::error_code&) { reply(json::object{}); });
  });
  table.add_sync("Fail", [](const json::value& request, const RequestInfo&) {
    const auto* obj = request.if_object();
    const json::value* s = obj ? obj->if_contains("status") : nullptr;
    unsigned status =
        s != nullptr && s->is_int64()
            ? static_cast<unsigned>(std::clamp<std::int64_t>(s->get_int64(), 400, 599))
            : 400;
    return ApiError{string_field(request, "type", "ValidationException"),
                    string_field(request, "message", ""), status};
  });
  table.add("Throw", [](json::value, const RequestInfo&, Reply) {
    throw std::runtime_error("demo handler threw");
  });
  table.add("Drop", [](json::value, const RequestInfo&, Reply) {});
}

}  // namespace stepwise::api
