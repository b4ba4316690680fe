// Parallel and Map states: branches and iterations as child frames, their results, Map's
// concurrency and tolerated failures, Map Runs for Distributed Map.
#include "engine/interpreter.h"

#include <algorithm>

#include "base/arn.h"
#include "engine/execution_internal.h"

namespace stepwise::engine {

using asl::PathField;
using asl::State;
using asl::StateType;
using detail::apply_input_path;
using detail::error_output;
using detail::make_token;
using detail::map_number;
using detail::quoted_value;
using json::object;
using json::value;

// ---------------------------------------------------------------------------- Parallel / Map

bool Execution::run_parallel(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  StateContext ctx(*this, fr, &fr.input);
  auto eff = apply_input_path(s.input_path, fr.input, false, ctx);
  if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
  value input = std::move(*eff);
  if (s.parameters) {
    ctx.input = &input;
    auto p = s.parameters->evaluate(ctx);
    if (!p) {
      return state_failed(
          f, Failure{p.error().name, state_error_prefix(s.name, fr.entered_event) + p.error().cause,
                     true});
    }
    input = std::move(*p);
  }
  return parallel_start(f, std::move(input));
}

bool Execution::parallel_start(int f, value input) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  emit(f, "ParallelStateStarted", "", object());
  fr.children.clear();
  fr.results = json::array(s.branches.size());
  fr.pending = s.branches.size();
  if (s.branches.empty()) return finish_children(f);
  for (std::size_t i = 0; i < s.branches.size(); ++i) {
    int c = new_frame(s.branches[i].get(), f, static_cast<int>(i),
                      i + 1 == s.branches.size() ? std::move(input) : input);
    frames_[static_cast<std::size_t>(f)]->children.push_back(c);
    enter_state(c, s.branches[i]->start_at);
    ready_.push_back(c);
  }
  return false;
}

std::optional<std::string> detail::map_number(const jsonpath::Path& path,
                                              const jsonpath::EvalContext& ctx, const char* field,
                                              bool is_float, double* out) {
  auto sel = path.select_or_fail(ctx);
  if (!sel) return sel.error().cause;
  const value& v = *sel;
  auto bad = [&] {
    return std::string("The ") + field + " field refers to value " + quoted_value(v) +
           " which is not a valid " + (is_float ? "float" : "integer") + ": " + path.text();
  };
  if (v.is_string()) {
    // AWS parses numeric text too ("1" is a valid MaxConcurrency).
    std::string text(v.get_string());
    auto parsed = json::parse(text);
    if (!parsed || !json::is_number(*parsed) || (!is_float && !json::is_integral_number(*parsed))) {
      return bad();
    }
    *out = json::as_double(*parsed);
    return std::nullopt;
  }
  if (!json::is_number(v) || (!is_float && !json::is_integral_number(v))) return bad();
  *out = json::as_double(v);
  return std::nullopt;
}

bool Execution::map_settings(int f, const jsonpath::EvalContext& ctx) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  double v = 0;
  fr.max_concurrency = static_cast<std::size_t>(std::max<std::int64_t>(0, s.max_concurrency));
  if (s.max_concurrency_path) {
    if (auto bad = map_number(*s.max_concurrency_path, ctx, "MaxConcurrencyPath", false, &v)) {
      return state_failed(f, runtime_failure(fr, *bad)), false;
    }
    fr.max_concurrency = v < 0 ? 0 : static_cast<std::size_t>(v);
  }
  return true;
}

bool Execution::map_tolerance(int f, const jsonpath::EvalContext& ctx) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  double v = 0;
  fr.tolerated_count = s.tolerated_failure_count;
  fr.tolerated_percentage = s.tolerated_failure_percentage;
  if (s.tolerated_failure_count_path) {
    if (auto bad = map_number(*s.tolerated_failure_count_path, ctx, "ToleratedFailureCountPath",
                              false, &v)) {
      return state_failed(f, runtime_failure(fr, *bad)), false;
    }
    fr.tolerated_count = static_cast<std::int64_t>(v);
  }
  if (s.tolerated_failure_percentage_path) {
    if (auto bad = map_number(*s.tolerated_failure_percentage_path, ctx,
                              "ToleratedFailurePercentagePath", true, &v)) {
      return state_failed(f, runtime_failure(fr, *bad)), false;
    }
    fr.tolerated_percentage = v;
  }
  if (fr.tolerated_count && *fr.tolerated_count < 0) {
    return state_failed(f, runtime_failure(fr, "ToleratedFailureCount cannot be negative.")), false;
  }
  if (fr.tolerated_percentage && (*fr.tolerated_percentage < 0 || *fr.tolerated_percentage > 100)) {
    return state_failed(
               f, runtime_failure(fr, "ToleratedFailurePercentage must be between 0 and 100.")),
           false;
  }
  return true;
}

