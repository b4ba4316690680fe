// Byte codecs the built-in services share: base64 (AWS's blobs in JSON and XML), MD5 (SQS's
// message digests, S3's ETags) and a check for the characters XML 1.0 can carry.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stepwise::services {

std::string base64_encode(std::string_view bytes);
// Standard alphabet with padding (what the SDKs send); nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view text);

// The 32 lowercase hex digits of the MD5 of bytes.
std::string md5_hex(std::string_view bytes);

// Escapes text for XML content like api::xml_escape, and also writes CR as &#xD; so that a
// parser's end-of-line normalisation does not turn it into LF (SQS bodies keep their CRs, and
// clients check MD5OfBody against what they parsed).
std::string xml_text(std::string_view text);

}  // namespace stepwise::services
