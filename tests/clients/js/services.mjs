// The AWS SDK for JavaScript v3 against the built-in services of `stepwise serve`: the everyday
// calls a JS user makes to SQS, SNS, S3, DynamoDB, Secrets Manager and EventBridge (answers and
// one error each, by the SDK's error name), and a workflow started with @aws-sdk/client-sfn that
// calls sqs:sendMessage and aws-sdk:dynamodb:putItem, checked through the service clients.
//
// Run through tests/clients/run.py (suite js), which starts the server and sets
// STEPWISE_ENDPOINT; or on its own: `node tests/clients/js/services.mjs build/stepwise`, which
// starts `stepwise serve` on a free loopback port with a temporary data directory and requires a
// clean exit (0) on SIGTERM.
//
// KNOWN_FAILURES lists checks that fail because of a server bug, with the reason. A listed check
// must still fail: when it passes, this file fails and asks to remove it (the list only shrinks).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { crc32 } from "node:zlib";

import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand, DescribeEventBusCommand, EventBridgeClient, ListEventBusesCommand,
  PutEventsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand,
  PutSecretValueCommand, SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import {
  CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishBatchCommand, PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand,
  DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand,
  PurgeQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand,
  ScanCommand, UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { Upload } from "@aws-sdk/lib-storage";

// Check name -> why it fails today (a server bug reported to the lead). Empty: all pass.
const KNOWN_FAILURES = new Map([
]);

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
const ROLE = "arn:aws:iam::123456789012:role/stepwise-clients";
const MIB = 1024 * 1024;

// --- the server: run.py's, or one of our own ---------------------------------------------------

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function startServer(binary) {
  const dataDir = mkdtempSync(join(tmpdir(), "stepwise-js-services-"));
  const port = await freePort();
  const args = ["serve", "--port", String(port), "--store", "memory", "--fast-time",
    "--data-dir", dataDir, "--log-dir", join(dataDir, "logs")];
  const proc = spawn(binary, args, { cwd: dataDir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  let failedToStart = false;
  proc.once("error", (error) => {
    failedToStart = true;
    log += `${error.message}\n`;
  });
  proc.stdout.on("data", (chunk) => { log += chunk; });
  proc.stderr.on("data", (chunk) => { log += chunk; });
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) =>
    resolve(code ?? signal)));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (failedToStart || proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`${binary} ${args.join(" ")} did not listen:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stop = async () => {
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(timer);
    rmSync(dataDir, { recursive: true, force: true });
    if (code !== 0) throw new Error(`the server exited with ${code} on SIGTERM:\n${log}`);
  };
  return { endpoint: `http://127.0.0.1:${port}`, stop };
}

let endpoint = process.env.STEPWISE_ENDPOINT;
if (!endpoint) {
  const binary = process.argv[2] ?? process.env.STEPWISE_BIN;
  assert.ok(binary, "usage: node services.mjs <stepwise binary> (or set STEPWISE_ENDPOINT)");
  const server = await startServer(binary);
  endpoint = server.endpoint;
  after(async () => {
    try {
      await server.stop();
    } catch (error) {
      console.error(`FAILED: ${error.message}`);
      process.exitCode = 1;
    }
  });
}

const common = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDSTEPWISECLIENTS", secretAccessKey: "stepwise-clients-secret" },
  maxAttempts: 1,
};
const sqs = new SQSClient(common);
const sns = new SNSClient(common);
const s3 = new S3Client({ ...common, forcePathStyle: true });
// The headers of the last signed S3 request, to see what the SDK sent (aws-chunked or not).
let lastS3Headers = {};
s3.middlewareStack.add((next) => async (args) => {
  lastS3Headers = { ...args.request.headers };
  return next(args);
}, { step: "finalizeRequest", priority: "low", name: "stepwiseRecordHeaders" });
const ddb = new DynamoDBClient(common);
const doc = DynamoDBDocumentClient.from(ddb);
const secrets = new SecretsManagerClient(common);
const events = new EventBridgeClient(common);
const sfn = new SFNClient({ ...common, disableHostPrefix: true });

// --- helpers -------------------------------------------------------------------------------------

const unique = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;
const md5 = (bytes) => createHash("md5").update(bytes).digest("hex");