bool Execution::run_map(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  if (s.jsonata) return jsonata_map(f);
  StateContext ctx(*this, fr, &fr.input);
  // With the default InputPath the effective input is the state input itself, which the frame
  // keeps anyway (for ResultPath): read it in place rather than copy it.
  if (s.input_path.kind == PathField::Kind::kDefault) {
    fr.effective = value();
  } else {
    auto eff = apply_input_path(s.input_path, fr.input, false, ctx);
    if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
    fr.effective = std::move(*eff);
    ctx.input = &fr.effective;
  }
  if (s.item_reader || s.result_writer) {
    if (auto bad = map_io_prepare(f, &ctx)) return state_failed(f, std::move(*bad));
  }
  if (s.item_reader) {
    fr.items = json::array();  // read once the Map Run starts; ItemsPath does not apply
  } else if (s.items_path) {
    auto sel = s.items_path->select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    fr.items = std::move(*sel);
  } else {
    fr.items = *ctx.input;
  }
  if (!fr.items.is_array()) {
    return state_failed(f, runtime_failure(fr, "Map state input must be an array but was: " +
                                                   json::dump(fr.items)));
  }
  if (!map_settings(f, ctx)) return false;
  // Inline maps check their tolerance before starting; a Map Run checks it once started.
  if (!s.distributed && !map_tolerance(f, ctx)) return false;
  return map_start(f, &ctx);
}

// MapStateStarted (and MapRunStarted), then the first iterations. `late_tolerance`: the context
// to check a Map Run's tolerance with, once started (null: already checked).
bool Execution::map_start(int f, const jsonpath::EvalContext* late_tolerance) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const std::size_t n = fr.items.get_array().size();
  // With an ItemReader the items are read by the Map Run, after this event: AWS shows 0.
  emit(f, "MapStateStarted", "mapStateStartedEventDetails", [&] {
    object d;
    if (history_on()) d["length"] = static_cast<std::int64_t>(s.item_reader ? 0 : n);
    return d;
  }());
  if (s.distributed && late_tolerance != nullptr && !map_tolerance(f, *late_tolerance))
    return false;
  if (s.distributed && (!fr.silent || fr.map_io)) {
    // The Map Run's id is a UUID, as AWS's (its ResultWriter keys are named after it).
    const std::string t = make_token(random_);
    const std::string id = t.substr(0, 8) + "-" + t.substr(8, 4) + "-" + t.substr(12, 4) + "-" +
                           t.substr(16, 4) + "-" + t.substr(20, 12);
    std::string arn = arn::make("states", info_.region, info_.account,
                                "mapRun:" + info_.state_machine_name + "/" +
                                    (s.label.empty() ? s.name : s.label) + ":" + id);
    if (!fr.silent) {
      emit(f, "MapRunStarted", "mapRunStartedEventDetails", [&] {
        object d;
        if (history_on()) d["mapRunArn"] = arn;
        return d;
      }());
      map_run_open(f, arn);
    }
    if (fr.map_io) fr.map_io->arn = std::move(arn);
  }
  if (s.item_reader) return map_read(f);
  return map_begin(f);
}

// The items are known (from the input or the ItemReader): batch them (ItemBatcher), then the
// first iterations.
bool Execution::map_begin(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const std::size_t item_count = fr.items.get_array().size();
  if (s.item_batcher) {
    if (auto bad = map_batch(f)) return map_run_failed(f, std::move(*bad));
  }
  const std::size_t n = fr.items.get_array().size();
  map_run_children(f, item_count);
  if (fr.map_io && s.result_writer) fr.map_io->records.assign(n, result_writer::Record{});
  fr.children.clear();
  fr.results = json::array(n);
  fr.pending = n;
  fr.next_item = 0;
  fr.redo_items.clear();
  fr.redo_next = 0;
  fr.map_context.reset();
  fr.running = 0;
  fr.failed = 0;
  fr.map_cursor = fr.last_event;
  if (n == 0) return finish_children(f);
  start_map_iterations(f);
  return false;
}

