// Secrets Manager semantics with a manual clock and an in-memory RecordLog: versions and
// staging labels, deletion windows, listing, tags, limits, AWS's errors, and records read back.
#include "services/secretsmanager/secrets.h"

#include <gtest/gtest.h>

#include <optional>

#include "services/common/sdk_adapter.h"

namespace stepwise::services::secretsmanager {
namespace {

constexpr const char* kToken1 = "11111111-1111-4111-8111-111111111111";
constexpr const char* kToken2 = "22222222-2222-4222-8222-222222222222";

api::Response call(api::Dispatcher& d, std::string_view op, json::object request) {
  std::optional<api::Response> out;
  d.dispatch(op, json::value(std::move(request)), api::RequestInfo{},
             [&](api::Response r) { out = std::move(r); });
  EXPECT_TRUE(out.has_value()) << op << " did not answer at once";
  return out ? std::move(*out) : api::Response(api::ApiError::internal("no answer"));
}

class SecretsTest : public ::testing::Test {
 protected:
  json::object ok(std::string_view op, json::object request) {
    api::Response r = call(sm_, op, std::move(request));
    EXPECT_FALSE(r.is_error()) << op << ": " << (r.is_error() ? r.error().message : "");
    return r.is_error() || !r.body().is_object() ? json::object{} : r.body().get_object();
  }
  api::ApiError error(std::string_view op, json::object request) {
    api::Response r = call(sm_, op, std::move(request));
    EXPECT_TRUE(r.is_error()) << op << " succeeded";
    return r.is_error() ? r.error() : api::ApiError{};
  }
  std::string value_of(json::object request) {
    auto out = ok("GetSecretValue", std::move(request));
    auto* v = out.if_contains("SecretString");
    return v ? std::string(v->as_string()) : "";
  }

