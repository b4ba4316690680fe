#include "sfn/registry.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sfn/registry_rules.h"
#include "store/fault_store.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

constexpr const char* kRole = "arn:aws:iam::111111111111:role/sfn-role";
constexpr const char* kPass =
    R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"a":1},"End":true}}})";
constexpr const char* kPass2 =
    R"({"Comment":"two","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})";
constexpr const char* kArnPrefix = "arn:aws:states:us-east-1:111111111111:";

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest()
      : clock_(1'700'000'000'000), ids_(42), registry_(store_, store_, clock_, ids_, place()) {
    for (auto& [name, op] : registry_.operations()) ops_[name] = op;
  }

  static Place place() { return Place{"us-east-1", "111111111111"}; }

  api::Response call(const std::string& op, json::value request) {
    auto it = ops_.find(op);
    EXPECT_NE(it, ops_.end()) << op;
    return it->second(request);
  }
  json::object ok(const std::string& op, json::value request) {
    auto r = call(op, std::move(request));
    EXPECT_FALSE(r.is_error()) << op << ": " << r.error().type << ": " << r.error().message;
    return r.is_error() ? json::object{} : r.body().as_object();
  }
  api::ApiError fails(const std::string& op, json::value request) {
    auto r = call(op, std::move(request));
    EXPECT_TRUE(r.is_error()) << op << " answered " << json::dump(r.body());
    return r.is_error() ? r.error() : api::ApiError{};
  }

  std::string create(const std::string& name, const char* definition = kPass,
                     bool publish = false) {
    json::object r{{"name", name}, {"definition", definition}, {"roleArn", kRole}};
    if (publish) r["publish"] = true;
    return std::string(ok("CreateStateMachine", r).at("stateMachineArn").as_string());
  }
  std::string machine(const std::string& name) {
    return std::string(kArnPrefix) + "stateMachine:" + name;
  }
  std::string activity(const std::string& name) {
    return std::string(kArnPrefix) + "activity:" + name;
  }
  std::string update(const std::string& arn, const char* definition, bool publish) {
    auto out = ok(
        "UpdateStateMachine",
        json::object{{"stateMachineArn", arn}, {"definition", definition}, {"publish", publish}});
    return out.contains("stateMachineVersionArn")
               ? std::string(out.at("stateMachineVersionArn").as_string())
               : "";
  }
  json::array routing(std::initializer_list<std::pair<std::string, std::int64_t>> routes) {
    json::array out;
    for (const auto& [arn, w] : routes)
      out.push_back(json::object{{"stateMachineVersionArn", arn}, {"weight", w}});
    return out;
  }

  store::MemoryStore store_;
  ManualClock clock_;
  IdGenerator ids_;
  Registry registry_;
  std::map<std::string, SyncOperation> ops_;
};

// --- CreateStateMachine / DescribeStateMachine ---

TEST_F(RegistryTest, ServesEveryRegistryOperation) {
  for (const char* op : {"CreateStateMachine",
                         "DescribeStateMachine",
                         "UpdateStateMachine",
                         "DeleteStateMachine",
                         "ListStateMachines",
                         "PublishStateMachineVersion",
                         "ListStateMachineVersions",
                         "DeleteStateMachineVersion",
                         "CreateStateMachineAlias",
                         "DescribeStateMachineAlias",
                         "UpdateStateMachineAlias",
                         "DeleteStateMachineAlias",
                         "ListStateMachineAliases",
                         "CreateActivity",
                         "DescribeActivity",
                         "DeleteActivity",
                         "ListActivities",
                         "TagResource",
                         "UntagResource",
                         "ListTagsForResource",
                         "ValidateStateMachineDefinition"})
    EXPECT_TRUE(ops_.count(op)) << op;
}

TEST_F(RegistryTest, CreateThenDescribeShowsTheMachineWithDefaults) {
  auto out = ok("CreateStateMachine",
                json::object{{"name", "sm1"}, {"definition", kPass}, {"roleArn", kRole}});
  EXPECT_EQ(out.at("stateMachineArn"), machine("sm1").c_str());
  EXPECT_EQ(out.at("creationDate"), 1'700'000'000);
  EXPECT_FALSE(out.contains("stateMachineVersionArn"));
  auto d = ok("DescribeStateMachine", json::object{{"stateMachineArn", machine("sm1")}});
  EXPECT_EQ(d.at("name"), "sm1");
  EXPECT_EQ(d.at("status"), "ACTIVE");
  EXPECT_EQ(d.at("definition"), kPass);
  EXPECT_EQ(d.at("roleArn"), kRole);
  EXPECT_EQ(d.at("type"), "STANDARD");
  EXPECT_EQ(json::dump(d.at("loggingConfiguration")),
            R"({"level":"OFF","includeExecutionData":false})");
  EXPECT_EQ(json::dump(d.at("tracingConfiguration")), R"({"enabled":false})");
  EXPECT_FALSE(d.contains("revisionId"));  // AWS shows one only once the machine was updated
}

TEST_F(RegistryTest, CreateIsIdempotentOnSameDefinitionAndIgnoresRole) {
  auto first = ok("CreateStateMachine",
                  json::object{{"name", "sm"}, {"definition", kPass}, {"roleArn", kRole}});
  clock_.advance_by(5000);
  auto again = ok("CreateStateMachine", json::object{{"name", "sm"},
                                                     {"definition", kPass},
                                                     {"roleArn", "arn:aws:iam::1:role/other"}});
  EXPECT_EQ(again.at("stateMachineArn"), first.at("stateMachineArn"));
  EXPECT_EQ(again.at("creationDate"), first.at("creationDate"));
}

TEST_F(RegistryTest, CreateWithAnotherDefinitionIsAlreadyExists) {
  create("sm");
  auto e = fails("CreateStateMachine",
                 json::object{{"name", "sm"}, {"definition", kPass2}, {"roleArn", kRole}});
  EXPECT_EQ(e.type, "StateMachineAlreadyExists");
  EXPECT_EQ(e.message, "State Machine Already Exists: '" + machine("sm") + "'");
  auto type = fails(
      "CreateStateMachine",
      json::object{{"name", "sm"}, {"definition", kPass}, {"roleArn", kRole}, {"type", "EXPRESS"}});
  EXPECT_EQ(type.type, "StateMachineAlreadyExists");
}

TEST_F(RegistryTest, CreateRejectsInvalidNames) {
  for (const char* name : {"a b", "a:b", "a/b", "a*b", "a\x01", "x\xC2\x85y"}) {
    auto e = fails("CreateStateMachine",
                   json::object{{"name", name}, {"definition", kPass}, {"roleArn", kRole}});
    EXPECT_EQ(e.type, "InvalidName") << name;
    EXPECT_EQ(e.message, std::string("Invalid Name: '") + name + "'");
  }
  create(std::string(80, 'a'));
}

TEST_F(RegistryTest, NameLengthIsAConstraintCheckedFirst) {
  std::string long_name(81, 'a');
  auto e = fails("CreateStateMachine",
                 json::object{{"name", long_name}, {"definition", kPass}, {"roleArn", kRole}});
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message, "1 validation error detected: Value '" + long_name +
                           "' at 'name' failed to satisfy constraint: Member must have length "
                           "less than or equal to 80");
  auto empty = fails("CreateActivity", json::object{{"name", ""}});
  EXPECT_EQ(empty.message,
            "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member "
            "must have length greater than or equal to 1");
}

