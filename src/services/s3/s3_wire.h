// The pieces of S3's wire format the built-in S3 decodes and checks, as pure functions: bucket
// name and key rules, Range headers, the `aws-chunked` body encoding recent SDKs send (signed
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD and unsigned STREAMING-UNSIGNED-PAYLOAD-TRAILER, with
// x-amz-checksum-* trailers), the checksums S3 computes (CRC32, CRC32C, CRC64NVME, SHA1,
// SHA256; base64 of the big-endian digest), multipart ETags, and a small XML reader for the
// request documents (DeleteObjects, CompleteMultipartUpload, CreateBucketConfiguration). Every
// decoder has limits (s3_limits.h) and reports bad input as S3's error, never a crash.
//
// Thread-safety: pure functions and value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/dispatcher.h"

namespace stepwise::services::s3 {

// S3's errors (code, AWS's message, status). `detail` extends the message where AWS's does.
namespace errors {
api::ApiError no_such_bucket();
api::ApiError no_such_key();
api::ApiError no_such_upload();
api::ApiError bucket_not_empty();
api::ApiError bucket_already_owned();
api::ApiError invalid_bucket_name();
api::ApiError key_too_long();
api::ApiError invalid_range();
api::ApiError bad_digest(std::string_view what);
api::ApiError invalid_digest();
api::ApiError entity_too_large();
api::ApiError entity_too_small();
api::ApiError invalid_part();
api::ApiError invalid_part_order();
api::ApiError metadata_too_large();
api::ApiError malformed_xml();
api::ApiError incomplete_body();
api::ApiError invalid_argument(std::string message);
api::ApiError invalid_request(std::string message);
api::ApiError not_implemented(std::string message);
api::ApiError too_many_buckets();
api::ApiError internal(std::string message);
}  // namespace errors

// AWS's rules for new bucket names: 3-63 of [a-z0-9.-], begins and ends with a letter or a
// digit, no "..", not an IPv4 address, not "xn--"/"sthree-" prefixed or "-s3alias"/"--ol-s3"
// suffixed.
bool valid_bucket_name(std::string_view name);
// Keys: 1..1,024 bytes, well-formed UTF-8. nullopt when acceptable.
std::optional<api::ApiError> check_key(std::string_view key);

// A Range header against an object of `size` bytes. S3 serves one range ("bytes=a-b",
// "bytes=a-", "bytes=-n"); a header it cannot parse, or several ranges, is ignored (the whole
// object, 200); a range starting past the end is InvalidRange (416).
struct RangeRequest {
  enum class Kind : std::uint8_t { whole, range, unsatisfiable } kind = Kind::whole;
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};
RangeRequest parse_range(std::string_view header, std::uint64_t size);

// Decodes an aws-chunked body: `<hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n` ... a zero
// chunk, then optional trailer lines `name:value\r\n` and a blank line. Chunk signatures are
// not verified (docs/SERVICES.md). Errors: IncompleteBody / InvalidRequest.
struct ChunkedBody {
  std::string bytes;
  std::vector<std::pair<std::string, std::string>> trailers;  // names lowercased
};
struct ChunkedDecoded {
  std::optional<ChunkedBody> body;
  api::ApiError error;
};
ChunkedDecoded decode_aws_chunked(std::string_view encoded);
// True when a request's body is aws-chunked (Content-Encoding or x-amz-content-sha256 says so).
bool is_aws_chunked(std::string_view content_encoding, std::string_view content_sha256);

// Checksums, as S3 writes them: base64 of the big-endian digest. `algorithm` is upper case
// (CRC32, CRC32C, CRC64NVME, SHA1, SHA256); "" for an unknown algorithm.
std::string checksum_base64(std::string_view algorithm, std::string_view bytes);
std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0);
std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);
std::uint64_t crc64nvme(std::string_view bytes, std::uint64_t crc = 0);
// The algorithms S3 knows, upper case; "" for another name.
std::string_view checksum_algorithm(std::string_view name);

// A simple object's ETag: the quoted MD5 hex of its bytes.
std::string etag_of(std::string_view bytes);
// A multipart object's ETag: "<md5 of the concatenated binary part MD5s>-<parts>", quoted.
// `part_etags` are the parts' ETags (quoted or not). nullopt when one is not 32 hex digits.
std::optional<std::string> multipart_etag(const std::vector<std::string>& part_etags);
// An ETag as clients send it in CompleteMultipartUpload: quotes optional. Returns it quoted.
std::string quoted_etag(std::string_view etag);

// A minimal XML reader for S3's request documents: elements, text (with the five named
// entities, numeric references and CDATA), attributes and namespaces ignored (names lose their
// prefix), declarations, comments and processing instructions skipped. nullopt on anything
// malformed or over the limits.
struct XmlNode {
  std::string name;
  std::string text;  // the concatenated text directly inside the element
  std::vector<XmlNode> children;
  const XmlNode* child(std::string_view n) const;
  std::string child_text(std::string_view n) const;  // "" when absent
};
std::optional<XmlNode> parse_xml(std::string_view document);

// `x-amz-meta-*` metadata bytes as AWS counts them (names without the prefix plus values).
std::size_t metadata_bytes(const std::vector<std::pair<std::string, std::string>>& metadata);

// Percent-encoding as S3 writes keys with EncodingType=url (RFC 3986 unreserved kept, '/' too).
std::string url_encode_key(std::string_view key);

}  // namespace stepwise::services::s3
