// The AWS SDK for JavaScript v3 (@aws-sdk/client-sfn) against `stepwise serve`: a representative
// run (create, start, sync start, describe, history, list, stop, errors). Run through
// tests/clients/run.py, which starts the server and sets STEPWISE_ENDPOINT.
//
// `disableHostPrefix: true` keeps StartSyncExecution on the endpoint's host instead of
// `sync-<host>` (docs/API.md).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  paginateListStateMachines,
} from "@aws-sdk/client-sfn";

const endpoint = process.env.STEPWISE_ENDPOINT;
assert.ok(endpoint, "STEPWISE_ENDPOINT not set (run through tests/clients/run.py)");
const role = "arn:aws:iam::123456789012:role/stepwise-clients";
const sfn = new SFNClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDSTEPWISECLIENTS", secretAccessKey: "stepwise-clients-secret" },
  disableHostPrefix: true,
  maxAttempts: 1,
});

const passDef = {
  StartAt: "Hello",
  States: { Hello: { Type: "Pass", Result: { greeting: "hi" }, ResultPath: "$.pass", End: true } },
};
const fiveStateDef = {
  StartAt: "Init",
  States: {
    Init: { Type: "Pass", Parameters: { "n.$": "$.n", tag: "five" }, Next: "Double" },
    Double: { Type: "Pass", Parameters: { "n.$": "States.MathAdd($.n, $.n)", "tag.$": "$.tag" },
              Next: "Check" },
    Check: { Type: "Choice", Default: "Label",
             Choices: [{ Variable: "$.n", NumericGreaterThan: 1000, Next: "Done" }] },
    Label: { Type: "Pass", Result: "small", ResultPath: "$.size", Next: "Done" },
    Done: { Type: "Succeed" },
  },
};
const unique = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function createMachine(definition, extra = {}) {
  const name = unique("js");
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({
    name, definition: JSON.stringify(definition), roleArn: role, ...extra }));
  return { name, arn: stateMachineArn };
}

async function waitClosed(executionArn) {
  for (let i = 0; i < 600; i++) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== "RUNNING") return described;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${executionArn} still RUNNING`);
}

// The SDK error for a failed call: its name, message and HTTP status.
async function apiError(promise) {
  try {
    await promise;
  } catch (error) {
    return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
  }
  assert.fail("the call succeeded");
}

test("create, describe and list state machines", async () => {
  const { name, arn } = await createMachine(passDef);
  assert.match(arn, new RegExp(`^arn:aws:states:[^:]+:\\d+:stateMachine:${name}$`));
  const again = await sfn.send(new CreateStateMachineCommand({
    name, definition: JSON.stringify(passDef), roleArn: role }));
  assert.equal(again.stateMachineArn, arn, "create is idempotent");
  const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
  assert.equal(described.name, name);
  assert.equal(described.status, "ACTIVE");
  assert.equal(described.type, "STANDARD");
  assert.ok(described.creationDate instanceof Date, "epoch-second timestamps become Dates");
  assert.deepEqual(JSON.parse(described.definition), passDef);
  await createMachine(passDef);
  const listed = [];
  for await (const page of paginateListStateMachines({ client: sfn, pageSize: 1 }, {})) {
    assert.ok(page.stateMachines.length <= 1);
    listed.push(...page.stateMachines.map((m) => m.stateMachineArn));
  }
  assert.ok(listed.includes(arn));
  assert.equal(new Set(listed).size, listed.length, "no machine listed twice");
});

test("start, describe, history and list executions", async () => {
  const { name, arn } = await createMachine(passDef);
  const started = await sfn.send(new StartExecutionCommand({
    stateMachineArn: arn, name: "run1", input: JSON.stringify({ a: 1 }) }));
  assert.ok(started.executionArn.endsWith(`:execution:${name}:run1`));
  const described = await waitClosed(started.executionArn);
  assert.equal(described.status, "SUCCEEDED");
  assert.deepEqual(JSON.parse(described.output), { a: 1, pass: { greeting: "hi" } });
  assert.ok(described.stopDate >= described.startDate);

  const { events } = await sfn.send(new GetExecutionHistoryCommand({
    executionArn: started.executionArn }));
  assert.deepEqual(events.map((e) => e.type),
    ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
  assert.deepEqual(events.map((e) => e.id), [1, 2, 3, 4]);
  const reversed = await sfn.send(new GetExecutionHistoryCommand({
    executionArn: started.executionArn, reverseOrder: true, maxResults: 2 }));
  assert.deepEqual(reversed.events.map((e) => e.id), [4, 3]);
  assert.ok(reversed.nextToken);

  const { executions } = await sfn.send(new ListExecutionsCommand({
    stateMachineArn: arn, statusFilter: "SUCCEEDED" }));
  assert.deepEqual(executions.map((e) => e.executionArn), [started.executionArn]);
});

test("start sync execution on an express machine", async () => {
  const { arn } = await createMachine(fiveStateDef, { type: "EXPRESS" });
  const answer = await sfn.send(new StartSyncExecutionCommand({
    stateMachineArn: arn, input: JSON.stringify({ n: 3 }) }));
  assert.equal(answer.status, "SUCCEEDED");
  assert.deepEqual(JSON.parse(answer.output), { n: 6, tag: "five", size: "small" });
  assert.match(answer.executionArn, /:express:/);
});

test("stop a running execution, and an activity worker answers another", async () => {
  const { activityArn } = await sfn.send(new CreateActivityCommand({ name: unique("js-act") }));
  const { arn } = await createMachine({
    StartAt: "Work", States: { Work: { Type: "Task", Resource: activityArn, End: true } } });
  const toStop = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
  const stopped = await sfn.send(new StopExecutionCommand({
    executionArn: toStop.executionArn, error: "Js.Stop", cause: "from node" }));
  assert.ok(stopped.stopDate instanceof Date);
  const aborted = await sfn.send(new DescribeExecutionCommand({
    executionArn: toStop.executionArn }));
  assert.deepEqual([aborted.status, aborted.error, aborted.cause],
    ["ABORTED", "Js.Stop", "from node"]);

  const toWork = await sfn.send(new StartExecutionCommand({
    stateMachineArn: arn, input: JSON.stringify({ job: 5 }) }));
  const task = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: "node" }));
  assert.deepEqual(JSON.parse(task.input), { job: 5 });
  await sfn.send(new SendTaskSuccessCommand({
    taskToken: task.taskToken, output: JSON.stringify({ done: true }) }));
  const finished = await waitClosed(toWork.executionArn);
  assert.equal(finished.status, "SUCCEEDED");
  assert.deepEqual(JSON.parse(finished.output), { done: true });
});

test("errors carry AWS's names and messages", async () => {
  const { arn } = await createMachine(passDef);
  const missing = `${arn}-missing`;
  let error = await apiError(sfn.send(new DescribeStateMachineCommand({
    stateMachineArn: missing })));
  assert.deepEqual(error, { name: "StateMachineDoesNotExist", status: 400,
    message: `State Machine Does Not Exist: '${missing}'` });
  error = await apiError(sfn.send(new DescribeExecutionCommand({ executionArn: "not-an-arn" })));
  assert.equal(error.name, "InvalidArn");
  assert.equal(error.message, "Invalid Arn: 'Invalid ARN prefix: not-an-arn'");
  error = await apiError(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn })));
  assert.equal(error.name, "StateMachineTypeNotSupported");
  error = await apiError(sfn.send(new ListStateMachinesCommand({ maxResults: 1001 })));
  assert.equal(error.name, "ValidationException");
  await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
});