// A check; a listed known failure must still fail, and says why it is listed.
function check(name, body) {
  const reason = KNOWN_FAILURES.get(name);
  if (reason === undefined) return test(name, body);
  return test(`${name} (known failure: ${reason})`, async (t) => {
    try {
      await body(t);
    } catch (error) {
      t.diagnostic(`still fails as listed: ${error.message.split("\n")[0]}`);
      return;
    }
    assert.fail(`"${name}" is listed in KNOWN_FAILURES but passes: remove it from the list`);
  });
}

// The SDK error for a failed call: its name, message and HTTP status.
async function apiError(promise) {
  try {
    await promise;
  } catch (error) {
    if (!error.$metadata) throw error;  // not an answer from the server
    return { name: error.name, message: error.message, status: error.$metadata.httpStatusCode,
      error };
  }
  assert.fail("the call succeeded");
}

// SQS's MD5 of message attributes: per attribute sorted by name, the length-prefixed name, type
// and value, with a transport byte (1 string/number, 2 binary).
function attributesMd5(attributes) {
  const parts = [];
  const withLength = (bytes) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    withLength(Buffer.from(name, "utf8"));
    withLength(Buffer.from(DataType, "utf8"));
    if (BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      withLength(Buffer.from(BinaryValue));
    } else {
      parts.push(Buffer.from([1]));
      withLength(Buffer.from(StringValue, "utf8"));
    }
  }
  return md5(Buffer.concat(parts));
}

async function newQueue(attributes = {}) {
  const QueueName = unique("js-q");
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName, Attributes: attributes }));
  return { name: QueueName, url: QueueUrl };
}

async function queueArn(url) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ["QueueArn"] }));
  return Attributes.QueueArn;
}

// Receives until `count` messages came or the attempts ran out.
async function receiveAll(url, count) {
  const messages = [];
  for (let attempt = 0; attempt < 50 && messages.length < count; attempt++) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
      MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
    messages.push(...Messages);
    if (Messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return messages;
}

// --- SQS -----------------------------------------------------------------------------------------

check("sqs: create, send with attributes, receive, delete", async () => {
  const { name, url } = await newQueue({ VisibilityTimeout: "30" });
  assert.match(url, new RegExp(`/${name}$`));
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  assert.equal(QueueUrl, url);

  const body = `héllo from node ${randomUUID()}`;
  const attributes = {
    color: { DataType: "String", StringValue: "blue" },
    count: { DataType: "Number", StringValue: "42" },
    blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
  };
  const sent = await sqs.send(new SendMessageCommand({
    QueueUrl: url, MessageBody: body, MessageAttributes: attributes }));
  assert.ok(sent.MessageId);
  assert.equal(sent.MD5OfMessageBody, md5(Buffer.from(body, "utf8")));
  assert.equal(sent.MD5OfMessageAttributes, attributesMd5(attributes));

  const [message, ...extra] = await receiveAll(url, 1);
  assert.equal(extra.length, 0);
  assert.equal(message.MessageId, sent.MessageId);
  assert.equal(message.Body, body);
  assert.equal(message.MD5OfBody, sent.MD5OfMessageBody);
  assert.equal(message.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.equal(message.MessageAttributes.color.StringValue, "blue");
  assert.equal(message.MessageAttributes.count.DataType, "Number");
  assert.deepEqual([...message.MessageAttributes.blob.BinaryValue], [0, 1, 2, 255]);
  assert.equal(message.Attributes.ApproximateReceiveCount, "1");
  assert.match(message.Attributes.SentTimestamp, /^\d{13}$/);

  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url,
    AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  assert.deepEqual(Attributes, { ApproximateNumberOfMessages: "0",
    ApproximateNumberOfMessagesNotVisible: "0" });
});

check("sqs: batch send and purge", async () => {
  const { url } = await newQueue();
  const entries = ["one", "two", "three"].map((word, i) => ({ Id: `m${i}`, MessageBody: word }));
  const batch = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
  assert.deepEqual((batch.Failed ?? []), []);
  assert.deepEqual(batch.Successful.map((s) => s.Id).sort(), ["m0", "m1", "m2"]);
  for (const ok of batch.Successful) {
    const entry = entries.find((e) => e.Id === ok.Id);
    assert.equal(ok.MD5OfMessageBody, md5(entry.MessageBody));
  }
  let { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }));
  assert.equal(Attributes.ApproximateNumberOfMessages, "3");
  await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  ({ Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] })));
  assert.equal(Attributes.ApproximateNumberOfMessages, "0");
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, WaitTimeSeconds: 0 }));
  assert.deepEqual(Messages, []);
});

