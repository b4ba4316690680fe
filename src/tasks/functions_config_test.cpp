#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tasks/functions.h"
#include "tasks/tasks_config.h"

namespace stepwise::tasks {
namespace {

TEST(FunctionsConfig, YamlDefinesCommandsAndWorkers) {
  auto specs = parse_functions(R"(
functions:
  greet:
    command: [python3, greet.py, --fast]
    env: {GREETING: hello, EMPTY: ""}
    timeout_seconds: 2.5
  count:
    worker: [./counter]
    cwd: /srv/fn
    timeout_ms: 750
)",
                               "/etc/stepwise");
  ASSERT_TRUE(specs.ok()) << specs.error().cause;
  ASSERT_EQ(specs->size(), 2u);
  const auto& greet = specs->at(0);
  EXPECT_EQ(greet.name, "greet");
  EXPECT_EQ(greet.kind, FunctionKind::command);
  EXPECT_EQ(greet.argv, (std::vector<std::string>{"python3", "greet.py", "--fast"}));
  ASSERT_EQ(greet.env.size(), 2u);
  EXPECT_EQ(greet.env[0], (std::pair<std::string, std::string>{"GREETING", "hello"}));
  EXPECT_EQ(greet.timeout_ms, 2500);
  EXPECT_EQ(greet.cwd, "/etc/stepwise");  // the file's directory by default
  const auto& count = specs->at(1);
  EXPECT_EQ(count.kind, FunctionKind::worker);
  EXPECT_EQ(count.cwd, "/srv/fn");
  EXPECT_EQ(count.timeout_ms, 750);
}

TEST(FunctionsConfig, JsonIsAcceptedToo) {
  auto specs =
      parse_functions(R"({"functions": {"f": {"command": ["cat"], "cwd": "sub"}}})", "/base");
  ASSERT_TRUE(specs.ok()) << specs.error().cause;
  EXPECT_EQ(specs->at(0).argv, std::vector<std::string>{"cat"});
  EXPECT_EQ(specs->at(0).cwd, "/base/sub");
}

TEST(FunctionsConfig, MistakesAreReportedWithTheirPlace) {
  struct Case {
    const char* text;
    const char* where;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"functions: {f: {command: [cat], tiemout_seconds: 3}}", "functions.f.tiemout_seconds"},
           {"functions: {f: {command: cat}}", "functions.f.command"},
           {"functions: {f: {command: [cat], worker: [cat]}}", "exactly one"},
           {"functions: {f: {env: {A: b}}}", "exactly one"},
           {"functions: {f: {command: [cat], timeout_seconds: 901}}", "900 seconds"},
           {"functions: {f: {command: [cat], timeout_seconds: -1}}", "positive"},
           {"functions: [a, b]", "functions: must be a map"},
           {"other: 1", "unknown top-level key"},
           {"functions: {f: {command: [cat]", "line"},
       }) {
    auto specs = parse_functions(c.text, "");
    ASSERT_FALSE(specs.ok()) << c.text;
    EXPECT_EQ(specs.error().name, "FunctionsConfig");
    EXPECT_NE(specs.error().cause.find(c.where), std::string::npos) << specs.error().cause;
  }
}

TEST(FunctionsConfig, EndpointsAreUrlsOrMapsWithARegion) {
  auto config = parse_tasks_config(
      "endpoints:\n  sqs: http://127.0.0.1:4566\n  s3: {url: aws, region: eu-west-1}\n", "");
  ASSERT_TRUE(config.ok()) << config.error().cause;
  ASSERT_EQ(config->endpoints.size(), 2u);
  EXPECT_EQ(config->endpoints[0].service, "sqs");
  EXPECT_EQ(config->endpoints[0].url, "http://127.0.0.1:4566");
  EXPECT_EQ(config->endpoints[0].region, "");
  EXPECT_EQ(config->endpoints[1].url, "aws");
  EXPECT_EQ(config->endpoints[1].region, "eu-west-1");
  for (const char* bad :
       {"endpoints: [a]", "endpoints: {sqs: {region: x}}", "endpoints: {sqs: {url: h, port: 1}}",
        "endpoints: {sqs: [h]}", "endpoints: {sqs: h, sqs: i}"}) {
    auto refused = parse_tasks_config(bad, "");
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.error().cause.find("endpoints"), std::string::npos) << refused.error().cause;
  }
}

TEST(FunctionsConfig, HostileNestingIsRefusedWithoutRecursing) {
  std::string deep = "functions: " + std::string(100000, '[') + std::string(100000, ']');
  auto specs = parse_functions(deep, "");
  ASSERT_FALSE(specs.ok());
  EXPECT_NE(specs.error().cause.find("nesting too deep"), std::string::npos);
}

