// The REST-XML front of the built-in S3: one handler for every request the router hands the
// S3 service (a catch-all REST service, path-style `/<bucket>/<key>` and virtual-host-style
// `<bucket>.localhost/<key>`), which names the operation from the method, the path and the
// sub-resource in the query (?uploads, ?uploadId=, ?delete, ?list-type=2, ...), decodes the
// headers and body (aws-chunked, checksums, x-amz-meta-*, Range, x-amz-copy-source), calls S3
// and writes S3's XML answers and headers. Errors are S3's <Error> documents (the router's
// encoding); HEAD answers carry no body.
//
// Thread-safety: as S3; the handler may run on many server threads at once.
#pragma once

#include <string>
#include <string_view>

#include "api/router.h"
#include "services/s3/s3.h"

namespace stepwise::services::s3 {

inline constexpr std::string_view s3_xmlns = "http://s3.amazonaws.com/doc/2006-03-01/";

// Handles one request. `reply` is called exactly once, now or when the write is durable.
void handle_rest(S3& s3, api::RestRequest& request, const api::RequestInfo& info,
                 api::RawReply reply);

// Which operation a request is (for tests and metrics): "PutObject", "ListObjectsV2", ...;
// "" when S3 has no such operation here.
std::string rest_operation(std::string_view method, bool has_key, const api::Params& query,
                           bool copy_source);

// The bucket and the %-decoded key of a REST path ("/b/some%20key" → {"b", "some key"}).
// nullopt for a malformed %-escape.
std::optional<std::pair<std::string, std::string>> split_path(std::string_view path);

}  // namespace stepwise::services::s3
