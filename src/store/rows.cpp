// Row codecs shared by the SQL backends: the non-template parts. See rows.h.
#include "store/rows.h"

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

}  // namespace stepwise::store::rows
