#include "api/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "api/api_limits.h"

namespace stepwise::api {

// ---- KeyStore ----

Result<KeyStore> KeyStore::parse(std::string_view text) {
  if (text.size() > limits::auth_keys_file_bytes_max)
    return Error{"AuthKeys", "auth keys file is larger than 1 MiB"};
  auto parsed = json::parse(text);
  if (!parsed.ok()) return Error{"AuthKeys", "auth keys file is not JSON: " + parsed.error().cause};
  if (!parsed->is_object())
    return Error{"AuthKeys", "auth keys file must be a JSON object {\"<key id>\": \"<secret>\"}"};
  KeyStore store;
  for (const auto& [key, secret] : parsed->get_object()) {
    if (!secret.is_string() || key.empty() || secret.get_string().empty())
      return Error{"AuthKeys",
                   "auth key '" + std::string(key) + "' needs a non-empty string secret"};
    if (store.size() >= limits::auth_keys_max)
      return Error{"AuthKeys", "auth keys file holds more than 10000 keys"};
    store.add(std::string(key), std::string(secret.get_string()));
  }
  if (store.size() == 0) return Error{"AuthKeys", "auth keys file holds no key"};
  return store;
}

Result<KeyStore> KeyStore::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"AuthKeys", "cannot open auth keys file " + path};
  std::string text(limits::auth_keys_file_bytes_max + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return parse(text);
}

void KeyStore::add(std::string access_key_id, std::string secret) {
  secrets_[std::move(access_key_id)] = std::move(secret);
}

const std::string* KeyStore::secret_for(std::string_view access_key_id) const {
  auto it = secrets_.find(std::string(access_key_id));
  return it == secrets_.end() ? nullptr : &it->second;
}

// ---- building blocks ----

