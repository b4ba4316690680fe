// Browser tests of the console's newer pages against the same `stepwise serve`: nested
// executions linking parent and child, and the read-only pages of
// the built-in services (queues, topics, tables, buckets, event buses) listing what the test
// created through the API, with hostile strings in names and values shown as text. (Map Runs:
// maprun.test.mjs.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import { CreateQueueCommand, SQSClient, SendMessageCommand, TagQueueCommand } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SetTopicAttributesCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateEventBusCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  HOSTILE_IMG, HOSTILE_SCRIPT, assertInert, clientConfig, createMachine, enc, endpoint, finished,
  runId, sfn, sharedBrowser, shot,
} from "./support.mjs";

const s3 = new S3Client({ ...clientConfig(), forcePathStyle: true });
const run = runId;
const newPage = sharedBrowser();

test("nested executions: the parent links to its child, the child to its parent", async () => {
  const child = await createMachine("nested-child", { StartAt: "Echo", States: { Echo: { Type: "Pass", End: true } } });
  const parent = await createMachine("nested-parent", {
    StartAt: "Run child",
    States: {
      "Run child": {
        Type: "Task", Resource: "arn:aws:states:::states:startExecution.sync:2", End: true,
        Parameters: { StateMachineArn: child, Input: { "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id", note: HOSTILE_IMG } },
      },
    },
  });
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: parent, name: "parent-1", input: "{}" }));
  assert.equal((await finished(executionArn)).status, "SUCCEEDED");
  const page = await newPage();
  await page.goto(`${endpoint}/#/execution/${enc(executionArn)}`);
  const childLink = page.locator("dl.facts p.children a");
  await childLink.waitFor();
  await shot(page, "23-nested-parent");
  await childLink.click();
  await page.waitForURL(/nested-child/);
  const parentLink = page.locator("dl.facts dd.parent a");
  await parentLink.waitFor();
  assert.equal(await parentLink.textContent(), "parent-1");
  await assertInert(page, "child execution");
  await shot(page, "24-nested-child");
  // The parent's state names its child in the inspector too.
  await parentLink.click();
  await page.waitForURL(/parent-1/);
  await page.locator("svg.graph g.node[data-state='Run child']").click();
  await page.locator(".inspector p.children a").waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("service pages list the queues, topics, tables, buckets and buses made through the API", async () => {
  const sqs = new SQSClient(clientConfig());
  const queue = `console-jobs-${run}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue }));
  await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { owner: HOSTILE_IMG } }));
  for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
  const sns = new SNSClient(clientConfig());
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `console-alerts-${run}` }));
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DisplayName", AttributeValue: HOSTILE_SCRIPT }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: `arn:aws:sqs:us-east-1:123456789012:${queue}` }));
  const ddb = new DynamoDBClient(clientConfig());
  const tableName = `console-orders-${run}`;
  await ddb.send(new CreateTableCommand({ TableName: tableName, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }] }));
  await ddb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: HOSTILE_IMG }, sk: { N: "1" },
    "<b>attr</b>": { S: HOSTILE_SCRIPT }, nested: { M: { x: { L: [{ N: "2" }, { BOOL: true }] } } } } }));
  await ddb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: "order-2" }, sk: { N: "2" }, total: { N: "99.5" } } }));
  const bucket = `console-files-${run}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "reports/2026/summary.json", Body: JSON.stringify({ note: HOSTILE_SCRIPT }), ContentType: "application/json" }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${HOSTILE_IMG}.txt`, Body: HOSTILE_IMG, ContentType: "text/plain" }));
  const events = new EventBridgeClient(clientConfig());
  await events.send(new CreateEventBusCommand({ Name: `console-bus-${run}` }));

  const page = await newPage();
  // Queues: the list with counts, then the queue's page with its attributes and tags.
  await page.goto(`${endpoint}/#/queues`);
  const qrow = page.locator("tr.link-row", { hasText: queue });
  await qrow.locator("td", { hasText: /^3$/ }).waitFor();
  await shot(page, "25-queues");
  await qrow.click();
  await page.locator("dd[data-count=available]", { hasText: "3" }).waitFor();
  assert.ok((await page.locator("main").textContent()).includes(HOSTILE_IMG));
  await assertInert(page, "queue");
  // Topics: the subscription count, the display name as text.
  await page.goto(`${endpoint}/#/topics?q=${enc(run)}`);
  const trow = page.locator("tr.link-row", { hasText: `console-alerts-${run}` });
  await trow.waitFor();
  assert.match(await trow.textContent(), /Standard\s*1\s*0\s*sqs/);
  await shot(page, "26-topics");
  await trow.click();
  await page.locator("td", { hasText: "sqs" }).first().waitFor();
  assert.ok((await page.locator("main").textContent()).includes(HOSTILE_SCRIPT));
  await assertInert(page, "topic");
  // Tables: keys and item count, then the Scan with hostile values and attribute names.
  await page.goto(`${endpoint}/#/tables`);
  const drow = page.locator("tr.link-row", { hasText: tableName });
  await drow.locator("td", { hasText: "pk (partition, S) · sk (sort, N)" }).waitFor();
  await shot(page, "27-tables");
  await drow.click();
  await page.locator("tr.item-row").nth(1).waitFor();
  assert.equal(await page.locator("tr.item-row").count(), 2);
  assert.equal(await page.locator("th", { hasText: "<b>attr</b>" }).count(), 1);
  assert.equal(await page.locator("td", { hasText: HOSTILE_IMG }).count(), 1);
  assert.equal(await page.locator("td", { hasText: '{"x":[2,true]}' }).count(), 1);
  await assertInert(page, "table");
  await shot(page, "28-table-items");
  // Buckets: folders by the "/" delimiter, a hostile key, an object's page.
  await page.goto(`${endpoint}/#/buckets`);
  await page.locator("tr.link-row", { hasText: bucket }).click();
  await page.locator("a.folder", { hasText: "reports/" }).waitFor();
  assert.equal(await page.locator("tr.link-row a.name", { hasText: HOSTILE_IMG }).count(), 1);
  await assertInert(page, "bucket");
  await shot(page, "29-bucket");
  await page.locator("a.folder", { hasText: "reports/" }).click();
  await page.locator("a.folder", { hasText: "2026/" }).click();
  await page.locator("a.name", { hasText: "summary.json" }).click();
  await page.locator("pre.object-body", { hasText: "window.__pwned" }).waitFor();
  await assertInert(page, "object");
  await page.goto(`${endpoint}/#/object/${enc(`${bucket}/${HOSTILE_IMG}.txt`)}`);
  await page.locator("pre.object-body").waitFor();
  await assertInert(page, "hostile object");
  // Event buses.
  await page.goto(`${endpoint}/#/buses`);
  await page.locator("td.name", { hasText: `console-bus-${run}` }).waitFor();
  await page.locator("td.name", { hasText: /^default$/ }).waitFor();
  await shot(page, "30-event-buses");
  // Keyboard: g q opens the queues, g b the buckets.
  await page.keyboard.press("g");
  await page.keyboard.press("q");
  await page.waitForURL(/#\/queues$/);
  await page.keyboard.press("g");
  await page.keyboard.press("b");
  await page.waitForURL(/#\/buckets$/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
