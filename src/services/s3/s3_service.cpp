#include "services/s3/s3_service.h"

#include <cstdio>
#include <utility>

#include "json/json.h"
#include "services/common/codec.h"
#include "services/s3/s3_rest.h"

namespace stepwise::services::s3 {
namespace {

// S3's exceptions the AWS SDK for Java v2 models; any other code is S3Exception.
bool modelled(std::string_view code) {
  static constexpr std::string_view known[] = {"NoSuchKey",
                                               "NoSuchBucket",
                                               "NoSuchUpload",
                                               "BucketAlreadyOwnedByYou",
                                               "BucketAlreadyExists",
                                               "InvalidObjectState",
                                               "ObjectAlreadyInActiveTierError",
                                               "ObjectNotInActiveTierError",
                                               "TooManyParts",
                                               "InvalidRequest",
                                               "InvalidWriteOffset",
                                               "EncryptionTypeMismatch"};
  for (auto k : known)
    if (k == code) return true;
  return false;
}

std::string hex_upper(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

tasks::TaskOutcome s3_failure(const api::ApiError& error, const std::string& request_id,
                              const std::string& extended_id) {
  std::string name =
      "S3." + (modelled(error.type) ? error.type + "Exception" : std::string("S3Exception"));
  std::string cause = error.message +
                      " (Service: S3, Status Code: " + std::to_string(error.status) +
                      ", Request ID: " + request_id + ", Extended Request ID: " + extended_id + ")";
  return tasks::TaskOutcome::failure(std::move(name), std::move(cause));
}

json::value sdk_parameters(const std::string& operation, json::value parameters) {
  if (!parameters.is_object()) parameters = json::object();
  json::object& p = parameters.get_object();
  if (operation == "PutObject" || operation == "UploadPart") {
    // Step Functions serialises the Body as JSON: a string keeps its quotes.
    if (const json::value* b = p.if_contains("Body")) p["Body"] = json::dump(*b);
    if (operation == "PutObject" && !p.contains("ContentType"))
      p["ContentType"] = "text/plain; charset=UTF-8";
    // The SDK computes a CRC32 checksum unless the task names another.
    bool has_checksum = p.contains("ChecksumAlgorithm");
    for (const auto& kv : p)
      if (kv.key().starts_with("Checksum")) has_checksum = true;
    if (!has_checksum) p["ChecksumAlgorithm"] = "CRC32";
  }
  return parameters;
}

void S3SdkRunner::start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) {
  const std::string op = sdk_operation(request.resource, "s3");
  if (op.empty()) {
    done(tasks::TaskOutcome::failure("States.Runtime",
                                     "The resource '" + request.resource + "' is not supported."));
    return;
  }
  json::value params = sdk_parameters(op, request.parameters);
  std::string key = call_key(request);
  auto gone = in_flight_.add(key);
  std::string rid = hex_upper(ids_.next_u64());
  std::string extended = base64_encode(hex_upper(ids_.next_u64()) + hex_upper(ids_.next_u64()));
  call_operation(
      operations_, op, std::move(params), rid, loop, gone,
      [this, key = std::move(key), gone, rid, extended, done = std::move(done)](api::Response r) {
        in_flight_.finished(key, gone);
        if (r.is_error()) return done(s3_failure(r.error(), rid, extended));
        done(tasks::TaskOutcome::success(r.take_body()));
      });
}

void S3SdkRunner::cancel(const tasks::TaskRequest& request) {
  in_flight_.cancel(call_key(request));
}

Result<std::unique_ptr<S3Service>> S3Service::open(S3Options options) {
  const std::uint64_t seed = options.id_seed;
  auto s3 = S3::open(std::move(options));
  if (!s3.ok()) return s3.error();
  return std::unique_ptr<S3Service>(new S3Service(std::move(s3).value(), seed));
}

S3Service::S3Service(std::unique_ptr<S3> s3, std::uint64_t id_seed)
    : s3_(std::move(s3)),
      operations_(*s3_),
      sdk_(operations_, id_seed ? id_seed + 3 : 0, /*any_loop=*/true) {}

void S3Service::add_routes(api::Router& router) {
  api::RestServiceOptions options;
  options.flavor = api::RestFlavor::xml;
  options.catch_all = true;
  options.virtual_host = true;
  options.s3_errors = true;
  options.signing_name = "s3";
  // The PUT cap plus room for aws-chunked framing (a chunk line per 64 KiB at least).
  const std::uint64_t cap = s3_->options().put_bytes_max;
  options.body_bytes_max = static_cast<std::size_t>(cap + cap / 64 + 64 * 1024);
  S3* s3 = s3_.get();
  (void)router.add_rest_service(
      "s3", std::move(options),
      [s3](api::RestRequest& request, const api::RequestInfo& info, api::RawReply reply) {
        handle_rest(*s3, request, info, std::move(reply));
      });
}

Status S3Service::add_integrations(tasks::IntegrationRegistry& registry) {
  return registry.add("aws-sdk:s3:*", &sdk_);
}

}  // namespace stepwise::services::s3
