// What the browser test files share: the server's address and the artifacts folder (set by
// tests/console/run.py), an SDK client for setting things up through the API, the browser,
// pages that record script errors, screenshots, hostile strings, graph-status and execution waits.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before } from "node:test";
import { chromium } from "playwright-core";
import { CreateActivityCommand, CreateStateMachineCommand, DescribeExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";

export const endpoint = process.env.STEPWISE_ENDPOINT;
assert.ok(endpoint, "STEPWISE_ENDPOINT not set (run through tests/console/run.py)");
export const artifacts = process.env.STEPWISE_CONSOLE_ARTIFACTS ?? "console-screenshots";
mkdirSync(artifacts, { recursive: true });
export const role = "arn:aws:iam::123456789012:role/console-tests";
export const testKeys = { accessKeyId: "console-tests", secretAccessKey: "console-tests" };
// Settings for any SDK client of the server (Step Functions and the built-in services).
export const clientConfig = (url = endpoint, credentials = testKeys) =>
  ({ endpoint: url, region: "us-east-1", maxAttempts: 1, credentials });
export const sfn = new SFNClient({ ...clientConfig(), disableHostPrefix: true });
// tests/console/run.py: how oversubscribed the machine is (load average per core, at least 1);
// the time budgets stretch by it and results.json records it.
export const loadFactor = Number(process.env.STEPWISE_CONSOLE_LOAD_FACTOR ?? 1);

export const HOSTILE_IMG = `<img src=x onerror="window.__pwned='img'">`;
export const HOSTILE_SCRIPT = `<script>window.__pwned='script'</script>`;
export const enc = encodeURIComponent;

export function launch() {
  return chromium.launch({
    executablePath: process.env.STEPWISE_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

// A test file's browser: launched before its tests, closed after them. Returns newPage(theme).
export function sharedBrowser() {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });
  return (theme) => newPage(browser, theme);
}
// Names unique to this run of the tests (buckets and machines outlive a test file).
export const runId = Date.now().toString(36);

export async function newPage(browser, theme = "light") {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript((t) => localStorage.setItem("stepwise.theme", t), theme);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); void d.dismiss(); });
  page.errors = errors;
  return page;
}
export const shot = (page, name) => page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });

export async function waitStatus(page, state, status, timeout = 10_000) {
  await page.waitForFunction(([s, st]) =>
    [...document.querySelectorAll("svg.graph g.node")].some((g) => g.getAttribute("data-state") === s && g.getAttribute("data-status") === st),
  [state, status], { timeout });
}

// No element was made from the hostile strings and no injected script ran.
export async function assertInert(page, what) {
  assert.equal(await page.locator("main img, main script, main svg[onload], main b").count(), 0, `${what}: no element made from data`);
  assert.equal(await page.evaluate(() => window.__pwned ?? null), null, `${what}: no injected script ran`);
}

export async function createMachine(name, definition, type = "STANDARD") {
  const r = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: role, type }));
  return r.stateMachineArn;
}
export async function activity(name) {
  return (await sfn.send(new CreateActivityCommand({ name }))).activityArn;
}

// The execution's description once it is no longer RUNNING.
export async function finished(executionArn, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== "RUNNING") return d;
    assert.ok(Date.now() < end, `${executionArn} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
