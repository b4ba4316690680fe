// A Wait that is the last state of a Parallel branch or a Map iteration: when its timer fires
// the branch ends, and the Parallel/Map, now complete, must go on to its next state in the same
// step. (Found by the seeded simulation, tests/sim: such executions stalled with the next
// state entered and never run.)
#include <gtest/gtest.h>

#include "asl/compile.h"
#include "base/ids.h"
#include "engine/run.h"

namespace stepwise::engine {
namespace {

RunResult run(const char* definition) {
  auto m = asl::compile_text(definition);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().cause);
  ManualClock clock{1700000000000};
  IdGenerator ids{7};
  RunOptions o;
  o.clock = &clock;
  o.ids = &ids;
  auto r = run_execution(**m, json::object{{"items", json::array{1, 2}}}, o);
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::move(*r) : RunResult{};
}

TEST(WaitEndsBranch, TheParallelGoesOnToItsNextState) {
  RunResult r = run(R"({"StartAt":"P","States":{
    "P":{"Type":"Parallel","Next":"C","ResultPath":"$.p","Branches":[
      {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}},
      {"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}]},
    "C":{"Type":"Choice","Choices":[{"Variable":"$.items[0]","NumericEquals":1,"Next":"E"}]},
    "E":{"Type":"Pass","Result":"done","End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED") << r.cause.value_or("");
  ASSERT_TRUE(r.output.has_value());
  EXPECT_EQ(json::dump(*r.output), R"("done")");
}

TEST(WaitEndsBranch, TheMapGoesOnToItsNextState) {
  RunResult r = run(R"({"StartAt":"M","States":{
    "M":{"Type":"Map","ItemsPath":"$.items","Next":"E","ItemProcessor":{"StartAt":"W",
      "States":{"W":{"Type":"Wait","Seconds":0,"End":true}}}},
    "E":{"Type":"Pass","End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED") << r.cause.value_or("");
  ASSERT_TRUE(r.output.has_value());
  EXPECT_EQ(json::dump(*r.output), "[1,2]");
  EXPECT_EQ(r.history.back().type, "ExecutionSucceeded");
}

}  // namespace
}  // namespace stepwise::engine
