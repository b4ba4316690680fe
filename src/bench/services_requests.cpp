#include "bench/services_requests.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>

#include "json/json.h"

namespace stepwise::bench {

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

// Unverified by both servers; shaped like SigV4 so moto routes by the credential scope.
std::string authorization(std::string_view service) {
  std::string a = "Authorization: AWS4-HMAC-SHA256 Credential=AKIASVCBENCH/20260101/us-east-1/";
  a += service;
  a += "/aws4_request, SignedHeaders=host;x-amz-date, Signature=";
  a.append(64, '0');
  a += "\r\nX-Amz-Date: 20260101T000000Z\r\n";
  return a;
}

std::string filler(std::size_t n, char c) { return std::string(n, c); }

// Sets *why; returns false (so a check reads `return fail(why, "...")`).
bool fail(std::string* why, std::string text) {
  *why = std::move(text);
  return false;
}

bool answer_ok(unsigned status, std::string_view body, std::string* why) {
  if (status >= 200 && status < 300) return true;
  *why = body.empty() ? "(no body)" : std::string(body.substr(0, 300));  // never empty
  return false;
}

// A put-then-get mix: true when this was the put's (right) answer, the get comes next; else the
// get's, and the iteration is done.
bool put_answered(ClientState& s, bool* done) {
  if (s.step == 0) {
    s.step = 1;
    return true;
  }
  *done = true;
  return false;
}

class SqsScenario final : public Scenario {
 public:
  SqsScenario(int port, const ServiceNames& n) : port_(port) {
    const std::string url = json::quote(n.queue_url);
    send_prefix_ = "{\"QueueUrl\":" + url + ",\"MessageBody\":\"";
    receive_ =
        json_request(port, "sqs", "AmazonSQS.ReceiveMessage",
                     "{\"QueueUrl\":" + url + ",\"MaxNumberOfMessages\":1,\"WaitTimeSeconds\":0}");
    delete_prefix_ = "{\"QueueUrl\":" + url + ",\"ReceiptHandle\":\"";
  }
  void request(const ClientState& s, std::string& out) override {
    if (s.step == 0) {
      std::string id = std::to_string(s.iteration) + ":";
      std::string body = send_prefix_ + id + filler(sqs_body_bytes - id.size(), 'm') + "\"}";
      out = json_request(port_, "sqs", "AmazonSQS.SendMessage", body);
    } else if (s.step == 1) {
      out = receive_;
    } else {
      out = json_request(port_, "sqs", "AmazonSQS.DeleteMessage", delete_prefix_ + s.memo + "\"}");
    }
  }
  bool answer(ClientState& s, unsigned status, std::string_view body, bool* done,
              std::string* why) override {
    if (!answer_ok(status, body, why)) return false;
    if (s.step == 0) {
      if (!find_json_string(body, "MessageId")) return fail(why, "no MessageId");
      s.step = 1;
    } else if (s.step == 1) {
      auto handle = find_json_string(body, "ReceiptHandle");
      if (!handle) {
        *done = true;  // another client took every visible message: nothing to delete
      } else {
        s.memo = std::move(*handle);
        s.step = 2;
      }
    } else {
      *done = true;
    }
    return true;
  }

 private:
  int port_;
  std::string send_prefix_, receive_, delete_prefix_;
};

class DynamoScenario final : public Scenario {
 public:
  DynamoScenario(int port, const ServiceNames& n) : port_(port), table_(json::quote(n.table)) {}
  void request(const ClientState& s, std::string& out) override {
    std::string key = "{\"pk\":{\"S\":\"item-" + std::to_string(s.iteration) + "\"}";
    if (s.step == 0) {
      std::string body = "{\"TableName\":" + table_ + ",\"Item\":" + key + ",\"n\":{\"N\":\"" +
                         std::to_string(s.iteration) + "\"},\"payload\":{\"S\":\"" +
                         filler(dynamodb_payload_bytes, 'd') + "\"}}}";
      out = json_request(port_, "dynamodb", "DynamoDB_20120810.PutItem", body);
    } else {
      out = json_request(
          port_, "dynamodb", "DynamoDB_20120810.GetItem",
          "{\"TableName\":" + table_ + ",\"Key\":" + key + "},\"ConsistentRead\":true}");
    }
  }
  bool answer(ClientState& s, unsigned status, std::string_view body, bool* done,
              std::string* why) override {
    if (!answer_ok(status, body, why)) return false;
    if (put_answered(s, done)) return true;
    if (body.find("\"payload\"") == std::string_view::npos)
      return fail(why, "GetItem did not return the item");
    return true;
  }

