// Fuzz target: the pass-through client's decoders of what another endpoint answers (services/
// remote). Input: a selector byte (0 AWS JSON, 1 SNS query XML, 2 S3 REST-XML, 3 credentials
// INI), then `STATUS\nHeader: v\n...\n\nBODY`. Every answer must become a JSON object or an
// error with a type, a message and an HTTP status — never a crash.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "services/remote/credentials.h"
#include "services/remote/remote_json.h"
#include "services/remote/remote_query.h"
#include "services/remote/remote_s3.h"

namespace {

stepwise::tasks::HttpResponse response_of(std::string_view text) {
  stepwise::tasks::HttpResponse r;
  auto nl = text.find('\n');
  std::string_view status = text.substr(0, nl);
  r.status = 0;
  for (char c : status.substr(0, 3))
    if (c >= '0' && c <= '9') r.status = r.status * 10 + (c - '0');
  text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  while (!text.empty()) {
    nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  r.body = std::string(text);
  return r;
}

void check(const stepwise::api::Response& r, std::string_view input) {
  if (r.is_error()) {
    if (r.error().type.empty() || r.error().message.empty() || r.error().status < 100)
      stepwise::fuzz::invariant_failed("an error without a type, message or status", input);
  } else if (!r.body().is_object()) {
    stepwise::fuzz::invariant_failed("an answer that is not an object", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise::services::remote;
  if (size == 0) return 0;
  std::string_view text = stepwise::fuzz::as_text(data + 1, size - 1);
  auto response = response_of(text);
  if (response.status < 100) response.status = 200;
  switch (data[0] % 4) {
    case 0:
      check(json_response(response), text);
      break;
    case 1:
      for (const char* action : {"Publish", "ListTopics", "GetTopicAttributes", "PublishBatch"})
        check(sns_response(action, response), text);
      break;
    case 2:
      for (const char* op : {"GetObject", "HeadObject", "ListObjectsV2", "ListBuckets",
                             "CopyObject", "DeleteObjects", "GetBucketLocation", "PutObject"})
        check(s3_response(op, stepwise::json::object{}, response), text);
      (void)s3_time(response.body);
      break;
    default:
      (void)parse_ini(text);
      break;
  }
  return 0;
}
