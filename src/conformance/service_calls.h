// Service cases (../shared/conformance/service-cases): the calls a recorded test made around its
// execution, replayed against Stepwise's built-in services and its own API.
//
//  - setup_calls, in order, before the execution: `sqs.create_queue`, ... go to the case
//    service's built-in service (CaseService::builtin), `stepfunctions.*` to its API (helper
//    state machines: created and started, stopped once the case's execution ended). Values a
//    later call takes from an earlier answer ({"$from": "setup_calls[3]", "path": [...]}) are
//    resolved. A traced answer that differs from ours (a QueueUrl on another host) is noted,
//    and the traced text is replaced by ours wherever it appears in later calls and the input.
//  - background_workers: one thread each, running its steps (`retry`: until the call succeeds
//    and, for a receive, returns a message; `repeat`: n times), holding the case's clock while
//    they run so that no timer jumps ahead of a worker acting in real time.
//  - post_calls: after the execution, their `asserts` checked ({"path", "equals"}, "$length"
//    for a length). A call `performed_by` a worker's step is not made again: that step's answer
//    is the value. A `recorded` snapshot with `snapshot_value_from` is compared with the value
//    built from the answer: {"each_list_item": path with "*"} (a list), or {"snapshot_path",
//    "response_path"} parts (the answer's value placed in the snapshot; [] and [] the whole
//    answer). It is normalised as the case says (placeholders are wildcards), ISO timestamps
//    count as boto3's datetime values ("datetime" in a snapshot), ResponseMetadata is ignored
//    and the case's localstack_skip_verify_paths differ only softly. S3 reads ask for the
//    stored checksum (ChecksumMode), as boto3 ≥ 1.36 does. Snapshots without a
//    snapshot_value_from are reported as soft notes.
//
// Thread-safety: one CaseReplay per case; workers run on their own threads.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "conformance/case.h"
#include "conformance/execute.h"

namespace stepwise::conformance {

// Real time a retried call (a worker waiting for a message) keeps trying.
inline constexpr int worker_retry_seconds_max = 60;
inline constexpr int worker_retry_interval_ms = 10;
// The case's time an empty receive of a post call's "until N messages" loop stands for (a
// second's long poll), up to worker_retry_seconds_max in all.
inline constexpr Millis post_poll_ms = 1000;
// Calls one list may hold, and a `repeat` count.
inline constexpr std::size_t replay_calls_max = 256;
inline constexpr std::int64_t replay_repeat_max = 100;

// The AWS services a case needs that the case service does not build in ("" when none),
// e.g. "sns" — such a case is skipped, not failed.
std::string missing_service(const Case& c, const std::vector<std::string>& built_in);
// True when the case records calls around its execution (setup, workers or post calls).
bool has_service_calls(const Case& c);

// Resolves the references in a recorded value. `lists`: the answers of earlier calls by list
// name ("setup_calls", "steps").
Result<json::value> resolve_refs(const json::value& v,
                                 const std::map<std::string, std::vector<json::value>>& lists,
                                 const json::value& input, const json::value* output);
// A value at a recorded path (keys, indexes, "$json" to parse text, "$length").
Result<json::value> value_at(const json::value& root, const json::array& path);

class CaseReplay {
 public:
  CaseReplay(const Case& c, CaseService& svc) : case_(c), svc_(svc) {}
  ~CaseReplay();  // joins workers

  // Runs setup_calls. The input text gets the substitutions of traced values.
  Status setup(std::string& input_text);
  // Starts the background workers (each holds the clock until it ends).
  void start_workers(const json::value& input);
  // Joins the workers; the first worker failure, if any.
  Status join_workers();
  // Stops helper executions; runs post_calls and checks their asserts. Returns the first
  // failed assert as an error; soft notes go to `soft`.
  Status finish(const json::value& input, const json::value* output,
                std::vector<std::string>& soft);

 private:
  Result<json::value> call(const json::object& recorded, const json::value& params);
  std::string substitute(std::string text) const;
  json::value substitute(const json::value& v) const;
  void run_worker(std::size_t index, const json::object& worker, json::value input);
  // The answer a post call names with `performed_by` ("background_workers[0].steps[0]").
  Result<json::value> performed_answer(const std::string& performed_by);
  // A post call's answer: one call, or, for a receive_message whose recording says the test
  // repeated it "until N message(s) were received in all" (deliveries that arrive after the
  // execution, e.g. EventBridge's), every message received until N arrived or
  // worker_retry_seconds_max passed, as one answer.
  Result<json::value> post_answer(const json::object& recorded, const json::value& params);

  const Case& case_;
  CaseService& svc_;
  std::map<std::string, std::vector<json::value>> answers_;
  std::vector<std::pair<std::string, std::string>> substitutions_;  // traced → ours
  std::vector<std::string> helper_executions_;
  std::vector<std::thread> workers_;
  base::Mutex mu_;
  std::string worker_error_ GUARDED_BY(mu_);
  std::map<std::size_t, std::vector<json::value>> worker_answers_ GUARDED_BY(mu_);
  std::atomic<bool> stopping_{false};
};

}  // namespace stepwise::conformance
