// The journal's entries (encode_journal / decode_journal): a failure's "no error" and "no
// cause" survive a round trip, and entries written before those flags existed still read.
#include <gtest/gtest.h>

#include "sfn/executions_internal.h"

namespace stepwise::sfn {
namespace {

TEST(JournalCodec, AFailureWithNoErrorAndNoCauseRoundTrips) {
  engine::StepEvent ev;
  ev.kind = engine::StepEvent::Kind::kTaskFailed;
  ev.id = 3;
  ev.has_error = false;
  ev.has_cause = false;
  auto back = decode_journal(encode_journal(ev, 1234));
  ASSERT_TRUE(back.ok()) << back.error().cause;
  EXPECT_EQ(back->event.kind, engine::StepEvent::Kind::kTaskFailed);
  EXPECT_EQ(back->event.id, 3u);
  EXPECT_EQ(back->now_ms, 1234);
  EXPECT_FALSE(back->event.has_error);
  EXPECT_FALSE(back->event.has_cause);
}

TEST(JournalCodec, AnErrorAndCauseRoundTrip) {
  engine::StepEvent ev;
  ev.kind = engine::StepEvent::Kind::kTaskFailed;
  ev.id = 4;
  ev.error = "E";
  ev.cause = "C";
  auto back = decode_journal(encode_journal(ev, 5));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->event.has_error);
  EXPECT_TRUE(back->event.has_cause);
  EXPECT_EQ(back->event.error, "E");
  EXPECT_EQ(back->event.cause, "C");
}

TEST(JournalCodec, AnEntryWrittenBeforeTheFlagsHasAnError) {
  // A journal on disk from an earlier version: a failure with an empty error and no cause.
  auto entry = json::parse(R"({"kind":"failed","id":2,"now":10,"no_cause":true})");
  ASSERT_TRUE(entry.ok());
  auto back = decode_journal(*entry);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->event.has_error);  // replays as it ran then: error ""
  EXPECT_EQ(back->event.error, "");
  EXPECT_FALSE(back->event.has_cause);
}

TEST(JournalCodec, AnIdOrTimeNoIntegerHoldsIsRefusedNotCast) {
  // A damaged store: found by the journal fuzz target's seeds (fuzz/corpus/journal/nasty_*).
  for (const char* text :
       {R"({"kind":"timer","id":1e300,"now":1})", R"({"kind":"timer","id":-1,"now":1})",
        R"({"kind":"timer","id":1.5,"now":1})", R"({"kind":"timer","id":1,"now":-1e300})"}) {
    auto entry = json::parse(text);
    ASSERT_TRUE(entry.ok());
    auto back = decode_journal(*entry);
    ASSERT_FALSE(back.ok()) << text;
    EXPECT_EQ(back.error().name, "Journal");
  }
  auto whole = json::parse(R"({"kind":"timer","id":2.0,"now":1700000000000})");
  ASSERT_TRUE(whole.ok());
  auto back = decode_journal(*whole);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->event.id, 2u);
  EXPECT_EQ(back->now_ms, 1700000000000);
}

}  // namespace
}  // namespace stepwise::sfn