TEST_F(RegistryTest, CreateRejectsInvalidDefinitionWithAwsMessage) {
  auto e = fails("CreateStateMachine", json::object{{"name", "bad"},
                                                    {"definition", R"({"StartAt":"State_1"})"},
                                                    {"roleArn", kRole}});
  EXPECT_EQ(e.type, "InvalidDefinition");
  EXPECT_EQ(
      e.message,
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: "
      "[States] at /'");
  EXPECT_EQ(fails("CreateStateMachine",
                  json::object{{"name", "bad"}, {"definition", "not json"}, {"roleArn", kRole}})
                .type,
            "InvalidDefinition");
}

TEST_F(RegistryTest, ExpressMachineRejectsWaitForTaskToken) {
  const char* token =
      R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody.$":"$$.Task.Token"},"End":true}}})";
  auto e = fails(
      "CreateStateMachine",
      json::object{{"name", "ex"}, {"definition", token}, {"roleArn", kRole}, {"type", "EXPRESS"}});
  EXPECT_EQ(e.type, "InvalidDefinition");
  ok("CreateStateMachine",
     json::object{{"name", "std"}, {"definition", token}, {"roleArn", kRole}});
}

TEST_F(RegistryTest, CreateNeedsNameDefinitionAndRole) {
  auto e = fails("CreateStateMachine", json::object{{"definition", kPass}, {"roleArn", kRole}});
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(
      e.message,
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member "
      "must not be null");
  auto two = fails("CreateStateMachine", json::object{{"name", "x"}});
  EXPECT_EQ(two.message.rfind("2 validation errors detected: Value at 'definition'", 0), 0u)
      << two.message;
}

TEST_F(RegistryTest, CreateChecksTypeRoleAndVersionDescription) {
  auto type = fails(
      "CreateStateMachine",
      json::object{{"name", "x"}, {"definition", kPass}, {"roleArn", kRole}, {"type", "FAST"}});
  EXPECT_EQ(
      type.message,
      "1 validation error detected: Value 'FAST' at 'type' failed to satisfy constraint: Member "
      "must satisfy enum value set: [STANDARD, EXPRESS]");
  auto role = fails("CreateStateMachine",
                    json::object{{"name", "x"}, {"definition", kPass}, {"roleArn", "role"}});
  EXPECT_EQ(role.type, "InvalidArn");
  auto desc = fails("CreateStateMachine", json::object{{"name", "x"},
                                                       {"definition", kPass},
                                                       {"roleArn", kRole},
                                                       {"versionDescription", "HelloWorld!"}});
  EXPECT_EQ(desc.type, "ValidationException");
  EXPECT_EQ(desc.message, "Version description can only be set when publish is true");
}

TEST_F(RegistryTest, CreateRejectsTwoLogDestinations) {
  json::object dest{{"cloudWatchLogsLogGroup",
                     json::object{{"logGroupArn", "arn:aws:logs:us-east-1:1:log-group:g:*"}}}};
  auto e = fails(
      "CreateStateMachine",
      json::object{{"name", "x"},
                   {"definition", kPass},
                   {"roleArn", kRole},
                   {"loggingConfiguration",
                    json::object{{"level", "ALL"}, {"destinations", json::array{dest, dest}}}}});
  EXPECT_EQ(e.type, "InvalidLoggingConfiguration");
  EXPECT_EQ(e.message, "Invalid Logging Configuration: Must specify exactly one Log Destination.");
  ok("CreateStateMachine",
     json::object{{"name", "x"},
                  {"definition", kPass},
                  {"roleArn", kRole},
                  {"loggingConfiguration",
                   json::object{{"level", "ERROR"}, {"destinations", json::array{dest}}}},
                  {"tracingConfiguration", json::object{{"enabled", true}}}});
  auto d = ok("DescribeStateMachine", json::object{{"stateMachineArn", machine("x")}});
  EXPECT_EQ(d.at("loggingConfiguration").at("level"), "ERROR");
  EXPECT_EQ(d.at("tracingConfiguration").at("enabled"), true);
}

TEST_F(RegistryTest, LoggingLevelOtherThanOffNeedsADestination) {
  auto create_with = [&](const char* name, json::object logging) {
    return call("CreateStateMachine", json::object{{"name", name},
                                                   {"definition", kPass},
                                                   {"roleArn", kRole},
                                                   {"loggingConfiguration", logging}});
  };
  auto all = create_with("a", json::object{{"level", "ALL"}, {"includeExecutionData", true}});
  ASSERT_TRUE(all.is_error());
  EXPECT_EQ(all.error().type, "InvalidLoggingConfiguration");
  EXPECT_FALSE(create_with("b", json::object{{"destinations", json::array{}}}).is_error());
  auto d = ok("DescribeStateMachine", json::object{{"stateMachineArn", machine("b")}});
  EXPECT_EQ(json::dump(d.at("loggingConfiguration")),
            R"({"level":"OFF","includeExecutionData":false,"destinations":[]})");
  auto bad = create_with("c", json::object{{"level", "LOUD"}});
  ASSERT_TRUE(bad.is_error());
  EXPECT_EQ(bad.error().type, "ValidationException");
}

