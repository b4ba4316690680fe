// The console's routes: its files, the event stream and the small JSON API of the inbox.
#include "console/console.h"

#include "api/query_protocol.h"
#include "api/rest_protocol.h"
#include "console/assets.h"
#include "json/json.h"

namespace stepwise::console {
namespace {

constexpr std::string_view immutable_cache = "public, max-age=31536000, immutable";

api::RawResponse json_answer(std::string body) {
  return api::RawAnswer{200, "application/json", {{"Cache-Control", "no-store"}}, std::move(body)};
}

// The value of `name` in the request's query string (%-decoded), or "".
std::string query_param(const api::GetRequest& g, std::string_view name) {
  auto [path, query] = api::split_target(g.http.target());
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
      std::string out;
      if (api::percent_decode(pair.substr(eq + 1), true, out)) return out;
      return {};
    }
    start = end + 1;
  }
  return {};
}

std::optional<api::StaticFile> static_file(std::string_view rel) {
  if (rel.empty()) rel = "index.html";
  const Asset* a = find_asset(rel);
  if (a == nullptr) return std::nullopt;
  return api::StaticFile{std::string(a->bytes), std::string(a->content_type),
                         std::string(a->immutable ? immutable_cache : "no-cache"),
                         std::string(a->etag)};
}

}  // namespace

std::string waiting_tasks_json(const std::vector<sfn::WaitingTask>& tasks) {
  json::array list;
  for (const sfn::WaitingTask& t : tasks) {
    list.push_back(json::object{{"taskToken", t.task_token},
                                {"executionArn", t.execution_arn},
                                {"stateMachineArn", t.state_machine_arn},
                                {"stateName", t.state_name},
                                {"resource", t.resource},
                                {"attempt", t.attempt}});
  }
  return json::dump(json::value(json::object{{"tasks", std::move(list)}}));
}

void register_console(api::Router& router, sfn::Service& service, LiveHub& hub,
                      ConsoleOptions options) {
  const api::GetOptions page{.unsigned_only = true};
  router.add_get(
      "/",
      [](const api::GetRequest& g) -> api::RawResponse {
        const Asset* index = find_asset("index.html");
        api::RawAnswer a{200,
                         "text/html; charset=utf-8",
                         {{"Cache-Control", "no-cache"}, {"ETag", std::string(index->etag)}},
                         {}};
        if (api::header_value(g.http, "If-None-Match") == index->etag) {
          a.status = 304;
          a.content_type.clear();
          return a;
        }
        a.body = std::string(index->bytes);
        return a;
      },
      page);
  router.add_static("/console/", static_file, page);

  const api::GetOptions signed_api{.needs_auth = true};
  router.add_get_async(
      "/console/api/tasks",
      [&service](const api::GetRequest&, api::RawReply reply) {
        service.waiting_tasks([reply = std::move(reply)](std::vector<sfn::WaitingTask> tasks) {
          reply(json_answer(waiting_tasks_json(tasks)));
        });
      },
      signed_api);
  router.add_get(
      "/console/api/ticket",
      [&hub](const api::GetRequest&) -> api::RawResponse {
        std::string ticket = hub.issue_ticket();
        if (ticket.empty()) return api::ApiError::internal("No entropy for a ticket");
        return json_answer(json::dump(json::value(json::object{{"ticket", ticket}})));
      },
      signed_api);

  router.add_stream(
      "/console/events",
      [&hub, options](const api::GetRequest& g,
                      std::shared_ptr<api::StreamSink> sink) -> api::RawResponse {
        if (options.auth && !hub.redeem_ticket(query_param(g, "ticket")))
          return api::ApiError{"AccessDeniedException",
                               "A console stream needs a fresh ticket (GET /console/api/ticket)",
                               403};
        Filter filter{query_param(g, "execution"), query_param(g, "stateMachine")};
        if (Status st = hub.add_client(std::move(sink), std::move(filter)); !st)
          return api::ApiError{"ServiceUnavailable", st.error().cause, 503};
        // `retry` tells EventSource how soon to reconnect after the stream ends.
        return api::RawAnswer{200,
                              "text/event-stream; charset=utf-8",
                              {{"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}},
                              "retry: 1000\n\n"};
      });
}

}  // namespace stepwise::console
