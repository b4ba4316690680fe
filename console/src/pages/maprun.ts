// A Distributed Map's Map Run: its status, the Map state's settings, counts of iterations by
// status and the iterations themselves. Stepwise runs a Map Run's iterations inside the parent
// execution (there are no child executions to open, and no ListMapRuns/DescribeMapRun yet), so
// this page reads what the execution recorded: MapRunStarted/MapRunSucceeded/MapRunFailed in its
// history, and the results, from the ResultWriter's files in S3 or the Map state's output.
// URL: #/maprun/<map run arn>?execution=<execution arn>. Follows the execution live.
import { DescribeExecutionCommand, DescribeStateMachineForExecutionCommand } from "@aws-sdk/client-sfn";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { follow, sfn } from "../api";
import { errorBox, fmtDate, fmtDuration, h, link, pretty, replace, spinner, statusBadge, table, type Child } from "../dom";
import { machineGraph, nodesByName, stateAt, type Json } from "../graph/model";
import { analyse } from "../history";
import { failedResult, mapResults, mapRunsOf, type MapRun } from "../runs";
import { objectHref, s3 } from "../services/buckets";
import { readHistory } from "./execution";

// Iterations listed (the counts cover every one) and characters of a value shown in a cell.
const ROWS_MAX = 1000;
const CELL_CHARS = 160;
// Result files read from S3 at most (each holds many iterations).
const FILES_MAX = 50;

interface Iteration {
  index: number; name?: string; status: string; input?: string; output?: string;
  error?: string; cause?: string; start?: string; stop?: string;
}

const STATUSES = ["SUCCEEDED", "FAILED", "PENDING"] as const;

async function readJson(bucket: string, key: string): Promise<Json> {
  const r = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await r.Body?.transformToString()) ?? "null");
}

// The iterations from the ResultWriter's manifest and result files.
async function fromWriter(bucket: string, key: string): Promise<{ items: Iteration[]; files: string[] }> {
  const manifest = await readJson(bucket, key);
  const files: string[] = [];
  for (const st of STATUSES) for (const f of manifest?.ResultFiles?.[st] ?? []) if (typeof f?.Key === "string") files.push(f.Key);
  const items: Iteration[] = [];
  for (const k of files.slice(0, FILES_MAX)) {
    const entries = await readJson(bucket, k);
    for (const e of Array.isArray(entries) ? entries : []) {
      const name = String(e?.Name ?? "");
      const index = Number(/_(\d+)$/.exec(name)?.[1] ?? items.length);
      items.push({ index, name, status: String(e?.Status ?? "?"), input: e?.Input, output: e?.Output,
        error: e?.Error, cause: e?.Cause, start: e?.StartDate, stop: e?.StopDate });
    }
  }
  items.sort((a, b) => a.index - b.index);
  return { items, files: [key, ...files] };
}

const clip = (v: unknown): Child => {
  if (v === undefined || v === null) return h("span", { class: "muted" }, "—");
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return h("code", { title: text.slice(0, 4000) }, text.length > CELL_CHARS ? text.slice(0, CELL_CHARS) + "…" : text);
};

function counts(items: Iteration[] | undefined, m: MapRun): HTMLElement {
  const n = (st: string) => (items ? String(items.filter((i) => i.status === st).length) : "—");
  const cells: [string, string][] = [
    ["Succeeded", n("SUCCEEDED")], ["Failed", n("FAILED")], ["Pending", n("PENDING")],
    ["Total", items ? String(items.length) : m.length ? String(m.length) : "—"],
  ];
  return h("div", { class: "counts", role: "group", "aria-label": "Iterations by status" },
    cells.map(([label, v]) => h("div", { class: `count count-${label.toLowerCase()}` }, h("span", { class: "count-n" }, v), h("span", { class: "muted" }, label))));
}