TEST_F(RegistryTest, CreateWithPublishMakesVersionOneAndStaysIdempotent) {
  json::object req{{"name", "p"},
                   {"definition", kPass},
                   {"roleArn", kRole},
                   {"publish", true},
                   {"versionDescription", "first"}};
  auto out = ok("CreateStateMachine", req);
  EXPECT_EQ(out.at("stateMachineVersionArn"), (machine("p") + ":1").c_str());
  auto again = ok("CreateStateMachine", req);
  EXPECT_EQ(again.at("stateMachineVersionArn"), (machine("p") + ":1").c_str());
  req["versionDescription"] = "other";
  EXPECT_EQ(fails("CreateStateMachine", req).type, "StateMachineAlreadyExists");
}

TEST_F(RegistryTest, DescribeAnswersAwsErrorsForBadArns) {
  auto prefix = fails("DescribeStateMachine", json::object{{"stateMachineArn", "not_a_valid_arn"}});
  EXPECT_EQ(prefix.type, "InvalidArn");
  EXPECT_EQ(prefix.message, "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'");
  auto missing = fails("DescribeStateMachine", json::object{{"stateMachineArn", machine("nope")}});
  EXPECT_EQ(missing.type, "StateMachineDoesNotExist");
  EXPECT_EQ(missing.message, "State Machine Does Not Exist: '" + machine("nope") + "'");
  auto type = fails("DescribeStateMachine", json::object{{"stateMachineArn", activity("a")}});
  EXPECT_EQ(type.message, "Invalid Arn: 'Resource type not valid in this context: activity'");
  EXPECT_EQ(fails("DescribeStateMachine", json::object{}).type, "ValidationException");
}

TEST_F(RegistryTest, WrongJsonTypesAreSerializationErrors) {
  EXPECT_EQ(fails("CreateStateMachine",
                  json::object{{"name", 5}, {"definition", kPass}, {"roleArn", kRole}})
                .type,
            "SerializationException");
  EXPECT_EQ(fails("ListStateMachines", json::object{{"maxResults", "ten"}}).type,
            "SerializationException");
  EXPECT_EQ(fails("DescribeStateMachine", json::array{}).type, "SerializationException");
}

// --- UpdateStateMachine ---

TEST_F(RegistryTest, UpdateWithNothingIsMissingRequiredParameter) {
  auto arn = create("u");
  auto e = fails("UpdateStateMachine", json::object{{"stateMachineArn", arn}});
  EXPECT_EQ(e.type, "MissingRequiredParameter");
  EXPECT_EQ(
      e.message,
      "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration "
      "must be specified");
}

TEST_F(RegistryTest, UpdateChangesDefinitionAndRevision) {
  auto arn = create("u");
  clock_.advance_by(1500);
  auto out =
      ok("UpdateStateMachine", json::object{{"stateMachineArn", arn}, {"definition", kPass2}});
  EXPECT_EQ(out.at("updateDate"), 1'700'000'001.5);
  EXPECT_EQ(out.at("revisionId").as_string().size(), 36u);
  auto d = ok("DescribeStateMachine", json::object{{"stateMachineArn", arn}});
  EXPECT_EQ(d.at("definition"), kPass2);
  EXPECT_EQ(d.at("revisionId"), out.at("revisionId"));
  auto same =
      ok("UpdateStateMachine", json::object{{"stateMachineArn", arn}, {"definition", kPass2}});
  EXPECT_EQ(same.at("revisionId"), out.at("revisionId"));  // nothing changed: same revision
  auto role = ok("UpdateStateMachine",
                 json::object{{"stateMachineArn", arn}, {"roleArn", "arn:aws:iam::1:role/r2"}});
  EXPECT_NE(role.at("revisionId"), out.at("revisionId"));
}

TEST_F(RegistryTest, UnchangedMachinePublishesOneVersionWithoutRevision) {
  auto arn = create("e");
  auto first = ok("UpdateStateMachine",
                  json::object{{"stateMachineArn", arn}, {"definition", kPass}, {"publish", true}});
  EXPECT_FALSE(first.contains("revisionId"));
  EXPECT_EQ(first.at("stateMachineVersionArn"), (arn + ":1").c_str());
  auto again = ok("UpdateStateMachine",
                  json::object{{"stateMachineArn", arn}, {"definition", kPass}, {"publish", true}});
  EXPECT_EQ(again.at("stateMachineVersionArn"), (arn + ":1").c_str());
  EXPECT_FALSE(ok("DescribeStateMachine", json::object{{"stateMachineArn", arn + ":1"}})
                   .contains("revisionId"));
}

TEST_F(RegistryTest, UpdateOfVersionArnIsDoesNotExist) {
  auto arn = create("u", kPass, true);
  auto e =
      fails("UpdateStateMachine", json::object{{"stateMachineArn", arn + ":1"}, {"publish", true}});
  EXPECT_EQ(e.type, "StateMachineDoesNotExist");
  EXPECT_EQ(e.message, "State Machine Does Not Exist: '" + arn + ":1'");
}

TEST_F(RegistryTest, UpdateRejectsInvalidDefinitionAndKeepsTheOld) {
  auto arn = create("u");
  EXPECT_EQ(
      fails("UpdateStateMachine", json::object{{"stateMachineArn", arn}, {"definition", "{}"}})
          .type,
      "InvalidDefinition");
  EXPECT_EQ(ok("DescribeStateMachine", json::object{{"stateMachineArn", arn}}).at("definition"),
            kPass);
}

// --- versions ---

TEST_F(RegistryTest, PublishIsIdempotentPerRevision) {
  auto arn = create("v");
  auto v1 = ok("PublishStateMachineVersion", json::object{{"stateMachineArn", arn}});
  EXPECT_EQ(v1.at("stateMachineVersionArn"), (arn + ":1").c_str());
  auto again = ok("PublishStateMachineVersion", json::object{{"stateMachineArn", arn}});
  EXPECT_EQ(again.at("stateMachineVersionArn"), (arn + ":1").c_str());
  EXPECT_EQ(update(arn, kPass2, true), arn + ":2");
  auto list = ok("ListStateMachineVersions", json::object{{"stateMachineArn", arn}});
  auto& versions = list.at("stateMachineVersions").as_array();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].at("stateMachineVersionArn"), (arn + ":2").c_str());
}

