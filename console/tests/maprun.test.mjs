// Browser tests of the Map Run pages (pages/maprun.ts) against the same `stepwise serve`: a
// Distributed Map reading items from the built-in S3 and writing results back; one with 150
// inline items and tolerated failures (counts by status for items and child executions, the
// children paged and filtered by status with the filter in a URL that reloads, a child's page
// and the links both ways); and a running one watched live while UpdateMapRun raises its
// MaxConcurrency from the page. Hostile strings in items and causes stay text.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DescribeMapRunCommand, GetActivityTaskCommand, ListMapRunsCommand, SendTaskFailureCommand,
  SendTaskSuccessCommand, StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  HOSTILE_IMG, HOSTILE_SCRIPT, activity, assertInert, clientConfig, createMachine, enc, endpoint,
  finished, runId, sfn, sharedBrowser, shot,
} from "./support.mjs";

const s3 = new S3Client({ ...clientConfig(), forcePathStyle: true });
const run = runId;
const newPage = sharedBrowser();

// One row of the counts table ("items" or "executions") as {pending: 0, running: 1, ...}.
const counts = (page, kind) => page.locator(`table.map-counts tr[data-kind=${kind}] td`).evaluateAll((tds) =>
  Object.fromEntries(tds.map((td) => [td.dataset.count, Number(td.textContent)])));
