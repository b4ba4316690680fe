// --trace lines from history events: entered/exited pairs matched by state name, first in first
// out (Map iterations of one state leave in the order they entered, near enough for reading).
#include "app/trace.h"

#include <cstdio>

namespace stepwise::app {
namespace {

std::string text_of(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return "";
  return v->is_string() ? std::string(v->get_string()) : json::dump(*v);
}

double seconds_of(const json::object& event) {
  const auto* t = event.if_contains("timestamp");
  return t != nullptr && json::is_number(*t) ? json::as_double(*t) : 0.0;
}

const json::object* details_of(const json::object& event) {
  for (const auto& kv : event) {
    if (kv.key().ends_with("EventDetails") && kv.value().is_object())
      return &kv.value().get_object();
  }
  return nullptr;
}

std::string cut(std::string text) {
  if (text.size() <= trace_payload_chars_max) return text;
  const std::size_t more = text.size() - trace_payload_chars_max;
  text.resize(trace_payload_chars_max);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
  return text + "... (" + std::to_string(more) + " more bytes)";
}

std::string clock_text(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", seconds);
  return buf;
}

}  // namespace

void print_trace(const json::array& events, std::ostream& out) {
  Tracer tracer(out);
  for (const auto& ev : events)
    if (ev.is_object()) tracer.event(ev.get_object());
}

void Tracer::event(const json::object& e) {
  const std::string type = text_of(e, "type");
  const double at = seconds_of(e);
  if (start_ < 0) start_ = at;
  const std::string when = "+" + clock_text(at - start_);
  const json::object* d = details_of(e);
  if (d == nullptr) return;
  if (type.ends_with("StateEntered")) {
    const std::string name = text_of(*d, "name");
    entered_[name].push_back(at);
    out_ << "trace " << when << "  enter " << name << " (" << type.substr(0, type.size() - 12)
         << ")  input " << cut(text_of(*d, "input")) << std::endl;
  } else if (type.ends_with("StateExited")) {
    const std::string name = text_of(*d, "name");
    std::string took;
    if (auto it = entered_.find(name); it != entered_.end() && !it->second.empty()) {
      took = "  after " + clock_text(at - it->second.front());
      it->second.pop_front();
    }
    out_ << "trace " << when << "  exit  " << name << took << "  output "
         << cut(text_of(*d, "output")) << std::endl;
  } else if (type.ends_with("Failed") || type.ends_with("TimedOut") || type == "ExecutionAborted") {
    out_ << "trace " << when << "  " << type << "  error " << text_of(*d, "error");
    if (d->contains("cause")) out_ << "  cause " << cut(text_of(*d, "cause"));
    out_ << std::endl;
  }
}

std::vector<std::string> state_path(const json::array& events) {
  std::vector<std::string> path;
  for (const auto& ev : events) {
    if (!ev.is_object()) continue;
    const auto& e = ev.get_object();
    if (!text_of(e, "type").ends_with("StateEntered")) continue;
    if (const json::object* d = details_of(e)) path.push_back(text_of(*d, "name"));
  }
  return path;
}

}  // namespace stepwise::app
