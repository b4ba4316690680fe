// Distributed Map over S3: the ItemReader's reads, the ItemBatcher's batches and the
// ResultWriter's files, as steps of the pure interpreter.
//
// The S3 calls are commands like a Task's (kInvokeTask of aws-sdk:s3:getObject, listObjectsV2,
// putObject; item_reader.h says why), answered as StepEvents through the journal, but they write
// no events of their own: AWS's history shows only MapRunStarted, then MapRunSucceeded or
// MapRunFailed (States.ItemReaderFailed / States.ResultWriterFailed with the cause). The order:
//   MapStateEntered, MapStateStarted (length 0 with a reader), MapRunStarted,
//   [reader calls, page by page], the iterations, [result files, then manifest.json],
//   MapRunSucceeded, MapStateSucceeded, MapStateExited.
// A failed reader or writer call fails the Map Run; the state's Retry and Catch then apply.
#include <algorithm>
#include <cmath>

#include "engine/execution_internal.h"
#include "engine/interpreter.h"
#include "engine/item_reader.h"

namespace stepwise::engine {

using asl::State;
using json::object;
using json::value;

namespace {

std::string text_of(const value& params, const char* key) {
  const value* v = params.is_object() ? params.get_object().if_contains(key) : nullptr;
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// AWS reads everything when MaxItems is past its ceiling.
std::int64_t capped_max_items(double v) {
  if (v > static_cast<double>(item_reader::max_items_max)) return item_reader::max_items_max;
  return static_cast<std::int64_t>(v);
}

// AWS's limit on a batch's input (MaxInputBytesPerBatch at most 256 KiB).
constexpr std::int64_t batch_bytes_max = 256 * 1024;

}  // namespace

result_writer::Target detail::map_target(const Execution::Frame& fr, const ExecutionInfo& info) {
  const State& s = fr.cur();
  result_writer::Target t;
  t.bucket = text_of(fr.map_io->writer_params, "Bucket");
  t.prefix = text_of(fr.map_io->writer_params, "Prefix");
  t.map_run_arn = fr.map_io->arn;
  t.state_machine_arn = info.state_machine_arn + "/" + (s.label.empty() ? s.name : s.label);
  return t;
}

std::optional<Execution::Failure> Execution::map_io_prepare(int f,
                                                            const jsonpath::EvalContext* ctx) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  fr.map_io = std::make_unique<detail::MapIo>();
  detail::MapIo& io = *fr.map_io;
  auto template_failure = [&](const Error& e) {
    return Failure{e.name, state_error_prefix(s.name, fr.entered_event) + e.cause, true};
  };
  // Parameters (JSONPath) or Arguments (JSONata) of the reader or the writer.
  auto evaluate = [&](const std::optional<jsonpath::Template>& params,
                      const std::optional<asl::JsonataTemplate>& args, const char* field,
                      value& out) -> std::optional<Failure> {
    out = object();
    if (ctx != nullptr && params) {
      auto p = params->evaluate(*ctx);
      if (!p) return template_failure(p.error());
      out = std::move(*p);
    } else if (ctx == nullptr && args) {
      return jsonata_value(f, *args, field, out);
    }
    return std::nullopt;
  };
  if (const asl::ItemReader* r = s.item_reader.get()) {
    if (auto bad = evaluate(r->parameters, r->arguments, "Arguments", io.reader_params)) return bad;
    if (r->max_items) io.max_items = *r->max_items;
    if (ctx != nullptr && r->max_items_path) {
      double v = 0;
      if (auto bad = detail::map_number(*r->max_items_path, *ctx, "MaxItemsPath", false, &v)) {
        return runtime_failure(fr, *bad);
      }
      io.max_items = capped_max_items(v);
    }
    if (ctx == nullptr && r->max_items_jsonata) {
      std::int64_t n = 0;
      if (auto bad = jsonata_count(f, *r->max_items_jsonata, "MaxItems", INT64_MIN, INT64_MAX, n)) {
        return bad;
      }
      io.max_items = std::min(n, item_reader::max_items_max);
    }
  }
  if (const asl::ResultWriter* w = s.result_writer.get()) {
    if (auto bad = evaluate(w->parameters, w->arguments, "Arguments", io.writer_params)) return bad;
  }
  return std::nullopt;
}

void Execution::send_s3(int f, const std::string& resource, const integrations::Integration& call,
                        value params) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  auto r = std::make_shared<tasks::TaskRequest>();
  r->resource = resource;
  r->integration = call;
  r->parameters = std::move(params);
  r->state_name = fr.cur().name;
  r->execution_arn = info_.execution_arn;
  r->execution_name = info_.execution_name;
  r->state_machine_arn = info_.state_machine_arn;
  r->state_machine_name = info_.state_machine_name;
  Command c;
  c.kind = Command::Kind::kInvokeTask;
  c.id = add_op(f, OpKind::kMapIo);
  // Unique per call and the same on every replay (op ids are), like a Task's.
  r->task_id = info_.execution_arn + "#" + std::to_string(c.id);
  r->idempotency_key = info_.execution_arn + ":m" + std::to_string(c.id) + ":0";
  fr.sent_request = r;
  c.request = std::move(r);
  fr.task_op = c.id;
  commands_.push_back(std::move(c));
}

