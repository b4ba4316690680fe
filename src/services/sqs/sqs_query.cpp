#include "services/sqs/sqs_query.h"

#include <charconv>
#include <map>
#include <vector>

#include "services/common/codec.h"

namespace stepwise::services::sqs {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

enum class Shape { kMap, kAttributes, kTags, kList, kEntries };

struct Rule {
  std::string_view prefix;  // the form's name
  std::string_view member;  // the JSON member
  Shape shape;
};

// CreateQueue names its tags `tags`; TagQueue `Tags` (both `Tag.N.Key/Value` in forms).
std::vector<Rule> rules_for(std::string_view action) {
  std::vector<Rule> rules = {
      {"Attribute", "Attributes", Shape::kMap},
      {"MessageAttribute", "MessageAttributes", Shape::kAttributes},
      {"MessageSystemAttribute", "MessageSystemAttributes", Shape::kAttributes},
      {"Tag", action == "CreateQueue" ? "tags" : "Tags", Shape::kTags},
      {"TagKey", "TagKeys", Shape::kList},
      {"AttributeName", "AttributeNames", Shape::kList},
      {"MessageAttributeName", "MessageAttributeNames", Shape::kList},
      {"MessageSystemAttributeName", "MessageSystemAttributeNames", Shape::kList},
      {"SendMessageBatchRequestEntry", "Entries", Shape::kEntries},
      {"DeleteMessageBatchRequestEntry", "Entries", Shape::kEntries},
      {"ChangeMessageVisibilityBatchRequestEntry", "Entries", Shape::kEntries},
  };
  return rules;
}

api::ApiError malformed(std::string_view name) {
  return api::ApiError{"MalformedQueryString", "Invalid parameter name " + std::string(name) + ".",
                       400, "MalformedQueryString"};
}

// "N.rest" → (N, rest); nullopt when N is not an index within bounds.
std::optional<std::pair<std::size_t, std::string>> split_index(std::string_view s) {
  auto dot = s.find('.');
  std::string_view digits = s.substr(0, dot);
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || p != digits.data() + digits.size() || n == 0 || n > form_index_max)
    return std::nullopt;
  std::string rest = dot == std::string_view::npos ? std::string() : std::string(s.substr(dot + 1));
  return std::pair{n, std::move(rest)};
}

json::object decode(std::string_view action, const Pairs& params, int depth,
                    std::optional<api::ApiError>& error);

json::value build(const Rule& rule, std::string_view action,
                  const std::map<std::size_t, Pairs>& items, int depth,
                  std::optional<api::ApiError>& error) {
  if (rule.shape == Shape::kList) {
    json::array out;
    for (const auto& [n, pairs] : items)
      for (const auto& [rest, value] : pairs)
        if (rest.empty()) out.push_back(json::value(value));
    return out;
  }
  if (rule.shape == Shape::kEntries) {
    json::array out;
    for (const auto& [n, pairs] : items) out.push_back(decode(action, pairs, depth + 1, error));
    return out;
  }
  json::object out;
  for (const auto& [n, pairs] : items) {
    std::string name;
    json::object value;
    std::string text;
    for (const auto& [rest, v] : pairs) {
      if (rest == "Name" || rest == "Key") {
        name = v;
      } else if (rest == "Value" && rule.shape != Shape::kAttributes) {
        text = v;
      } else if (rest.starts_with("Value.")) {
        value[rest.substr(6)] = v;
      }
    }
    if (name.empty()) continue;
    if (rule.shape == Shape::kAttributes) {
      out[name] = std::move(value);
    } else {
      out[name] = text;
    }
  }
  return out;
}

json::object decode(std::string_view action, const Pairs& params, int depth,
                    std::optional<api::ApiError>& error) {
  json::object out;
  const auto rules = rules_for(action);
  std::map<std::size_t, std::map<std::size_t, Pairs>> grouped;  // rule index → N → pairs
  for (const auto& [name, value] : params) {
    if (depth == 0 && (name == "Action" || name == "Version")) continue;
    bool matched = false;
    for (std::size_t i = 0; i < rules.size() && depth < 2; ++i) {
      const auto& r = rules[i];
      if (!name.starts_with(r.prefix) || name.size() <= r.prefix.size() ||
          name[r.prefix.size()] != '.')
        continue;
      auto idx = split_index(std::string_view(name).substr(r.prefix.size() + 1));
      if (!idx) {
        error = malformed(name);
        return out;
      }
      grouped[i][idx->first].push_back({idx->second, value});
      matched = true;
      break;
    }
    if (!matched) out[name] = value;
  }
  for (const auto& [i, items] : grouped)
    out[rules[i].member] = build(rules[i], action, items, depth, error);
  return out;
}

