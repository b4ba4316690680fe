#include "app/definition_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace stepwise::app {
namespace {

TEST(MachineNameOfPath, DropsTheWholeDefinitionSuffix) {
  EXPECT_EQ(machine_name_of_path("flows/orders.asl.json"), "orders");
  EXPECT_EQ(machine_name_of_path("orders.asl.yaml"), "orders");
  EXPECT_EQ(machine_name_of_path("/x/y/orders.asl.yml"), "orders");
  EXPECT_EQ(machine_name_of_path("orders.json"), "orders");
  EXPECT_EQ(machine_name_of_path("orders.yaml"), "orders");
  EXPECT_EQ(machine_name_of_path("orders.yml"), "orders");
  // Dots elsewhere in the name stay; other extensions lose only the last one.
  EXPECT_EQ(machine_name_of_path("v1.2.orders.asl.json"), "v1.2.orders");
  EXPECT_EQ(machine_name_of_path("orders.asl.txt"), "orders.asl");
  EXPECT_EQ(machine_name_of_path("orders"), "orders");
  // A file named only the suffix keeps its name rather than becoming empty.
  EXPECT_EQ(machine_name_of_path(".asl.json"), ".asl");
}

TEST(ParseJsonOrYaml, JsonIsTakenAsIs) {
  auto v = parse_json_or_yaml(R"({"StartAt":"A","n":1.5})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(json::dump(*v), R"({"StartAt":"A","n":1.5})");
}

TEST(ParseJsonOrYaml, YamlScalarsAreTypedAndQuotedOnesStayStrings) {
  auto v = parse_json_or_yaml(
      "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n"
      "    Result: {n: 3, f: 2.5, s: '3', z: null, list: [a, 'true']}\n");
  ASSERT_TRUE(v.ok()) << v.error().cause;
  EXPECT_EQ(json::dump(*v), R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,)"
                            R"("Result":{"n":3,"f":2.5,"s":"3","z":null,"list":["a","true"]}}}})");
}

TEST(ParseJsonOrYaml, TextThatIsNeitherIsAnError) {
  auto v = parse_json_or_yaml("just words");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().name, "InvalidDefinition");
  EXPECT_FALSE(parse_json_or_yaml("a: [unclosed").ok());
  auto bytes = parse_json_or_yaml("StartAt: A\nComment: \xff\xfe\n");
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().cause.find("nor YAML (the text is not valid UTF-8)"), std::string::npos)
      << bytes.error().cause;
}

TEST(ParseJsonOrYaml, DeeplyNestedYamlIsRefusedNotRecursedInto) {
  std::string flow = "a: " + std::string(100000, '[');
  EXPECT_EQ(parse_json_or_yaml(flow).error().cause, "YAML nested too deeply");
  std::string block = "a:\n" + std::string(5000, ' ') + "b: 1\n";
  EXPECT_FALSE(parse_json_or_yaml(block).ok());
}

// "Billion laughs": nine levels of ten aliases each stand for 10^9 values in a 400-byte file.
// The conversion stops at its budget instead of running for hours; aliases within it still work.
TEST(ParseJsonOrYaml, AliasesThatExpandPastTheBudgetAreRefused) {
  std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) laughs += (k ? ", *a" : "*a") + std::to_string(i - 1);
    laughs += "]\n";
  }
  auto v = parse_json_or_yaml(laughs);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().name, "InvalidDefinition");
  EXPECT_EQ(v.error().cause,
            "YAML expands to more than 1000000 values (its aliases repeat too much)");

  // Long text repeated by aliases: few values, too many bytes.
  std::string wide = "s: &s " + std::string(100000, 'w') + "\nl: &l [";
  for (int k = 0; k < 200; ++k) wide += k ? ", *s" : "*s";
  wide += "]\nm: [*l, *l, *l, *l, *l, *l, *l, *l, *l, *l]\n";
  auto w = parse_json_or_yaml(wide);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().cause.find("bytes of text"), std::string::npos) << w.error().cause;

  auto ok = parse_json_or_yaml("d: &d {Type: Pass, End: true}\nStates: {A: *d, B: *d}\n");
  ASSERT_TRUE(ok.ok()) << ok.error().cause;
  EXPECT_EQ(json::dump(ok->at("States")),
            R"({"A":{"Type":"Pass","End":true},"B":{"Type":"Pass","End":true}})");
}

TEST(ParseInputArgument, ReadsJsonTextOrAFileAfterAt) {
  auto direct = parse_input_argument(R"({"a":[1,2]})");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(json::dump(*direct), R"({"a":[1,2]})");

  auto path = std::filesystem::temp_directory_path() / "stepwise_input_test.json";
  std::ofstream(path) << "[true]";
  auto from_file = parse_input_argument("@" + path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(json::dump(*from_file), "[true]");
}

TEST(ParseInputArgument, RejectsNonJsonAndMissingFiles) {
  EXPECT_EQ(parse_input_argument("{oops").error().name, "InvalidExecutionInput");
  EXPECT_EQ(parse_input_argument("@/nonexistent/stepwise.json").error().name, "FileUnreadable");
}

}  // namespace
}  // namespace stepwise::app