check("sqs: change visibility, batch delete with a bad receipt handle", async () => {
  const { url } = await newQueue();
  for (const MessageBody of ["x", "y"]) {
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody }));
  }
  const received = await receiveAll(url, 2);
  assert.deepEqual(received.map((m) => m.Body).sort(), ["x", "y"]);
  const [keep, drop] = received;
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url,
    ReceiptHandle: keep.ReceiptHandle, VisibilityTimeout: 0 }));
  const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [
    { Id: "ok", ReceiptHandle: drop.ReceiptHandle }, { Id: "bad", ReceiptHandle: "garbage" }] }));
  assert.deepEqual(deleted.Successful, [{ Id: "ok" }]);
  assert.equal(deleted.Failed.length, 1);
  assert.deepEqual([deleted.Failed[0].Id, deleted.Failed[0].Code, deleted.Failed[0].SenderFault],
    ["bad", "ReceiptHandleIsInvalid", true]);
  const again = await receiveAll(url, 1);
  assert.deepEqual(again.map((m) => [m.Body, m.Attributes.ApproximateReceiveCount]),
    [[keep.Body, "2"]], "the visible-again message comes back; the deleted one does not");
});

check("sqs: a missing queue is QueueDoesNotExist", async () => {
  const error = await apiError(sqs.send(new GetQueueUrlCommand({ QueueName: unique("nope") })));
  assert.equal(error.name, "QueueDoesNotExist");
  assert.equal(error.status, 400);
  assert.ok(error.message.length > 0);
});

// --- SNS -----------------------------------------------------------------------------------------

check("sns: topic to queue subscription, publish, envelope and raw delivery", async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: unique("js-topic") }));
  assert.match(TopicArn, /^arn:aws:sns:us-east-1:\d{12}:js-topic-/);
  const wrapped = await newQueue();
  const raw = await newQueue();
  const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs",
    Endpoint: await queueArn(wrapped.url), ReturnSubscriptionArn: true }));
  assert.ok(sub.SubscriptionArn.startsWith(`${TopicArn}:`), sub.SubscriptionArn);
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs",
    Endpoint: await queueArn(raw.url), Attributes: { RawMessageDelivery: "true" } }));
  const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.equal(Subscriptions.length, 2);
  assert.ok(Subscriptions.some((s) => s.SubscriptionArn === sub.SubscriptionArn));

  const message = JSON.stringify({ order: 7, note: "ünïcode" });
  const published = await sns.send(new PublishCommand({ TopicArn, Message: message,
    Subject: "orders", MessageAttributes: {
      color: { DataType: "String", StringValue: "red" } } }));
  assert.ok(published.MessageId);

  const [delivered] = await receiveAll(wrapped.url, 1);
  assert.ok(delivered, "no envelope reached the subscribed queue");
  const envelope = JSON.parse(delivered.Body);
  assert.equal(envelope.Type, "Notification");
  assert.equal(envelope.MessageId, published.MessageId);
  assert.equal(envelope.TopicArn, TopicArn);
  assert.equal(envelope.Subject, "orders");
  assert.equal(envelope.Message, message);
  assert.deepEqual(envelope.MessageAttributes, { color: { Type: "String", Value: "red" } });
  assert.ok(!Number.isNaN(Date.parse(envelope.Timestamp)));

  const [rawMessage] = await receiveAll(raw.url, 1);
  assert.ok(rawMessage, "no raw message reached the raw subscriber");
  assert.equal(rawMessage.Body, message);
  assert.equal(rawMessage.MessageAttributes?.color?.StringValue, "red");
});