 private:
  int port_;
  std::string table_;
};

class S3Scenario final : public Scenario {
 public:
  S3Scenario(int port, const ServiceNames& n)
      : port_(port), bucket_(n.bucket), object_(filler(s3_object_bytes, 'o')) {}
  void request(const ClientState& s, std::string& out) override {
    std::string path = "/" + bucket_ + "/obj/" + std::to_string(s.client) + "/" +
                       std::to_string(s.iteration % s3_keys_per_client);
    out = s.step == 0 ? rest_request(port_, "s3", "PUT", path, object_)
                      : rest_request(port_, "s3", "GET", path, "");
  }
  bool answer(ClientState& s, unsigned status, std::string_view body, bool* done,
              std::string* why) override {
    if (!answer_ok(status, body, why)) return false;
    if (put_answered(s, done)) return true;
    if (body.size() != s3_object_bytes)
      return fail(why, "GET returned " + std::to_string(body.size()) + " bytes");
    return true;
  }

 private:
  int port_;
  std::string bucket_, object_;
};

// Answers whose JSON lists failures: fill mode's batches.
bool batch_answer_ok(unsigned status, std::string_view body, std::string_view failed_member,
                     std::string* why) {
  if (!answer_ok(status, body, why)) return false;
  auto v = json::parse(body);
  if (!v || !v->is_object()) return fail(why, "answer is not a JSON object");
  const auto* failed = v->as_object().if_contains(failed_member);
  bool none = failed == nullptr || (failed->is_array() && failed->as_array().empty()) ||
              (failed->is_object() && failed->as_object().empty());
  if (!none) *why = std::string(failed_member) + ": " + json::dump(*failed).substr(0, 300);
  return none;
}

// Fill mode: one batch request per iteration, whose answer lists the entries that failed.
class BatchScenario final : public Scenario {
 public:
  using Body = std::function<std::string(std::int64_t iteration)>;
  BatchScenario(int port, std::string service, std::string target, std::string failed, Body body)
      : port_(port),
        service_(std::move(service)),
        target_(std::move(target)),
        failed_(std::move(failed)),
        body_(std::move(body)) {}
  void request(const ClientState& s, std::string& out) override {
    out = json_request(port_, service_, target_, body_(s.iteration));
  }
  bool answer(ClientState&, unsigned status, std::string_view body, bool* done,
              std::string* why) override {
    *done = true;
    return batch_answer_ok(status, body, failed_, why);
  }

 private:
  int port_;
  std::string service_, target_, failed_;
  Body body_;
};

std::unique_ptr<Scenario> fill_sqs(int port, const ServiceNames& n) {
  std::string prefix = "{\"QueueUrl\":" + json::quote(n.queue_url) + ",\"Entries\":[";
  return std::make_unique<BatchScenario>(
      port, "sqs", "AmazonSQS.SendMessageBatch", "Failed", [prefix](std::int64_t iteration) {
        std::string body = prefix;
        for (int e = 0; e < sqs_batch_entries; ++e) {
          std::string id = std::to_string(iteration * sqs_batch_entries + e) + ":";
          body += e ? ",{\"Id\":\"" : "{\"Id\":\"";
          body += std::to_string(e) + "\",\"MessageBody\":\"" + id +
                  filler(sqs_body_bytes - id.size(), 'm') + "\"}";
        }
        return body + "]}";
      });
}

std::unique_ptr<Scenario> fill_dynamodb(int port, const ServiceNames& n) {
  std::string prefix = "{\"RequestItems\":{" + json::quote(n.table) + ":[";
  return std::make_unique<BatchScenario>(
      port, "dynamodb", "DynamoDB_20120810.BatchWriteItem", "UnprocessedItems",
      [prefix](std::int64_t iteration) {
        std::string body = prefix;
        for (int e = 0; e < dynamodb_batch_items; ++e) {
          std::string k = std::to_string(iteration * dynamodb_batch_items + e);
          body += e ? "," : "";
          body += "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"item-" + k + "\"},\"n\":{\"N\":\"" +
                  k + "\"},\"payload\":{\"S\":\"" + filler(dynamodb_payload_bytes, 'd') + "\"}}}}";
        }
        return body + "]}}";
      });
}

class StartSyncScenario final : public Scenario {
 public:
  StartSyncScenario(int port, const ServiceNames& n) {
    json::array items;
    for (int i = 0; i < n.items; ++i) items.emplace_back("k" + std::to_string(i));
    json::object input;
    input["items"] = std::move(items);
    json::object body;
    body["stateMachineArn"] = n.state_machine_arn;
    body["input"] = json::dump(input);
    request_ =
        json_request(port, "states", "AWSStepFunctions.StartSyncExecution", json::dump(body));
  }
  void request(const ClientState&, std::string& out) override { out = request_; }
  bool answer(ClientState&, unsigned status, std::string_view body, bool* done,
              std::string* why) override {
    *done = true;
    if (!answer_ok(status, body, why)) return false;
    auto st = find_json_string(body, "status");
    if (st && *st == "SUCCEEDED") return true;
    *why = "execution " + st.value_or("?") + ": " + find_json_string(body, "error").value_or("") +
           " " + find_json_string(body, "cause").value_or("").substr(0, 300);
    return false;
  }

