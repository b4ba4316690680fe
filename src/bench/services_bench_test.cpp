// `bench services`: the /proc parsers, the request texts, the scenarios' steps, the merging of
// rounds into medians and ratios, and the load driver against a small local server. Nothing
// here is timed: the figures are the benchmark's, not the tests'.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include "bench/server_process.h"
#include "bench/services_bench.h"
#include "bench/services_load.h"
#include "bench/services_report.h"
#include "bench/services_requests.h"

namespace stepwise::bench {
namespace {

namespace http = boost::beast::http;

TEST(ServicesProc, StatCpuTicksAreFields14And15AfterTheCommandName) {
  // The command name may hold spaces and parentheses; fields are counted after the last ')'.
  std::string stat =
      "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
      "1234 56 0 0 20 0 3 0 100 2000000 500";
  EXPECT_EQ(parse_stat_cpu_ticks(stat), 1290);
  EXPECT_EQ(parse_stat_cpu_ticks("1 (x) S 1 2"), std::nullopt);
  EXPECT_EQ(parse_stat_cpu_ticks("no parenthesis"), std::nullopt);
  // Negative or overflowing figures are not CPU time.
  EXPECT_EQ(parse_stat_cpu_ticks("1 (x) S 1 2 3 4 5 6 7 8 9 10 -1 5"), std::nullopt);
  EXPECT_EQ(parse_stat_cpu_ticks("1 (x) S 1 2 3 4 5 6 7 8 9 10 "
                                 "9223372036854775807 9223372036854775807"),
            std::nullopt);
}

TEST(ServicesProc, StatusKilobytesByKey) {
  std::string status = "Name:\tstepwise\nVmHWM:\t  110208 kB\nVmRSS:\t   98304 kB\n";
  EXPECT_EQ(parse_status_kb(status, "VmHWM"), 110208);
  EXPECT_EQ(parse_status_kb(status, "VmRSS"), 98304);
  EXPECT_EQ(parse_status_kb(status, "VmSwap"), std::nullopt);
  EXPECT_EQ(parse_status_kb("VmRSSx:\t1 kB\n", "VmRSS"), std::nullopt);
}

TEST(ServicesProc, ReadsThisProcess) {
  auto s = read_proc_stats(getpid());
  ASSERT_TRUE(s.ok()) << s.error().cause;
  EXPECT_GT(s->rss_kb, 0);
  EXPECT_GE(s->hwm_kb, s->rss_kb);
}

TEST(ServicesRequests, FindJsonStringToleratesSpacesAndSkipsValues) {
  EXPECT_EQ(find_json_string(R"({"QueueUrl":"http://h/1/q"})", "QueueUrl"), "http://h/1/q");
  // Python's json (moto) writes a space after the colon.
  EXPECT_EQ(find_json_string(R"({"Messages": [{"ReceiptHandle": "abc"}]})", "ReceiptHandle"),
            "abc");
  // The name as a value first, then as a member.
  EXPECT_EQ(find_json_string(R"({"a":"status","status":"SUCCEEDED"})", "status"), "SUCCEEDED");
  // Escapes are kept as they are (the text goes back into JSON unchanged).
  EXPECT_EQ(find_json_string(R"({"m":"a\"b"})", "m"), R"(a\"b)");
  EXPECT_EQ(find_json_string(R"({"Messages":[]})", "ReceiptHandle"), std::nullopt);
  EXPECT_EQ(find_json_string(R"({"n":1})", "n"), std::nullopt);
  EXPECT_EQ(find_json_string(R"({"n":"unterminated)", "n"), std::nullopt);
}

TEST(ServicesRequests, UnknownOperationIsAClientErrorOfThatType) {
  EXPECT_TRUE(is_unknown_operation(
      400, R"({"__type":"UnknownOperationException","message":"Unknown X-Amz-Target"})"));
  EXPECT_TRUE(
      is_unknown_operation(400, R"({"__type":"com.amazon.coral#UnknownOperationException"})"));
  EXPECT_FALSE(is_unknown_operation(400, R"({"__type":"ResourceNotFoundException"})"));
  EXPECT_FALSE(is_unknown_operation(500, R"({"__type":"UnknownOperationException"})"));
  EXPECT_FALSE(is_unknown_operation(200, "{}"));
}

http::request<http::string_body> parse_request(const std::string& text) {
  http::request_parser<http::string_body> p;
  p.eager(true);
  boost::beast::error_code ec;
  p.put(boost::asio::buffer(text), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(p.is_done());
  return p.release();
}

TEST(ServicesRequests, JsonRequestIsWhatAnSdkSends) {
  auto r = parse_request(json_request(4566, "sqs", "AmazonSQS.SendMessage", R"({"a":1})"));
  EXPECT_EQ(r.method(), http::verb::post);
  EXPECT_EQ(r.target(), "/");
  EXPECT_EQ(r[http::field::host], "localhost:4566");
  EXPECT_EQ(r["X-Amz-Target"], "AmazonSQS.SendMessage");
  EXPECT_EQ(r[http::field::content_type], "application/x-amz-json-1.0");
  // moto routes by the credential scope's service.
  EXPECT_NE(r[http::field::authorization].find("/us-east-1/sqs/aws4_request"), std::string::npos);
  EXPECT_EQ(r.body(), R"({"a":1})");
}

TEST(ServicesRequests, RestRequestsCarryTheirBodyOnly) {
  auto put = parse_request(rest_request(9000, "s3", "PUT", "/b/k", std::string(4096, 'o')));
  EXPECT_EQ(put.method(), http::verb::put);
  EXPECT_EQ(put.target(), "/b/k");
  EXPECT_EQ(put.body().size(), 4096u);
  EXPECT_NE(put[http::field::authorization].find("/s3/aws4_request"), std::string::npos);
  auto get = parse_request(rest_request(9000, "s3", "GET", "/b/k", ""));
  EXPECT_EQ(get.method(), http::verb::get);
  EXPECT_TRUE(get[http::field::content_length].empty());
  auto create = parse_request(rest_request(9000, "s3", "PUT", "/b", ""));
  EXPECT_EQ(create[http::field::content_length], "0");
}

TEST(ServicesScenarios, SqsSendsReceivesAndDeletesWhatItReceived) {
  ServiceNames names;
  names.queue_url = "http://localhost:1/123456789012/svcbench";
  auto sc = make_scenario("sqs", 1, names);
  ASSERT_NE(sc, nullptr);
  ClientState s;
  s.iteration = 7;
  std::string req, why;
  bool done = false;
  sc->request(s, req);
  auto send = parse_request(req);
  EXPECT_EQ(send["X-Amz-Target"], "AmazonSQS.SendMessage");
  auto body = json::parse(send.body());
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->at("MessageBody").as_string().size(), sqs_body_bytes);
  EXPECT_FALSE(sc->answer(s, 200, "{}", &done, &why));  // no MessageId
  EXPECT_TRUE(sc->answer(s, 200, R"({"MessageId":"m1"})", &done, &why));
  EXPECT_FALSE(done);
  sc->request(s, req);
  EXPECT_EQ(parse_request(req)["X-Amz-Target"], "AmazonSQS.ReceiveMessage");
  EXPECT_TRUE(sc->answer(s, 200, R"({"Messages": [{"ReceiptHandle": "rh-1"}]})", &done, &why));
  EXPECT_FALSE(done);
  sc->request(s, req);
  auto del = parse_request(req);
  EXPECT_EQ(del["X-Amz-Target"], "AmazonSQS.DeleteMessage");
  EXPECT_EQ(json::parse(del.body())->at("ReceiptHandle").as_string(), "rh-1");
  EXPECT_TRUE(sc->answer(s, 200, "{}", &done, &why));
  EXPECT_TRUE(done);
  // An empty receive ends the iteration without a delete.
  ClientState t;
  t.step = 1;
  done = false;
  EXPECT_TRUE(sc->answer(t, 200, "{}", &done, &why));
  EXPECT_TRUE(done);
  // An error answer is wrong, with the body as the reason.
  EXPECT_FALSE(sc->answer(t, 400, "", &done, &why));
  EXPECT_FALSE(why.empty());
}

TEST(ServicesScenarios, S3ChecksTheObjectLengthAndDynamoDbTheItem) {
  ServiceNames names;
  auto s3 = make_scenario("s3", 1, names);
  ClientState s;
  s.client = 3;
  s.iteration = s3_keys_per_client + 5;
  std::string req, why;
  bool done = false;
  s3->request(s, req);
  auto put = parse_request(req);
  EXPECT_EQ(put.target(), "/svcbench/obj/3/5");  // keys are reused per client
  EXPECT_EQ(put.body().size(), s3_object_bytes);
  EXPECT_TRUE(s3->answer(s, 200, "", &done, &why));
  EXPECT_FALSE(done);
  EXPECT_FALSE(s3->answer(s, 200, "short", &done, &why));
  EXPECT_TRUE(done);
  auto ddb = make_scenario("dynamodb", 1, names);
  ClientState d;
  d.iteration = 9;
  ddb->request(d, req);
  auto item = json::parse(parse_request(req).body());
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->at("Item").at("pk").at("S").as_string(), "item-9");
  EXPECT_TRUE(ddb->answer(d, 200, "{}", &done, &why));
  ddb->request(d, req);
  EXPECT_EQ(json::parse(parse_request(req).body())->at("Key").at("pk").at("S").as_string(),
            "item-9");
  EXPECT_FALSE(ddb->answer(d, 200, "{}", &done, &why));  // the item is missing
}

TEST(ServicesScenarios, FillBatchesAreFullAndFailuresCount) {
  ServiceNames names;
  names.queue_url = "http://q";
  auto sqs = make_scenario("fill-sqs", 1, names);
  ClientState s;
  s.iteration = 2;
  std::string req, why;
  bool done = false;
  sqs->request(s, req);
  auto batch = json::parse(parse_request(req).body());
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->at("Entries").as_array().size(), static_cast<std::size_t>(sqs_batch_entries));
  EXPECT_TRUE(sqs->answer(s, 200, R"({"Successful":[],"Failed":[]})", &done, &why));
  EXPECT_FALSE(sqs->answer(s, 200, R"({"Failed":[{"Id":"1"}]})", &done, &why));
  auto ddb = make_scenario("fill-dynamodb", 1, names);
  ddb->request(s, req);
  auto items = json::parse(parse_request(req).body());
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->at("RequestItems").at("svcbench").as_array().size(),
            static_cast<std::size_t>(dynamodb_batch_items));
  EXPECT_TRUE(ddb->answer(s, 200, R"({"UnprocessedItems": {}})", &done, &why));
  EXPECT_FALSE(ddb->answer(s, 200, R"({"UnprocessedItems":{"t":[{}]}})", &done, &why));
  EXPECT_EQ(make_scenario("nope", 1, names), nullptr);
}

Sample sample(std::string w, std::string server, int round, double ops, std::int64_t errors = 0) {
  Sample s;
  s.workload = std::move(w);
  s.server = std::move(server);
  s.round = round;
  s.ops_per_s = ops;
  s.server_cpu_ms_per_kop = 1e6 / ops;
  s.errors = errors;
  return s;
}

TEST(ServicesReport, RatioIsTheMedianOfRoundRatiosWithoutErrorRounds) {
  std::vector<Sample> xs = {sample("sqs", "stepwise", 0, 3000), sample("sqs", "moto", 0, 100),
                            sample("sqs", "stepwise", 1, 2000), sample("sqs", "moto", 1, 200),
                            sample("sqs", "stepwise", 2, 5000), sample("sqs", "moto", 2, 200),
                            sample("sqs", "stepwise", 3, 9000), sample("sqs", "moto", 3, 1, 1)};
  Comparison c = compare(xs, "sqs");
  ASSERT_EQ(c.round_ratios.size(), 3u);  // round 3's moto sample had an error
  EXPECT_DOUBLE_EQ(c.ratio, 25);         // median of 30, 10, 25
  Summary s = summarize(xs, "sqs", "stepwise");
  EXPECT_EQ(s.rounds, 4);
  EXPECT_DOUBLE_EQ(s.ops_per_s, 4000);  // median of 2000, 3000, 5000, 9000
  EXPECT_EQ(summarize(xs, "sqs", "moto").errors, 1);
  EXPECT_GT(c.cpu_ratio, 1);
}

TEST(ServicesReport, TargetsCountSkipsAndIgnoreWhatWasNotAskedFor) {
  ServicesReport r;
  for (int round = 0; round < 3; ++round) {
    r.samples.push_back(sample("sqs", "stepwise", round, 4000));
    r.samples.push_back(sample("sqs", "moto", round, 100));
  }
  r.skips.push_back(Skip{"dynamodb", "stepwise", "not built in"});
  bool met = false;
  std::string t = services_targets(r, &met);
  EXPECT_TRUE(met) << t;
  EXPECT_NE(t.find("(40.0x)"), std::string::npos) << t;
  EXPECT_NE(t.find("DynamoDB put+get >= 20x moto: not measured (skipped)"), std::string::npos);
  EXPECT_EQ(t.find("S3"), std::string::npos) << t;  // not asked for
  r.samples.push_back(sample("int-sqs", "stepwise", 0, 50'000));
  t = services_targets(r, &met);
  EXPECT_FALSE(met);
  EXPECT_NE(t.find("calls/s: NOT met (50000/s)"), std::string::npos) << t;
  auto j = services_json(r);
  EXPECT_FALSE(j.at("targets_met").as_bool());
  EXPECT_EQ(j.at("comparisons").as_array().size(), 1u);
  EXPECT_NE(services_table(r).find("ratio 40.0x"), std::string::npos);
}

// A server that answers every request with `Connection: close` (as moto does), one connection
// at a time, until it has answered `answers` requests.
void serve_closing(boost::asio::ip::tcp::acceptor& acceptor, int answers) {
  for (int i = 0; i < answers; ++i) {
    boost::asio::ip::tcp::socket socket(acceptor.get_executor());
    acceptor.accept(socket);
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> req;
    boost::beast::error_code ec;
    http::read(socket, buffer, req, ec);
    if (ec) continue;
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::connection, "close");
    res.body() = R"({"Successful":[],"Failed":[]})";
    res.prepare_payload();
    http::write(socket, res, ec);
  }
}

TEST(ServicesLoad, RunsTheIterationsAskedForAndReconnectsAfterAClose) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const int port = acceptor.local_endpoint().port();
  constexpr int iterations = 40;
  std::thread server([&] { serve_closing(acceptor, iterations); });
  ServiceNames names;
  names.queue_url = "http://q";
  auto sc = make_scenario("fill-sqs", port, names);
  LoadOptions o;
  o.port = port;
  o.clients = 4;
  o.warmup_s = 0;
  o.duration_s = 300;
  o.iterations_max = iterations;
  int opened = 0, closed = 0;
  o.on_window_open = [&] { ++opened; };
  o.on_window_close = [&] { ++closed; };
  auto r = run_load(o, *sc);
  server.join();
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_EQ(r->errors, 0) << r->first_error;
  EXPECT_EQ(r->iterations, iterations);
  EXPECT_EQ(r->requests, iterations);
  EXPECT_EQ(r->reconnects, iterations);
  EXPECT_EQ(r->latencies_us.size(), static_cast<std::size_t>(iterations));
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(closed, 1);
}

TEST(ServicesLoad, BadOptionsAreRefused) {
  ServiceNames names;
  auto sc = make_scenario("s3", 1, names);
  LoadOptions o;
  o.port = 0;
  EXPECT_FALSE(run_load(o, *sc).ok());
  o.port = 1;
  o.clients = 0;
  EXPECT_FALSE(run_load(o, *sc).ok());
  o.clients = 1;
  o.duration_s = 0;
  EXPECT_FALSE(run_load(o, *sc).ok());
}

TEST(ServicesLoad, PercentileIsTheNearestRank) {
  std::vector<std::uint32_t> xs;
  for (std::uint32_t i = 1; i <= 100; ++i) xs.push_back(i * 1000);
  EXPECT_DOUBLE_EQ(percentile_ms(xs, 0.5), 51);
  EXPECT_DOUBLE_EQ(percentile_ms(xs, 0.99), 99);
  std::vector<std::uint32_t> none;
  EXPECT_DOUBLE_EQ(percentile_ms(none, 0.5), 0);
}

TEST(ServicesBench, BadOptionsExitTwo) {
  std::ostringstream out, err;
  ServicesBenchOptions o;
  o.workloads = {"sqs", "nope"};
  EXPECT_EQ(run_services_bench(o, out, err), 2);
  EXPECT_NE(err.str().find("unknown services workload nope"), std::string::npos);
  o.workloads = {"sqs"};
  o.rounds = 0;
  EXPECT_EQ(run_services_bench(o, out, err), 2);
}

}  // namespace
}  // namespace stepwise::bench