check("sns: publish batch to a raw queue subscriber", async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: unique("js-batch") }));
  const { url } = await newQueue();
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs",
    Endpoint: await queueArn(url), Attributes: { RawMessageDelivery: "true" } }));
  const out = await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [
    { Id: "a", Message: "first" },
    { Id: "b", Message: "second", MessageAttributes: {
      kind: { DataType: "String", StringValue: "batch" } } }] }));
  assert.deepEqual(out.Failed ?? [], []);
  assert.deepEqual(out.Successful.map((s) => s.Id).sort(), ["a", "b"]);
  const received = await receiveAll(url, 2);
  assert.deepEqual(received.map((m) => m.Body).sort(), ["first", "second"]);
  const second = received.find((m) => m.Body === "second");
  assert.equal(second.MessageAttributes?.kind?.StringValue, "batch");
});

check("sns: publishing to a missing topic is NotFoundException", async () => {
  const TopicArn = `arn:aws:sns:us-east-1:123456789012:${unique("missing")}`;
  const error = await apiError(sns.send(new PublishCommand({ TopicArn, Message: "x" })));
  assert.equal(error.name, "NotFoundException");
  assert.equal(error.status, 404);
});

// --- S3 ------------------------------------------------------------------------------------------

const crc32Base64 = (bytes) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(bytes));
  return out.toString("base64");
};

async function newBucket() {
  const Bucket = unique("js-bucket");
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new HeadBucketCommand({ Bucket }));
  return Bucket;
}

check("s3: put (checksummed, and a streamed aws-chunked body), get, range get", async () => {
  const Bucket = await newBucket();
  const text = "0123456789abcdefghij";
  const put = await s3.send(new PutObjectCommand({ Bucket, Key: "notes/a.txt", Body: text,
    ContentType: "text/plain", Metadata: { owner: "node" } }));
  assert.equal(lastS3Headers["x-amz-checksum-crc32"], crc32Base64(Buffer.from(text)));
  assert.equal(put.ETag, `"${md5(text)}"`);
  assert.equal(put.ChecksumCRC32, crc32Base64(Buffer.from(text)),
    "the SDK sends a CRC32 by default and S3 echoes it");

  const got = await s3.send(new GetObjectCommand({ Bucket, Key: "notes/a.txt",
    ChecksumMode: "ENABLED" }));
  assert.equal(await got.Body.transformToString(), text);
  assert.equal(got.ContentType, "text/plain");
  assert.equal(got.ContentLength, text.length);
  assert.deepEqual(got.Metadata, { owner: "node" });
  assert.equal(got.ETag, put.ETag);

  const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: "notes/a.txt",
    Range: "bytes=2-5" }));
  assert.equal(ranged.$metadata.httpStatusCode, 206);
  assert.equal(ranged.ContentRange, `bytes 2-5/${text.length}`);
  assert.equal(await ranged.Body.transformToString(), "2345");

  // A stream body: the SDK sends it aws-chunked with the checksum in a trailer.
  const bytes = Buffer.alloc(200_000, "z");
  const streamed = await s3.send(new PutObjectCommand({ Bucket, Key: "stream.bin",
    Body: Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]),
    ContentLength: bytes.length }));
  assert.match(lastS3Headers["content-encoding"] ?? "", /aws-chunked/,
    "the SDK streams the body aws-chunked");
  assert.equal(lastS3Headers["x-amz-decoded-content-length"], String(bytes.length));
  assert.equal(streamed.ChecksumCRC32, crc32Base64(bytes), "the trailer's checksum is kept");
  assert.equal(streamed.ETag, `"${md5(bytes)}"`);
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "stream.bin" }));
  assert.equal(head.ContentLength, bytes.length);
  const back = await s3.send(new GetObjectCommand({ Bucket, Key: "stream.bin" }));
  assert.equal(md5(Buffer.from(await back.Body.transformToByteArray())), md5(bytes));
});