bool Execution::map_read(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const asl::ItemReader& r = *fr.cur().item_reader;
  detail::MapIo& io = *fr.map_io;
  if (io.max_items < 0) {
    return map_run_failed(f,
                          Failure{item_reader::kFailed, "field MaxItems must be positive", true});
  }
  send_s3(f, r.s3.call_resource, r.s3.call,
          item_reader::call_parameters(io.reader_params, io.continuation));
  return false;
}

void Execution::map_io_answer(int f, StepEvent& ev) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  detail::recycle_request(fr);
  const State& s = fr.cur();
  detail::MapIo& io = *fr.map_io;
  const bool ok = ev.kind == StepEvent::Kind::kTaskSucceeded;
  bool moved = false;
  if (!io.files.empty()) {  // a ResultWriter file was written (or not)
    if (!ok) {
      moved = map_run_failed(f, Failure{result_writer::kFailed, ev.cause, true});
    } else if (++io.next_file < io.files.size()) {
      moved = map_write(f);
    } else {
      io.written = true;
      moved = finish_children(f);
    }
  } else if (!ok) {
    moved = map_run_failed(f, Failure{item_reader::kFailed, ev.cause, true});
  } else if (s.item_reader->s3.action == "listObjectsV2") {
    std::string cause;
    auto next = item_reader::append_listing(ev.output, io.max_items, io.read, cause);
    if (!cause.empty()) {
      moved = map_run_failed(f, Failure{item_reader::kFailed, cause, true});
    } else if (next) {
      io.continuation = std::move(*next);
      moved = map_read(f);
    } else {
      fr.items = value(std::move(io.read));
      io.read = json::array();
      moved = map_begin(f);
    }
  } else {
    auto got = item_reader::from_object(ev.output, *s.item_reader, io.max_items);
    if (!got.items) {
      moved = map_run_failed(f, Failure{item_reader::kFailed, got.cause, true});
    } else {
      fr.items = value(std::move(*got.items));
      moved = map_begin(f);
    }
  }
  if (moved) ready_.push_back(f);
  run_queue();
}

bool Execution::map_run_failed(int f, Failure failure) {
  map_run_close(f, "FAILED");
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  detail::cap_cause(failure.cause);
  if (s.distributed && !fr.silent) {
    emit(f, "MapRunFailed", "mapRunFailedEventDetails", [&] {
      object d;
      if (history_on()) {
        d["error"] = failure.error;
        d["cause"] = failure.cause;
      }
      return d;
    }());
  }
  for (int c : fr.children) abort_frame(c);
  fr.map_io.reset();
  return state_failed(f, std::move(failure), true);
}

// Every iteration ended: the result files, then the manifest, one putObject each.
bool Execution::map_write(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const asl::ResultWriter& w = *fr.cur().result_writer;
  detail::MapIo& io = *fr.map_io;
  const result_writer::Target t = detail::map_target(fr, info_);
  if (io.files.empty()) {
    for (auto& r : io.records) {
      if (r.status.empty()) r.status = "PENDING";
    }
    io.files = result_writer::files(t, io.records);
    io.records.clear();
    io.next_file = 0;
  }
  send_s3(f, w.s3.call_resource, w.s3.call,
          result_writer::put_parameters(t, io.files[io.next_file]));
  return false;
}

void Execution::map_record(int f, std::size_t index, const value* input, bool ok,
                           const value* output, const Failure* failure) {
  detail::MapIo& io = *frames_[static_cast<std::size_t>(f)]->map_io;
  if (index >= io.records.size()) return;
  result_writer::Record& r = io.records[index];
  r.index = static_cast<std::int64_t>(index);
  if (input != nullptr) {  // the iteration starts
    r.input = json::dump(*input);
    r.start_ms = now_;
    return;
  }
  r.stop_ms = now_;
  r.status = ok ? "SUCCEEDED" : "FAILED";
  if (ok && output != nullptr) r.output = json::dump(*output);
  if (!ok && failure != nullptr) {
    r.error = failure->error;
    r.cause = failure->cause;
  }
}