 private:
  std::string request_;
};

}  // namespace

std::string json_request(int port, std::string_view service, std::string_view target,
                         std::string_view body) {
  std::string r = "POST / HTTP/1.1\r\nHost: localhost:" + std::to_string(port) +
                  "\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: ";
  r += target;
  r += "\r\n";
  r += authorization(service);
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

std::string rest_request(int port, std::string_view service, std::string_view method,
                         std::string_view path, std::string_view body,
                         std::string_view content_type) {
  std::string r(method);
  r += " ";
  r += path;
  r += " HTTP/1.1\r\nHost: localhost:" + std::to_string(port) + "\r\n";
  r += authorization(service);
  r += "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n";
  if (!body.empty() || method == "PUT" || method == "POST") {
    r += "Content-Type: ";
    r += content_type;
    r += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  r += "\r\n";
  r += body;
  return r;
}

std::optional<std::string> find_json_string(std::string_view body, std::string_view name) {
  std::string key = "\"" + std::string(name) + "\"";
  std::size_t pos = 0;
  while ((pos = body.find(key, pos)) != std::string_view::npos) {
    std::size_t p = pos + key.size();
    while (p < body.size() && (body[p] == ' ' || body[p] == '\n' || body[p] == '\t')) ++p;
    if (p >= body.size() || body[p] != ':') {
      pos = p;  // the name as a value, not a member: look further
      continue;
    }
    ++p;
    while (p < body.size() && (body[p] == ' ' || body[p] == '\n' || body[p] == '\t')) ++p;
    if (p >= body.size() || body[p] != '"') return std::nullopt;
    std::size_t start = ++p;
    while (p < body.size() && body[p] != '"') p += body[p] == '\\' ? 2 : 1;
    if (p >= body.size()) return std::nullopt;
    return std::string(body.substr(start, p - start));
  }
  return std::nullopt;
}

bool is_unknown_operation(unsigned status, std::string_view body) {
  if (status < 400 || status >= 500) return false;
  auto type = find_json_string(body, "__type");
  if (!type) return false;
  // "UnknownOperationException", or with a namespace prefix ("com.amazon...#UnknownOperation...").
  return type->find("UnknownOperation") != std::string::npos;
}

Result<HttpAnswer> http_call(int port, const std::string& request, double timeout_s) {
  try {
    net::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000)));
    stream.connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)));
    net::write(stream.socket(), net::buffer(request));
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(response_body_bytes_max);
    http::read(stream, buffer, parser);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return HttpAnswer{parser.get().result_int(), std::move(parser.get().body())};
  } catch (const boost::system::system_error& e) {
    return Error{"Bench.HttpError", "127.0.0.1:" + std::to_string(port) + ": " + e.what()};
  }
}

std::unique_ptr<Scenario> make_scenario(std::string_view workload, int port,
                                        const ServiceNames& names) {
  if (workload == "sqs") return std::make_unique<SqsScenario>(port, names);
  if (workload == "dynamodb") return std::make_unique<DynamoScenario>(port, names);
  if (workload == "s3") return std::make_unique<S3Scenario>(port, names);
  if (workload == "fill-sqs") return fill_sqs(port, names);
  if (workload == "fill-dynamodb") return fill_dynamodb(port, names);
  if (workload == "integrations") return std::make_unique<StartSyncScenario>(port, names);
  return nullptr;
}

}  // namespace stepwise::bench