TEST_F(RegistryTest, PublishWithStaleRevisionIsConflict) {
  auto arn = create("v");
  update(arn, kPass2, false);
  auto old = std::string(ok("DescribeStateMachine", json::object{{"stateMachineArn", arn}})
                             .at("revisionId")
                             .as_string());
  update(arn, kPass, false);
  auto now = std::string(ok("DescribeStateMachine", json::object{{"stateMachineArn", arn}})
                             .at("revisionId")
                             .as_string());
  auto e = fails("PublishStateMachineVersion",
                 json::object{{"stateMachineArn", arn}, {"revisionId", old}});
  EXPECT_EQ(e.type, "ConflictException");
  EXPECT_EQ(e.message, "Failed to publish the State Machine version for revision " + old +
                           ". The current State Machine revision is " + now + ".");
  ok("PublishStateMachineVersion", json::object{{"stateMachineArn", arn}, {"revisionId", now}});
}

TEST_F(RegistryTest, PublishErrorsForBadAndMissingMachines) {
  EXPECT_EQ(
      fails("PublishStateMachineVersion", json::object{{"stateMachineArn", "invalid_arn"}}).message,
      "Invalid Arn: 'Invalid ARN prefix: invalid_arn'");
  EXPECT_EQ(
      fails("PublishStateMachineVersion", json::object{{"stateMachineArn", machine("none")}}).type,
      "StateMachineDoesNotExist");
}

TEST_F(RegistryTest, DescribeVersionShowsItsOwnDefinitionAndDescription) {
  auto arn = create("v");
  ok("PublishStateMachineVersion",
     json::object{{"stateMachineArn", arn}, {"description", "v one"}});
  update(arn, kPass2, false);
  auto d = ok("DescribeStateMachine", json::object{{"stateMachineArn", arn + ":1"}});
  EXPECT_EQ(d.at("stateMachineArn"), (arn + ":1").c_str());
  EXPECT_EQ(d.at("name"), "v");
  EXPECT_EQ(d.at("definition"), kPass);
  EXPECT_EQ(d.at("description"), "v one");
  EXPECT_EQ(fails("DescribeStateMachine", json::object{{"stateMachineArn", arn + ":7"}}).type,
            "StateMachineDoesNotExist");
}

TEST_F(RegistryTest, DeleteVersionRoutedByAnAliasIsConflict) {
  auto arn = create("dv", kPass, true);
  ok("CreateStateMachineAlias",
     json::object{{"name", "live"}, {"routingConfiguration", routing({{arn + ":1", 100}})}});
  auto e = fails("DeleteStateMachineVersion", json::object{{"stateMachineVersionArn", arn + ":1"}});
  EXPECT_EQ(e.type, "ConflictException");
  EXPECT_EQ(e.message,
            "Version to be deleted must not be referenced by an alias. Current list of aliases "
            "referencing this version: [live]");
  ok("DeleteStateMachineAlias", json::object{{"stateMachineAliasArn", arn + ":live"}});
  ok("DeleteStateMachineVersion", json::object{{"stateMachineVersionArn", arn + ":1"}});
  EXPECT_EQ(fails("DescribeStateMachine", json::object{{"stateMachineArn", arn + ":1"}}).type,
            "StateMachineDoesNotExist");
}

// --- aliases ---