// XML writing with SQS's escaping (CR kept as &#xD;).
void el(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  out += xml_text(text);
  out += "</";
  out += name;
  out += '>';
}

std::string text_of(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return json::dump(v);
}

void scalars(std::string& out, const json::object& o) {
  for (const auto& kv : o) {
    const auto& v = kv.value();
    if (v.is_object() || v.is_array()) continue;
    el(out, std::string_view(kv.key()), text_of(v));
  }
}

void name_value_map(std::string& out, const json::value* v, std::string_view element,
                    std::string_view key_name, std::string_view value_name) {
  if (v == nullptr || !v->is_object()) return;
  for (const auto& kv : v->get_object()) {
    out += "<" + std::string(element) + ">";
    el(out, key_name, std::string_view(kv.key()));
    if (kv.value().is_object()) {
      out += "<" + std::string(value_name) + ">";
      scalars(out, kv.value().get_object());
      out += "</" + std::string(value_name) + ">";
    } else {
      el(out, value_name, text_of(kv.value()));
    }
    out += "</" + std::string(element) + ">";
  }
}

void message(std::string& out, const json::object& m) {
  out += "<Message>";
  scalars(out, m);
  name_value_map(out, m.if_contains("Attributes"), "Attribute", "Name", "Value");
  name_value_map(out, m.if_contains("MessageAttributes"), "MessageAttribute", "Name", "Value");
  out += "</Message>";
}

void entries(std::string& out, const json::object& answer, std::string_view ok_element) {
  if (auto* ok = answer.if_contains("Successful"); ok && ok->is_array())
    for (const auto& e : ok->get_array()) {
      if (!e.is_object()) continue;
      out += "<" + std::string(ok_element) + ">";
      scalars(out, e.get_object());
      out += "</" + std::string(ok_element) + ">";
    }
  if (auto* failed = answer.if_contains("Failed"); failed && failed->is_array())
    for (const auto& e : failed->get_array()) {
      if (!e.is_object()) continue;
      out += "<BatchResultErrorEntry>";
      scalars(out, e.get_object());
      out += "</BatchResultErrorEntry>";
    }
}

void url_list(std::string& out, const json::value* v) {
  if (v == nullptr || !v->is_array()) return;
  for (const auto& u : v->get_array()) el(out, "QueueUrl", text_of(u));
}

}  // namespace

FormRequest form_to_json(std::string_view action, const api::Form& form) {
  FormRequest out;
  out.request = decode(action, form.params, 0, out.error);
  return out;
}

std::string result_xml(std::string_view action, const json::object& answer) {
  std::string out;
  if (action == "ReceiveMessage") {
    if (auto* ms = answer.if_contains("Messages"); ms && ms->is_array())
      for (const auto& m : ms->get_array())
        if (m.is_object()) message(out, m.get_object());
  } else if (action == "ListQueues") {
    url_list(out, answer.if_contains("QueueUrls"));
    scalars(out, answer);
  } else if (action == "ListDeadLetterSourceQueues") {
    url_list(out, answer.if_contains("queueUrls"));
    scalars(out, answer);
  } else if (action == "GetQueueAttributes") {
    name_value_map(out, answer.if_contains("Attributes"), "Attribute", "Name", "Value");
  } else if (action == "ListQueueTags") {
    name_value_map(out, answer.if_contains("Tags"), "Tag", "Key", "Value");
  } else if (action == "SendMessageBatch") {
    entries(out, answer, "SendMessageBatchResultEntry");
  } else if (action == "DeleteMessageBatch") {
    entries(out, answer, "DeleteMessageBatchResultEntry");
  } else if (action == "ChangeMessageVisibilityBatch") {
    entries(out, answer, "ChangeMessageVisibilityBatchResultEntry");
  } else {
    scalars(out, answer);
  }
  return out;
}

}  // namespace stepwise::services::sqs