TEST(FunctionsConfig, FileRelativeDirectoriesResolveAgainstTheFile) {
  auto dir = std::filesystem::temp_directory_path() / "stepwise_functions_config_test";
  std::filesystem::create_directories(dir);
  auto path = dir / "fns.yaml";
  std::ofstream(path) << "functions:\n  f:\n    command: [cat]\n    cwd: handlers\n";
  auto specs = load_functions_file(path.string());
  ASSERT_TRUE(specs.ok()) << specs.error().cause;
  EXPECT_EQ(specs->at(0).cwd, (dir / "handlers").string());
  std::filesystem::remove_all(dir);
  auto missing = load_functions_file((dir / "nope.yaml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().cause.find("cannot open"), std::string::npos);
}

TEST(TasksConfig, ConnectionsJobsUrlsAndWorkerPoolsAreRead) {
  auto config = parse_tasks_config(R"(
functions:
  remote: {url: "http://localhost:9000/fn", timeout_seconds: 5}
  pool: {worker: [python3, w.py], concurrency: 4}
connections:
  Stripe:
    api_key: {name: Authorization, value: Bearer sk}
    headers: {X-Env: test}
    query: {v: "2"}
  Auth0:
    oauth:
      endpoint: https://auth.example/token
      client_id: id
      client_secret: s
      body: {audience: api}
  Vault:
    secret: payments/api
jobs:
  report:
    command: [python3, report.py]
    timeout_seconds: 7200
)",
                                   "/cfg");
  ASSERT_TRUE(config.ok()) << config.error().cause;
  ASSERT_EQ(config->functions.size(), 2u);
  EXPECT_EQ(config->functions[0].kind, FunctionKind::url);
  EXPECT_EQ(config->functions[0].url, "http://localhost:9000/fn");
  EXPECT_EQ(config->functions[1].concurrency, 4u);
  ASSERT_EQ(config->connections.size(), 3u);
  EXPECT_EQ(config->connections[2].secret, "payments/api");
  EXPECT_EQ(config->connections[2].auth, AuthKind::none);
  const auto& stripe = config->connections[0];
  EXPECT_EQ(stripe.auth, AuthKind::api_key);
  EXPECT_EQ(stripe.api_key_value, "Bearer sk");
  EXPECT_EQ(stripe.invocation.headers.at(0).first, "X-Env");
  EXPECT_EQ(stripe.invocation.query.at(0).second, "2");
  const auto& auth0 = config->connections[1];
  EXPECT_EQ(auth0.auth, AuthKind::oauth_client_credentials);
  EXPECT_EQ(auth0.oauth_method, "POST");
  EXPECT_EQ(auth0.oauth_parameters.body.at(0).first, "audience");
  ASSERT_EQ(config->jobs.size(), 1u);
  EXPECT_EQ(config->jobs[0].timeout_ms, 7200 * 1000);
  EXPECT_EQ(config->jobs[0].cwd, "/cfg");
}

TEST(TasksConfig, MistakesInNewSectionsAreReportedWithTheirPlace) {
  struct Case {
    const char* text;
    const char* where;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"functions: {f: {url: ftp://x}}", "functions.f.url"},
           {"functions: {f: {command: [cat], concurrency: 2}}", "only a worker"},
           {"functions: {f: {worker: [cat], concurrency: 0}}", "functions.f.concurrency"},
           {"connections: {c: {api_key: {name: X}}}", "needs 'value'"},
           {"connections: {c: {basic: {username: u, password: p}, api_key: {name: a, value: b}}}",
            "at most one"},
           {"connections: {c: {oauth: {endpoint: x, client_id: i, client_secret: s}}}",
            "connections.c.oauth.endpoint"},
           {"connections: {c: {cookies: {}}}", "connections.c.cookies"},
           {"connections: {c: {secret: [a]}}", "connections.c.secret"},
           {"jobs: {j: {env: {A: b}}}", "needs a 'command'"},
       }) {
    auto config = parse_tasks_config(c.text, "");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_NE(config.error().cause.find(c.where), std::string::npos) << config.error().cause;
  }
}

TEST(TasksConfig, ConnectionNameComesFromTheArn) {
  EXPECT_EQ(connection_name_of("arn:aws:events:us-east-2:123456789012:connection/Stripe/81210c42"),
            "Stripe");
  EXPECT_EQ(connection_name_of("Stripe"), "Stripe");
}

}  // namespace
}  // namespace stepwise::tasks