check("s3: list v2 with prefix and delimiter, copy, delete, NoSuchKey", async () => {
  const Bucket = await newBucket();
  for (const Key of ["dir/a.txt", "dir/b.txt", "dir/sub/c.txt", "other.txt"]) {
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: `body of ${Key}` }));
  }
  const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "dir/",
    Delimiter: "/" }));
  assert.deepEqual(listed.Contents.map((o) => o.Key), ["dir/a.txt", "dir/b.txt"]);
  assert.deepEqual(listed.CommonPrefixes.map((p) => p.Prefix), ["dir/sub/"]);
  assert.equal(listed.KeyCount, 3);
  assert.equal(listed.IsTruncated, false);
  assert.equal(listed.Contents[0].Size, "body of dir/a.txt".length);
  const paged = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2 }));
  assert.equal(paged.IsTruncated, true);
  const rest = await s3.send(new ListObjectsV2Command({ Bucket,
    ContinuationToken: paged.NextContinuationToken }));
  assert.deepEqual([...paged.Contents, ...rest.Contents].map((o) => o.Key),
    ["dir/a.txt", "dir/b.txt", "dir/sub/c.txt", "other.txt"]);

  const copied = await s3.send(new CopyObjectCommand({ Bucket, Key: "copy.txt",
    CopySource: `${Bucket}/dir/a.txt` }));
  assert.equal(copied.CopyObjectResult.ETag, `"${md5("body of dir/a.txt")}"`);
  const copy = await s3.send(new GetObjectCommand({ Bucket, Key: "copy.txt" }));
  assert.equal(await copy.Body.transformToString(), "body of dir/a.txt");

  await s3.send(new DeleteObjectCommand({ Bucket, Key: "dir/a.txt" }));
  const error = await apiError(s3.send(new GetObjectCommand({ Bucket, Key: "dir/a.txt" })));
  assert.equal(error.name, "NoSuchKey");
  assert.equal(error.status, 404);
  const noBucket = await apiError(s3.send(new ListObjectsV2Command({ Bucket: unique("none") })));
  assert.equal(noBucket.name, "NoSuchBucket");
});

check("s3: odd keys, empty object, delete objects, NotFound and InvalidRange", async () => {
  const Bucket = await newBucket();
  const odd = "a dir/ünï cødé+x?y#z&=%.txt";
  await s3.send(new PutObjectCommand({ Bucket, Key: odd, Body: "odd" }));
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: odd }));
  assert.equal(await got.Body.transformToString(), "odd");
  const empty = await s3.send(new PutObjectCommand({ Bucket, Key: "empty",
    Body: new Uint8Array() }));
  assert.equal(empty.ETag, `"${md5("")}"`);
  const gotEmpty = await s3.send(new GetObjectCommand({ Bucket, Key: "empty",
    ChecksumMode: "ENABLED" }));
  assert.equal(gotEmpty.ContentLength, 0);
  assert.equal(await gotEmpty.Body.transformToString(), "");
  const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
  assert.deepEqual(listed.Contents.map((o) => o.Key), [odd, "empty"]);

  const range = await apiError(s3.send(new GetObjectCommand({ Bucket, Key: "empty",
    Range: "bytes=5-9" })));
  assert.deepEqual([range.name, range.status], ["InvalidRange", 416]);
  // DeleteObjects: the SDK must send a checksum of the body; a missing key counts as deleted.
  const deleted = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [
    { Key: odd }, { Key: "empty" }, { Key: "never-there" }] } }));
  assert.deepEqual(deleted.Deleted.map((d) => d.Key).sort(), [odd, "empty", "never-there"].sort());
  assert.deepEqual(deleted.Errors ?? [], []);
  assert.equal((await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount, 0);
  const head = await apiError(s3.send(new HeadObjectCommand({ Bucket, Key: odd })));
  assert.deepEqual([head.name, head.status], ["NotFound", 404]);
});

check("s3: multipart upload of a 6 MiB object with lib-storage", async () => {
  const Bucket = await newBucket();
  const bytes = Buffer.alloc(6 * MIB + 123);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 10)) & 0xff;
  const upload = new Upload({ client: s3, params: { Bucket, Key: "big.bin", Body: bytes },
    partSize: 5 * MIB, queueSize: 1 });
  const done = await upload.done();
  const partMd5s = [bytes.subarray(0, 5 * MIB), bytes.subarray(5 * MIB)]
    .map((part) => createHash("md5").update(part).digest());
  assert.equal(done.ETag, `"${md5(Buffer.concat(partMd5s))}-2"`);
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: "big.bin" }));
  assert.equal(got.ContentLength, bytes.length);
  assert.equal(md5(Buffer.from(await got.Body.transformToByteArray())), md5(bytes));
});

// --- DynamoDB ------------------------------------------------------------------------------------

