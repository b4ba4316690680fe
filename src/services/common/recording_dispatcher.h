// Tests only: a Dispatcher that writes down each operation and request it gets and answers
// every one with the same body, for checking what an integration sends to its service.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/dispatcher.h"

namespace stepwise::services {

class RecordingDispatcher final : public api::Dispatcher {
 public:
  explicit RecordingDispatcher(json::value answer) : answer_(std::move(answer)) {}
  void dispatch(std::string_view operation, json::value request, const api::RequestInfo&,
                api::Reply reply) override {
    calls.emplace_back(std::string(operation), std::move(request));
    reply(answer_);
  }
  std::vector<std::pair<std::string, json::value>> calls;

 private:
  json::value answer_;
};

}  // namespace stepwise::services
