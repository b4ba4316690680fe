#include "services/events/input_transformer.h"

#include <cctype>

#include "services/events/events_limits.h"

namespace stepwise::services::events {

namespace {

// An array index past any array an event can hold.
constexpr std::size_t kIndexMax = 1'000'000'000;

bool placeholder_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// The placeholder starting at `at` ('<'): its name, or empty when `at` does not start one.
std::string_view placeholder_at(std::string_view text, std::size_t at) {
  std::size_t end = at + 1;
  while (end < text.size() && placeholder_char(text[end])) ++end;
  if (end == at + 1 || end >= text.size() || text[end] != '>') return {};
  return text.substr(at + 1, end - at - 1);
}

// A template that is a JSON object or array (what it starts with decides, as for AWS).
bool is_json_template(std::string_view templ) {
  const std::size_t first = templ.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (templ[first] == '{' || templ[first] == '[');
}

bool is_predefined(std::string_view name) {
  return name == "aws.events.rule-arn" || name == "aws.events.rule-name" ||
         name == "aws.events.event.ingestion-time" || name == "aws.events.event" ||
         name == "aws.events.event.json";
}

// `path` ("$", ".name", "[n]", "['name']" steps) in `root`; null when it is not there.
const json::value* select(const json::value& root, std::string_view path) {
  if (path.empty() || path[0] != '$') return nullptr;
  const json::value* cur = &root;
  std::size_t i = 1;
  while (i < path.size() && cur != nullptr) {
    std::string key;
    bool index = false;
    if (path[i] == '.') {
      const std::size_t end = path.find_first_of(".[", i + 1);
      key = std::string(path.substr(i + 1, end == path.npos ? path.npos : end - i - 1));
      i = end == path.npos ? path.size() : end;
    } else if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == path.npos) return nullptr;
      std::string_view inside = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (inside.size() >= 2 && (inside[0] == '\'' || inside[0] == '"') &&
          inside.back() == inside[0]) {
        key = std::string(inside.substr(1, inside.size() - 2));
      } else {
        key = std::string(inside);
        index = true;
      }
    } else {
      return nullptr;
    }
    if (index) {
      const auto* a = cur->if_array();
      std::size_t n = 0;
      for (char c : key) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || n > kIndexMax) return nullptr;
        n = n * 10 + static_cast<std::size_t>(c - '0');
      }
      cur = a != nullptr && !key.empty() && n < a->size() ? &(*a)[n] : nullptr;
    } else {
      const auto* o = cur->if_object();
      cur = o != nullptr && !key.empty() ? o->if_contains(key) : nullptr;
    }
  }
  return cur;
}

// <aws.events.event>: the event's envelope, without detail, as AWS writes it.
json::value envelope(const json::value& event, const DeliveryContext& context) {
  json::object out;
  const auto* o = event.if_object();
  auto member = [&](const char* name) {
    const json::value* v = o != nullptr ? o->if_contains(name) : nullptr;
    return v != nullptr ? *v : json::value(nullptr);
  };
  out["id"] = member("id");
  out["account"] = member("account");
  out["detailType"] = member("detail-type");
  out["time"] = context.ingestion_time;
  out["source"] = member("source");
  out["region"] = member("region");
  out["resources"] = member("resources");
  out["version"] = member("version");
  return out;
}

std::string without_quotes(std::string text) {
  std::string out;
  for (char c : text)
    if (c != '"') out += c;
  return out;
}

struct Filler {
  const TargetInputSpec& target;
  const json::value& event;
  const DeliveryContext& context;

  // The value a placeholder names; nullopt when the event lacks it.
  std::optional<json::value> value_of(std::string_view name) const {
    if (name == "aws.events.rule-arn") return json::value(context.rule_arn);
    if (name == "aws.events.rule-name") return json::value(context.rule_name);
    if (name == "aws.events.event.ingestion-time") return json::value(context.ingestion_time);
    if (name == "aws.events.event") return envelope(event, context);
    if (name == "aws.events.event.json") return event;
    for (const auto& [key, path] : target.paths_map)
      if (key == name) {
        const json::value* v = select(event, path);
        if (v == nullptr) return std::nullopt;
        return *v;
      }
    return std::nullopt;
  }

  std::string fill(std::string_view templ) const {
    const bool json_template = is_json_template(templ);
    std::string out;
    bool in_string = false;
    for (std::size_t i = 0; i < templ.size(); ++i) {
      const char c = templ[i];
      if (c == '\\' && in_string && i + 1 < templ.size()) {
        out += c;
        out += templ[++i];
        continue;
      }
      if (c == '"') in_string = !in_string;
      const std::string_view name = c == '<' ? placeholder_at(templ, i) : std::string_view();
      if (name.empty()) {
        out += c;
        continue;
      }
      i += name.size() + 1;
      const auto v = value_of(name);
      if (!v)  // AWS fills a missing value as an empty string, quoted where JSON needs it
        out += json_template && !in_string ? "\"\"" : "";
      else if (v->is_string())
        out += json_template && !in_string ? json::dump(*v) : std::string(v->get_string());
      else
        out += json_template ? json::dump(*v) : without_quotes(json::dump(*v));
    }
    return out;
  }
};

}  // namespace

std::optional<std::string> check_target_input(const TargetInputSpec& target) {
  const int given = int(target.input.has_value()) + int(target.input_path.has_value()) +
                    int(target.has_transformer);
  if (given > 1)
    return "Only one of Input, InputPath, or InputTransformer must be provided for target " +
           target.id + ".";
  if (!target.has_transformer) return std::nullopt;
  if (target.paths_map.size() > events_limits::input_paths_max)
    return "InputPathsMap for target " + target.id + " has more than " +
           std::to_string(events_limits::input_paths_max) + " entries.";
  if (target.input_template.size() > events_limits::input_template_bytes_max)
    return "InputTemplate for target " + target.id + " is longer than " +
           std::to_string(events_limits::input_template_bytes_max) + " characters.";
  const std::string_view templ = target.input_template;
  for (std::size_t i = 0; i < templ.size(); ++i) {
    if (templ[i] != '<') continue;
    const std::string_view name = placeholder_at(templ, i);
    if (name.empty() || is_predefined(name)) continue;
    bool known = false;
    for (const auto& entry : target.paths_map) known = known || entry.first == name;
    if (!known)
      return "InputTemplate for target " + target.id + " contains invalid placeholder " +
             std::string(name) + ".";
  }
  return std::nullopt;
}

std::optional<std::string> target_input(const TargetInputSpec& target, const json::value& event,
                                        const DeliveryContext& context) {
  if (target.input) return *target.input;
  if (target.input_path) {
    const json::value* v = select(event, *target.input_path);
    if (v == nullptr) return std::nullopt;
    return json::dump(*v);
  }
  if (!target.has_transformer) return json::dump(event);
  std::string out = Filler{target, event, context}.fill(target.input_template);
  // A template that is JSON must still be JSON once filled; AWS drops the event otherwise.
  if (is_json_template(target.input_template) && !json::parse(out).ok()) return std::nullopt;
  return out;
}

}  // namespace stepwise::services::events