async function newTable() {
  const TableName = unique("js-table");
  const created = await ddb.send(new CreateTableCommand({ TableName,
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" }],
    BillingMode: "PAY_PER_REQUEST" }));
  assert.equal(created.TableDescription.TableName, TableName);
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName }));
  assert.equal(Table.TableStatus, "ACTIVE");
  return TableName;
}

check("dynamodb: conditional put, get, update expression, query, scan", async () => {
  const TableName = await newTable();
  const item = { pk: { S: "user#1" }, sk: { N: "1" }, name: { S: "Ada" }, visits: { N: "1" },
    tags: { SS: ["a", "b"] }, profile: { M: { lang: { S: "js" } } } };
  await ddb.send(new PutItemCommand({ TableName, Item: item,
    ConditionExpression: "attribute_not_exists(pk)" }));
  const failed = await apiError(ddb.send(new PutItemCommand({ TableName, Item: item,
    ConditionExpression: "attribute_not_exists(pk)",
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" })));
  assert.equal(failed.name, "ConditionalCheckFailedException");
  assert.equal(failed.status, 400);
  assert.deepEqual(failed.error.Item?.name, { S: "Ada" }, "ALL_OLD returns the item");

  const { Item } = await ddb.send(new GetItemCommand({ TableName, ConsistentRead: true,
    Key: { pk: { S: "user#1" }, sk: { N: "1" } } }));
  assert.deepEqual(Item, item);

  const updated = await doc.send(new UpdateCommand({ TableName, Key: { pk: "user#1", sk: 1 },
    UpdateExpression: "SET #v = #v + :one, #p.#l = :lang, history = list_append("
      + "if_not_exists(history, :empty), :h) REMOVE #n",
    ExpressionAttributeNames: { "#v": "visits", "#p": "profile", "#l": "lang", "#n": "name" },
    ExpressionAttributeValues: { ":one": 1, ":lang": "ts", ":empty": [], ":h": ["login"] },
    ConditionExpression: "visits = :one",
    ReturnValues: "ALL_NEW" }));
  assert.equal(updated.Attributes.visits, 2);
  assert.deepEqual(updated.Attributes.profile, { lang: "ts" });
  assert.deepEqual(updated.Attributes.history, ["login"]);
  assert.equal(updated.Attributes.name, undefined);
  assert.deepEqual(updated.Attributes.tags, new Set(["a", "b"]));

  for (const sk of [2, 3, 4]) {
    await doc.send(new UpdateCommand({ TableName, Key: { pk: "user#1", sk },
      UpdateExpression: "SET score = :s", ExpressionAttributeValues: { ":s": sk * 10 } }));
  }
  await doc.send(new UpdateCommand({ TableName, Key: { pk: "user#2", sk: 1 },
    UpdateExpression: "SET score = :s", ExpressionAttributeValues: { ":s": 99 } }));
  const queried = await doc.send(new QueryCommand({ TableName,
    KeyConditionExpression: "pk = :p AND sk BETWEEN :lo AND :hi",
    ExpressionAttributeValues: { ":p": "user#1", ":lo": 2, ":hi": 4 },
    ScanIndexForward: false }));
  assert.deepEqual(queried.Items.map((i) => i.sk), [4, 3, 2]);
  assert.equal(queried.Count, 3);
  const page = await doc.send(new QueryCommand({ TableName, Limit: 2,
    KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "user#1" } }));
  assert.deepEqual(page.Items.map((i) => i.sk), [1, 2]);
  assert.deepEqual(page.LastEvaluatedKey, { pk: "user#1", sk: 2 });

  const scanned = await doc.send(new ScanCommand({ TableName,
    FilterExpression: "score >= :min", ExpressionAttributeValues: { ":min": 30 } }));
  assert.deepEqual(scanned.Items.map((i) => i.score).sort((a, b) => a - b), [30, 40, 99]);
  assert.equal(scanned.Count, 3);
  assert.equal(scanned.ScannedCount, 5);
  const viaDoc = await doc.send(new GetCommand({ TableName, Key: { pk: "user#2", sk: 1 } }));
  assert.deepEqual(viaDoc.Item, { pk: "user#2", sk: 1, score: 99 });

  const rich = { pk: "rich", sk: 0, ratio: 1.5, on: true, none: null, bytes: new Uint8Array([1, 2]),
    nested: { list: [1, "x", false], map: { deep: "yes" } } };
  const wrote = await doc.send(new BatchWriteCommand({ RequestItems: { [TableName]: [
    { PutRequest: { Item: rich } }, { DeleteRequest: { Key: { pk: "user#2", sk: 1 } } }] } }));
  assert.deepEqual(wrote.UnprocessedItems ?? {}, {});
  const batch = await doc.send(new BatchGetCommand({ RequestItems: { [TableName]: {
    Keys: [{ pk: "rich", sk: 0 }, { pk: "user#2", sk: 1 }, { pk: "user#1", sk: 4 }] } } }));
  const byPk = Object.fromEntries(batch.Responses[TableName].map((i) => [`${i.pk}/${i.sk}`, i]));
  assert.deepEqual(Object.keys(byPk).sort(), ["rich/0", "user#1/4"]);
  assert.deepEqual(byPk["rich/0"], rich);
});

check("dynamodb: a failed transaction, and a missing table", async () => {
  const TableName = await newTable();
  await ddb.send(new PutItemCommand({ TableName,
    Item: { pk: { S: "acct" }, sk: { N: "0" }, balance: { N: "5" } } }));
  const error = await apiError(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName, Item: { pk: { S: "new" }, sk: { N: "0" } } } },
    { ConditionCheck: { TableName, Key: { pk: { S: "acct" }, sk: { N: "0" } },
      ConditionExpression: "balance > :need",
      ExpressionAttributeValues: { ":need": { N: "10" } } } },
  ] })));
  assert.equal(error.name, "TransactionCanceledException");
  assert.deepEqual(error.error.CancellationReasons?.map((r) => r.Code),
    ["None", "ConditionalCheckFailed"]);
  const { Item } = await ddb.send(new GetItemCommand({ TableName,
    Key: { pk: { S: "new" }, sk: { N: "0" } } }));
  assert.equal(Item, undefined, "a cancelled transaction writes nothing");

  const missing = await apiError(ddb.send(new GetItemCommand({ TableName: unique("none"),
    Key: { pk: { S: "x" }, sk: { N: "0" } } })));
  assert.equal(missing.name, "ResourceNotFoundException");
});

