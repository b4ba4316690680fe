// A state machine's executions: status filter, name search, pages of 100 through nextToken
// (a stack of tokens gives "previous"), updated live. Works the same with 100,000 executions:
// every page is one ListExecutions call and 100 rows.
import { DescribeExecutionCommand, ListExecutionsCommand, type ExecutionListItem, type ExecutionStatus } from "@aws-sdk/client-sfn";
import { follow, sfn } from "../api";
import { errorBox, fmtDate, fmtDuration, h, linkRow, replace, spinner, statusBadge, table } from "../dom";

const PAGE_SIZE = 100;
const STATUSES = ["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];

export function executionsPanel(machineArn: string, query: URLSearchParams, base: string): { el: HTMLElement; close: () => void } {
  let status = query.get("status") ?? "";
  let q = query.get("q") ?? "";
  const tokens: (string | undefined)[] = [undefined];
  let page = 0;
  const select = h("select", { "aria-label": "Status filter" },
    STATUSES.map((s) => h("option", { value: s, selected: s === status }, s || "All statuses")));
  const search = h("input", { type: "search", placeholder: "Filter by name (this page) or exact name", value: q, "aria-label": "Search executions" });
  const body = h("div", { class: "exec-list" }, spinner());
  const info = h("span", { class: "muted timing" });
  const prev = h("button", { type: "button", disabled: true }, "← Previous");
  const next = h("button", { type: "button", disabled: true }, "Next →");
  const el = h("section", null,
    h("div", { class: "toolbar" }, select, search, h("div", { class: "spacer" }), info, prev, next), body);
  let items: ExecutionListItem[] = [];
  const rowsByArn = new Map<string, HTMLTableRowElement>();

  const syncUrl = () => {
    const p = new URLSearchParams();
    if (status) p.set("status", status);
    if (q) p.set("q", q);
    for (const [k, v] of query) if (k !== "status" && k !== "q") p.set(k, v);
    history.replaceState(null, "", `${base}${p.toString() ? "?" + p : ""}`);
  };
  const row = (e: ExecutionListItem) => {
    const dur = e.stopDate && e.startDate ? new Date(e.stopDate).getTime() - new Date(e.startDate).getTime() : undefined;
    const tr = linkRow(`#/execution/${encodeURIComponent(e.executionArn!)}`,
      h("a", { href: `#/execution/${encodeURIComponent(e.executionArn!)}`, class: "name" }, e.name ?? ""),
      statusBadge(e.status), fmtDate(e.startDate), fmtDate(e.stopDate), fmtDuration(dur),
      e.redriveCount ? String(e.redriveCount) : "");
    rowsByArn.set(e.executionArn!, tr);
    return tr;
  };
  const draw = () => {
    rowsByArn.clear();
    const f = q.toLowerCase();
    const shown = items.filter((e) => (e.name ?? "").toLowerCase().includes(f));
    const exact = h("button", { type: "button", class: "link" }, "Look up the execution named “", q, "”");
    exact.addEventListener("click", async () => {
      const arn = machineArn.replace(":stateMachine:", ":execution:") + ":" + q;
      try {
        await sfn().send(new DescribeExecutionCommand({ executionArn: arn }));
        location.hash = `#/execution/${encodeURIComponent(arn)}`;
      } catch (err) { body.appendChild(errorBox(err)); }
    });
    replace(body, table(["Name", "Status", "Started", "Ended", "Duration", "Redrives"], shown.map(row),
      items.length === 0
        ? h("p", null, status ? `No ${status} executions.` : "No executions yet. ", !status ? h("a", { href: `#/start/${encodeURIComponent(machineArn)}` }, "Start one") : null)
        : h("p", null, "No execution on this page matches. ", exact)),
    q && shown.length > 0 ? h("p", { class: "muted" }, "Name filter applies to this page; ", exact) : null);
  };
  const load = async () => {
    const t0 = performance.now();
    replace(body, spinner());
    try {
      const r = await sfn().send(new ListExecutionsCommand({
        stateMachineArn: machineArn, maxResults: PAGE_SIZE, nextToken: tokens[page],
        statusFilter: (status || undefined) as ExecutionStatus | undefined,
      }));
      items = r.executions ?? [];
      tokens[page + 1] = r.nextToken;
      prev.disabled = page === 0;
      next.disabled = !r.nextToken;
      draw();
      const took = performance.now() - t0;
      info.textContent = `Page ${page + 1} · ${Math.round(took)} ms`;
      body.dataset.loadMs = String(Math.round(took));
      body.dataset.loads = String(Number(body.dataset.loads ?? 0) + 1);
    } catch (err) {
      replace(body, errorBox(err));
    }
  };
  select.addEventListener("change", () => { status = select.value; tokens.length = 1; page = 0; syncUrl(); void load(); });
  search.addEventListener("input", () => { q = search.value; syncUrl(); draw(); });
  prev.addEventListener("click", () => { if (page > 0) { page--; void load(); } });
  next.addEventListener("click", () => { if (tokens[page + 1]) { page++; void load(); } });
  void load();
  // Live: a row on this page changes in place; a new execution shows on the first page.
  let reloadTimer: number | undefined;
  const close = follow({ stateMachine: machineArn }, (c) => {
    const tr = rowsByArn.get(c.executionArn);
    if (tr) {
      const item = items.find((i) => i.executionArn === c.executionArn);
      if (item) {
        item.status = c.status as ExecutionStatus;
        if (c.stopDate) item.stopDate = new Date(c.stopDate * 1000);
        tr.replaceWith(row(item));
      }
    } else if (page === 0 && !reloadTimer) {
      reloadTimer = window.setTimeout(() => { reloadTimer = undefined; void load(); }, 500);
    }
  }, () => void load());
  return { el, close };
}

export async function executionsPage(root: HTMLElement, arg: string, query: URLSearchParams) {
  const name = arg.split(":").pop() ?? arg;
  const panel = executionsPanel(arg, query, `#/executions/${encodeURIComponent(arg)}`);
  replace(root,
    h("div", { class: "page-head" },
      h("h1", null, "Executions of ", h("a", { href: `#/machine/${encodeURIComponent(arg)}` }, name)),
      h("a", { class: "button primary", href: `#/start/${encodeURIComponent(arg)}` }, "Start execution")),
    panel.el);
  return panel.close;
}