TEST_F(RegistryTest, AliasLifecycle) {
  auto arn = create("al", kPass, true);
  update(arn, kPass2, true);
  auto created =
      ok("CreateStateMachineAlias",
         json::object{{"name", "prod"},
                      {"description", "d"},
                      {"routingConfiguration", routing({{arn + ":1", 70}, {arn + ":2", 30}})}});
  EXPECT_EQ(created.at("stateMachineAliasArn"), (arn + ":prod").c_str());
  auto d = ok("DescribeStateMachineAlias", json::object{{"stateMachineAliasArn", arn + ":prod"}});
  EXPECT_EQ(d.at("name"), "prod");
  EXPECT_EQ(d.at("description"), "d");
  EXPECT_EQ(d.at("routingConfiguration").as_array().size(), 2u);
  clock_.advance_by(1000);
  auto upd = ok("UpdateStateMachineAlias",
                json::object{{"stateMachineAliasArn", arn + ":prod"},
                             {"routingConfiguration", routing({{arn + ":2", 100}})}});
  EXPECT_EQ(upd.at("updateDate"), 1'700'000'001);
  auto list = ok("ListStateMachineAliases", json::object{{"stateMachineArn", arn}});
  EXPECT_EQ(list.at("stateMachineAliases").as_array().size(), 1u);
  auto by_v1 = ok("ListStateMachineAliases", json::object{{"stateMachineArn", arn + ":1"}});
  EXPECT_TRUE(by_v1.at("stateMachineAliases").as_array().empty());
  ok("DeleteStateMachineAlias", json::object{{"stateMachineAliasArn", arn + ":prod"}});
  auto gone =
      fails("DescribeStateMachineAlias", json::object{{"stateMachineAliasArn", arn + ":prod"}});
  EXPECT_EQ(gone.type, "ResourceNotFound");
  EXPECT_EQ(gone.message, "Request references a resource that does not exist.");
  ok("DeleteStateMachineAlias", json::object{{"stateMachineAliasArn", arn + ":prod"}});  // twice
  EXPECT_EQ(fails("UpdateStateMachineAlias",
                  json::object{{"stateMachineAliasArn", arn + ":prod"}, {"description", "x"}})
                .message,
            "Request references a resource that does not exist.");
}

TEST_F(RegistryTest, AliasNamesFollowAwsPattern) {
  auto arn = create("an", kPass, true);
  auto routes = routing({{arn + ":1", 100}});
  std::string pattern =
      "Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$";
  for (const char* name : {"123", "INVALID ALIAS", "!INVALID"}) {
    auto e = fails("CreateStateMachineAlias",
                   json::object{{"name", name}, {"routingConfiguration", routes}});
    EXPECT_EQ(e.type, "ValidationException");
    EXPECT_EQ(e.message, std::string("1 validation error detected: Value '") + name +
                             "' at 'name' failed to satisfy constraint: " + pattern);
  }
  std::string long_name(81, 'A');
  EXPECT_EQ(fails("CreateStateMachineAlias",
                  json::object{{"name", long_name}, {"routingConfiguration", routes}})
                .message,
            "1 validation error detected: Value '" + long_name +
                "' at 'name' failed to satisfy constraint: Member must have length less than or "
                "equal to 80");
  ok("CreateStateMachineAlias",
     json::object{{"name", "v1.0-beta_2"}, {"routingConfiguration", routes}});
}

TEST_F(RegistryTest, AliasRoutingErrorsUseAwsTexts) {
  auto arn = create("rt", kPass, true);
  update(arn, kPass2, true);
  update(arn, R"({"Comment":"3","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})", true);
  auto v = [&](int n) { return arn + ":" + std::to_string(n); };
  auto too_many =
      fails("CreateStateMachineAlias",
            json::object{{"name", "a"},
                         {"routingConfiguration", routing({{v(1), 50}, {v(2), 30}, {v(3), 20}})}});
  EXPECT_EQ(
      too_many.message,
      "1 validation error detected: Value '[RoutingConfigurationListItem(stateMachineVersionArn=" +
          v(1) + ", weight=50), RoutingConfigurationListItem(stateMachineVersionArn=" + v(2) +
          ", weight=30), RoutingConfigurationListItem(stateMachineVersionArn=" + v(3) +
          ", weight=20)]' at 'routingConfiguration' failed to satisfy constraint: Member must "
          "have length less than or equal to 2");
  auto sum = fails(
      "CreateStateMachineAlias",
      json::object{{"name", "a"}, {"routingConfiguration", routing({{v(1), 70}, {v(2), 29}})}});
  EXPECT_EQ(sum.message, "Sum of routing configuration weights must equal 100. Received: [70, 29]");
  auto dup = fails(
      "CreateStateMachineAlias",
      json::object{{"name", "a"}, {"routingConfiguration", routing({{v(1), 50}, {v(1), 50}})}});
  EXPECT_EQ(dup.message,
            "Routing configuration must contain distinct state machine version ARNs. Received: [" +
                v(1) + ", " + v(1) + "]");
  auto unversioned =
      fails("CreateStateMachineAlias",
            json::object{{"name", "a"}, {"routingConfiguration", routing({{arn, 100}})}});
  EXPECT_EQ(
      unversioned.message,
      "Routing configuration must contain state machine version ARNs. Received: [" + arn + "]");
  auto empty = fails("CreateStateMachineAlias",
                     json::object{{"name", "a"}, {"routingConfiguration", json::array{}}});
  EXPECT_EQ(empty.type, "ValidationException");
  auto negative =
      fails("CreateStateMachineAlias",
            json::object{{"name", "a"}, {"routingConfiguration", routing({{v(1), -1}})}});
  EXPECT_NE(negative.message.find("'routingConfiguration.1.member.weight'"), std::string::npos);
  auto missing =
      fails("CreateStateMachineAlias",
            json::object{{"name", "a"}, {"routingConfiguration", routing({{arn + ":9", 100}})}});
  EXPECT_EQ(missing.type, "ResourceNotFound");
}

TEST_F(RegistryTest, AliasCreateIsIdempotentOnlyForSameConfiguration) {
  auto arn = create("ai", kPass, true);
  update(arn, kPass2, true);
  json::object req{
      {"name", "a"}, {"description", "d"}, {"routingConfiguration", routing({{arn + ":1", 100}})}};
  auto first = ok("CreateStateMachineAlias", req);
  EXPECT_EQ(ok("CreateStateMachineAlias", req).at("creationDate"), first.at("creationDate"));
  std::string conflict =
      "Failed to create alias because an alias with the same name and a different routing "
      "configuration already exists.";
  req["description"] = "other";
  EXPECT_EQ(fails("CreateStateMachineAlias", req).message, conflict);
  req["description"] = "d";
  req["routingConfiguration"] = routing({{arn + ":1", 50}, {arn + ":2", 50}});
  auto e = fails("CreateStateMachineAlias", req);
  EXPECT_EQ(e.type, "ConflictException");
  EXPECT_EQ(e.message, conflict);
}

// --- resolve ---

TEST_F(RegistryTest, ResolveMachineVersionAndAlias) {
  auto arn = create("r", kPass, true);
  update(arn, kPass2, true);
  auto m = registry_.resolve(arn);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->definition, kPass2);
  EXPECT_EQ(m->version_arn, "");
  ASSERT_NE(m->machine, nullptr);
  auto v = registry_.resolve(arn + ":1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->definition, kPass);
  EXPECT_EQ(v->version_arn, arn + ":1");
  EXPECT_EQ(v->state_machine_arn, arn);
  ok("CreateStateMachineAlias",
     json::object{{"name", "split"},
                  {"routingConfiguration", routing({{arn + ":1", 50}, {arn + ":2", 50}})}});
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    auto a = registry_.resolve(arn + ":split");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->alias_arn, arn + ":split");
    seen.insert(a->version_arn);
  }
  EXPECT_EQ(seen, (std::set<std::string>{arn + ":1", arn + ":2"}));
}

TEST_F(RegistryTest, ResolveAliasWithFullWeightAlwaysPicksThatVersion) {
  auto arn = create("r", kPass, true);
  update(arn, kPass2, true);
  ok("CreateStateMachineAlias",
     json::object{{"name", "all2"},
                  {"routingConfiguration", routing({{arn + ":1", 0}, {arn + ":2", 100}})}});
  for (int i = 0; i < 32; ++i) EXPECT_EQ(registry_.resolve(arn + ":all2")->version_arn, arn + ":2");
}

