// What `stepwise bench services` sends: requests formatted as the AWS SDKs send them, the
// scenarios (the operation mix of each workload) and the set-up calls before a workload.
//
// - SQS: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.SendMessage`, as boto3 >= 1.32 and the other
//   current SDKs send; moto 5 and Stepwise both speak it).
// - DynamoDB: AWS JSON 1.0 (`DynamoDB_20120810.PutItem`).
// - S3: REST, path-style (`PUT /bucket/key`).
// Every request carries a SigV4-shaped Authorization header (unverified: neither server checks
// signatures here) because moto's server picks the service from its credential scope.
//
// Thread-safety: scenarios belong to the load driver's thread; the rest are pure functions
// except http_call, which does blocking I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "bench/services_load.h"

namespace stepwise::bench {

// Sizes of what is sent (docs/BENCHMARKS.md): an SQS message body, a DynamoDB item's payload
// attribute, an S3 object; S3 keys per client are reused round-robin so the bucket stays small.
inline constexpr std::size_t sqs_body_bytes = 256;
inline constexpr std::size_t dynamodb_payload_bytes = 256;
inline constexpr std::size_t s3_object_bytes = 4096;
inline constexpr std::int64_t s3_keys_per_client = 256;
// Fill mode: entries per SendMessageBatch (AWS's maximum) and per BatchWriteItem (AWS's maximum).
inline constexpr int sqs_batch_entries = 10;
inline constexpr int dynamodb_batch_items = 25;

// "POST / HTTP/1.1" with the JSON 1.0 headers for `target` ("AmazonSQS.SendMessage") of
// `service` ("sqs", the credential scope's service).
std::string json_request(int port, std::string_view service, std::string_view target,
                         std::string_view body);
// A REST request (S3): method, path, optional body (sent with Content-Length and type).
std::string rest_request(int port, std::string_view service, std::string_view method,
                         std::string_view path, std::string_view body,
                         std::string_view content_type = "application/octet-stream");

// The value of a top-level-or-nested JSON string member `"name":"..."` (the first one), as the
// raw (still escaped) text between the quotes; nullopt when absent. Tolerates the space after
// the colon that Python's json writes.
std::optional<std::string> find_json_string(std::string_view body, std::string_view name);
// True when an error answer says the operation is not known to the server (Stepwise's
// UnknownOperationException, AWS's UnknownOperation), i.e. the service is not built in.
bool is_unknown_operation(unsigned status, std::string_view body);

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};
// One request on a fresh connection to 127.0.0.1:port, waiting for the answer.
Result<HttpAnswer> http_call(int port, const std::string& request, double timeout_s = 60);

// The names a workload uses (one queue, table, bucket per run).
struct ServiceNames {
  std::string queue_url;  // from CreateQueue's answer
  std::string table = "svcbench";
  std::string bucket = "svcbench";
  std::string state_machine_arn;
  int items = 0;  // integration workloads: calls per execution
};

// The workloads' scenarios. `port` is where requests go (its Host header).
// sqs: SendMessage, ReceiveMessage (1 message, no wait), DeleteMessage of what was received
//   (skipped when the receive found none: another client took it).
// dynamodb: PutItem of a new item, then GetItem of it (consistent read), checked.
// s3: PUT of a 4 KiB object, then GET of it, checked by length.
// fill-sqs: SendMessageBatch of 10.  fill-dynamodb: BatchWriteItem of 25.
// integrations: StartSyncExecution of names.state_machine_arn with names.items items; the
//   execution must SUCCEED.
std::unique_ptr<Scenario> make_scenario(std::string_view workload, int port,
                                        const ServiceNames& names);

}  // namespace stepwise::bench