// --- Secrets Manager -----------------------------------------------------------------------------

check("secretsmanager: create, get, put a new version, list, errors", async () => {
  const Name = unique("js/db");
  const created = await secrets.send(new CreateSecretCommand({ Name,
    SecretString: JSON.stringify({ user: "app", password: "one" }), Description: "from node" }));
  assert.match(created.ARN, new RegExp(`^arn:aws:secretsmanager:us-east-1:\\d{12}:secret:${Name}-`
    + "[A-Za-z0-9]{6}$"));
  const first = await secrets.send(new GetSecretValueCommand({ SecretId: Name }));
  assert.deepEqual(JSON.parse(first.SecretString), { user: "app", password: "one" });
  assert.equal(first.VersionId, created.VersionId);
  assert.deepEqual(first.VersionStages, ["AWSCURRENT"]);
  assert.ok(first.CreatedDate instanceof Date);

  const put = await secrets.send(new PutSecretValueCommand({ SecretId: created.ARN,
    SecretString: "two" }));
  assert.notEqual(put.VersionId, created.VersionId);
  const current = await secrets.send(new GetSecretValueCommand({ SecretId: Name }));
  assert.equal(current.SecretString, "two");
  const previous = await secrets.send(new GetSecretValueCommand({ SecretId: Name,
    VersionStage: "AWSPREVIOUS" }));
  assert.equal(previous.VersionId, created.VersionId);

  const binaryName = unique("js/bin");
  await secrets.send(new CreateSecretCommand({ Name: binaryName,
    SecretBinary: new Uint8Array([9, 8, 7, 0]) }));
  const binary = await secrets.send(new GetSecretValueCommand({ SecretId: binaryName }));
  assert.deepEqual([...binary.SecretBinary], [9, 8, 7, 0]);

  const { SecretList } = await secrets.send(new ListSecretsCommand({
    Filters: [{ Key: "name", Values: [Name] }] }));
  assert.deepEqual(SecretList.map((s) => s.Name), [Name]);
  assert.equal(SecretList[0].Description, "from node");
  const described = await secrets.send(new DescribeSecretCommand({ SecretId: Name }));
  assert.equal(Object.keys(described.VersionIdsToStages).length, 2);

  const missing = await apiError(secrets.send(new GetSecretValueCommand({
    SecretId: unique("js/none") })));
  assert.equal(missing.name, "ResourceNotFoundException");
  assert.equal(missing.status, 400);
  const duplicate = await apiError(secrets.send(new CreateSecretCommand({ Name,
    SecretString: "x" })));
  assert.equal(duplicate.name, "ResourceExistsException");
});