TEST_F(RegistryTest, ResolveErrors) {
  EXPECT_EQ(registry_.resolve("bogus").error().name, "InvalidArn");
  EXPECT_EQ(registry_.resolve(machine("none")).error().name, "StateMachineDoesNotExist");
  EXPECT_EQ(registry_.resolve(machine("none") + ":alias").error().name, "StateMachineDoesNotExist");
  auto wrong = registry_.resolve(std::string(kArnPrefix) + "execution:sm:e1");
  EXPECT_EQ(wrong.error().cause,
            "Invalid Arn: 'Resource type not valid in this context: execution'");
}

// --- DeleteStateMachine ---

TEST_F(RegistryTest, DeleteRemovesMachineVersionsAndAliases) {
  auto arn = create("d", kPass, true);
  ok("CreateStateMachineAlias",
     json::object{{"name", "a"}, {"routingConfiguration", routing({{arn + ":1", 100}})}});
  ok("DeleteStateMachine", json::object{{"stateMachineArn", arn}});
  EXPECT_EQ(fails("DescribeStateMachine", json::object{{"stateMachineArn", arn}}).type,
            "StateMachineDoesNotExist");
  EXPECT_EQ(fails("DescribeStateMachine", json::object{{"stateMachineArn", arn + ":1"}}).type,
            "StateMachineDoesNotExist");
  EXPECT_EQ(
      fails("DescribeStateMachineAlias", json::object{{"stateMachineAliasArn", arn + ":a"}}).type,
      "ResourceNotFound");
  ok("DeleteStateMachine", json::object{{"stateMachineArn", arn}});  // twice is fine
  create("d");                                                       // the name is free again
}

TEST_F(RegistryTest, DeleteWithRunningExecutionsIsDeletingUntilTheyEnd) {
  auto arn = create("busy");
  registry_.set_running_count(arn, 2);
  ok("DeleteStateMachine", json::object{{"stateMachineArn", arn}});
  EXPECT_EQ(ok("DescribeStateMachine", json::object{{"stateMachineArn", arn}}).at("status"),
            "DELETING");
  EXPECT_EQ(registry_.resolve(arn).error().name, "StateMachineDeleting");
  auto again = fails("CreateStateMachine",
                     json::object{{"name", "busy"}, {"definition", kPass}, {"roleArn", kRole}});
  EXPECT_EQ(again.type, "StateMachineDeleting");
  registry_.set_running_count(arn, 1);
  EXPECT_EQ(ok("DescribeStateMachine", json::object{{"stateMachineArn", arn}}).at("status"),
            "DELETING");
  registry_.set_running_count(arn, 0);
  EXPECT_EQ(fails("DescribeStateMachine", json::object{{"stateMachineArn", arn}}).type,
            "StateMachineDoesNotExist");
}

// --- ListStateMachines and pagination ---

TEST_F(RegistryTest, ListStateMachinesPagesWithOpaqueTokens) {
  for (const char* n : {"m1", "m2", "m3"}) create(n);
  auto first = ok("ListStateMachines", json::object{{"maxResults", 2}});
  ASSERT_EQ(first.at("stateMachines").as_array().size(), 2u);
  EXPECT_EQ(first.at("stateMachines").as_array()[0].at("name"), "m1");
  EXPECT_EQ(first.at("stateMachines").as_array()[0].at("type"), "STANDARD");
  ASSERT_TRUE(first.contains("nextToken"));
  auto second = ok("ListStateMachines",
                   json::object{{"maxResults", 2}, {"nextToken", first.at("nextToken")}});
  ASSERT_EQ(second.at("stateMachines").as_array().size(), 1u);
  EXPECT_EQ(second.at("stateMachines").as_array()[0].at("name"), "m3");
  EXPECT_FALSE(second.contains("nextToken"));
  EXPECT_EQ(ok("ListStateMachines", json::object{}).at("stateMachines").as_array().size(), 3u);
}

TEST_F(RegistryTest, ListTokenSurvivesDeletionOfItsLastItem) {
  for (const char* n : {"m1", "m2", "m3", "m4"}) create(n);
  auto first = ok("ListStateMachines", json::object{{"maxResults", 2}});
  ok("DeleteStateMachine", json::object{{"stateMachineArn", machine("m2")}});
  auto rest = ok("ListStateMachines", json::object{{"nextToken", first.at("nextToken")}});
  auto& items = rest.at("stateMachines").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("name"), "m4");  // m3 moved up into the page already given
}

TEST_F(RegistryTest, ListRejectsBadPagingParameters) {
  EXPECT_EQ(
      fails("ListStateMachines", json::object{{"maxResults", 1001}}).message,
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
      "Member must have value less than or equal to 1000");
  EXPECT_EQ(
      fails("ListStateMachines", json::object{{"nextToken", ""}}).message,
      "1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: Member "
      "must have length greater than or equal to 1");
  std::string long_token(1025, 'x');
  EXPECT_EQ(
      fails("ListStateMachines", json::object{{"nextToken", long_token}}).message,
      "1 validation error detected: Value '" + long_token +
          "' at 'nextToken' failed to satisfy constraint: Member must have length less than or "
          "equal to 1024");
  EXPECT_EQ(fails("ListStateMachines", json::object{{"nextToken", "garbage"}}).type,
            "InvalidToken");
  // The reason is worded, never the token (as the SendTask* InvalidToken answer words it).
  EXPECT_EQ(fails("ListStateMachines", json::object{{"nextToken", "garbage"}}).message,
            "Invalid Token: 'Invalid token'");
  // A token of one list is no token for another.
  for (const char* n : {"a1", "a2"}) ok("CreateActivity", json::object{{"name", n}});
  auto page = ok("ListActivities", json::object{{"maxResults", 1}});
  EXPECT_EQ(fails("ListStateMachines", json::object{{"nextToken", page.at("nextToken")}}).type,
            "InvalidToken");
  EXPECT_EQ(fails("ListStateMachineVersions",
                  json::object{{"stateMachineArn", machine("x")}, {"maxResults", 1001}})
                .type,
            "ValidationException");
}

// --- activities ---