  ManualClock clock_{1'700'000'000'000};
  MemoryRecordLog log_;
  SecretsManager sm_{SecretsOptions{.clock = clock_, .log = log_, .id_seed = 5}};
};

TEST_F(SecretsTest, CreateAndGetWithArnSuffix) {
  auto created = ok("CreateSecret", {{"Name", "db/password"}, {"SecretString", "s3cr3t"}});
  std::string arn(created["ARN"].as_string());
  EXPECT_TRUE(arn.starts_with("arn:aws:secretsmanager:us-east-1:123456789012:secret:db/password-"));
  EXPECT_EQ(arn.size(), std::string("arn:aws:secretsmanager:us-east-1:123456789012:secret:"
                                    "db/password-")
                                .size() +
                            6);
  EXPECT_TRUE(created.contains("VersionId"));
  EXPECT_EQ(value_of({{"SecretId", "db/password"}}), "s3cr3t");
  EXPECT_EQ(value_of({{"SecretId", arn}}), "s3cr3t");
  // A partial ARN (without the suffix) names the secret too; a wrong suffix does not.
  EXPECT_EQ(value_of({{"SecretId", arn.substr(0, arn.size() - 7)}}), "s3cr3t");
  EXPECT_EQ(error("GetSecretValue", {{"SecretId", arn.substr(0, arn.size() - 1) + "?"}}).type,
            "ResourceNotFoundException");
  auto got = ok("GetSecretValue", {{"SecretId", "db/password"}});
  EXPECT_EQ(got["VersionStages"].as_array().size(), 1u);
  EXPECT_EQ(got["VersionStages"].as_array()[0].as_string(), "AWSCURRENT");
  EXPECT_EQ(got["CreatedDate"].as_int64(), 1'700'000'000);
}

TEST_F(SecretsTest, StagesMoveOnPut) {
  ok("CreateSecret", {{"Name", "k"}, {"SecretString", "v1"}, {"ClientRequestToken", kToken1}});
  auto put = ok("PutSecretValue",
                {{"SecretId", "k"}, {"SecretString", "v2"}, {"ClientRequestToken", kToken2}});
  EXPECT_EQ(put["VersionId"].as_string(), kToken2);
  EXPECT_EQ(value_of({{"SecretId", "k"}}), "v2");
  EXPECT_EQ(value_of({{"SecretId", "k"}, {"VersionStage", "AWSPREVIOUS"}}), "v1");
  EXPECT_EQ(value_of({{"SecretId", "k"}, {"VersionId", kToken1}}), "v1");
  // A retry with the same token and value is the same version; another value is refused.
  ok("PutSecretValue",
     {{"SecretId", "k"}, {"SecretString", "v2"}, {"ClientRequestToken", kToken2}});
  EXPECT_EQ(error("PutSecretValue",
                  {{"SecretId", "k"}, {"SecretString", "v3"}, {"ClientRequestToken", kToken2}})
                .type,
            "ResourceExistsException");
  // A third value: v1 loses its label (deprecated), v2 becomes AWSPREVIOUS.
  ok("PutSecretValue", {{"SecretId", "k"}, {"SecretString", "v3"}});
  EXPECT_EQ(value_of({{"SecretId", "k"}, {"VersionStage", "AWSPREVIOUS"}}), "v2");
  auto versions = ok("ListSecretVersionIds", {{"SecretId", "k"}});
  EXPECT_EQ(versions["Versions"].as_array().size(), 2u);
  auto all = ok("ListSecretVersionIds", {{"SecretId", "k"}, {"IncludeDeprecated", true}});
  EXPECT_EQ(all["Versions"].as_array().size(), 3u);
  auto e = error("GetSecretValue", {{"SecretId", "k"}, {"VersionStage", "AWSPENDING"}});
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message,
            "Secrets Manager can't find the specified secret value for staging label: AWSPENDING");
}

TEST_F(SecretsTest, PendingAndUpdateSecretVersionStage) {
  ok("CreateSecret", {{"Name", "r"}, {"SecretString", "old"}, {"ClientRequestToken", kToken1}});
  ok("PutSecretValue", {{"SecretId", "r"},
                        {"SecretString", "new"},
                        {"ClientRequestToken", kToken2},
                        {"VersionStages", json::array{"AWSPENDING"}}});
  EXPECT_EQ(value_of({{"SecretId", "r"}}), "old");
  EXPECT_EQ(value_of({{"SecretId", "r"}, {"VersionStage", "AWSPENDING"}}), "new");
  // Moving AWSCURRENT needs the version that holds it named.
  EXPECT_EQ(error("UpdateSecretVersionStage",
                  {{"SecretId", "r"}, {"VersionStage", "AWSCURRENT"}, {"MoveToVersionId", kToken2}})
                .type,
            "InvalidParameterException");
  ok("UpdateSecretVersionStage", {{"SecretId", "r"},
                                  {"VersionStage", "AWSCURRENT"},
                                  {"MoveToVersionId", kToken2},
                                  {"RemoveFromVersionId", kToken1}});
  EXPECT_EQ(value_of({{"SecretId", "r"}}), "new");
  EXPECT_EQ(value_of({{"SecretId", "r"}, {"VersionStage", "AWSPREVIOUS"}}), "old");
}

TEST_F(SecretsTest, ErrorsAsAws) {
  auto e = error("GetSecretValue", {{"SecretId", "missing"}});
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Secrets Manager can't find the specified secret.");
  e = error("CreateSecret", {{"Name", "Invalid Name"}, {"SecretString", "x"}});
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message,
            "Invalid name. Must be a valid name containing alphanumeric characters, or any of "
            "the following: -/_+=.@!");
  EXPECT_EQ(error("CreateSecret", {{"Name", std::string(257, 'a')}}).type, "ValidationException");
  EXPECT_EQ(
      error("CreateSecret", {{"Name", "b"}, {"SecretString", "x"}, {"SecretBinary", "eA=="}}).type,
      "InvalidParameterException");
  EXPECT_EQ(
      error("CreateSecret", {{"Name", "big"}, {"SecretString", std::string(65'537, 'x')}}).type,
      "ValidationException");
  ok("CreateSecret", {{"Name", "big"}, {"SecretString", std::string(65'536, 'x')}});
  e = error("CreateSecret", {{"Name", "big"}, {"SecretString", "again"}});
  EXPECT_EQ(e.type, "ResourceExistsException");
  EXPECT_EQ(e.message, "The operation failed because the secret big already exists.");
  EXPECT_EQ(
      error("CreateSecret", {{"Name", "t"}, {"ClientRequestToken", "short"}, {"SecretString", "x"}})
          .type,
      "ValidationException");
  // No value yet: GetSecretValue finds none.
  ok("CreateSecret", {{"Name", "empty"}});
  EXPECT_EQ(error("GetSecretValue", {{"SecretId", "empty"}}).type, "ResourceNotFoundException");
  EXPECT_EQ(error("GetSecretValue", json::object{}).type, "InvalidParameterException");
}

TEST_F(SecretsTest, BinarySecret) {
  ok("CreateSecret", {{"Name", "bin"}, {"SecretBinary", "AAEC"}});
  auto got = ok("GetSecretValue", {{"SecretId", "bin"}});
  EXPECT_EQ(got["SecretBinary"].as_string(), "AAEC");
  EXPECT_FALSE(got.contains("SecretString"));
  EXPECT_EQ(error("CreateSecret", {{"Name", "bad"}, {"SecretBinary", "not base64!"}}).type,
            "InvalidParameterException");
}

TEST_F(SecretsTest, DeleteRestoreAndPurge) {
  ok("CreateSecret", {{"Name", "d"}, {"SecretString", "x"}});
  EXPECT_EQ(error("DeleteSecret", {{"SecretId", "d"}, {"RecoveryWindowInDays", 6}}).type,
            "InvalidParameterException");
  EXPECT_EQ(
      error("DeleteSecret",
            {{"SecretId", "d"}, {"RecoveryWindowInDays", 7}, {"ForceDeleteWithoutRecovery", true}})
          .type,
      "InvalidParameterException");
  auto del = ok("DeleteSecret", {{"SecretId", "d"}, {"RecoveryWindowInDays", 7}});
  EXPECT_EQ(del["DeletionDate"].as_int64(), 1'700'000'000 + 7 * 86'400);
  auto e = error("GetSecretValue", {{"SecretId", "d"}});
  EXPECT_EQ(e.type, "InvalidRequestException");
  EXPECT_EQ(e.message,
            "You can't perform this operation on the secret because it was marked for deletion.");
  EXPECT_EQ(error("CreateSecret", {{"Name", "d"}}).type, "InvalidRequestException");
  auto described = ok("DescribeSecret", {{"SecretId", "d"}});
  EXPECT_EQ(described["DeletedDate"].as_int64(), 1'700'000'000);
  EXPECT_TRUE(ok("ListSecrets", {})["SecretList"].as_array().empty());
  EXPECT_EQ(ok("ListSecrets", {{"IncludePlannedDeletion", true}})["SecretList"].as_array().size(),
            1u);
  ok("RestoreSecret", {{"SecretId", "d"}});
  EXPECT_EQ(value_of({{"SecretId", "d"}}), "x");
  // Deleted again; once the window ends the secret is gone and its name free.
  ok("DeleteSecret", {{"SecretId", "d"}, {"RecoveryWindowInDays", 7}});
  clock_.advance_by(7LL * 86'400'000 - 1);
  EXPECT_EQ(error("GetSecretValue", {{"SecretId", "d"}}).type, "InvalidRequestException");
  clock_.advance_by(1);
  EXPECT_EQ(error("GetSecretValue", {{"SecretId", "d"}}).type, "ResourceNotFoundException");
  EXPECT_EQ(sm_.secret_count(), 0u);
  ok("CreateSecret", {{"Name", "d"}, {"SecretString", "y"}});
  ok("DeleteSecret", {{"SecretId", "d"}, {"ForceDeleteWithoutRecovery", true}});
  EXPECT_EQ(error("DescribeSecret", {{"SecretId", "d"}}).type, "ResourceNotFoundException");
}

TEST_F(SecretsTest, ListPagingFiltersAndTags) {
  for (int i = 0; i < 5; ++i) {
    clock_.advance_by(1000);
    ok("CreateSecret",
       {{"Name", "app/" + std::to_string(i)},
        {"Description", i % 2 ? "Odd one" : "even"},
        {"Tags", json::array{json::object{{"Key", "team"}, {"Value", "t" + std::to_string(i)}}}}});
  }
  ok("CreateSecret", {{"Name", "other"}});
  auto page = ok("ListSecrets", {{"MaxResults", 4}});
  ASSERT_EQ(page["SecretList"].as_array().size(), 4u);
  EXPECT_EQ(page["SecretList"].as_array()[0].at("Name").as_string(), "app/0");
  auto rest = ok("ListSecrets", {{"MaxResults", 4}, {"NextToken", page["NextToken"]}});
  EXPECT_EQ(rest["SecretList"].as_array().size(), 2u);
  EXPECT_FALSE(rest.contains("NextToken"));
  EXPECT_EQ(error("ListSecrets", {{"NextToken", "garbage"}}).type, "InvalidNextTokenException");
  EXPECT_EQ(error("ListSecrets", {{"MaxResults", 101}}).type, "ValidationException");
  auto filter = [&](std::string key, std::string value) {
    return ok("ListSecrets",
              {{"Filters", json::array{json::object{
                               {"Key", key}, {"Values", json::array{value}}}}}})["SecretList"]
        .as_array()
        .size();
  };
  EXPECT_EQ(filter("name", "app/"), 5u);
  EXPECT_EQ(filter("name", "!app/"), 1u);
  EXPECT_EQ(filter("description", "odd"), 2u);  // not case-sensitive
  EXPECT_EQ(filter("tag-value", "t3"), 1u);
  EXPECT_EQ(filter("all", "OTH"), 1u);
  ok("TagResource", {{"SecretId", "other"},
                     {"Tags", json::array{json::object{{"Key", "a"}, {"Value", "1"}},
                                          json::object{{"Key", "b"}, {"Value", "2"}}}}});
  ok("UntagResource", {{"SecretId", "other"}, {"TagKeys", json::array{"a"}}});
  auto tags = ok("DescribeSecret", {{"SecretId", "other"}})["Tags"].as_array();
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(tags[0].at("Key").as_string(), "b");
}

TEST_F(SecretsTest, RecordsReadBack) {
  ok("CreateSecret", {{"Name", "keep"}, {"SecretString", "v1"}, {"Description", "d"}});
  ok("PutSecretValue", {{"SecretId", "keep"}, {"SecretString", "v2"}});
  ok("CreateSecret", {{"Name", "gone"}, {"SecretString", "x"}});
  ok("DeleteSecret", {{"SecretId", "gone"}, {"RecoveryWindowInDays", 10}});
  std::string arn(ok("DescribeSecret", {{"SecretId", "keep"}})["ARN"].as_string());
  SecretsManager again(SecretsOptions{.clock = clock_, .log = log_, .id_seed = 9});
  std::size_t damaged = 99;
  ASSERT_TRUE(again.load(&damaged).ok());
  EXPECT_EQ(damaged, 0u);
  auto got = call(again, "GetSecretValue", {{"SecretId", arn}});
  ASSERT_FALSE(got.is_error());
  EXPECT_EQ(got.body().at("SecretString").as_string(), "v2");
  got = call(again, "GetSecretValue", {{"SecretId", "keep"}, {"VersionStage", "AWSPREVIOUS"}});
  ASSERT_FALSE(got.is_error());
  EXPECT_EQ(got.body().at("SecretString").as_string(), "v1");
  EXPECT_EQ(call(again, "GetSecretValue", {{"SecretId", "gone"}}).error().type,
            "InvalidRequestException");
  clock_.advance_by(10LL * 86'400'000);
  EXPECT_EQ(call(again, "GetSecretValue", {{"SecretId", "gone"}}).error().type,
            "ResourceNotFoundException");
  ASSERT_TRUE(again.current_value("keep").has_value());
  EXPECT_EQ(again.current_value("keep")->string_value, "v2");
}

TEST_F(SecretsTest, SdkSeesUnmodelledErrorsAsGeneric) {
  SdkAdapter sdk(sm_, SecretsManager::modelled_errors(), "SecretsManagerException");
  EXPECT_EQ(call(sdk, "CreateSecret", {{"Name", "Invalid Name"}}).error().type,
            "SecretsManagerException");
  EXPECT_EQ(call(sdk, "GetSecretValue", {{"SecretId", "nope"}}).error().type,
            "ResourceNotFoundException");
  EXPECT_EQ(call(sdk, "ListSecrets", {}).body().at("SecretList").as_array().size(), 0u);
}

TEST_F(SecretsTest, SdkSeesTimestampsAsIsoText) {
  SdkAdapter sdk(sm_, SecretsManager::modelled_errors(), "SecretsManagerException",
                 {"CreatedDate", "LastChangedDate"});
  clock_.advance_by(120);
  ok("CreateSecret", {{"Name", "t"}, {"SecretString", "x"}});
  auto got = call(sdk, "GetSecretValue", {{"SecretId", "t"}});
  ASSERT_FALSE(got.is_error());
  EXPECT_EQ(got.body().at("CreatedDate").as_string(), "2023-11-14T22:13:20.120Z");
  auto listed = call(sdk, "ListSecrets", {}).body().at("SecretList").as_array();
  EXPECT_EQ(listed[0].at("LastChangedDate").as_string(), "2023-11-14T22:13:20.120Z");
  EXPECT_EQ(SdkAdapter::instant_text(1'700'000'000), "2023-11-14T22:13:20Z");
  // Other numbers stay numbers.
  auto direct = call(sm_, "GetSecretValue", {{"SecretId", "t"}});
  EXPECT_TRUE(direct.body().at("CreatedDate").is_double());
}

}  // namespace
}  // namespace stepwise::services::secretsmanager