void Execution::start_map_iterations(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  json::array& items = fr.items.get_array();
  std::size_t limit = fr.max_concurrency == 0 ? items.size() : fr.max_concurrency;
  while (fr.running < limit &&
         (fr.redo_next < fr.redo_items.size() || fr.next_item < items.size())) {
    const bool redo = fr.redo_next < fr.redo_items.size();
    std::size_t i = redo ? fr.redo_items[fr.redo_next++] : fr.next_item++;
    // Item i never started (its input failed): a redrive starts it.
    auto unstart = [&] { --(redo ? fr.redo_next : fr.next_item); };
    value input;
    if (s.jsonata && s.jsonata->item_selector) {
      if (auto bad = jsonata_item_selector(f, i, input)) {
        unstart();
        map_run_close(f, "FAILED");
        for (int c : fr.children) abort_frame(c);
        if (state_failed(f, std::move(*bad))) ready_.push_back(f);
        return;
      }
    } else if (s.parameters && !s.item_batcher) {
      const bool whole = s.input_path.kind == PathField::Kind::kDefault;
      jsonpath::EvalContext ctx = eval_context(fr, whole ? &fr.input : &fr.effective);
      // The context object holds $$.Execution.Input, often the items themselves: build it once
      // per Map run and change only $$.Map.Item per item (a copy per item is quadratic).
      if (!fr.map_context) {
        fr.map_context = context_object(fr, nullptr, 0, s.context_need == asl::ContextNeed::kFull);
      }
      set_map_item(*fr.map_context, items[i], static_cast<std::int64_t>(i));
      ctx.context = &*fr.map_context;
      auto p = s.parameters->evaluate(ctx);
      if (!p) {
        unstart();
        map_run_close(f, "FAILED");
        for (int c : fr.children) abort_frame(c);
        Failure fl{p.error().name, state_error_prefix(s.name, fr.entered_event) + p.error().cause,
                   true};
        if (state_failed(f, std::move(fl))) ready_.push_back(f);
        return;
      }
      input = std::move(*p);
    } else if (fr.map_run) {
      input = items[i];  // a redrive of the Map Run starts the failed children again from it
    } else {
      // Nothing else reads item i once its iteration starts (a retry or redrive of the Map
      // evaluates ItemsPath again): move it rather than deep-copy it.
      input = std::move(items[i]);
    }
    if (!fr.silent && !s.distributed) {
      std::int64_t id =
          emit_prev(fr.map_cursor, "MapIterationStarted", "mapIterationStartedEventDetails", [&] {
            object d;
            if (history_on()) {
              d["index"] = static_cast<std::int64_t>(i);
              d["name"] = s.name;
            }
            return d;
          }());
      fr.last_event = id;
    }
    if (fr.map_io && s.result_writer) map_record(f, i, &input, true, nullptr, nullptr);
    if (fr.map_run) map_run_child_started(f, i, input);
    int c = new_frame(s.processor.get(), f, static_cast<int>(i), std::move(input));
    Frame& pf = *frames_[static_cast<std::size_t>(f)];
    pf.children.push_back(c);
    ++pf.running;
    enter_state(c, s.processor->start_at);
    ready_.push_back(c);
  }
}

namespace {

// Whether a Map's results are read once its iterations end. Not when a ResultWriter writes them
// (its manifest becomes the result), nor when a JSONPath Map discards its result (ResultPath
// null, with no ResultSelector or Assign to read it first): a Distributed Map over millions of
// items then keeps one null per item, not every iteration's output until the Map ends.
bool keeps_map_results(const State& s, bool writes) {
  if (writes) return false;
  return !(s.query_language == asl::QueryLanguage::kJsonPath &&
           s.result_path.kind == asl::PathField::Kind::kNull && !s.result_selector && !s.assign);
}

}  // namespace

// A branch or iteration that succeeded is never run again (a redrive skips it): its payloads
// go now rather than when the execution ends, so a Map over many items keeps a small frame per
// finished iteration instead of each one's input, variables and last state's copies.
void detail::drop_payloads(Execution::Frame& fr) {
  fr.input = value();
  fr.effective = value();
  fr.items = value();
  fr.input_text = std::string();
  fr.entered_input = std::string();
  fr.vars = object();
  fr.assigned = object();
  fr.results = json::array();
  fr.map_context.reset();
  fr.request = {};
}

