// A Distributed Map's Map Run, and one of its child executions, from the Map Run API:
// DescribeMapRun (status, dates, MaxConcurrency, tolerated failures, item and execution counts by
// status, redrives), ListExecutions(mapRunArn) for the children (pages of 100, a status filter),
// DescribeExecution of a child, UpdateMapRun while it runs. The parent's definition (one
// DescribeStateMachineForExecution) adds the Map state's ItemReader/ItemBatcher/ResultWriter.
// URLs: #/maprun/<map run arn>?status=<child status filter>; a child is #/execution/<child arn>
// (pages/execution.ts hands it to childExecutionPage). Both follow the parent execution live.
import {
  DescribeExecutionCommand, DescribeMapRunCommand, DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand, UpdateMapRunCommand, type DescribeExecutionOutput, type DescribeMapRunOutput,
  type ExecutionListItem, type ExecutionStatus, type MapRunExecutionCounts, type MapRunItemCounts,
} from "@aws-sdk/client-sfn";
import { follow, sfn } from "../api";
import {
  errorBox, fmtDate, fmtDuration, h, link, linkRow, pretty, replace, spinner, statusBadge, table, type Child,
} from "../dom";
import type { Json } from "../graph/model";
import { childIndex, mapRunName, mapStateByLabel, resultLocation } from "../runs";

