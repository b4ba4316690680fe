#include "api/rest_protocol.h"

namespace stepwise::api {

Result<PathPattern> PathPattern::compile(std::string_view pattern) {
  auto bad = [&](std::string why) {
    return Error{"Api.Pattern", "path pattern '" + std::string(pattern) + "': " + why};
  };
  if (pattern.empty() || pattern[0] != '/') return bad("must start with '/'");
  PathPattern p;
  p.text_ = std::string(pattern);
  std::size_t start = 1;
  while (start <= pattern.size()) {
    std::size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    std::string_view seg = pattern.substr(start, end - start);
    start = end + 1;
    if (p.segments_.size() >= rest_limits::pattern_segments_max) return bad("too many segments");
    if (!p.segments_.empty() && p.segments_.back().greedy)
      return bad("a greedy {Name+} must be the last segment");
    Segment s;
    if (!seg.empty() && seg.front() == '{') {
      if (seg.size() < 3 || seg.back() != '}') return bad("unclosed '{'");
      seg = seg.substr(1, seg.size() - 2);
      s.capture = true;
      if (seg.back() == '+') {
        s.greedy = true;
        seg.remove_suffix(1);
      }
      if (seg.empty()) return bad("a capture needs a name");
      if (seg.find_first_of("{}+") != std::string_view::npos) return bad("a bad capture name");
    } else if (seg.find_first_of("{}") != std::string_view::npos) {
      return bad("braces must enclose a whole segment");
    }
    s.text = std::string(seg);
    p.segments_.push_back(std::move(s));
  }
  return p;
}

bool PathPattern::match(std::string_view path, Params* params) const {
  if (path.empty() || path[0] != '/') return false;
  std::size_t pos = 1, captured = params ? params->size() : 0;
  auto fail = [&] {
    if (params) params->resize(captured);
    return false;
  };
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (pos > path.size()) return fail();
    std::size_t end = s.greedy ? path.size() : path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(pos, end - pos);
    pos = end + 1;
    if (!s.capture) {
      if (seg != s.text) return fail();
      continue;
    }
    if (seg.empty()) return fail();
    if (params) {
      std::string value;
      if (!percent_decode(seg, false, value)) return fail();
      params->emplace_back(s.text, std::move(value));
    }
  }
  return pos > path.size() ? true : fail();
}

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

FormDecoded decode_query_string(std::string_view query) { return decode_form(query); }

std::optional<std::string_view> bucket_from_host(std::string_view host) {
  if (!host.empty() && host.front() == '[') return std::nullopt;  // IPv6 literal
  host = host.substr(0, host.find(':'));
  constexpr std::string_view localhost = ".localhost", s3 = ".s3.", s3_end = ".s3";
  std::string_view bucket;
  if (host.size() > localhost.size() && host.ends_with(localhost)) {
    bucket = host.substr(0, host.size() - localhost.size());
    // <bucket>.s3.localhost and <bucket>.s3.<region>.localhost name the bucket before ".s3".
    if (bucket.ends_with(s3_end)) {
      bucket.remove_suffix(s3_end.size());
    } else if (std::size_t at = bucket.rfind(s3);
               at != std::string_view::npos &&
               bucket.find('.', at + s3.size()) == std::string_view::npos) {
      bucket = bucket.substr(0, at);
    }
    // s3.localhost and s3.<region>.localhost are the service's own host: no bucket.
    if (bucket == "s3" || bucket.starts_with("s3.")) return std::nullopt;
  } else if (std::size_t at = host.find(s3); at != std::string_view::npos && at > 0) {
    bucket = host.substr(0, at);
  } else {
    return std::nullopt;
  }
  if (bucket.empty()) return std::nullopt;
  return bucket;
}

std::string_view header_value(const HttpRequest& request, std::string_view name) {
  auto it = request.find(boost::beast::string_view(name.data(), name.size()));
  if (it == request.end()) return {};
  return {it->value().data(), it->value().size()};
}

ApiError no_route(std::string_view method, std::string_view path) {
  return ApiError{
      "NotFound",
      "No operation is served at " + std::string(method) + " " + std::string(path.substr(0, 200)),
      404};
}

ApiError method_not_allowed(std::string_view method, std::string_view path) {
  return ApiError{"MethodNotAllowed",
                  "The specified method is not allowed against this resource: " +
                      std::string(method) + " " + std::string(path.substr(0, 200)),
                  405};
}

}  // namespace stepwise::api
