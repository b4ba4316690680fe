// The shared start-up read of a service's JSON records (record_log.h).
#include "services/common/record_log.h"

namespace stepwise::services {

Status load_json_objects(RecordLog& log, const std::string& ns, std::size_t& bad,
                         const std::function<bool(const Record&, const json::object&)>& each) {
  auto records = log.load(ns);
  if (!records.ok()) return records.error();
  for (const auto& rec : *records) {
    auto parsed = json::parse(rec.value);
    if (!parsed.ok() || !parsed->is_object() || !each(rec, parsed->get_object())) ++bad;
  }
  return ok_status();
}

}  // namespace stepwise::services