const PAGE_SIZE = 100;
const CHILD_STATUSES = ["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];
// Changes of the parent heard this close together cause one re-read.
const RELOAD_MS = 250;
// The counts' columns: the API's field, its heading, and the child status it filters by.
const COUNTS: [keyof MapRunItemCounts, string, string][] = [
  ["pending", "Pending", ""], ["running", "Running", "RUNNING"], ["succeeded", "Succeeded", "SUCCEEDED"],
  ["failed", "Failed", "FAILED"], ["timedOut", "Timed out", "TIMED_OUT"], ["aborted", "Aborted", "ABORTED"],
  ["total", "Total", ""], ["resultsWritten", "Results written", ""],
  ["pendingRedrive", "Pending redrive", "PENDING_REDRIVE"], ["failuresNotRedrivable", "Not redrivable", ""],
];

export const mapRunHref = (arn: string, status = "") =>
  `#/maprun/${encodeURIComponent(arn)}${status ? `?status=${encodeURIComponent(status)}` : ""}`;
const execHref = (arn: string) => `#/execution/${encodeURIComponent(arn)}`;
const machineHref = (arn: string) => `#/machine/${encodeURIComponent(arn)}`;
const short = (arn: string) => arn.split(":").pop() ?? arn;
const ms = (d: Date | undefined) => (d ? new Date(d).getTime() : undefined);
const duration = (start?: Date, stop?: Date) =>
  fmtDuration(start ? (ms(stop) ?? Date.now()) - new Date(start).getTime() : undefined);

// Calls `load` after changes of the parent execution, one at a time (changes heard meanwhile ask
// for one more), at most every RELOAD_MS. Returns the closer of the stream.
function followParent(parentArn: string, load: () => Promise<void>, onError: (e: unknown) => void,
                      live: HTMLElement): () => void {
  let busy = false, again = false, timer: number | undefined;
  const run = () => {
    timer = undefined;
    if (busy) { again = true; return; }
    busy = true;
    void load().catch(onError).finally(() => {
      busy = false;
      if (again) { again = false; schedule(); }
    });
  };
  const schedule = () => { if (timer === undefined) timer = window.setTimeout(run, RELOAD_MS); };
  const close = follow({ execution: parentArn }, schedule, schedule, (on) => live.classList.toggle("off", !on));
  return () => { close(); if (timer !== undefined) clearTimeout(timer); };
}

// Items and child executions by status: one row each; an execution count links to the children
// with that status.
function countsTable(run: DescribeMapRunOutput, arn: string): HTMLElement {
  const row = (kind: string, label: string, c: MapRunItemCounts | MapRunExecutionCounts | undefined) =>
    h("tr", { "data-kind": kind }, h("th", { scope: "row" }, label), COUNTS.map(([field, , status]) => {
      const n = c?.[field] ?? 0;
      const cell = kind === "executions" && status && n > 0 ? link(mapRunHref(arn, status), String(n)) : String(n);
      return h("td", { "data-count": field, class: n > 0 ? `count-${field}` : "zero" }, cell);
    }));
  return h("table", { class: "grid map-counts", "aria-label": "Counts by status" },
    h("thead", null, h("tr", null, h("th", null, ""), COUNTS.map(([, label]) => h("th", null, label)))),
    h("tbody", null, row("items", "Items", run.itemCounts), row("executions", "Child executions", run.executionCounts)));
}

// UpdateMapRun's form, for a running run: the three settings, filled with the current ones.
function updateForm(arn: string, run: DescribeMapRunOutput, done: () => void): HTMLElement {
  const field = (name: string, label: string, value: number | undefined, step: string) =>
    h("label", null, label, " ", h("input", { type: "number", min: 0, step, name, value: value ?? 0, "aria-label": label }));
  const form = h("form", { class: "toolbar map-run-update" },
    field("maxConcurrency", "Max concurrency", run.maxConcurrency, "1"),
    field("toleratedFailureCount", "Tolerated failure count", run.toleratedFailureCount, "1"),
    field("toleratedFailurePercentage", "Tolerated failure %", run.toleratedFailurePercentage, "any"),
    h("button", { type: "submit", "data-action": "update-map-run" }, "Update Map Run"),
    h("span", { class: "muted form-status", role: "status" }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = (n: string) => Number((form.elements.namedItem(n) as HTMLInputElement).value);
    const status = form.querySelector(".form-status")!;
    form.querySelector(".error")?.remove();
    try {
      await sfn().send(new UpdateMapRunCommand({
        mapRunArn: arn, maxConcurrency: value("maxConcurrency"),
        toleratedFailureCount: value("toleratedFailureCount"),
        toleratedFailurePercentage: value("toleratedFailurePercentage"),
      }));
      status.textContent = "Updated.";
      done();
    } catch (err) { form.appendChild(errorBox(err)); }
  });
  return form;
}

// The children, a page at a time, filtered by status (kept in the URL).
function childrenPanel(arn: string, query: URLSearchParams) {
  let status = CHILD_STATUSES.includes(query.get("status") ?? "") ? query.get("status")! : "";
  const tokens: (string | undefined)[] = [undefined];
  let page = 0;
  const select = h("select", { "aria-label": "Child status filter" },
    CHILD_STATUSES.map((s) => h("option", { value: s, selected: s === status }, s || "All statuses")));
  const info = h("span", { class: "muted timing" });
  const prev = h("button", { type: "button", disabled: true }, "← Previous");
  const next = h("button", { type: "button", disabled: true }, "Next →");
  const body = h("div", { class: "child-list" }, spinner());
  const el = h("section", null, h("h2", null, "Child executions"),
    h("div", { class: "toolbar" }, select, h("div", { class: "spacer" }), info, prev, next), body);
  const row = (e: ExecutionListItem) => {
    const tr = linkRow(execHref(e.executionArn!), String(childIndex(e.name) ?? "—"),
      h("a", { href: execHref(e.executionArn!), class: "name" }, e.name ?? ""),
      statusBadge(e.status), fmtDate(e.startDate), fmtDate(e.stopDate),
      e.stopDate ? duration(e.startDate, e.stopDate) : "—", e.itemCount === undefined ? "—" : String(e.itemCount));
    tr.classList.add("child");
    tr.dataset.status = e.status ?? "";
    return tr;
  };
  const load = async () => {
    const t0 = performance.now();
    const r = await sfn().send(new ListExecutionsCommand({
      mapRunArn: arn, maxResults: PAGE_SIZE, nextToken: tokens[page],
      statusFilter: (status || undefined) as ExecutionStatus | undefined,
    }));
    tokens[page + 1] = r.nextToken;
    tokens.length = page + 2;
    prev.disabled = page === 0;
    next.disabled = !r.nextToken;
    replace(body, table(["#", "Name", "Status", "Started", "Ended", "Duration", "Items"], (r.executions ?? []).map(row),
      status ? `No ${status} child executions.` : "No child executions yet."));
    info.textContent = `Page ${page + 1} · ${Math.round(performance.now() - t0)} ms`;
    body.dataset.loads = String(Number(body.dataset.loads ?? 0) + 1);
  };
  const show = () => void load().catch((e) => replace(body, errorBox(e)));
  select.addEventListener("change", () => {
    status = select.value;
    tokens.length = 1;
    page = 0;
    history.replaceState(null, "", mapRunHref(arn, status));
    show();
  });
  prev.addEventListener("click", () => { if (page > 0) { page--; show(); } });
  next.addEventListener("click", () => { if (tokens[page + 1]) { page++; show(); } });
  return { el, load };
}

export async function mapRunPage(root: HTMLElement, arn: string, query: URLSearchParams) {
  replace(root, h("h1", null, "Map Run"), spinner());
  let run = await sfn().send(new DescribeMapRunCommand({ mapRunArn: arn }));
  const parentArn = run.executionArn!;
  const name = mapRunName(arn);
  const [parent, machine] = await Promise.all([
    sfn().send(new DescribeExecutionCommand({ executionArn: parentArn })),
    sfn().send(new DescribeStateMachineForExecutionCommand({ executionArn: parentArn })).catch(() => undefined),
  ]);
  let definition: Json = {};
  try { definition = JSON.parse(machine?.definition ?? "{}"); } catch { /* no settings shown */ }
  const map = name ? mapStateByLabel(definition, name.label) : undefined;
  const st: Json = map?.state ?? {};
  const parentHref = execHref(parentArn);
  let parentDesc: DescribeExecutionOutput = parent;
  const live = h("span", { class: "live off", title: "Live updates" }, "● live");
  const head = h("div"), counts = h("div"), formBox = h("div");
  const children = childrenPanel(arn, query);
  const setting = (k: string): Child => st[k] === undefined ? null
    : [h("dt", null, k), h("dd", null, h("code", null, JSON.stringify(st[k])))];
  const results = name ? resultLocation(st, name.id) : undefined;
  const draw = () => {
    replace(head,
      h("div", { class: "page-head" }, h("h1", null, `Map Run of ${map?.name ?? name?.label ?? "a Map state"}`),
        statusBadge(run.status), live),
      h("dl", { class: "facts map-run-facts" },
        h("dt", null, "Execution"), h("dd", null, link(parentHref, parentDesc.name ?? short(parentArn)), " ", statusBadge(parentDesc.status)),
        map ? [h("dt", null, "Map state"), h("dd", null, link(`${parentHref}?view=inspector&state=${encodeURIComponent(map.name)}`, map.name))] : null,
        name ? [h("dt", null, "State machine"), h("dd", null, link(machineHref(name.machineArn), short(name.machineArn)))] : null,
        h("dt", null, "Started"), h("dd", null, fmtDate(run.startDate)),
        h("dt", null, "Ended"), h("dd", null, fmtDate(run.stopDate)),
        h("dt", null, "Duration"), h("dd", null, duration(run.startDate, run.stopDate)),
        h("dt", null, "Max concurrency"), h("dd", { "data-field": "maxConcurrency" }, run.maxConcurrency ? String(run.maxConcurrency) : "0 (no limit)"),
        h("dt", null, "Tolerated failure count"), h("dd", { "data-field": "toleratedFailureCount" }, String(run.toleratedFailureCount ?? 0)),
        h("dt", null, "Tolerated failure percentage"), h("dd", { "data-field": "toleratedFailurePercentage" }, `${run.toleratedFailurePercentage ?? 0}%`),
        h("dt", null, "Redrives"), h("dd", { "data-field": "redriveCount" }, String(run.redriveCount ?? 0),
          run.redriveDate ? ` (last ${fmtDate(run.redriveDate)})` : ""),
        ["ItemReader", "ItemBatcher", "ResultWriter"].map(setting),
        results ? [h("dt", null, "Results"), h("dd", null, link(`#/bucket/${encodeURIComponent(results.bucket)}?prefix=${encodeURIComponent(results.prefix)}`,
          `s3://${results.bucket}/${results.prefix}`))] : null,
        h("dt", null, "ARN"), h("dd", { class: "mono" }, arn)));
    replace(counts, h("h2", null, "Counts by status"), countsTable(run, arn));
    if (run.status !== "RUNNING") replace(formBox);
  };
  const load = async () => {
    [run, parentDesc] = await Promise.all([
      sfn().send(new DescribeMapRunCommand({ mapRunArn: arn })),
      sfn().send(new DescribeExecutionCommand({ executionArn: parentArn })),
      children.load(),
    ]);
    draw();
  };
  draw();
  if (run.status === "RUNNING") replace(formBox, updateForm(arn, run, () => void load()));
  replace(root, head, formBox, counts, children.el);
  await children.load();
  return followParent(parentArn, load, (e) => root.prepend(errorBox(e)), live);
}

// A Map Run's child execution: what DescribeExecution answers for it (status, dates, input,
// output, error, cause), linked to its Map Run and the parent. Children record no events of
// their own in Stepwise (docs/API.md, "Map Runs"), so there is no graph or history to show.
export async function childExecutionPage(root: HTMLElement, arn: string) {
  replace(root, spinner());
  let desc = await sfn().send(new DescribeExecutionCommand({ executionArn: arn }));
  const runArn = desc.mapRunArn;
  const run = runArn ? await sfn().send(new DescribeMapRunCommand({ mapRunArn: runArn })) : undefined;
  const name = mapRunName(arn);
  const live = h("span", { class: "live off", title: "Live updates" }, "● live");
  const io = (text: string | undefined, shown: boolean | undefined, label: string) =>
    h("div", { class: "io" }, h("h4", null, label),
      text !== undefined ? h("pre", { class: "json" }, pretty(text))
        : h("p", { class: "muted" }, shown === false ? "Not kept: larger than the server keeps for a child." : "—"));
  const draw = () => replace(root,
    h("div", { class: "page-head" }, h("h1", null, desc.name ?? short(arn)), statusBadge(desc.status), live),
    h("dl", { class: "facts child-facts" },
      runArn ? [h("dt", null, "Map Run"), h("dd", { class: "map-run-link" }, link(mapRunHref(runArn), short(runArn)), " ", statusBadge(run?.status))] : null,
      run?.executionArn ? [h("dt", null, "Parent execution"), h("dd", { class: "parent" }, link(execHref(run.executionArn), short(run.executionArn)))] : null,
      name ? [h("dt", null, "State machine"), h("dd", null, link(machineHref(name.machineArn), short(name.machineArn)), ` (Map state ${name.label})`)] : null,
      h("dt", null, "Iteration"), h("dd", { "data-field": "index" }, String(childIndex(desc.name) ?? "—")),
      h("dt", null, "Started"), h("dd", null, fmtDate(desc.startDate)),
      h("dt", null, "Ended"), h("dd", null, fmtDate(desc.stopDate)),
      h("dt", null, "Duration"), h("dd", null, duration(desc.startDate, desc.stopDate)),
      h("dt", null, "Redrive"), h("dd", null, desc.redriveStatus ?? "—", desc.redriveStatusReason ? ` (${desc.redriveStatusReason})` : ""),
      h("dt", null, "ARN"), h("dd", { class: "mono" }, arn)),
    desc.error || desc.cause ? h("div", { class: "error-detail" }, h("strong", null, desc.error ?? "Error"),
      desc.cause ? h("pre", { class: "json" }, pretty(desc.cause)) : null) : null,
    h("div", { class: "split io-pair" }, io(desc.input, desc.inputDetails?.included, "Input"),
      io(desc.output, desc.outputDetails?.included, "Output")),
    h("p", { class: "muted small" }, "A Map Run's child runs inside its parent execution here and records no events of its own."));
  draw();
  if (!run?.executionArn) return undefined;
  return followParent(run.executionArn, async () => {
    if (desc.status !== "RUNNING") return;
    desc = await sfn().send(new DescribeExecutionCommand({ executionArn: arn }));
    draw();
  }, (e) => root.prepend(errorBox(e)), live);
}