export async function mapRunPage(root: HTMLElement, arn: string, query: URLSearchParams) {
  const executionArn = query.get("execution") ?? "";
  replace(root, h("h1", null, "Map Run"), spinner());
  if (!executionArn) {
    replace(root, h("h1", null, "Map Run"), h("p", { class: "mono" }, arn),
      h("div", { class: "empty" }, "Open a Map Run from its execution's page (the link carries the execution)."));
    return undefined;
  }
  const machine = await sfn().send(new DescribeStateMachineForExecutionCommand({ executionArn }));
  let definition: Json = {};
  try { definition = JSON.parse(machine.definition ?? "{}"); } catch { /* no settings shown */ }
  const byName = nodesByName(machineGraph(definition));
  const body = h("div");
  replace(root, body);
  let shownStatus = "";
  const load = async () => {
    const [desc, events] = await Promise.all([sfn().send(new DescribeExecutionCommand({ executionArn })), readHistory(executionArn)]);
    const runs = analyse(events, desc.status).runs;
    const m = mapRunsOf(runs, desc.status).find((r) => r.arn === arn);
    if (!m) {
      replace(body, h("h1", null, "Map Run"), errorBox({ name: "ResourceNotFound", message: `Execution ${executionArn} has no Map Run ${arn}.` }));
      return;
    }
    shownStatus = m.status;
    const node = byName.get(m.run.name)?.[0];
    const st: Json = (node && stateAt(definition, node.id)) ?? {};
    const tolerates = st.ToleratedFailureCount !== undefined || st.ToleratedFailurePercentage !== undefined ||
      st.ToleratedFailureCountPath !== undefined || st.ToleratedFailurePercentagePath !== undefined;
    const res = mapResults(m, st);
    let items: Iteration[] | undefined, files: string[] = [], note: Child = null;
    if (res.kind === "writer") {
      try {
        ({ items, files } = await fromWriter(res.bucket, res.key));
      } catch (e) { note = [h("p", null, "The ResultWriter's files could not be read:"), errorBox(e)]; }
    } else if (res.kind === "array") {
      items = res.results.map((v, index) => failedResult(v, tolerates)
        ? { index, status: "FAILED", error: v.Error, cause: v.Cause }
        : { index, status: "SUCCEEDED", output: JSON.stringify(v) });
    } else note = h("p", { class: "muted" }, res.why, m.status === "RUNNING" ? " Counts come when it ends: its iterations write no events." : "");
    const execHref = `#/execution/${encodeURIComponent(executionArn)}`;
    const setting = (k: string): Child => st[k] === undefined ? null
      : [h("dt", null, k), h("dd", null, h("code", null, JSON.stringify(st[k])))];
    replace(body,
      h("div", { class: "page-head" }, h("h1", null, `Map Run of ${m.run.name}`), statusBadge(m.status)),
      h("dl", { class: "facts" },
        h("dt", null, "Execution"), h("dd", null, link(execHref, desc.name ?? executionArn), " ", statusBadge(desc.status)),
        h("dt", null, "Map state"), h("dd", null, link(`${execHref}?view=inspector&state=${encodeURIComponent(m.run.name)}`, m.run.name)),
        h("dt", null, "Started"), h("dd", null, fmtDate(m.start)),
        h("dt", null, "Ended"), h("dd", null, fmtDate(m.stop)),
        h("dt", null, "Duration"), h("dd", null, fmtDuration((m.stop ? new Date(m.stop).getTime() : Date.now()) - new Date(m.start).getTime())),
        ["MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage", "ItemReader", "ItemBatcher", "ResultWriter"].map(setting),
        h("dt", null, "ARN"), h("dd", { class: "mono" }, arn)),
      m.error || m.cause ? h("div", { class: "error-detail" }, h("strong", null, m.error ?? "Error"), m.cause ? h("pre", { class: "json" }, pretty(m.cause)) : null) : null,
      h("h2", null, "Iterations by status"), counts(items, m), note,
      files.length && res.kind === "writer" ? [h("h2", null, "Result files"), h("ul", { class: "files" }, files.map((k) =>
        h("li", null, link(objectHref(res.bucket, k), `s3://${res.bucket}/${k}`))))] : null,
      h("h2", null, "Iterations"),
      h("p", { class: "muted small" }, "Iterations run inside the parent execution here: they have no execution pages of their own."),
      items ? table(["#", "Status", "Input", "Output / error", "Started", "Ended"], items.slice(0, ROWS_MAX).map((i) =>
        h("tr", { class: "iteration", "data-status": i.status }, h("td", null, String(i.index)), h("td", null, statusBadge(i.status)),
          h("td", null, clip(i.input)), h("td", null, i.status === "FAILED" ? [h("strong", null, i.error ?? "Error"), " ", clip(i.cause)] : clip(i.output)),
          h("td", null, i.start ? fmtDate(new Date(i.start)) : "—"), h("td", null, i.stop ? fmtDate(new Date(i.stop)) : "—"))),
        "No iterations (the Map Run had no items).") : h("div", { class: "empty" }, "Not known yet."),
      items && items.length > ROWS_MAX ? h("p", { class: "muted" }, `First ${ROWS_MAX} of ${items.length} iterations.`) : null);
  };
  await load();
  // While it runs, each change of the execution re-reads it (one read at a time; changes heard
  // meanwhile ask for one more).
  let busy = false, again = false;
  const reload = () => {
    if (busy) { again = true; return; }
    busy = true;
    void load().catch((e) => body.prepend(errorBox(e))).finally(() => {
      busy = false;
      if (again) { again = false; reload(); }
    });
  };
  return follow({ execution: executionArn }, () => { if (shownStatus === "RUNNING") reload(); }, reload);
}
