// Row codecs shared by the SQL backends: the non-template parts. See rows.h.
#include "store/rows.h"

#include <charconv>

namespace stepwise::store::rows {

std::optional<std::string> json_text(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  return json::dump(v);
}

JsonColumns machine_json(const StateMachineRecord& r) {
  return {json_text(r.logging_configuration), json_text(r.tracing_configuration),
          json_text(r.encryption_configuration)};
}

JsonColumns version_json(const VersionRecord& r) {
  return {json_text(r.logging_configuration), json_text(r.tracing_configuration),
          json_text(r.encryption_configuration)};
}

void encode_details(history::HistoryEvent& e, std::string& out) {
  json::value v(std::move(e.details));
  out.clear();
  json::dump_to(v, out);
  e.details = std::move(v.get_object());
}

std::string counts_text(const MapRunCounts& c) {
  std::string out;
  for (std::int64_t n :
       {c.pending, c.running, c.succeeded, c.failed, c.timed_out, c.aborted, c.total,
        c.results_written, c.failures_not_redrivable, c.pending_redrive}) {
    if (!out.empty()) out += ',';
    out += std::to_string(n);
  }
  return out;
}

MapRunCounts parse_counts(std::string_view text) {
  MapRunCounts c;
  std::int64_t* fields[] = {&c.pending,        &c.running,         &c.succeeded,
                            &c.failed,         &c.timed_out,       &c.aborted,
                            &c.total,          &c.results_written, &c.failures_not_redrivable,
                            &c.pending_redrive};
  std::size_t at = 0;
  for (std::int64_t* f : fields) {
    if (at > text.size()) break;
    std::size_t end = text.find(',', at);
    if (end == std::string_view::npos) end = text.size();
    std::from_chars(text.data() + at, text.data() + end, *f);
    at = end + 1;
  }
  return c;
}

}  // namespace stepwise::store::rows