namespace sigv4 {

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

const EVP_MD* fetched_digest(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md != nullptr ? md : EVP_get_digestbyname(name);
}

std::string sha256_hex(std::string_view data) {
  static const EVP_MD* const sha256 = fetched_digest("SHA256");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, sha256, nullptr);
  return hex(std::string_view(reinterpret_cast<const char*>(md), n));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

// RFC 3986 percent-encoding as SigV4 wants it (uppercase hex); '/' kept when keep_slash.
std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string uri_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Non-S3 services normalise the path (RFC 3986 dot segments, empty segments kept out) and then
// encode the already-encoded path once more, as botocore and the SDKs do.
std::string canonical_uri(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;
  if (path.empty() || path[0] != '/') start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = end + 1;
  }
  std::string out;
  for (auto seg : segments) out += "/" + uri_encode(seg, false);
  bool trailing = path.size() > 1 && path.back() == '/' && !segments.empty();
  if (out.empty() || trailing) out += "/";
  return out;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view item = query.substr(start, end - start);
    if (!item.empty()) {
      std::size_t eq = item.find('=');
      std::string_view k = item.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? "" : item.substr(eq + 1);
      params.emplace_back(uri_encode(uri_decode(k), false), uri_encode(uri_decode(v), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

// Trim and collapse runs of spaces, as the canonical header value requires.
std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string canonical_request(const SignedRequest& request,
                              const std::vector<std::string>& signed_headers, bool s3_path,
                              std::string_view payload_hash) {
  std::string_view target = request.target;
  std::size_t q = target.find('?');
  std::string out = request.method + "\n";
  std::string_view path = target.substr(0, q);
  if (s3_path) {
    out += path.empty() ? std::string_view("/") : path;
    out += "\n";
  } else {
    out += canonical_uri(path) + "\n";
  }
  out += (q == std::string_view::npos ? "" : canonical_query(target.substr(q + 1))) + "\n";
  for (const auto& name : signed_headers) {
    std::string joined;
    bool first = true;
    for (const auto& [n, v] : request.headers) {
      if (lower(n) != name) continue;
      joined += (first ? "" : ",") + canonical_value(v);
      first = false;
    }
    out += name + ":" + joined + "\n";
  }
  out += "\n";
  for (std::size_t i = 0; i < signed_headers.size(); ++i) out += (i ? ";" : "") + signed_headers[i];
  out += "\n";
  out += payload_hash.empty() ? sha256_hex(request.body) : std::string(payload_hash);
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         sha256_hex(canonical_request);
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  std::string k = hmac_sha256("AWS4" + std::string(secret), date);
  k = hmac_sha256(k, region);
  k = hmac_sha256(k, service);
  return hmac_sha256(k, "aws4_request");
}

std::string authorization(const SignedRequest& request, std::string_view access_key_id,
                          std::string_view secret, std::string_view region,
                          std::string_view service, std::string_view amz_date, bool s3_path,
                          std::string_view payload_hash) {
  std::vector<std::string> names;
  for (const auto& h : request.headers) names.push_back(lower(h.first));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string date(amz_date.substr(0, 8));
  std::string scope =
      date + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  std::string sts =
      string_to_sign(amz_date, scope, canonical_request(request, names, s3_path, payload_hash));
  std::string sig = hex(hmac_sha256(signing_key(secret, date, region, service), sts));
  std::string joined;
  for (std::size_t i = 0; i < names.size(); ++i) joined += (i ? ";" : "") + names[i];
  return "AWS4-HMAC-SHA256 Credential=" + std::string(access_key_id) + "/" + scope +
         ", SignedHeaders=" + joined + ", Signature=" + sig;
}

AuthorizationParts parse_authorization(std::string_view header) {
  auto trim_view = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
  };
  AuthorizationParts a;
  header = trim_view(header);
  std::size_t sp = header.find(' ');
  a.algorithm = header.substr(0, sp);
  if (sp == std::string_view::npos) return a;
  std::string_view rest = header.substr(sp + 1);
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = trim_view(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view k = item.substr(0, eq), v = item.substr(eq + 1);
    if (k == "Credential") a.credential = v, a.has_credential = true;
    if (k == "SignedHeaders") a.signed_headers = v, a.has_signed_headers = true;
    if (k == "Signature") a.signature = v, a.has_signature = true;
  }
  return a;
}

std::string_view scope_service(std::string_view authorization_header) {
  AuthorizationParts a = parse_authorization(authorization_header);
  if (!a.has_credential) return {};
  // AKID/DATE/REGION/SERVICE/aws4_request: the fourth of five parts.
  std::string_view c = a.credential;
  std::string_view parts[5];
  for (std::size_t i = 0; i < 5; ++i) {
    std::size_t slash = c.find('/');
    if ((slash == std::string_view::npos) != (i == 4)) return {};
    parts[i] = c.substr(0, slash);
    c = slash == std::string_view::npos ? std::string_view() : c.substr(slash + 1);
  }
  if (parts[4] != "aws4_request") return {};
  return parts[3];
}

std::string amz_date(Millis t) {
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace sigv4

// ---- verification ----

namespace {

Verified fail(std::string type, std::string message) {
  return Verified{std::nullopt, ApiError{std::move(type), std::move(message), 400}};
}

Verified incomplete(std::string message) {
  return fail("IncompleteSignatureException", std::move(message));
}

Verified invalid(std::string message) {
  return fail("InvalidSignatureException", std::move(message));
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

const std::string* find_header(const SignedRequest& r, std::string_view lower_name) {
  for (const auto& [n, v] : r.headers)
    if (n.size() == lower_name.size() &&
        std::equal(n.begin(), n.end(), lower_name.begin(),
                   [](char a, char b) { return std::tolower((unsigned char)a) == b; }))
      return &v;
  return nullptr;
}

using AuthHeader = sigv4::AuthorizationParts;

// "20261125T112322Z" -> epoch milliseconds; false when not ISO-8601 basic format.
bool parse_amz_date(std::string_view s, Millis* out) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return false;
  for (std::size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return false;
  *out = static_cast<Millis>(timegm(&tm)) * 1000;
  return true;
}

std::string missing_parts(const AuthHeader& a, bool has_date, std::string_view header) {
  std::string m;
  if (!a.has_credential) m += "Authorization header requires 'Credential' parameter. ";
  if (!a.has_signature) m += "Authorization header requires 'Signature' parameter. ";
  if (!a.has_signed_headers) m += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!has_date)
    m += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (!m.empty()) m += "Authorization=" + std::string(header);
  return m;
}

Verified check_skew(std::string_view amz_date, Millis signed_ms, Millis now_ms) {
  const Millis skew_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(limits::signature_skew_max).count();
  std::string now = sigv4::amz_date(now_ms);
  if (signed_ms < now_ms - skew_ms)
    return invalid("Signature expired: " + std::string(amz_date) + " is now earlier than " +
                   sigv4::amz_date(now_ms - skew_ms) + " (" + now + " - 15 min.)");
  if (signed_ms > now_ms + skew_ms)
    return invalid("Signature not yet current: " + std::string(amz_date) + " is still later than " +
                   sigv4::amz_date(now_ms + skew_ms) + " (" + now + " + 15 min.)");
  return Verified{Identity{}, {}};
}

const char* const kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

}  // namespace

namespace {

// The hash line of the canonical request: the body's SHA-256, or (where the service allows it)
// the literal x-amz-content-sha256 says. A hex value there is never trusted: the real body's
// hash is used, so a lying header makes the signature fail.
std::string_view payload_hash_line(const SignedRequest& request, const SigningRules& rules) {
  if (!rules.unsigned_payload_allowed) return {};
  const std::string* claimed = find_header(request, "x-amz-content-sha256");
  if (claimed == nullptr) return {};
  std::string_view v = *claimed;
  if (v == "UNSIGNED-PAYLOAD" || v.starts_with("STREAMING-")) return v;
  return {};
}

}  // namespace

Verified verify_sigv4(const SignedRequest& request, const KeyStore& keys, Millis now_ms,
                      const SigningRules& rules) {
  const std::string* header = find_header(request, "authorization");
  if (header == nullptr)
    return fail("MissingAuthenticationTokenException", "Missing Authentication Token");
  AuthHeader auth = sigv4::parse_authorization(*header);
  if (auth.algorithm != "AWS4-HMAC-SHA256")
    return incomplete("Unsupported AWS 'algorithm': '" + std::string(auth.algorithm) + "'");
  const std::string* date = find_header(request, "x-amz-date");
  std::string missing = missing_parts(auth, date != nullptr, *header);
  if (!missing.empty()) return incomplete(missing);

  auto scope = split(auth.credential, '/');
  if (scope.size() != 5 || scope[0].empty())
    return incomplete("Authorization header has a malformed 'Credential' parameter: '" +
                      std::string(auth.credential) + "'");
  if (scope[4] != "aws4_request")
    return incomplete(
        "Credential should be scoped with a valid terminator: 'aws4_request', "
        "not '" +
        std::string(scope[4]) + "'. ");
  Millis signed_ms = 0;
  if (!parse_amz_date(*date, &signed_ms))
    return incomplete("Date must be in ISO-8601 'basic format'. Got '" + *date +
                      "'. See http://en.wikipedia.org/wiki/ISO_8601");
  if (scope[1] != std::string_view(*date).substr(0, 8))
    return invalid(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
        "date from HTTP: '" +
        std::string(scope[1]) + "' != '" + date->substr(0, 8) + "', from '" + *date + "'.");

  std::vector<std::string> names;
  for (std::string_view n : split(auth.signed_headers, ';')) {
    if (names.size() >= limits::signed_headers_max)
      return incomplete("Authorization header signs too many headers");
    names.push_back(sigv4::lower(n));
  }
  if (std::find(names.begin(), names.end(), "host") == names.end())
    return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  const std::string* secret = keys.secret_for(scope[0]);
  if (secret == nullptr)
    return fail("UnrecognizedClientException",
                "The security token included in the request is invalid.");
  if (!rules.service.empty() && scope[3] != rules.service)
    return invalid("Credential should be scoped to correct service: '" +
                   std::string(rules.service) + "'. ");
  if (Verified skew = check_skew(*date, signed_ms, now_ms); !skew.ok()) return skew;

  std::string scope_text(auth.credential.substr(scope[0].size() + 1));
  std::string canonical =
      sigv4::canonical_request(request, names, rules.s3_path, payload_hash_line(request, rules));
  std::string sts = sigv4::string_to_sign(*date, scope_text, canonical);
  std::string expected = sigv4::hex(
      sigv4::hmac_sha256(sigv4::signing_key(*secret, scope[1], scope[2], scope[3]), sts));
  if (expected.size() != auth.signature.size() ||
      CRYPTO_memcmp(expected.data(), auth.signature.data(), expected.size()) != 0)
    return invalid(kSignatureMismatch);
  return Verified{Identity{std::string(scope[0]), std::string(scope[2])}, {}};
}

}  // namespace stepwise::api
