// The persisted message record: written as text (message_record), it must be the JSON that
// dumping the record's object gives, and read back to the same message.
#include <gtest/gtest.h>

#include "services/sqs/message.h"

namespace stepwise::services::sqs {
namespace {

// The record as a json::object, member by member: what message_record writes.
std::string dumped_record(const Message& m) {
  json::object o{{"seq", m.seq},
                 {"id", m.id},
                 {"body", m.body},
                 {"sent", m.sent_ms},
                 {"visible", m.visible_ms},
                 {"first", m.first_receive_ms},
                 {"count", m.receive_count},
                 {"receipt", m.receipt},
                 {"flight", m.in_flight},
                 {"sender", m.sender_id}};
  if (!m.attributes.empty()) o["attrs"] = attributes_json(m.attributes);
  if (!m.system_attributes.empty()) o["sys"] = attributes_json(m.system_attributes);
  if (!m.group_id.empty()) o["group"] = m.group_id;
  if (!m.dedup_id.empty()) o["dedup"] = m.dedup_id;
  if (!m.sequence_number.empty()) o["seqno"] = m.sequence_number;
  if (!m.dead_letter_source_arn.empty()) o["dlq_source"] = m.dead_letter_source_arn;
  return json::dump(o);
}

Message plain() {
  Message m;
  m.seq = 7;
  m.id = "5b1c0c1e-0000-4000-8000-000000000001";
  m.body = "hello";
  m.sent_ms = 1'700'000'000'123;
  m.visible_ms = 1'700'000'005'123;
  m.sender_id = "123456789012";
  return m;
}

TEST(MessageRecord, PlainMessageIsTheDumpedObject) {
  const Message m = plain();
  EXPECT_EQ(message_record(m), dumped_record(m));
}

TEST(MessageRecord, EveryFieldAndEscapesAreTheDumpedObject) {
  Message m = plain();
  m.seq = UINT64_MAX;
  m.body = std::string("quote \" backslash \\ newline \n tab \t ctl \x01 del \x7f é 😀");
  m.first_receive_ms = -5;
  m.receive_count = 3;
  m.receipt = 0xFFFFFFFFFFFFFFF0ULL;
  m.in_flight = true;
  m.attributes["b"] = AttributeValue{"Binary", std::string("\0\xff", 2), true};
  m.attributes["a"] = AttributeValue{"String", "v\"", false};
  m.system_attributes["AWSTraceHeader"] = AttributeValue{"String", "Root=1", false};
  m.group_id = "g";
  m.dedup_id = "d";
  m.sequence_number = "18800000000000000001";
  m.dead_letter_source_arn = "arn:aws:sqs:us-east-1:123456789012:src";
  const std::string text = message_record(m);
  EXPECT_EQ(text, dumped_record(m));
  auto back = message_from_record(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->seq, m.seq);
  EXPECT_EQ(back->body, m.body);
  EXPECT_EQ(back->receipt, m.receipt);
  EXPECT_TRUE(back->in_flight);
  EXPECT_EQ(back->attributes.size(), 2U);
  EXPECT_EQ(back->attributes["b"].value, std::string("\0\xff", 2));
  EXPECT_EQ(back->dead_letter_source_arn, m.dead_letter_source_arn);
}

}  // namespace
}  // namespace stepwise::services::sqs
