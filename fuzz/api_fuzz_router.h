// The Router the api fuzz targets route through: one service of every protocol (JSON 1.0 and
// 1.1, query with a shared action, REST-JSON, REST-XML with the S3 catch-all and virtual
// hosts, a static prefix), each answering nothing. Built once per process.
//
// Thread-safety: built on first use; the fuzz drivers are single-threaded.
#pragma once

#include <boost/beast/http/verb.hpp>

#include "api/router.h"

namespace stepwise::fuzz {

inline api::Router& fuzz_router() {
  static api::OperationTable table;
  static api::Router* router = [] {
    namespace http = boost::beast::http;
    auto* r = new api::Router();
    r->add_json_service("AWSStepFunctions.", "states", table);
    r->add_json_service("AWSEvents.", "events", table, {.version = api::JsonVersion::v1_1});
    r->add_json_service("AmazonSQS.", "sqs", table, {.query_compatible = true});
    auto none = [](auto&, const api::RequestInfo&, api::RawReply) {};
    r->add_query_service("sns", {"Publish", "TagResource"}, none);
    r->add_query_service("sqs", {"SendMessage", "TagResource"}, none);
    r->set_default_query_service("sns");
    (void)r->add_rest_service("scheduler",
                              {.flavor = api::RestFlavor::json,
                               .routes = {{http::verb::post, "/schedules/{Name}", "Create"},
                                          {http::verb::get, "/schedules", "List"}}},
                              none);
    (void)r->add_rest_service("s3",
                              {.routes = {{http::verb::put, "/{Bucket}/{Key+}", "PutObject"}},
                               .catch_all = true,
                               .virtual_host = true,
                               .s3_errors = true},
                              none);
    r->add_static("/console/", [](std::string_view) { return std::optional<api::StaticFile>(); });
    return r;
  }();
  return *router;
}

// A Route must always say how to answer: a refused route names its error type.
inline bool route_is_sane(const api::Route& r) {
  if (r.error) return !r.error->type.empty() && r.error->status >= 400;
  switch (r.protocol) {
    case api::Protocol::json:
      return r.dispatcher != nullptr && !r.operation.empty();
    case api::Protocol::query:
      return r.query != nullptr && r.form.has_value();
    case api::Protocol::rest_xml:
    case api::Protocol::rest_json:
      return r.rest != nullptr;
    case api::Protocol::plain:
      return r.get != nullptr;
  }
  return false;
}

}  // namespace stepwise::fuzz
