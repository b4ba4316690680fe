// ResultWriter files and output (see result_writer.h).
#include "engine/result_writer.h"

#include <array>

namespace stepwise::engine::result_writer {
namespace {

constexpr std::array<const char*, 3> kStatuses = {"FAILED", "PENDING", "SUCCEEDED"};

json::object entry(const Target& t, const Record& r) {
  const std::string name = map_run_id(t.map_run_arn) + "_" + std::to_string(r.index);
  std::string exec_arn = t.state_machine_arn;
  if (auto at = exec_arn.find(":stateMachine:"); at != std::string::npos) {
    exec_arn.replace(at, 14, ":execution:");
  }
  json::object e{{"ExecutionArn", exec_arn + ":" + name},
                 {"Input", r.input},
                 {"InputDetails", json::object{{"Included", true}}},
                 {"Name", name},
                 {"RedriveCount", 0},
                 {"StateMachineArn", t.state_machine_arn},
                 {"Status", r.status}};
  if (r.start_ms != 0) e["StartDate"] = format_iso8601_ms(r.start_ms);
  if (r.stop_ms != 0) e["StopDate"] = format_iso8601_ms(r.stop_ms);
  if (r.status == "SUCCEEDED") {
    e["Output"] = r.output;
    e["OutputDetails"] = json::object{{"Included", true}};
    e["RedriveStatus"] = "NOT_REDRIVABLE";
    e["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven";
  } else if (r.status == "FAILED") {
    e["Error"] = r.error;
    e["Cause"] = r.cause;
    e["RedriveStatus"] = "REDRIVABLE";
  }
  return e;
}

}  // namespace

std::string map_run_id(const std::string& map_run_arn) {
  auto at = map_run_arn.rfind(':');
  return at == std::string::npos ? map_run_arn : map_run_arn.substr(at + 1);
}

std::string key_of(const Target& t, const std::string& name) {
  std::string key = t.prefix;
  if (!key.empty() && key.back() != '/') key += '/';
  return key + map_run_id(t.map_run_arn) + "/" + name;
}

std::vector<File> files(const Target& t, const std::vector<Record>& records) {
  std::vector<File> out;
  json::object listed;
  for (const char* status : kStatuses) {
    json::array entries;
    for (const Record& r : records) {
      if (r.status == status) entries.push_back(entry(t, r));
    }
    json::array list;
    if (!entries.empty()) {
      File f{key_of(t, std::string(status) + "_0.json"), json::value(std::move(entries)), 0};
      f.size = static_cast<std::int64_t>(json::dump(f.body).size());
      list.push_back(json::object{{"Key", f.key}, {"Size", f.size}});
      out.push_back(std::move(f));
    }
    listed[status] = std::move(list);
  }
  json::object manifest{{"DestinationBucket", t.bucket},
                        {"MapRunArn", t.map_run_arn},
                        {"ResultFiles", std::move(listed)}};
  File m{key_of(t, "manifest.json"), json::value(std::move(manifest)), 0};
  m.size = static_cast<std::int64_t>(json::dump(m.body).size());
  out.push_back(std::move(m));
  return out;
}

json::value output(const Target& t) {
  return json::object{{"MapRunArn", t.map_run_arn},
                      {"ResultWriterDetails",
                       json::object{{"Bucket", t.bucket}, {"Key", key_of(t, "manifest.json")}}}};
}

json::value put_parameters(const Target& t, const File& f) {
  return json::object{
      {"Bucket", t.bucket}, {"Key", f.key}, {"Body", f.body}, {"ContentType", "application/json"}};
}

}  // namespace stepwise::engine::result_writer
