// A pass-through Dispatcher for SNS, which speaks the query protocol: the operation's JSON
// request is written as the form an SDK posts (Action, Version and the members flattened by
// sns::json_to_form, the same mapping the built-in SNS decodes with), and the XML answer is read
// back into the JSON the built-in SNS answers (its <{Action}Result> members, with SNS's lists,
// maps and booleans as sns_query.h names them). An <ErrorResponse> becomes the ApiError the
// built-in gives: <Code> as the type (NotFound, InvalidParameter, ...), <Message>, the status.
//
// Thread-safety: dispatch() from any thread; the reply comes on a client pool thread.
#pragma once

#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "services/remote/aws_client.h"

namespace stepwise::services::remote {

inline constexpr std::string_view sns_api_version = "2010-03-31";

// The request an SNS operation becomes (POST / with a form body).
OutboundRequest sns_request(std::string_view action, const json::value& request);
// What an SNS answer means: the result as JSON, or the error.
api::Response sns_response(std::string_view action, const tasks::HttpResponse& response);

class RemoteSnsDispatcher final : public RemoteDispatcher {
 public:
  using RemoteDispatcher::RemoteDispatcher;
  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override;
};

}  // namespace stepwise::services::remote