// ItemBatcher: each item through the ItemSelector, then grouped into {"Items": [...]} inputs
// (with "BatchInput" when given) of at most MaxItemsPerBatch items and MaxInputBytesPerBatch
// bytes of JSON.
std::optional<Execution::Failure> Execution::map_batch(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const asl::ItemBatcher& b = *s.item_batcher;
  std::int64_t max_items = b.max_items.value_or(0);
  std::int64_t max_bytes = b.max_bytes.value_or(batch_bytes_max);
  value batch_input;
  bool has_batch_input = false;
  if (s.jsonata) {
    if (b.max_items_jsonata) {
      if (auto bad =
              jsonata_count(f, *b.max_items_jsonata, "MaxItemsPerBatch", 1, INT64_MAX, max_items)) {
        return bad;
      }
    }
    if (b.max_bytes_jsonata) {
      if (auto bad = jsonata_count(f, *b.max_bytes_jsonata, "MaxInputBytesPerBatch", 1,
                                   batch_bytes_max, max_bytes)) {
        return bad;
      }
    }
    if (b.batch_input_jsonata) {
      if (auto bad = jsonata_value(f, *b.batch_input_jsonata, "BatchInput", batch_input))
        return bad;
      has_batch_input = true;
    }
  } else {
    const bool whole = s.input_path.kind == asl::PathField::Kind::kDefault;
    StateContext ctx(*this, fr, whole ? &fr.input : &fr.effective);
    double v = 0;
    if (b.max_items_path) {
      if (auto bad =
              detail::map_number(*b.max_items_path, ctx, "MaxItemsPerBatchPath", false, &v)) {
        return runtime_failure(fr, *bad);
      }
      max_items = static_cast<std::int64_t>(v);
    }
    if (b.max_bytes_path) {
      if (auto bad =
              detail::map_number(*b.max_bytes_path, ctx, "MaxInputBytesPerBatchPath", false, &v)) {
        return runtime_failure(fr, *bad);
      }
      max_bytes = std::min<std::int64_t>(static_cast<std::int64_t>(v), batch_bytes_max);
    }
    if (b.batch_input) {
      auto p = b.batch_input->evaluate(ctx);
      if (!p) {
        return Failure{p.error().name,
                       state_error_prefix(s.name, fr.entered_event) + p.error().cause, true};
      }
      batch_input = std::move(*p);
      has_batch_input = true;
    }
  }
  if (max_items < 0 || max_bytes <= 0) {
    return runtime_failure(fr,
                           "The ItemBatcher's MaxItemsPerBatch and MaxInputBytesPerBatch "
                           "must be positive.");
  }
  json::array& items = fr.items.get_array();
  json::array batches;
  json::array cur;
  std::size_t cur_bytes = 0;
  // A batch's JSON: {"Items":[i1,i2]} is 12 bytes, the items and a comma between each two;
  // {"BatchInput":X,"Items":[...]} adds 14 and X.
  const std::size_t base = 12 + (has_batch_input ? json::dump(batch_input).size() + 14 : 0);
  auto flush = [&] {
    if (cur.empty()) return;
    object batch;
    if (has_batch_input) batch["BatchInput"] = batch_input;
    batch["Items"] = std::move(cur);
    batches.push_back(std::move(batch));
    cur = json::array();
    cur_bytes = 0;
  };
  std::optional<value> map_ctx;  // $$ for ItemSelector/Parameters, built on first use
  for (std::size_t i = 0; i < items.size(); ++i) {
    value item;
    if (s.jsonata && s.jsonata->item_selector) {
      if (auto bad = jsonata_item_selector(f, i, item)) return bad;
    } else if (!s.jsonata && s.parameters) {
      const bool whole = s.input_path.kind == asl::PathField::Kind::kDefault;
      jsonpath::EvalContext ctx = eval_context(fr, whole ? &fr.input : &fr.effective);
      // Built once, $$.Map.Item changed per item (see Execution::set_map_item).
      if (!map_ctx) {
        map_ctx = context_object(fr, nullptr, 0, s.context_need == asl::ContextNeed::kFull);
      }
      set_map_item(*map_ctx, items[i], static_cast<std::int64_t>(i));
      ctx.context = &*map_ctx;
      auto p = s.parameters->evaluate(ctx);
      if (!p) {
        return Failure{p.error().name,
                       state_error_prefix(s.name, fr.entered_event) + p.error().cause, true};
      }
      item = std::move(*p);
    } else {
      item = items[i];
    }
    const std::size_t bytes = json::dump(item).size();
    const bool too_many = max_items > 0 && static_cast<std::int64_t>(cur.size()) >= max_items;
    const bool too_big = !cur.empty() && static_cast<std::int64_t>(base + cur_bytes + cur.size() +
                                                                   bytes) > max_bytes;
    if (too_many || too_big) flush();
    cur_bytes += bytes;
    cur.push_back(std::move(item));
  }
  flush();
  fr.items = value(std::move(batches));
  return std::nullopt;
}

}  // namespace stepwise::engine
