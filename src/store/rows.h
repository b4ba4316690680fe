// Row codecs shared by the SQL backends: for each record, its column list (the order every
// SELECT and INSERT of it uses) and the mapping between the record and a row, written against
// two small concepts instead of a database API, so that SQLite (sqlite::Statement) and a second
// backend (a PostgreSQL result row and parameter list) use the same code:
//
//   Row     text(i), optional_text(i), integer(i), json_value(i)   — 0-based result columns
//   Params  bind(i, std::string_view | std::int64_t | std::optional<std::string>), bind_null(i)
//           — 1-based parameters ($1.. or ?1..), in the column list's order
//
// JSON-valued columns are stored as JSON text (NULL for null): json_columns() makes that text,
// which the caller keeps alive while the statement is bound (binding does not copy).
//
// Thread-safety: pure functions and constants.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "history/event.h"
#include "json/json.h"
#include "store/store.h"

namespace stepwise::store::rows {

// JSON text of a configuration object; nullopt (NULL) for null.
std::optional<std::string> json_text(const json::value& v);

// Up to three JSON columns of one record, as text (see the header comment).
struct JsonColumns {
  std::optional<std::string> first, second, third;
};

// --- state machines ---
inline constexpr const char* machine_columns =
    "arn,name,type,definition,role_arn,description,logging_configuration,tracing_configuration,"
    "encryption_configuration,created_ms,updated_ms,revision_id,next_version,status";
inline constexpr int machine_column_count = 14;

JsonColumns machine_json(const StateMachineRecord& r);

template <typename Row>
StateMachineRecord read_machine(const Row& s) {
  StateMachineRecord r;
  r.arn = s.text(0);
  r.name = s.text(1);
  r.type = s.text(2);
  r.definition = s.text(3);
  r.role_arn = s.text(4);
  r.description = s.text(5);
  r.logging_configuration = s.json_value(6);
  r.tracing_configuration = s.json_value(7);
  r.encryption_configuration = s.json_value(8);
  r.created_ms = s.integer(9);
  r.updated_ms = s.integer(10);
  r.revision_id = s.text(11);
  r.next_version = s.integer(12);
  r.status = s.text(13);
  return r;
}

template <typename Params>
void bind_machine(Params& p, const StateMachineRecord& r, const JsonColumns& j) {
  p.bind(1, r.arn).bind(2, r.name).bind(3, r.type).bind(4, r.definition).bind(5, r.role_arn);
  p.bind(6, r.description).bind(7, j.first).bind(8, j.second).bind(9, j.third);
  p.bind(10, r.created_ms).bind(11, r.updated_ms).bind(12, r.revision_id);
  p.bind(13, r.next_version).bind(14, r.status);
}

// --- versions ---
inline constexpr const char* version_columns =
    "arn,state_machine_arn,version,type,definition,role_arn,description,revision_id,"
    "logging_configuration,tracing_configuration,encryption_configuration,created_ms";

JsonColumns version_json(const VersionRecord& r);

template <typename Row>
VersionRecord read_version(const Row& s) {
  VersionRecord r;
  r.arn = s.text(0);
  r.state_machine_arn = s.text(1);
  r.version = s.integer(2);
  r.type = s.text(3);
  r.definition = s.text(4);
  r.role_arn = s.text(5);
  r.description = s.text(6);
  r.revision_id = s.text(7);
  r.logging_configuration = s.json_value(8);
  r.tracing_configuration = s.json_value(9);
  r.encryption_configuration = s.json_value(10);
  r.created_ms = s.integer(11);
  return r;
}

template <typename Params>
void bind_version(Params& p, const VersionRecord& r, const JsonColumns& j) {
  p.bind(1, r.arn).bind(2, r.state_machine_arn).bind(3, r.version).bind(4, r.type);
  p.bind(5, r.definition).bind(6, r.role_arn).bind(7, r.description).bind(8, r.revision_id);
  p.bind(9, j.first).bind(10, j.second).bind(11, j.third).bind(12, r.created_ms);
}

// --- aliases ---
inline constexpr const char* alias_columns =
    "arn,state_machine_arn,name,description,routing_configuration,created_ms,updated_ms";

template <typename Row>
AliasRecord read_alias(const Row& s) {
  AliasRecord r;
  r.arn = s.text(0);
  r.state_machine_arn = s.text(1);
  r.name = s.text(2);
  r.description = s.text(3);
  r.routing_configuration = s.json_value(4);
  r.created_ms = s.integer(5);
  r.updated_ms = s.integer(6);
  return r;
}

// `routing`: json_text(r.routing_configuration), kept alive by the caller.
template <typename Params>
void bind_alias(Params& p, const AliasRecord& r, const std::optional<std::string>& routing) {
  p.bind(1, r.arn).bind(2, r.state_machine_arn).bind(3, r.name).bind(4, r.description);
  p.bind(5, routing).bind(6, r.created_ms).bind(7, r.updated_ms);
}

// --- activities ---
inline constexpr const char* activity_columns = "arn,name,created_ms,encryption_configuration";

template <typename Row>
ActivityRecord read_activity(const Row& s) {
  ActivityRecord r;
  r.arn = s.text(0);
  r.name = s.text(1);
  r.created_ms = s.integer(2);
  r.encryption_configuration = s.json_value(3);
  return r;
}

// --- executions ---
#define STEPWISE_EXECUTION_COLUMNS                                                             \
  "arn,name,state_machine_arn,version_arn,alias_arn,type,status,input,output,error,cause,"     \
  "start_ms,stop_ms,seed,definition,role_arn,trace_header,parent_arn,test_case,redrive_count," \
  "redrive_ms,history_count,wake_ms"
inline constexpr const char* execution_columns = STEPWISE_EXECUTION_COLUMNS;
inline constexpr int execution_column_count = 23;

template <typename Row>
ExecutionRecord read_execution(const Row& s) {
  ExecutionRecord r;
  r.arn = s.text(0);
  r.name = s.text(1);
  r.state_machine_arn = s.text(2);
  r.version_arn = s.text(3);
  r.alias_arn = s.text(4);
  r.type = s.text(5);
  r.status = s.text(6);
  r.input = s.text(7);
  r.output = s.optional_text(8);
  r.error = s.optional_text(9);
  r.cause = s.optional_text(10);
  r.start_ms = s.integer(11);
  r.stop_ms = s.integer(12);
  r.seed = static_cast<std::uint64_t>(s.integer(13));  // stored as the same 64 bits
  r.definition = s.text(14);
  r.role_arn = s.text(15);
  r.trace_header = s.text(16);
  r.parent_arn = s.text(17);
  r.test_case = s.text(18);
  r.redrive_count = s.integer(19);
  r.redrive_ms = s.integer(20);
  r.history_count = s.integer(21);
  r.wake_ms = s.integer(22);
  return r;
}

// Parameters 1..23 in execution_columns order.
template <typename Params>
void bind_execution(Params& p, const ExecutionRecord& r) {
  p.bind(1, r.arn).bind(2, r.name).bind(3, r.state_machine_arn).bind(4, r.version_arn);
  p.bind(5, r.alias_arn).bind(6, r.type).bind(7, r.status).bind(8, r.input).bind(9, r.output);
  p.bind(10, r.error).bind(11, r.cause).bind(12, r.start_ms).bind(13, r.stop_ms);
  p.bind(14, static_cast<std::int64_t>(r.seed)).bind(15, r.definition).bind(16, r.role_arn);
  p.bind(17, r.trace_header).bind(18, r.parent_arn).bind(19, r.test_case);
  p.bind(20, r.redrive_count).bind(21, r.redrive_ms).bind(22, r.history_count);
  p.bind(23, r.wake_ms);
}

template <typename Row>
RunningExecution read_running(const Row& s) {  // arn,state_machine_arn,type,wake_ms,start_ms
  return RunningExecution{s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4)};
}