const subset = (all, want) => Object.fromEntries(Object.keys(want).map((k) => [k, all[k]]));
// Waits until a row of the counts table shows `want` (the page follows the run live).
async function waitCounts(page, kind, want, timeout = 15_000) {
  await page.waitForFunction(([k, w]) => {
    const tds = [...document.querySelectorAll(`table.map-counts tr[data-kind=${k}] td`)];
    return tds.length > 0 && Object.entries(w).every(([f, n]) => tds.some((td) => td.dataset.count === f && Number(td.textContent) === n));
  }, [kind, want], { timeout });
}
const childRows = (page) => page.locator(".child-list tr.child");
const fact = (page, field) => page.locator(`dl.map-run-facts dd[data-field=${field}]`).textContent();
async function openMapRun(page, executionArn) {
  await page.goto(`${endpoint}/#/execution/${enc(executionArn)}`);
  const row = page.locator(".map-runs tr.map-run");
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  await row.locator("a").click();
  await page.waitForURL(/#\/maprun\//);
  await page.locator("table.map-counts").waitFor();
}

test("a Distributed Map reading items from S3: its Map Run, counts, children, result files", async () => {
  const bucket = `console-maps-${run}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const items = [{ id: 1, note: HOSTILE_IMG }, { id: 2, note: HOSTILE_SCRIPT }, { id: 3, note: "plain" }];
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/items.json", Body: JSON.stringify(items), ContentType: "application/json" }));
  const arn = await createMachine(`distributed-${run}`, {
    StartAt: "Fan out",
    States: {
      "Fan out": {
        Type: "Map", End: true, MaxConcurrency: 2,
        ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "JSON" },
          Parameters: { Bucket: bucket, Key: "in/items.json" } },
        ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: "Work", States: { Work: { Type: "Pass", Parameters: { "done.$": "$.id", "note.$": "$.note" }, End: true } } },
        ResultWriter: { Resource: "arn:aws:states:::s3:putObject", Parameters: { Bucket: bucket, Prefix: "out" } },
      },
    },
  });
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "from-s3", input: "{}" }));
  assert.equal((await finished(executionArn)).status, "SUCCEEDED");
  const page = await newPage();
  await openMapRun(page, executionArn);
  const [{ mapRunArn }] = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns;
  assert.equal(decodeURIComponent(page.url().split("#/maprun/")[1]), mapRunArn, "the URL names the run alone");
  assert.deepEqual(subset(await counts(page, "items"), { pending: 0, running: 0, succeeded: 3, failed: 0, total: 3 }),
    { pending: 0, running: 0, succeeded: 3, failed: 0, total: 3 });
  assert.deepEqual(subset(await counts(page, "executions"), { succeeded: 3, total: 3 }), { succeeded: 3, total: 3 });
  assert.equal(await fact(page, "maxConcurrency"), "2");
  await page.locator(".page-head .badge[data-status=SUCCEEDED]").waitFor();
  await childRows(page).first().waitFor();
  assert.equal(await childRows(page).count(), 3);
  assert.equal(await page.locator(".child-list tr.child[data-status=SUCCEEDED]").count(), 3);
  await assertInert(page, "map run");
  await shot(page, "21-map-run");
  // A child: its input (a hostile item) shown as text, and the way back.
  await childRows(page).first().locator("a.name").click();
  await page.waitForURL(/#\/execution\//);
  await page.locator("dl.child-facts dd.map-run-link a").waitFor();
  assert.match(await page.locator(".io pre.json").first().textContent(), /"id": \d/);
  await assertInert(page, "map run child");
  await page.locator("dl.child-facts dd.map-run-link a").click();
  await page.waitForURL(/#\/maprun\//);
  // The ResultWriter's files, on the bucket page at the run's prefix.
  await page.locator("dl.map-run-facts a", { hasText: `s3://${bucket}/out/` }).click();
  await page.locator("a", { hasText: "manifest.json" }).first().waitFor();
  await assertInert(page, "result files");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("150 items with tolerated failures: counts, children paged and filtered, a child's page", async () => {
  const arn = await createMachine(`tolerant-${run}`, {
    StartAt: "Each",
    States: {
      Each: {
        Type: "Map", End: true, ItemsPath: "$.items", ToleratedFailurePercentage: 20, MaxConcurrency: 40,
        ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Check",
          States: {
            Check: { Type: "Choice", Choices: [{ Variable: "$.bad", BooleanEquals: true, Next: "Boom" }], Default: "Fine" },
            Boom: { Type: "Fail", Error: "Bad.Item", Cause: HOSTILE_SCRIPT },
            Fine: { Type: "Succeed" },
          } },
      },
    },
  });
  const items = Array.from({ length: 150 }, (_, i) => ({ i, bad: i % 10 === 3, note: HOSTILE_IMG }));
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "tolerant-1", input: JSON.stringify({ items }) }));
  assert.equal((await finished(executionArn)).status, "SUCCEEDED");
  const page = await newPage("dark");
  await openMapRun(page, executionArn);
  const want = { pending: 0, running: 0, succeeded: 135, failed: 15, total: 150 };
  assert.deepEqual(subset(await counts(page, "items"), want), want);
  assert.deepEqual(subset(await counts(page, "executions"), want), want);
  assert.equal(await fact(page, "toleratedFailurePercentage"), "20%");
  assert.equal(await fact(page, "toleratedFailureCount"), "0");
  assert.equal(await fact(page, "maxConcurrency"), "40");
  // Pages of 100.
  await childRows(page).first().waitFor();
  assert.equal(await childRows(page).count(), 100);
  const loads = () => page.locator(".child-list").getAttribute("data-loads").then(Number);
  const turn = async (label, rows) => {
    const before = await loads();
    await page.locator("button", { hasText: label }).click();
    await page.waitForFunction((b) => Number(document.querySelector(".child-list").dataset.loads) > b, before);
    assert.equal(await childRows(page).count(), rows, label);
  };
  await turn("Next →", 50);
  await turn("← Previous", 100);
  // The failed count links to the failed children; the filter is in the URL, which reloads.
  await page.locator("table.map-counts tr[data-kind=executions] td[data-count=failed] a").click();
  await page.waitForURL(/status=FAILED/);
  await page.locator(".child-list tr.child").first().waitFor();
  assert.equal(await childRows(page).count(), 15);
  await page.reload();
  await page.locator(".child-list tr.child").first().waitFor();
  assert.equal(await childRows(page).count(), 15);
  assert.equal(await page.locator(".child-list tr.child[data-status=FAILED]").count(), 15);
  assert.equal(await page.locator("select[aria-label='Child status filter']").inputValue(), "FAILED");
  await shot(page, "22-map-run-tolerated-dark");
  // A failed child: its error and cause (hostile) as text; links to its run and the parent.
  await childRows(page).first().locator("a.name").click();
  await page.locator(".page-head .badge[data-status=FAILED]").waitFor();
  assert.match(await page.locator(".error-detail").textContent(), /Bad\.Item/);
  assert.ok((await page.locator(".error-detail pre").textContent()).includes(HOSTILE_SCRIPT), "the cause is shown as text");
  const input = JSON.parse(await page.locator(".io pre.json").first().textContent());
  assert.equal(input.bad, true);
  assert.equal(await page.locator("dl.child-facts dd[data-field=index]").textContent(), String(input.i), "the iteration is its item's index");
  await assertInert(page, "failed child");
  await shot(page, "34-map-run-child");
  await page.locator("dl.child-facts dd.parent a").click();
  await page.waitForURL(/tolerant-1/);
  await page.locator(".map-runs tr.map-run[data-status=SUCCEEDED]").waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a running Map Run followed live, its MaxConcurrency raised from the page", async () => {
  const act = await activity(`console-map-work-${run}`);
  const arn = await createMachine(`throttled-${run}`, {
    StartAt: "Slowly",
    States: {
      Slowly: {
        Type: "Map", End: true, ItemsPath: "$.items", MaxConcurrency: 1, ToleratedFailureCount: 2,
        ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work",
          States: { Work: { Type: "Task", Resource: act, End: true } } },
      },
    },
  });
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "throttled-1",
    input: JSON.stringify({ items: [{ n: 1 }, { n: 2 }, { n: 3 }] }) }));
  const page = await newPage();
  await openMapRun(page, executionArn);
  await page.locator(".page-head .badge[data-status=RUNNING]").waitFor();
  await page.locator(".page-head .live:not(.off)").waitFor();
  await waitCounts(page, "executions", { running: 1, pending: 2, total: 3 });
  assert.equal(await fact(page, "toleratedFailureCount"), "2");
  await shot(page, "35-map-run-running");
  // UpdateMapRun from the form: all three may run now.
  await page.fill("input[name=maxConcurrency]", "3");
  await page.locator("button[data-action=update-map-run]").click();
  await page.locator("form.map-run-update .form-status", { hasText: "Updated." }).waitFor();
  const [{ mapRunArn }] = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns;
  assert.equal((await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).maxConcurrency, 3);
  await waitCounts(page, "executions", { running: 3, pending: 0 });
  assert.equal(await fact(page, "maxConcurrency"), "3");
  // Each finished task shows up without a reload.
  for (let done = 1; done <= 3; done++) {
    const task = await sfn.send(new GetActivityTaskCommand({ activityArn: act, workerName: "console-test" }));
    assert.ok(task.taskToken, "an iteration waits on the activity");
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: JSON.stringify({ done }) }));
    await waitCounts(page, "items", { succeeded: done });
  }
  await page.locator(".page-head .badge[data-status=SUCCEEDED]").waitFor();
  assert.equal(await page.locator("form.map-run-update").count(), 0, "an ended run has no update form");
  await page.waitForFunction(() => document.querySelectorAll(".child-list tr.child[data-status=SUCCEEDED]").length === 3);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a failed Map Run redriven through its parent's Redrive button keeps its ARN and counts the redrive", async () => {
  const act = await activity(`console-map-redrive-${run}`);
  const arn = await createMachine(`redriven-${run}`, {
    StartAt: "One by one",
    States: {
      "One by one": {
        Type: "Map", End: true, ItemsPath: "$.items", MaxConcurrency: 1,
        ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work",
          States: { Work: { Type: "Task", Resource: act, End: true } } },
      },
    },
  });
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "redriven-1",
    input: JSON.stringify({ items: [{ n: 1 }, { n: 2 }] }) }));
  const answer = async (ok) => {
    const task = await sfn.send(new GetActivityTaskCommand({ activityArn: act, workerName: "console-test" }));
    assert.ok(task.taskToken, "an iteration waits on the activity");
    await sfn.send(ok ? new SendTaskSuccessCommand({ taskToken: task.taskToken, output: "{}" })
      : new SendTaskFailureCommand({ taskToken: task.taskToken, error: "Work.Failed", cause: HOSTILE_SCRIPT }));
  };
  await answer(false);
  assert.equal((await finished(executionArn)).status, "FAILED");
  const page = await newPage();
  await openMapRun(page, executionArn);
  const mapRunUrl = page.url();
  await page.locator(".page-head .badge[data-status=FAILED]").waitFor();
  await waitCounts(page, "executions", { failed: 1, pending: 1, total: 2 });
  assert.equal(await fact(page, "redriveCount"), "0");
  // Redrive from the parent's page (linked from the run), then back to the same run's page.
  await page.locator("dl.map-run-facts dd a", { hasText: "redriven-1" }).click();
  await page.waitForURL(/#\/execution\//);
  await page.locator("button[data-action=redrive]").click();
  await page.locator(".page-head .badge[data-status=RUNNING]").waitFor();
  await page.locator(".map-runs tr.map-run[data-status=RUNNING] a").click();
  await page.waitForURL(/#\/maprun\//);
  assert.equal(page.url(), mapRunUrl, "the redriven run is the same run");
  await page.locator(".page-head .badge[data-status=RUNNING]").waitFor();
  assert.match(await fact(page, "redriveCount"), /^1 \(last /);
  await waitCounts(page, "executions", { running: 1, failed: 0, pending: 1 });
  await answer(true);
  await answer(true);
  await page.locator(".page-head .badge[data-status=SUCCEEDED]").waitFor();
  await waitCounts(page, "executions", { succeeded: 2, failed: 0, pendingRedrive: 0, total: 2 });
  await shot(page, "36-map-run-redriven");
  assert.equal((await sfn.send(new DescribeMapRunCommand({ mapRunArn: decodeURIComponent(mapRunUrl.split("#/maprun/")[1]) }))).redriveCount, 1);
  await assertInert(page, "redriven map run");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