TEST_F(RegistryTest, ActivityCreateIsIdempotentAndDescribable) {
  auto first = ok("CreateActivity", json::object{{"name", "act"}});
  EXPECT_EQ(first.at("activityArn"), activity("act").c_str());
  clock_.advance_by(10);
  EXPECT_EQ(ok("CreateActivity", json::object{{"name", "act"}}).at("creationDate"),
            first.at("creationDate"));
  auto d = ok("DescribeActivity", json::object{{"activityArn", activity("act")}});
  EXPECT_EQ(d.at("name"), "act");
  ASSERT_TRUE(registry_.activity(activity("act"))->has_value());
  auto list = ok("ListActivities", json::object{});
  EXPECT_EQ(list.at("activities").as_array().size(), 1u);
}

TEST_F(RegistryTest, ActivityNamesRejectAwsForbiddenCharacters) {
  for (std::string name : std::initializer_list<std::string>{"activity]name",
                                                             "activity name",
                                                             "activity\"name",
                                                             "activity#name",
                                                             "activity$name",
                                                             "activity%name",
                                                             "activity*name",
                                                             "activity,name",
                                                             "activity/name",
                                                             "activity;name",
                                                             "activity>name",
                                                             "activity?name",
                                                             "activity\\name",
                                                             "activity^name",
                                                             "activity`name",
                                                             "activity{name",
                                                             "activity|name",
                                                             "activity~name",
                                                             std::string("activity\x1f"),
                                                             std::string("\0activity", 9)}) {
    auto e = fails("CreateActivity", json::object{{"name", name}});
    EXPECT_EQ(e.type, "InvalidName") << name;
    EXPECT_EQ(e.message, "Invalid Name: '" + name + "'");
  }
  ok("CreateActivity", json::object{{"name", "Good-Name_1.2@x+y=z!"}});
}

TEST_F(RegistryTest, DeletedActivityDoesNotExist) {
  ok("CreateActivity", json::object{{"name", "gone"}});
  ok("DeleteActivity", json::object{{"activityArn", activity("gone")}});
  auto e = fails("DescribeActivity", json::object{{"activityArn", activity("gone")}});
  EXPECT_EQ(e.type, "ActivityDoesNotExist");
  EXPECT_EQ(e.message, "Activity Does Not Exist: '" + activity("gone") + "'");
  EXPECT_FALSE(registry_.activity(activity("gone"))->has_value());
  EXPECT_EQ(fails("DescribeActivity", json::object{{"activityArn", machine("x")}}).message,
            "Invalid Arn: 'Resource type not valid in this context: stateMachine'");
}

// --- tags ---

TEST_F(RegistryTest, TagsAddReplaceListAndRemove) {
  auto arn = create("t");
  ok("TagResource",
     json::object{{"resourceArn", arn},
                  {"tags", json::array{json::object{{"key", "a"}, {"value", "1"}},
                                       json::object{{"key", "b"}, {"value", "2"}}}}});
  ok("TagResource",
     json::object{{"resourceArn", arn},
                  {"tags", json::array{json::object{{"key", "a"}, {"value", "9"}}}}});
  auto list = ok("ListTagsForResource", json::object{{"resourceArn", arn}});
  EXPECT_EQ(json::dump(list.at("tags")), R"([{"key":"a","value":"9"},{"key":"b","value":"2"}])");
  ok("UntagResource", json::object{{"resourceArn", arn}, {"tagKeys", json::array{"a"}}});
  EXPECT_EQ(json::dump(ok("ListTagsForResource", json::object{{"resourceArn", arn}}).at("tags")),
            R"([{"key":"b","value":"2"}])");
}

TEST_F(RegistryTest, TagsOnCreateAndOnActivities) {
  ok("CreateStateMachine",
     json::object{{"name", "tc"},
                  {"definition", kPass},
                  {"roleArn", kRole},
                  {"tags", json::array{json::object{{"key", "k"}, {"value", "v"}}}}});
  EXPECT_EQ(ok("ListTagsForResource", json::object{{"resourceArn", machine("tc")}})
                .at("tags")
                .as_array()
                .size(),
            1u);
  ok("CreateActivity",
     json::object{{"name", "ta"},
                  {"tags", json::array{json::object{{"key", "k"}, {"value", ""}}}}});
  EXPECT_EQ(ok("ListTagsForResource", json::object{{"resourceArn", activity("ta")}})
                .at("tags")
                .as_array()
                .size(),
            1u);
}

TEST_F(RegistryTest, TaggingAVersionIsResourceNotFound) {
  auto arn = create("tv", kPass, true);
  auto e = fails("TagResource",
                 json::object{{"resourceArn", arn + ":1"},
                              {"tags", json::array{json::object{{"key", "k"}, {"value", "v"}}}}});
  EXPECT_EQ(e.type, "ResourceNotFound");
  EXPECT_EQ(e.message, "Resource not found: '" + arn + ":1'");
  EXPECT_EQ(fails("ListTagsForResource", json::object{{"resourceArn", machine("none")}}).type,
            "ResourceNotFound");
}

TEST_F(RegistryTest, TagLimitsAreEnforced) {
  auto arn = create("tl");
  json::array fifty;
  for (int i = 0; i < 50; ++i)
    fifty.push_back(json::object{{"key", "k" + std::to_string(i)}, {"value", "v"}});
  ok("TagResource", json::object{{"resourceArn", arn}, {"tags", fifty}});
  auto over =
      fails("TagResource",
            json::object{{"resourceArn", arn},
                         {"tags", json::array{json::object{{"key", "new"}, {"value", "v"}}}}});
  EXPECT_EQ(over.type, "TooManyTags");
  ok("TagResource",
     json::object{{"resourceArn", arn},
                  {"tags", json::array{json::object{{"key", "k1"}, {"value", "w"}}}}});
  auto key = fails(
      "TagResource",
      json::object{
          {"resourceArn", arn},
          {"tags", json::array{json::object{{"key", std::string(129, 'k')}, {"value", "v"}}}}});
  EXPECT_EQ(key.type, "ValidationException");
  EXPECT_NE(key.message.find("'tags.1.member.key'"), std::string::npos);
  auto value = fails(
      "TagResource",
      json::object{
          {"resourceArn", arn},
          {"tags", json::array{json::object{{"key", "k"}, {"value", std::string(257, 'v')}}}}});
  EXPECT_NE(value.message.find("less than or equal to 256"), std::string::npos);
}

