// JSONata's encoding built-in functions ($base64encode/decode, $encodeUrl(Component),
// $decodeUrl(Component)) and the date/time ones ($now, $millis, $fromMillis, $toMillis), which
// wrap datetime.cpp.
#include <cstring>

#include "jsonata/functions_internal.h"

namespace stepwise::jsonata::builtins {
namespace {

// ---- encoding ----

const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Value f_base64encode(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  // The reference encodes the string's code units as Latin-1 bytes.
  auto cps = to_code_points(a[0].str());
  std::string bytes;
  for (auto c : cps) bytes += static_cast<char>(c & 0xFF);
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += b64[(n >> 6) & 63];
    out += b64[n & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? b64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return Value::string(out);
}

Value f_base64decode(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : a[0].str()) {
    const char* p = std::strchr(b64, c);
    if (!p || c == '\0') continue;
    buf = (buf << 6) | static_cast<unsigned>(p - b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      append_utf8(out, static_cast<char32_t>((buf >> bits) & 0xFF));
    }
  }
  return Value::string(out);
}

Value encode_uri(const Args& a, const char* keep) {
  if (arg(a, 0).undefined()) return Value();
  std::string out;
  for (unsigned char c : a[0].str()) {
    if (std::isalnum(c) || std::strchr(keep, c)) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return Value::string(out);
}

Value f_encode_url_component(Context&, Args& a, const Value&, const FramePtr&) {
  return encode_uri(a, "-_.!~*'()");
}
Value f_encode_url(Context&, Args& a, const Value&, const FramePtr&) {
  return encode_uri(a, "-_.!~*'();/?:@&=+$,#");
}

Value decode_uri(const Args& a, const char* reserved, const char* name) {
  if (arg(a, 0).undefined()) return Value();
  const std::string& s = a[0].str();
  std::string out;
  auto hex = [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c))
               ? (std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                                                              : (std::tolower(c) - 'a' + 10))
               : -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
      JError err{"D3140"};
      err.value = a[0];
      err.token = name;
      err.has_token = true;
      throw err;
    }
    char c = static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
    if (static_cast<unsigned char>(c) < 0x80 && std::strchr(reserved, c) && c != '\0') {
      out += s.substr(i, 3);
    } else {
      out += c;
    }
    i += 2;
  }
  // A decoded byte sequence must be valid UTF-8 (JavaScript throws URIError otherwise).
  for (std::size_t i = 0; i < out.size();) {
    auto c = static_cast<unsigned char>(out[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= out.size();
    for (int k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(out[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      JError err{"D3140"};
      err.value = a[0];
      err.token = name;
      err.has_token = true;
      throw err;
    }
    i += len;
  }
  return Value::string(out);
}

Value f_decode_url_component(Context&, Args& a, const Value&, const FramePtr&) {
  return decode_uri(a, "", "decodeUrlComponent");
}
Value f_decode_url(Context&, Args& a, const Value&, const FramePtr&) {
  return decode_uri(a, ";/?:@&=+$,#", "decodeUrl");
}

// ---- date/time ----

Value f_now(Context& ctx, Args& a, const Value&, const FramePtr&) {
  return fn_from_millis(ctx.now_millis, arg(a, 0), arg(a, 1));
}
Value f_millis(Context& ctx, Args&, const Value&, const FramePtr&) {
  return Value::number(ctx.now_millis);
}
Value f_from_millis(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return fn_from_millis(a[0].num(), arg(a, 1), arg(a, 2));
}
Value f_to_millis(Context& ctx, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return fn_to_millis(a[0].str(), arg(a, 1), ctx.now_millis);
}

}  // namespace

std::vector<Builtin> encoding() {
  return {
      {"base64encode", f_base64encode, "<s-:s>", 1, nullptr},
      {"base64decode", f_base64decode, "<s-:s>", 1, nullptr},
      {"encodeUrlComponent", f_encode_url_component, "<s-:s>", 1, nullptr},
      {"encodeUrl", f_encode_url, "<s-:s>", 1, nullptr},
      {"decodeUrlComponent", f_decode_url_component, "<s-:s>", 1, nullptr},
      {"decodeUrl", f_decode_url, "<s-:s>", 1, nullptr},
      {"toMillis", f_to_millis, "<s-s?:n>", 2, nullptr},
      {"fromMillis", f_from_millis, "<n-s?s?:s>", 3, nullptr},
      {"now", f_now, "<s?s?:s>", 2, nullptr},
      {"millis", f_millis, "<:n>", 0, nullptr},
  };
}

}  // namespace stepwise::jsonata::builtins