// --- history events ---
inline constexpr const char* event_columns =
    "id,previous_event_id,timestamp_ms,type,details_key,details";
inline constexpr int event_column_count = 7;  // with the leading execution_id when inserting

template <typename Row>
history::HistoryEvent read_event(const Row& s) {
  history::HistoryEvent e;
  e.id = s.integer(0);
  e.previous_event_id = s.integer(1);
  e.timestamp = s.integer(2);
  e.type = s.text(3);
  e.details_key = s.text(4);
  json::value details = s.json_value(5);
  if (details.is_object()) e.details = std::move(details).as_object();
  return e;
}

// An event's details as JSON text into `out` (reused: no allocation per event once it is
// large enough). json::dump takes a json::value, and an object converts to one by a deep copy:
// the details move into a value for the dump and back, unchanged.
void encode_details(history::HistoryEvent& e, std::string& out);

// Parameters first..first+6: execution_id and event_columns; `details` is the event's
// encode_details() text (unused when the event has no details).
template <typename Params>
void bind_event(Params& p, int first, std::int64_t execution_id, const history::HistoryEvent& e,
                const std::string& details) {
  p.bind(first, execution_id).bind(first + 1, e.id).bind(first + 2, e.previous_event_id);
  p.bind(first + 3, e.timestamp).bind(first + 4, e.type).bind(first + 5, e.details_key);
  if (e.details_key.empty())
    p.bind_null(first + 6);
  else
    p.bind(first + 6, std::string_view(details));
}

// --- Map Runs ---
// MapRunCounts as one text column: the ten fields in declaration order, comma-separated.
std::string counts_text(const MapRunCounts& c);
MapRunCounts parse_counts(std::string_view text);  // missing or unreadable fields: 0

}  // namespace stepwise::store::rows