// --- ValidateStateMachineDefinition ---

TEST_F(RegistryTest, ValidateDefinitionAnswersResultAndDiagnostics) {
  auto good = ok("ValidateStateMachineDefinition", json::object{{"definition", kPass}});
  EXPECT_EQ(json::dump(good), R"({"result":"OK","diagnostics":[],"truncated":false})");
  auto bad = ok("ValidateStateMachineDefinition",
                json::object{{"definition", "{}"}, {"type", "STANDARD"}});
  EXPECT_EQ(
      json::dump(bad.at("diagnostics")),
      R"([{"code":"SCHEMA_VALIDATION_FAILED","location":"/","message":"These fields are required: [States, StartAt]","severity":"ERROR"}])");
  EXPECT_EQ(bad.at("result"), "FAIL");
  EXPECT_EQ(fails("ValidateStateMachineDefinition",
                  json::object{{"definition", kPass}, {"severity", "INFO"}})
                .type,
            "ValidationException");
  EXPECT_EQ(fails("ValidateStateMachineDefinition", json::object{}).type, "ValidationException");
}

TEST_F(RegistryTest, CompiledDefinitionsAreCachedByText) {
  auto a = registry_.compiled(kPass);
  auto b = registry_.compiled(kPass);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_FALSE(registry_.compiled("{").ok());
}

// A Registry over a store that fails on demand (FaultStore over a MemoryStore).
struct RegistryStoreFailure : ::testing::Test {
  RegistryStoreFailure() {
    for (auto& [name, op] : registry.operations()) ops[name] = op;
  }
  store::MemoryStore memory;
  store::FaultStore store{memory};
  ManualClock clock{0};
  IdGenerator ids{7};
  Registry registry{store, store, clock, ids, Place{}};
  std::map<std::string, SyncOperation> ops;
};

TEST_F(RegistryStoreFailure, WriteFailureIsInternalFailureAndLeavesNothingBehind) {
  store.fail_writes = true;
  auto r = ops["CreateStateMachine"](
      json::object{{"name", "x"}, {"definition", kPass}, {"roleArn", kRole}});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "InternalFailure");
  EXPECT_EQ(r.error().status, 500u);
  auto a = ops["CreateActivity"](json::object{{"name", "a"}});
  ASSERT_TRUE(a.is_error());
  EXPECT_EQ(a.error().type, "InternalFailure");
  store.fail_writes = false;
  EXPECT_TRUE(
      ops["ListStateMachines"](json::object{}).body().at("stateMachines").as_array().empty());
}

// A store that cannot be read is the server's failure (500), never "does not exist" (400).
TEST_F(RegistryStoreFailure, ReadFailureIsInternalFailureNotDoesNotExist) {
  auto created = ops["CreateStateMachine"](
      json::object{{"name", "x"}, {"definition", kPass}, {"roleArn", kRole}});
  ASSERT_FALSE(created.is_error());
  const std::string arn = created.body().at("stateMachineArn").as_string().c_str();
  store.fail_reads = true;
  for (const char* op : {"DescribeStateMachine", "ListStateMachineVersions",
                         "ListStateMachineAliases", "ListTagsForResource"}) {
    auto r = ops[op](json::object{{"stateMachineArn", arn}, {"resourceArn", arn}});
    ASSERT_TRUE(r.is_error()) << op;
    EXPECT_EQ(r.error().type, "InternalFailure") << op;
  }
  auto listed = ops["ListActivities"](json::object{});
  ASSERT_TRUE(listed.is_error());
  EXPECT_EQ(listed.error().type, "InternalFailure");
  auto activity = ops["DescribeActivity"](
      json::object{{"activityArn", "arn:aws:states:us-east-1:123456789012:activity:a"}});
  ASSERT_TRUE(activity.is_error());
  EXPECT_EQ(activity.error().type, "InternalFailure");
}

// --- rules ---

TEST(RegistryRules, ArnsParseIntoTheirParts) {
  auto arn = rules::parse_arn("arn:aws:states:eu-west-1:123:stateMachine:sm:7");
  ASSERT_TRUE(arn.ok());
  EXPECT_EQ(arn->type, "stateMachine");
  EXPECT_EQ(arn->name, "sm");
  EXPECT_EQ(arn->qualifier, "7");
  EXPECT_TRUE(arn->is_version());
  EXPECT_EQ(arn->unqualified(), "arn:aws:states:eu-west-1:123:stateMachine:sm");
  EXPECT_FALSE(rules::parse_arn("arn:aws:states:r:1:stateMachine").ok());
  EXPECT_FALSE(rules::parse_arn("arn:aws:lambda:r:1:function:f").ok());
  EXPECT_FALSE(rules::parse_arn("arn:aws:states:r:1:stateMachine:sm:").ok());
  EXPECT_FALSE(rules::parse_arn(std::string(5000, 'a')).ok());
}

TEST(RegistryRules, NamesCountCharactersNotBytes) {
  std::string e80;
  for (int i = 0; i < 80; ++i) e80 += "\xC3\xA9";  // é: two bytes, one character
  EXPECT_TRUE(rules::is_valid_resource_name(e80));
  EXPECT_FALSE(rules::is_valid_resource_name(e80 + "\xC3\xA9"));
  EXPECT_FALSE(rules::is_valid_resource_name("tab\tname"));
  EXPECT_TRUE(rules::is_valid_alias_name("v1"));
  EXPECT_FALSE(rules::is_valid_alias_name("12"));
}

TEST(RegistryRules, TokensRoundTripAndRejectTampering) {
  auto token = rules::encode_token("L", "arn:x", 3);
  auto back = rules::decode_token("L", token);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->after_key, "arn:x");
  EXPECT_EQ(back->position, 3u);
  std::string tampered = token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(rules::decode_token("L", tampered).ok());
  EXPECT_FALSE(rules::decode_token("M", token).ok());
}

}  // namespace
}  // namespace stepwise::sfn
