// A Distributed Map's ItemReader, ItemBatcher and ResultWriter, compiled (see model.h). The
// validator has refused every shape these read (validate_map_io.cpp), so a field of the wrong
// type here is only skipped.
#include <string>

#include "asl/compile_internal.h"
#include "integrations/resource.h"
#include "json/clamp.h"

namespace stepwise::asl::detail {
namespace {

using json::object;
using json::value;

Error invalid(std::string message) {
  return Error{"InvalidDefinition",
               "Invalid State Machine Definition: '" + std::move(message) + "'"};
}

std::optional<std::string> text(const object& o, std::string_view key) {
  const value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<std::int64_t> integer(const object& o, std::string_view key) {
  const value* v = o.if_contains(key);
  if (v == nullptr || !json::is_number(*v) || !json::is_integral_number(*v)) return std::nullopt;
  return json::as_int64_clamped(*v);
}

Status path(const object& o, std::string_view key, std::optional<jsonpath::Path>& out) {
  auto t = text(o, key);
  if (!t) return ok_status();
  auto p = jsonpath::Path::compile(*t, jsonpath::PathKind::kReferencePath);
  if (!p)
    return invalid("SCHEMA_VALIDATION_FAILED: " + p.error().cause + " at /" + std::string(key));
  out = std::move(*p);
  return ok_status();
}

Status path_template(const object& o, std::string_view key,
                     std::optional<jsonpath::Template>& out) {
  const value* v = o.if_contains(key);
  if (v == nullptr) return ok_status();
  auto t = jsonpath::Template::compile(*v, key);
  if (!t)
    return invalid("SCHEMA_VALIDATION_FAILED: " + t.error().cause + " at /" + std::string(key));
  out = std::move(*t);
  return ok_status();
}

Status jsonata(const object& o, std::string_view key, std::optional<JsonataTemplate>& out) {
  const value* v = o.if_contains(key);
  if (v == nullptr) return ok_status();
  auto t = compile_jsonata_template(*v);
  if (!t) return t.error();
  out = std::move(*t);
  return ok_status();
}

// arn:PARTITION:states:::s3:ACTION -> the same operation as an aws-sdk:s3 integration.
Status s3_call(const object& o, S3Call& out) {
  out.resource = text(o, "Resource").value_or("");
  const std::string::size_type at = out.resource.find(":::s3:");
  if (at == std::string::npos)
    return invalid("The resource provided " + out.resource + " is not recognized");
  out.action = out.resource.substr(at + 6);
  out.call_resource = out.resource.substr(0, at) + ":::aws-sdk:s3:" + out.action;
  auto r = integrations::resolve(out.call_resource);
  if (!r) return r.error();
  out.call = r->integration;
  return ok_status();
}

// Resource plus Parameters (JSONPath) or Arguments (JSONata): a reader's or a writer's call.
template <typename Io>
Status call_fields(const object& o, bool jsonata_state, Io& io) {
  if (auto st = s3_call(o, io.s3); !st) return st;
  return jsonata_state ? jsonata(o, "Arguments", io.arguments)
                       : path_template(o, "Parameters", io.parameters);
}

Status reader(const object& o, State& s, bool jsonata_state) {
  auto r = std::make_shared<ItemReader>();
  if (auto st = call_fields(o, jsonata_state, *r); !st) return st;
  if (const value* c = o.if_contains("ReaderConfig"); c != nullptr && c->is_object()) {
    const object& rc = c->get_object();
    r->input_type = text(rc, "InputType").value_or("");
    r->csv_header_location = text(rc, "CSVHeaderLocation").value_or("FIRST_ROW");
    r->csv_delimiter = text(rc, "CSVDelimiter").value_or("COMMA");
    if (const value* h = rc.if_contains("CSVHeaders"); h != nullptr && h->is_array()) {
      for (const auto& e : h->get_array()) {
        if (e.is_string()) r->csv_headers.emplace_back(e.get_string());
      }
    }
    if (jsonata_state) {
      if (auto st = jsonata(rc, "MaxItems", r->max_items_jsonata); !st) return st;
    } else {
      r->max_items = integer(rc, "MaxItems");
      if (auto st = path(rc, "MaxItemsPath", r->max_items_path); !st) return st;
    }
  }
  s.item_reader = std::move(r);
  return ok_status();
}

Status batcher(const object& o, State& s, bool jsonata_state) {
  auto b = std::make_shared<ItemBatcher>();
  if (jsonata_state) {
    for (auto st : {jsonata(o, "MaxItemsPerBatch", b->max_items_jsonata),
                    jsonata(o, "MaxInputBytesPerBatch", b->max_bytes_jsonata),
                    jsonata(o, "BatchInput", b->batch_input_jsonata)}) {
      if (!st) return st;
    }
  } else {
    b->max_items = integer(o, "MaxItemsPerBatch");
    b->max_bytes = integer(o, "MaxInputBytesPerBatch");
    for (auto st : {path(o, "MaxItemsPerBatchPath", b->max_items_path),
                    path(o, "MaxInputBytesPerBatchPath", b->max_bytes_path),
                    path_template(o, "BatchInput", b->batch_input)}) {
      if (!st) return st;
    }
  }
  s.item_batcher = std::move(b);
  return ok_status();
}

Status writer(const object& o, State& s, bool jsonata_state) {
  auto w = std::make_shared<ResultWriter>();
  if (auto st = call_fields(o, jsonata_state, *w); !st) return st;
  s.result_writer = std::move(w);
  return ok_status();
}

}  // namespace

Status compile_map_io(const object& o, State& s) {
  const bool jsonata_state = s.query_language == QueryLanguage::kJsonata;
  if (const value* r = o.if_contains("ItemReader"); r != nullptr && r->is_object()) {
    if (auto st = reader(r->get_object(), s, jsonata_state); !st) return st;
  }
  if (const value* b = o.if_contains("ItemBatcher"); b != nullptr && b->is_object()) {
    if (auto st = batcher(b->get_object(), s, jsonata_state); !st) return st;
  }
  if (const value* w = o.if_contains("ResultWriter"); w != nullptr && w->is_object()) {
    // A ResultWriter with only WriterConfig (no Resource) formats the output without exporting
    // it: not built yet, so such a writer is ignored rather than refused.
    if (w->get_object().contains("Resource")) {
      if (auto st = writer(w->get_object(), s, jsonata_state); !st) return st;
    }
  }
  return ok_status();
}

}  // namespace stepwise::asl::detail
