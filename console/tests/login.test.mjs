// Browser test of signing in: a second `stepwise serve` with --auth-keys (run.py starts it and
// sets STEPWISE_AUTH_ENDPOINT, STEPWISE_AUTH_KEY_ID, STEPWISE_AUTH_SECRET). The console asks for
// the key, refuses a wrong secret with AWS's error, and with the right key lists machines,
// follows an execution live (the stream needs a ticket) and reads a built-in service; the
// services this server does not run say so.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  CreateActivityCommand, CreateStateMachineCommand, GetActivityTaskCommand, SFNClient, SendTaskSuccessCommand,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { clientConfig, enc, launch, newPage, role, shot, waitStatus } from "./support.mjs";

const endpoint = process.env.STEPWISE_AUTH_ENDPOINT;
const keyId = process.env.STEPWISE_AUTH_KEY_ID;
const secret = process.env.STEPWISE_AUTH_SECRET;
assert.ok(endpoint && keyId && secret, "STEPWISE_AUTH_* not set (run through tests/console/run.py)");
const credentials = { accessKeyId: keyId, secretAccessKey: secret };
const sfn = new SFNClient({ ...clientConfig(endpoint, credentials), disableHostPrefix: true });
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, id, key) {
  await page.fill("input[name=accessKeyId]", id);
  await page.fill("input[name=secretAccessKey]", key);
  await page.locator("form.login button[type=submit]").click();
}

test("with --auth-keys the console asks for the key, refuses a wrong one, works with the right one", async () => {
  const act = (await sfn.send(new CreateActivityCommand({ name: "signed-approve" }))).activityArn;
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "signed-flow", roleArn: role,
    definition: JSON.stringify({ StartAt: "Ask", States: { Ask: { Type: "Task", Resource: act, Next: "Done" }, Done: { Type: "Succeed" } } }) }));
  await new SQSClient(clientConfig(endpoint, credentials)).send(new CreateQueueCommand({ QueueName: "signed-queue" }));
  // An unsigned call is refused, as AWS refuses it.
  const unsigned = await fetch(`${endpoint}/`, { method: "POST", body: "{}",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AWSStepFunctions.ListStateMachines" } });
  assert.equal(unsigned.status, 400);

  const page = await newPage(browser);
  await page.goto(`${endpoint}/#/machines`);
  await page.waitForURL(/#\/login/);
  await page.locator("form.login").waitFor();
  await shot(page, "31-login");
  await signIn(page, keyId, "not-the-secret");
  const error = page.locator("form.login .error");
  await error.waitFor();
  assert.match(await error.textContent(), /InvalidSignatureException: The request signature we calculated does not match the signature you provided/);
  await shot(page, "32-login-refused");
  await signIn(page, "AKIAUNKNOWN", secret);
  await page.locator("form.login .error", { hasText: "UnrecognizedClientException" }).waitFor();
  assert.match(page.url(), /#\/login/);

  await signIn(page, keyId, secret);
  await page.waitForURL(/#\/machines/);
  await page.locator("tr.link-row", { hasText: "signed-flow" }).waitFor();
  assert.equal(await page.locator("header .auth-link").textContent(), "Sign out");
  // Live: the execution page's stream needs a ticket (signed GET), then sees the task answered.
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: "signed-1", input: "{}" }));
  await page.goto(`${endpoint}/#/execution/${enc(executionArn)}`);
  await waitStatus(page, "Ask", "RUNNING");
  await page.locator(".live:not(.off)").waitFor();
  const task = await sfn.send(new GetActivityTaskCommand({ activityArn: act, workerName: "login-test" }));
  assert.ok(task.taskToken, "the activity task was handed out");
  await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: "{}" }));
  await waitStatus(page, "Done", "SUCCEEDED");
  // The service pages sign for their own services (sqs here).
  await page.goto(`${endpoint}/#/queues`);
  await page.locator("tr.link-row", { hasText: "signed-queue" }).waitFor();
  // This server runs only SQS (run.py): the other service pages say so.
  for (const [route, service] of [["tables", "DynamoDB"], ["buckets", "S3"], ["topics", "SNS"], ["buses", "EventBridge"]]) {
    await page.goto(`${endpoint}/#/${route}`);
    await page.locator(".empty", { hasText: `This server does not run the built-in ${service}.` }).waitFor();
  }
  await shot(page, "33-service-not-enabled");
  // The inbox's task list is a signed console route.
  await page.goto(`${endpoint}/#/inbox`);
  await page.locator(".empty, article.task").first().waitFor();
  assert.equal(await page.locator(".error").count(), 0);
  // Signing out forgets the key: the next page asks again.
  await page.locator("header .auth-link").click();
  await page.waitForURL(/#\/login/);
  await page.goto(`${endpoint}/#/machines`);
  await page.waitForURL(/#\/login/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
