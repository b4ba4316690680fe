// Dispatcher: the boundary between the HTTP/AWS-JSON transport and the Step Functions
// operations. The server decodes a request into (operation, JSON input, RequestInfo) and hands it
// over with a Reply callback; the operation answers later, from any thread, exactly once.
//
// Why asynchronous: GetActivityTask holds a poll for up to ~55 s and StartSyncExecution waits
// for a whole execution. With a callback neither holds a thread, so 1,000 pending polls cost
// only memory.
//
// Thread-safety: dispatch() is called on the server's I/O threads, possibly concurrently;
// implementations must be safe for that. A Reply may be called from any thread; calls after the
// first are ignored, and a Reply dropped without being called answers InternalFailure.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "json/json.h"

namespace stepwise::api {

// An AWS error answer: `__type` and `message` in the body, the HTTP status on the line.
struct ApiError {
  std::string type;     // e.g. "StateMachineDoesNotExist" (short form, as AWS sends it)
  std::string message;  // human text; AWS's wording where known
  unsigned status = 400;
  // For services that also speak the query protocol (botocore's awsQueryCompatible, e.g. SQS):
  // the query protocol's code (e.g. "AWS.SimpleQueueService.NonExistentQueue"), sent in the
  // x-amzn-query-error header of JSON answers and as <Code> of query answers. Empty: `type`.
  std::string query_code = {};
  // Members an AWS JSON error carries besides __type and message (DynamoDB's
  // TransactionCanceledException has CancellationReasons, ConditionalCheckFailedException Item).
  json::object members = {};

  static ApiError internal(std::string message) {
    return {"InternalFailure", std::move(message), 500};
  }
};

// What an operation answers: a JSON body (200) or an ApiError.
class Response {
 public:
  Response(json::value body) : body_(std::move(body)) {}   // NOLINT: implicit by design
  Response(json::object body) : body_(std::move(body)) {}  // NOLINT: implicit by design
  Response(ApiError error) : error_(std::move(error)) {}   // NOLINT: implicit by design

  bool is_error() const { return error_.has_value(); }
  const json::value& body() const { return body_; }
  // Moves the body out (a caller done with the Response spares a deep copy).
  json::value take_body() { return std::move(body_); }
  const ApiError& error() const { return *error_; }

 private:
  json::value body_;
  std::optional<ApiError> error_;
};

using Reply = std::function<void(Response)>;

// Facts about one HTTP request that operations may need. Copy what you keep: the reference
// given to dispatch() is only valid during the call.
struct RequestInfo {
  std::string request_id;      // also sent back as x-amzn-RequestId
  std::string remote_address;  // "127.0.0.1:53122"
  std::string host;            // the Host header as sent (may carry the "sync-" prefix)
  std::string access_key_id;   // set when SigV4 verified the request, else empty
  std::string region;          // the SigV4 credential scope's region, else empty
  // Becomes true (on an I/O thread) when the client closes its connection before the answer.
  // A long poll should check it before handing work to its caller, as a gone poller would
  // lose the task. Null outside the server (tests calling dispatch() directly).
  std::shared_ptr<const std::atomic<bool>> client_gone;
};

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // operation: the name after "AWSStepFunctions." (e.g. "StartExecution"); request: a JSON
  // object. Must not throw; must call reply (now or later) exactly once.
  virtual void dispatch(std::string_view operation, json::value request, const RequestInfo& info,
                        Reply reply) = 0;
};

// A Dispatcher from a table of operation names. Unknown names are answered as AWS answers them
// (UnknownOperationException). A handler that throws is answered InternalFailure.
//
// Thread-safety: add() before serving; dispatch() is then safe from many threads.
class OperationTable final : public Dispatcher {
 public:
  using Handler = std::function<void(json::value request, const RequestInfo& info, Reply reply)>;
  using SyncHandler = std::function<Response(const json::value& request, const RequestInfo&)>;

  void add(std::string operation, Handler handler);
  // For operations that answer at once (most of them).
  void add_sync(std::string operation, SyncHandler handler);
  bool contains(std::string_view operation) const;

  void dispatch(std::string_view operation, json::value request, const RequestInfo& info,
                Reply reply) override;

 private:
  std::unordered_map<std::string, Handler> handlers_;
};

// The answer for an operation name that is not served.
ApiError unknown_operation(std::string_view operation);

}  // namespace stepwise::api
