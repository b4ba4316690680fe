#include "services/s3/s3_wire.h"

#include <openssl/evp.h>

#include <array>
#include <cctype>

#include "api/protocol.h"
#include "base/ascii.h"
#include "json/utf8.h"
#include "services/common/codec.h"
#include "services/s3/s3_limits.h"

namespace stepwise::services::s3 {

namespace errors {
api::ApiError no_such_bucket() {
  return {"NoSuchBucket", "The specified bucket does not exist", 404};
}
api::ApiError no_such_key() { return {"NoSuchKey", "The specified key does not exist.", 404}; }
api::ApiError no_such_upload() {
  return {"NoSuchUpload",
          "The specified upload does not exist. The upload ID may be invalid, or the upload may "
          "have been aborted or completed.",
          404};
}
api::ApiError bucket_not_empty() {
  return {"BucketNotEmpty", "The bucket you tried to delete is not empty", 409};
}
api::ApiError bucket_already_owned() {
  return {"BucketAlreadyOwnedByYou",
          "Your previous request to create the named bucket succeeded and you already own it.",
          409};
}
api::ApiError invalid_bucket_name() {
  return {"InvalidBucketName", "The specified bucket is not valid.", 400};
}
api::ApiError key_too_long() { return {"KeyTooLongError", "Your key is too long", 400}; }
api::ApiError invalid_range() {
  return {"InvalidRange", "The requested range is not satisfiable", 416};
}
api::ApiError bad_digest(std::string_view what) {
  if (what == "Content-MD5")
    return {"BadDigest", "The Content-MD5 you specified did not match what we received.", 400};
  return {"BadDigest",
          "The " + std::string(what) + " you specified did not match the calculated checksum.",
          400};
}
api::ApiError invalid_digest() {
  return {"InvalidDigest", "The Content-MD5 you specified is not valid.", 400};
}
api::ApiError entity_too_large() {
  return {"EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400};
}
api::ApiError entity_too_small() {
  return {"EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.",
          400};
}
api::ApiError invalid_part() {
  return {"InvalidPart",
          "One or more of the specified parts could not be found.  The part may not have been "
          "uploaded, or the specified entity tag may not have matched the part's entity tag.",
          400};
}
api::ApiError invalid_part_order() {
  return {"InvalidPartOrder",
          "The list of parts was not in ascending order. Parts must be ordered by part number.",
          400};
}
api::ApiError metadata_too_large() {
  return {"MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.",
          400};
}
api::ApiError malformed_xml() {
  return {"MalformedXML",
          "The XML you provided was not well-formed or did not validate against our published "
          "schema",
          400};
}
api::ApiError incomplete_body() {
  return {"IncompleteBody",
          "You did not provide the number of bytes specified by the Content-Length HTTP header",
          400};
}
api::ApiError invalid_argument(std::string message) {
  return {"InvalidArgument", std::move(message), 400};
}
api::ApiError invalid_request(std::string message) {
  return {"InvalidRequest", std::move(message), 400};
}
api::ApiError not_implemented(std::string message) {
  return {"NotImplemented", std::move(message), 501};
}
api::ApiError too_many_buckets() {
  return {"TooManyBuckets", "You have attempted to create more buckets than allowed", 400};
}
api::ApiError internal(std::string message) { return {"InternalError", std::move(message), 500}; }
}  // namespace errors

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || is_digit(c); }

bool looks_like_ipv4(std::string_view s) {
  int dots = 0;
  std::size_t run = 0;
  for (char c : s) {
    if (c == '.') {
      if (run == 0) return false;
      ++dots;
      run = 0;
    } else if (is_digit(c)) {
      ++run;
    } else {
      return false;
    }
  }
  return dots == 3 && run > 0;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

template <typename T, T poly>
constexpr std::array<T, 256> reflected_table() {
  std::array<T, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    T c = static_cast<T>(i);
    for (int k = 0; k < 8; ++k) c = (c & 1) ? static_cast<T>((c >> 1) ^ poly) : (c >> 1);
    t[i] = c;
  }
  return t;
}

constexpr auto crc32_table = reflected_table<std::uint32_t, 0xEDB88320u>();
constexpr auto crc32c_table = reflected_table<std::uint32_t, 0x82F63B78u>();
constexpr auto crc64_table = reflected_table<std::uint64_t, 0x9A6C9329AC4BC9B5ull>();

template <typename T>
std::string big_endian(T v) {
  std::string out(sizeof(T), '\0');
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out[sizeof(T) - 1 - i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

std::string digest(const EVP_MD* md, std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> d{};
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), d.data(), &n, md, nullptr);
  return std::string(reinterpret_cast<const char*>(d.data()), n);
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool valid_bucket_name(std::string_view name) {
  if (name.size() < s3_limits::bucket_name_min || name.size() > s3_limits::bucket_name_max)
    return false;
  if (!is_lower_alnum(name.front()) || !is_lower_alnum(name.back())) return false;
  for (char c : name)
    if (!is_lower_alnum(c) && c != '.' && c != '-') return false;
  if (name.find("..") != std::string_view::npos) return false;
  if (looks_like_ipv4(name)) return false;
  if (name.starts_with("xn--") || name.starts_with("sthree-") || name.starts_with("amzn-s3-demo-"))
    return false;
  if (name.ends_with("-s3alias") || name.ends_with("--ol-s3") || name.ends_with(".mrap") ||
      name.ends_with("--x-s3"))
    return false;
  return true;
}

std::optional<api::ApiError> check_key(std::string_view key) {
  if (key.empty()) return errors::invalid_argument("The key must not be empty");
  if (key.size() > s3_limits::key_bytes_max) return errors::key_too_long();
  if (!api::is_valid_utf8(key)) return errors::invalid_argument("Object key is not valid UTF-8");
  return std::nullopt;
}

RangeRequest parse_range(std::string_view header, std::uint64_t size) {
  RangeRequest r;
  header = trim(header);
  constexpr std::string_view prefix = "bytes=";
  if (!header.starts_with(prefix)) return r;
  std::string_view spec = trim(header.substr(prefix.size()));
  if (spec.find(',') != std::string_view::npos) return r;  // several ranges: S3 ignores them
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return r;
  std::string_view a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
  if (a.empty()) {  // suffix: the last n bytes
    auto n = parse_u64(b);
    if (!n) return r;
    if (*n == 0 || size == 0) return {RangeRequest::Kind::unsatisfiable};
    r.kind = RangeRequest::Kind::range;
    r.first = *n >= size ? 0 : size - *n;
    r.last = size - 1;
    return r;
  }
  auto first = parse_u64(a);
  if (!first) return r;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    auto l = parse_u64(b);
    if (!l || *l < *first) return r;  // an invalid range is ignored, as S3 does
    last = std::min(*l, last);
  }
  if (*first >= size) return {RangeRequest::Kind::unsatisfiable};
  return {RangeRequest::Kind::range, *first, last};
}

bool is_aws_chunked(std::string_view content_encoding, std::string_view content_sha256) {
  if (content_sha256.starts_with("STREAMING-")) return true;
  std::size_t start = 0;
  while (start < content_encoding.size()) {
    std::size_t end = content_encoding.find(',', start);
    if (end == std::string_view::npos) end = content_encoding.size();
    if (trim(content_encoding.substr(start, end - start)) == "aws-chunked") return true;
    start = end + 1;
  }
  return false;
}

ChunkedDecoded decode_aws_chunked(std::string_view in) {
  ChunkedDecoded out;
  ChunkedBody body;
  auto fail = [&](api::ApiError e) {
    out.error = std::move(e);
    return std::move(out);
  };
  std::size_t pos = 0;
  while (true) {
    std::size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos || eol - pos > s3_limits::chunk_line_bytes_max)
      return fail(errors::incomplete_body());
    std::string_view line = in.substr(pos, eol - pos);
    std::string_view hex = line.substr(0, line.find(';'));
    hex = trim(hex);
    if (hex.empty() || hex.size() > 15) return fail(errors::incomplete_body());
    std::uint64_t n = 0;
    for (char c : hex) {
      int v = hex_value(c);
      if (v < 0) return fail(errors::incomplete_body());
      n = n * 16 + static_cast<std::uint64_t>(v);
    }
    pos = eol + 2;
    if (n == 0) break;
    if (n > in.size() - pos) return fail(errors::incomplete_body());
    body.bytes.append(in.substr(pos, n));
    pos += n;
    if (in.substr(pos, 2) != "\r\n") return fail(errors::incomplete_body());
    pos += 2;
  }
  // Trailers: "name:value" lines up to a blank line (or the end of the body).
  std::string_view rest = in.substr(pos);
  if (rest.size() > s3_limits::trailer_bytes_max) return fail(errors::incomplete_body());
  std::size_t p = 0;
  while (p < rest.size()) {
    std::size_t eol = rest.find("\r\n", p);
    std::string_view line = rest.substr(p, eol == std::string_view::npos ? rest.npos : eol - p);
    p = eol == std::string_view::npos ? rest.size() : eol + 2;
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return fail(errors::incomplete_body());
    std::string name = ascii_lower(trim(line.substr(0, colon)));
    if (name == "x-amz-trailer-signature") continue;
    body.trailers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  }
  out.body = std::move(body);
  return out;
}

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) {
  crc = ~crc;
  for (unsigned char c : bytes) crc = crc32_table[(crc ^ c) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc) {
  crc = ~crc;
  for (unsigned char c : bytes) crc = crc32c_table[(crc ^ c) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::uint64_t crc64nvme(std::string_view bytes, std::uint64_t crc) {
  crc = ~crc;
  for (unsigned char c : bytes) crc = crc64_table[(crc ^ c) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::string_view checksum_algorithm(std::string_view name) {
  static constexpr std::string_view known[] = {"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"};
  for (auto k : known) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < k.size() && same; ++i)
      same = std::toupper(static_cast<unsigned char>(name[i])) == k[i];
    if (same) return k;
  }
  return "";
}

std::string checksum_base64(std::string_view algorithm, std::string_view bytes) {
  if (algorithm == "CRC32") return base64_encode(big_endian(crc32(bytes)));
  if (algorithm == "CRC32C") return base64_encode(big_endian(crc32c(bytes)));
  if (algorithm == "CRC64NVME") return base64_encode(big_endian(crc64nvme(bytes)));
  if (algorithm == "SHA1") return base64_encode(digest(EVP_sha1(), bytes));
  if (algorithm == "SHA256") return base64_encode(digest(EVP_sha256(), bytes));
  return "";
}

std::string etag_of(std::string_view bytes) { return "\"" + md5_hex(bytes) + "\""; }

std::string quoted_etag(std::string_view etag) {
  etag = trim(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return "\"" + std::string(etag) + "\"";
}

std::optional<std::string> multipart_etag(const std::vector<std::string>& part_etags) {
  std::string binary;
  binary.reserve(part_etags.size() * 16);
  for (const auto& e : part_etags) {
    std::string q = quoted_etag(e);
    std::string_view hex = std::string_view(q).substr(1, q.size() - 2);
    if (hex.size() != 32) return std::nullopt;
    for (std::size_t i = 0; i < 32; i += 2) {
      int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      binary += static_cast<char>(hi * 16 + lo);
    }
  }
  return "\"" + md5_hex(binary) + "-" + std::to_string(part_etags.size()) + "\"";
}

const XmlNode* XmlNode::child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::string XmlNode::child_text(std::string_view n) const {
  const XmlNode* c = child(n);
  return c ? c->text : std::string();
}

namespace {

class XmlReader {
 public:
  explicit XmlReader(std::string_view doc) : s_(doc) {}

  std::optional<XmlNode> document() {
    if (!skip_misc()) return std::nullopt;
    XmlNode root;
    if (!element(root, 0)) return std::nullopt;
    if (!skip_misc() || pos_ != s_.size()) return std::nullopt;
    return root;
  }

 private:
  bool starts(std::string_view t) const { return s_.substr(pos_).starts_with(t); }
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n'))
      ++pos_;
  }
  bool skip_past(std::string_view end) {
    auto at = s_.find(end, pos_);
    if (at == std::string_view::npos) return false;
    pos_ = at + end.size();
    return true;
  }
  // Whitespace, the declaration, comments, processing instructions and a DOCTYPE-free prolog.
  bool skip_misc() {
    while (true) {
      skip_space();
      if (starts("<?")) {
        if (!skip_past("?>")) return false;
      } else if (starts("<!--")) {
        if (!skip_past("-->")) return false;
      } else {
        return true;
      }
    }
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == ':' || static_cast<unsigned char>(c) >= 0x80;
  }
  std::string_view name() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && name_char(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  static std::string_view local(std::string_view n) {
    auto colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
  }
  bool entity(std::string& out) {
    auto semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return false;
    std::string_view e = s_.substr(pos_ + 1, semi - pos_ - 1);
    pos_ = semi + 1;
    if (e == "amp") return out += '&', true;
    if (e == "lt") return out += '<', true;
    if (e == "gt") return out += '>', true;
    if (e == "quot") return out += '"', true;
    if (e == "apos") return out += '\'', true;
    if (e.size() < 2 || e[0] != '#') return false;
    std::uint32_t cp = 0;
    bool hex = e[1] == 'x' || e[1] == 'X';
    std::string_view digits = e.substr(hex ? 2 : 1);
    if (digits.empty()) return false;
    for (char c : digits) {
      int v = hex ? hex_value(c) : (is_digit(c) ? c - '0' : -1);
      if (v < 0) return false;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
      if (cp > 0x10FFFF) return false;
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    json::append_utf8(out, cp);
    return true;
  }
  bool element(XmlNode& node, std::size_t depth) {
    if (depth >= s3_limits::xml_depth_max || ++elements_ > s3_limits::xml_elements_max)
      return false;
    if (!starts("<")) return false;
    ++pos_;
    std::string_view full = name();
    if (full.empty()) return false;
    node.name = std::string(local(full));
    // Attributes (xmlns and the like) are skipped, quotes respected.
    while (pos_ < s_.size() && s_[pos_] != '>' && !starts("/>")) {
      char c = s_[pos_];
      if (c == '"' || c == '\'') {
        auto end = s_.find(c, pos_ + 1);
        if (end == std::string_view::npos) return false;
        pos_ = end + 1;
      } else if (c == '<') {
        return false;
      } else {
        ++pos_;
      }
    }
    if (pos_ >= s_.size()) return false;
    if (starts("/>")) {
      pos_ += 2;
      return true;
    }
    ++pos_;  // '>'
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '<') {
        if (starts("</")) {
          pos_ += 2;
          if (name() != full) return false;
          skip_space();
          if (!starts(">")) return false;
          ++pos_;
          return true;
        }
        if (starts("<!--")) {
          if (!skip_past("-->")) return false;
          continue;
        }
        if (starts("<![CDATA[")) {
          std::size_t start = pos_ + 9;
          auto end = s_.find("]]>", start);
          if (end == std::string_view::npos) return false;
          node.text.append(s_.substr(start, end - start));
          pos_ = end + 3;
          continue;
        }
        if (starts("<?")) {
          if (!skip_past("?>")) return false;
          continue;
        }
        if (starts("<!")) return false;
        node.children.emplace_back();
        if (!element(node.children.back(), depth + 1)) return false;
      } else if (c == '&') {
        if (!entity(node.text)) return false;
      } else {
        node.text += c;
        ++pos_;
      }
    }
    return false;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t elements_ = 0;
};

}  // namespace

std::optional<XmlNode> parse_xml(std::string_view document) {
  return XmlReader(document).document();
}

std::size_t metadata_bytes(const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::size_t n = 0;
  for (const auto& [k, v] : metadata) n += k.size() + v.size();
  return n;
}

std::string url_encode_key(std::string_view key) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size());
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace stepwise::services::s3