// --- EventBridge ---------------------------------------------------------------------------------

check("events: buses and PutEvents with a malformed Detail entry", async () => {
  const Name = unique("js-bus");
  const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name }));
  assert.match(EventBusArn, new RegExp(`^arn:aws:events:us-east-1:\\d{12}:event-bus/${Name}$`));
  const described = await events.send(new DescribeEventBusCommand({ Name }));
  assert.equal(described.Arn, EventBusArn);
  const { EventBuses } = await events.send(new ListEventBusesCommand({ NamePrefix: Name }));
  assert.deepEqual(EventBuses.map((b) => b.Name), [Name]);

  const out = await events.send(new PutEventsCommand({ Entries: [
    { Source: "js.test", DetailType: "ok", Detail: JSON.stringify({ n: 1 }), EventBusName: Name },
    { Source: "js.test", DetailType: "bad", Detail: "{not json", EventBusName: Name },
    { Source: "js.test", DetailType: "default", Detail: "{}" },
  ] }));
  assert.equal(out.FailedEntryCount, 1);
  assert.equal(out.Entries.length, 3);
  assert.match(out.Entries[0].EventId, /\S/);
  assert.deepEqual(out.Entries[1], { ErrorCode: "MalformedDetail",
    ErrorMessage: "Detail is malformed." });
  assert.match(out.Entries[2].EventId, /\S/);

  const missing = await apiError(events.send(new DescribeEventBusCommand({
    Name: unique("no-bus") })));
  assert.equal(missing.name, "ResourceNotFoundException");
});

// --- a workflow calling SQS and DynamoDB ---------------------------------------------------------

async function runWorkflow(definition, input) {
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({
    name: unique("js-flow"), definition: JSON.stringify(definition), roleArn: ROLE }));
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn,
    input: JSON.stringify(input) }));
  for (let i = 0; i < 600; i++) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== "RUNNING") return described;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${executionArn} still RUNNING`);
}

check("sfn: a workflow sends to SQS and puts into DynamoDB", async () => {
  const { url } = await newQueue();
  const TableName = await newTable();
  const definition = { StartAt: "Send", States: {
    Send: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage",
      Parameters: { QueueUrl: url, "MessageBody.$": "$.note" }, ResultPath: "$.sent",
      Next: "Put" },
    Put: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:putItem",
      Parameters: { TableName, Item: { pk: { "S.$": "$.id" }, sk: { N: "0" },
        note: { "S.$": "$.note" }, "messageId": { "S.$": "$.sent.MessageId" } } },
      ResultPath: null, End: true },
  } };
  const done = await runWorkflow(definition, { id: "order-9", note: "ship it" });
  assert.equal(done.status, "SUCCEEDED", `${done.error}: ${done.cause}`);
  const output = JSON.parse(done.output);
  assert.equal(output.sent.MD5OfMessageBody, md5("ship it"));

  const [message, ...extra] = await receiveAll(url, 1);
  assert.equal(extra.length, 0);
  assert.equal(message.Body, "ship it");
  assert.equal(message.MessageId, output.sent.MessageId);
  const { Item } = await doc.send(new GetCommand({ TableName, Key: { pk: "order-9", sk: 0 } }));
  assert.deepEqual(Item, { pk: "order-9", sk: 0, note: "ship it",
    messageId: output.sent.MessageId });

  const failed = await runWorkflow({ StartAt: "Put", States: { Put: { Type: "Task",
    Resource: "arn:aws:states:::aws-sdk:dynamodb:putItem", End: true,
    Parameters: { TableName: unique("none"), Item: { pk: { S: "x" }, sk: { N: "0" } } } } } },
  {});
  assert.equal(failed.status, "FAILED");
  assert.equal(failed.error, "DynamoDb.ResourceNotFoundException");
});