void Execution::child_done(int parent, int child, bool ok, value output, const Failure* failure) {
  Frame& pf = *frames_[static_cast<std::size_t>(parent)];
  Frame& cf = *frames_[static_cast<std::size_t>(child)];
  if (pf.done || cf.parent_activation != pf.activation) return;
  const State& s = pf.cur();
  const bool is_map = s.type == StateType::kMap;
  const auto idx = static_cast<std::size_t>(cf.index);
  if (is_map) {
    --pf.running;
    if (pf.map_run)
      map_run_child_ended(parent, idx, ok ? &output : nullptr, ok ? nullptr : failure);
    if (!pf.silent && !s.distributed) {
      std::int64_t id = emit_prev(
          cf.last_event, ok ? "MapIterationSucceeded" : "MapIterationFailed",
          ok ? "mapIterationSucceededEventDetails" : "mapIterationFailedEventDetails", [&] {
            object d;
            if (history_on()) {
              d["index"] = cf.index;
              d["name"] = s.name;
            }
            return d;
          }());
      pf.map_cursor = cf.last_event;
      pf.last_event = ok ? id : cf.last_event;
    }
  } else if (!pf.silent) {
    pf.last_event = cf.last_event;
  }
  bool tolerated = false;
  if (!ok && is_map) {
    ++pf.failed;
    const std::size_t n = pf.results.size();
    if (pf.tolerated_count && static_cast<std::int64_t>(pf.failed) <= *pf.tolerated_count) {
      tolerated = true;
    }
    if (pf.tolerated_percentage && n > 0 &&
        static_cast<double>(pf.failed) * 100.0 / static_cast<double>(n) <=
            *pf.tolerated_percentage) {
      tolerated = true;
    }
    if (tolerated) {
      if (pf.map_io && s.result_writer) map_record(parent, idx, nullptr, false, nullptr, failure);
      output = error_output(failure->error, failure->cause, failure->has_cause, failure->has_error);
      ok = true;
    } else {
      Failure fl = *failure;
      if (pf.tolerated_count || pf.tolerated_percentage) {
        fl = Failure{"States.ExceedToleratedFailureThreshold",
                     "The specified tolerated failure threshold was exceeded", true};
      }
      map_run_close(parent, "FAILED");
      for (int c : pf.children) abort_frame(c);
      if (state_failed(parent, std::move(fl), true)) ready_.push_back(parent);
      return;
    }
  }
  if (!ok) {
    map_run_close(parent, "FAILED");
    for (int c : pf.children) abort_frame(c);
    if (state_failed(parent, *failure, true)) ready_.push_back(parent);
    return;
  }
  if (is_map && pf.map_io && s.result_writer && !tolerated) {
    map_record(parent, idx, nullptr, true, &output, nullptr);
  }
  if (keeps_map_results(s, is_map && pf.map_io && s.result_writer) || !is_map) {
    pf.results[idx] = std::move(output);
  }
  if (--pf.pending == 0) {
    if (finish_children(parent)) ready_.push_back(parent);
    return;
  }
  if (is_map) start_map_iterations(parent);
}

bool Execution::finish_children(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const bool is_map = s.type == StateType::kMap;
  // A ResultWriter's files go to S3 before the Map Run succeeds (its failure fails the run).
  const bool writes = is_map && s.result_writer && fr.map_io;
  if (writes && !fr.map_io->written) return map_write(f);
  // The Succeeded event and the Exited event share their predecessor (as AWS records them)...
  std::int64_t exited_prev = fr.last_event;
  if (is_map && s.distributed && !fr.silent) {
    emit(f, "MapRunSucceeded", "", object());
    map_run_close(f, "SUCCEEDED");
  }
  if (!fr.silent) {
    emit_prev(fr.last_event, is_map ? "MapStateSucceeded" : "ParallelStateSucceeded", "", object());
    // ...but a Distributed Map's Exited event shares MapRunSucceeded's predecessor (the run's
    // start): AWS's histories since November 2024; its recordings before then linked it to
    // MapRunSucceeded (src/conformance/check.cpp reads those as of today).
    if (is_map && s.distributed) fr.last_event = exited_prev;
  }
  fr.children.clear();
  value result =
      writes ? result_writer::output(detail::map_target(fr, info_)) : value(std::move(fr.results));
  fr.results = json::array();
  if (writes) fr.map_io.reset();
  fr.items = value();
  if (s.result_selector) {
    StateContext ctx(*this, fr, &result);
    auto r = s.result_selector->evaluate(ctx);
    if (!r) {
      return state_failed(
          f, Failure{r.error().name, state_error_prefix(s.name, fr.entered_event) + r.error().cause,
                     true});
    }
    result = std::move(*r);
  }
  return complete_state(f, std::move(result));
}

}  // namespace stepwise::engine
