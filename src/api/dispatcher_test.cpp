#include "api/dispatcher.h"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

namespace stepwise::api {
namespace {

struct Captured {
  std::optional<Response> response;
  int calls = 0;
  Reply reply() {
    return [this](Response r) {
      ++calls;
      if (!response) response = std::move(r);
    };
  }
};

TEST(OperationTable, RoutesToTheNamedHandler) {
  OperationTable table;
  table.add_sync("Ping", [](const json::value& req, const RequestInfo& info) {
    return json::object{{"got", req}, {"id", info.request_id}};
  });
  Captured c;
  RequestInfo info;
  info.request_id = "r1";
  table.dispatch("Ping", json::object{{"x", 1}}, info, c.reply());
  ASSERT_TRUE(c.response && !c.response->is_error());
  EXPECT_EQ(json::dump(c.response->body()), R"({"got":{"x":1},"id":"r1"})");
}

TEST(OperationTable, UnknownOperationAnswersUnknownOperationException) {
  OperationTable table;
  Captured c;
  table.dispatch("NoSuchThing", json::object{}, RequestInfo{}, c.reply());
  ASSERT_TRUE(c.response && c.response->is_error());
  EXPECT_EQ(c.response->error().type, "UnknownOperationException");
  EXPECT_EQ(c.response->error().status, 400u);
  EXPECT_FALSE(table.contains("NoSuchThing"));
}

TEST(OperationTable, ThrowingHandlerAnswersInternalFailure) {
  OperationTable table;
  table.add("Boom", [](json::value, const RequestInfo&, Reply) { throw std::runtime_error("x"); });
  Captured c;
  table.dispatch("Boom", json::object{}, RequestInfo{}, c.reply());
  ASSERT_TRUE(c.response && c.response->is_error());
  EXPECT_EQ(c.response->error().type, "InternalFailure");
  EXPECT_EQ(c.response->error().status, 500u);
}

TEST(OperationTable, AsyncHandlerMayAnswerLater) {
  OperationTable table;
  Reply saved;
  table.add("Later", [&](json::value, const RequestInfo&, Reply r) { saved = std::move(r); });
  Captured c;
  table.dispatch("Later", json::object{}, RequestInfo{}, c.reply());
  EXPECT_FALSE(c.response);
  saved(json::object{{"done", true}});
  ASSERT_TRUE(c.response);
  EXPECT_EQ(json::dump(c.response->body()), R"({"done":true})");
}

}  // namespace
}  // namespace stepwise::api
