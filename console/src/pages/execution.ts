// One execution: the graph coloured by each state's status (updated live from the event
// stream), the step inspector, the Gantt timeline, the event history, and Stop / Redrive.
import {
  DescribeExecutionCommand, DescribeMapRunCommand, DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand, ListMapRunsCommand, RedriveExecutionCommand, StopExecutionCommand, type DescribeExecutionOutput, type HistoryEvent,
} from "@aws-sdk/client-sfn";
import { follow, sfn } from "../api";
import { errorBox, fmtDate, fmtDuration, h, link, pretty, replace, spinner, statusBadge, table, type Child } from "../dom";
import { machineGraph, stateAt, nodesByName, type GNode, type Json } from "../graph/model";
import { drawGraph, graphFrame, type Drawn } from "../graph/render";
import { analyse, eventDetails, stateInput, stateOutput, taskIo, type Analysis, type StateRun } from "../history";
import { getPath, setPath } from "../refpath";
import { childrenOf, isMapRunChild, mapRunName, parentOf } from "../runs";
import { tabs } from "./machine";

// AWS keeps at most 25,000 events; pages of 1,000.
const HISTORY_PAGE = 1000;
const GANTT_ROWS_MAX = 1000;
const EVENT_ROWS_MAX = 2000;
const VIEWS = ["inspector", "timeline", "events"] as const;

export async function readHistory(arn: string): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  let token: string | undefined;
  do {
    const r = await sfn().send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: HISTORY_PAGE, nextToken: token, includeExecutionData: true }));
    out.push(...(r.events ?? []));
    token = r.nextToken;
  } while (token);
  return out;
}

// The newest `count` events, oldest first (the stream says how many there are now).
async function readNewest(arn: string, count: number): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  let token: string | undefined;
  while (out.length < count) {
    const r = await sfn().send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, nextToken: token,
      maxResults: Math.min(HISTORY_PAGE, count - out.length), includeExecutionData: true }));
    out.push(...(r.events ?? []));
    token = r.nextToken;
    if (!token) break;
  }
  return out.reverse();
}

function jsonBlock(text: string | undefined, label: string): HTMLElement {
  return h("div", { class: "io" }, h("h4", null, label), text === undefined
    ? h("p", { class: "muted" }, "—") : h("pre", { class: "json" }, pretty(text)));
}

const show = (v: Json) => (v === undefined ? undefined : JSON.stringify(v));

// The step inspector: for the selected state's run, its input, what each processing field did,
// and its output. Values come from the history where it has them, else are computed here.
function inspector(run: StateRun | undefined, def: Json, runs: StateRun[], pick: (r: StateRun) => void): HTMLElement {
  if (!run) return h("div", { class: "empty" }, "Select a state in the graph to inspect it.");
  const sameName = runs.filter((r) => r.name === run.name);
  const st = def ?? {};
  const jsonata = (st.QueryLanguage ?? def?.__ql) === "JSONata";
  const input = stateInput(run), output = stateOutput(run);
  const io = taskIo(run);
  let parsedIn: Json, parsedOut: Json;
  try { parsedIn = input === undefined ? undefined : JSON.parse(input); } catch { /* not JSON */ }
  try { parsedOut = output === undefined ? undefined : JSON.parse(output); } catch { /* not JSON */ }
  const rows: [string, Child, string | undefined, string][] = [];
  const field = (name: string, value: string | undefined, origin: string) =>
    rows.push([name, st[name] === undefined ? h("span", { class: "muted" }, "(not set)") : h("code", null, JSON.stringify(st[name])), value, origin]);
  if (jsonata) {
    field("Arguments", io.parameters, "the task's call, from the history");
    if (io.result !== undefined) rows.push(["Result", null, io.result, "the task's answer"]);
    field("Output", output, "the state's output");
  } else {
    const afterInput = getPath(parsedIn, st.InputPath);
    field("InputPath", afterInput.ok ? show(afterInput.value) : undefined, afterInput.ok ? "computed here" : "not computed here");
    const paramsName = st.Type === "Map" && st.ItemSelector ? "ItemSelector" : "Parameters";
    if (st.Type === "Task") field(paramsName, io.parameters, "the task's call, from the history");
    else if (st[paramsName] !== undefined) field(paramsName, undefined, "evaluated by the server");
    if (io.result !== undefined) rows.push(["Result", null, io.result, "the task's answer, from the history"]);
    // With OutputPath "$" the output is the value after ResultPath, so ResultSelector's effect
    // can be read back from it at ResultPath.
    const outputIsResultPath = st.OutputPath === undefined || st.OutputPath === "$";
    let selected: { ok: boolean; value?: Json } = { ok: false };
    if (outputIsResultPath && st.ResultPath !== null && parsedOut !== undefined) selected = getPath(parsedOut, st.ResultPath ?? "$");
    else if (st.ResultSelector === undefined && io.result !== undefined) { try { selected = { ok: true, value: JSON.parse(io.result) }; } catch { /* */ } }
    if (st.ResultSelector !== undefined) field("ResultSelector", selected.ok ? show(selected.value) : undefined, selected.ok ? "read back from the output" : "applied by the server");
    const afterResult = selected.ok ? setPath(parsedIn, st.ResultPath, selected.value) : { ok: false };
    if (st.ResultPath !== undefined || io.result !== undefined)
      field("ResultPath", afterResult.ok ? show(afterResult.value) : undefined, afterResult.ok ? "computed here" : "not computed here");
    const afterOutput = afterResult.ok ? getPath(afterResult.value, st.OutputPath) : { ok: false };
    if (st.OutputPath !== undefined) field("OutputPath", afterOutput.ok ? show(afterOutput.value) : undefined, afterOutput.ok ? "computed here" : "not computed here");
  }
  const assigned = run.exited?.stateExitedEventDetails?.assignedVariables;
  if (st.Assign !== undefined || assigned) field("Assign", assigned ? JSON.stringify(assigned) : undefined, "variables assigned, from the history");
  const failures = run.attempts.filter((a) => a.ok === false);
  return h("div", { class: "inspector", "data-state": run.name },
    h("div", { class: "inspector-head" }, h("h3", null, run.name), statusBadge(run.status),
      h("span", { class: "muted" }, `${run.type} · ${fmtDuration((run.end ?? run.start) - run.start)}`),
      sameName.length > 1 ? h("select", { "aria-label": "Run", onchange: (e: Event) => pick(sameName[Number((e.target as HTMLSelectElement).value)]) },
        sameName.map((r, i) => h("option", { value: i, selected: r === run }, `Run ${i + 1} of ${sameName.length}`))) : null),
    run.attempts.length > 1 ? h("p", { class: "muted" }, `${run.attempts.length} attempts (${run.attempts.length - 1} retr${run.attempts.length > 2 ? "ies" : "y"})`) : null,
    failures.length ? h("div", { class: "failures" }, failures.map((a) =>
      h("div", { class: "error-detail" }, h("strong", null, a.error ?? "Error"), a.cause ? h("pre", { class: "json" }, pretty(a.cause)) : null))) : null,
    childLinks(childrenOf(run)),
    jsonBlock(input, "Input"),
    h("h4", null, "Processing"),
    table(["Field", "Definition", "Effect"], rows.map(([name, defn, value, origin]) =>
      h("tr", null, h("td", null, name), h("td", null, defn),
        h("td", null, value === undefined ? h("span", { class: "muted" }, origin) : [h("pre", { class: "json" }, pretty(value)), h("div", { class: "muted small" }, origin)]))),
      "No processing fields."),
    jsonBlock(output, "Output"));
}

const execHref = (arn: string) => `#/execution/${encodeURIComponent(arn)}`;
// Executions a startExecution task started, as links (the first few; the count says the rest).
const CHILD_LINKS_MAX = 20;
function childLinks(arns: string[]): HTMLElement | null {
  if (arns.length === 0) return null;
  return h("p", { class: "children" }, arns.length > 1 ? "Child executions: " : "Child execution: ",
    arns.slice(0, CHILD_LINKS_MAX).map((c, i) => [i ? ", " : "", link(execHref(c), c.split(":").pop() ?? c)]),
    arns.length > CHILD_LINKS_MAX ? ` and ${arns.length - CHILD_LINKS_MAX} more` : "");
}

// The Distributed Maps' Map Runs of this execution (ListMapRuns, then DescribeMapRun of each for
// its status and counts), each linking to its page; read only when the history has a
// MapRunStarted. Re-read on each refresh of the page and, while one runs, on any change.
const MAP_RUNS_MAX = 100;
const MAP_RUNS_MS = 500;
function mapRunsBox(arn: string) {
  const el = h("div", { class: "map-runs" });
  let running = false;
  const load = async (events: HistoryEvent[]) => {
    if (!events.some((e) => e.type === "MapRunStarted")) { replace(el); running = false; return; }
    const list = await sfn().send(new ListMapRunsCommand({ executionArn: arn, maxResults: MAP_RUNS_MAX }));
    const runs = await Promise.all((list.mapRuns ?? []).map((m) => sfn().send(new DescribeMapRunCommand({ mapRunArn: m.mapRunArn }))));
    running = runs.some((r) => r.status === "RUNNING");
    replace(el, h("h2", null, "Map Runs"),
      table(["Map state", "Status", "Started", "Duration", "Items succeeded / failed / total", "Map Run"], runs.map((m) => {
        const c = m.itemCounts;
        const stop = m.stopDate ? new Date(m.stopDate).getTime() : Date.now();
        return h("tr", { class: "map-run", "data-status": m.status ?? "" },
          h("td", null, mapRunName(m.mapRunArn!)?.label ?? ""), h("td", null, statusBadge(m.status)),
          h("td", null, fmtDate(m.startDate)), h("td", null, fmtDuration(stop - new Date(m.startDate!).getTime())),
          h("td", null, c ? `${c.succeeded} / ${c.failed} / ${c.total}` : "—"),
          h("td", null, link(`#/maprun/${encodeURIComponent(m.mapRunArn!)}`, m.mapRunArn!.split(":").pop() ?? "")));
      })),
      list.nextToken ? h("p", { class: "muted" }, `The first ${MAP_RUNS_MAX} Map Runs.`) : null);
  };
  return { el, load, running: () => running };
}

function gantt(a: Analysis, select: (r: StateRun) => void): HTMLElement {
  const span = Math.max(1, a.end - a.start);
  const rows = a.runs.slice(0, GANTT_ROWS_MAX);
  return h("div", { class: "gantt" },
    h("div", { class: "gantt-scale muted" }, h("span", null, "0"), h("span", null, fmtDuration(span))),
    rows.map((r) => {
      const left = ((r.start - a.start) / span) * 100;
      const width = Math.max(0.4, (((r.end ?? r.start) - r.start) / span) * 100);
      return h("div", { class: "gantt-row", tabindex: 0, onclick: () => select(r), onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === "Enter") select(r); } },
        h("span", { class: "gantt-name", title: r.name }, r.name),
        h("span", { class: "gantt-track" },
          h("span", { class: `gantt-bar status-${r.status.toLowerCase()}`, style: `left:${left}%;width:${width}%`, title: `${r.name}: ${fmtDuration((r.end ?? r.start) - r.start)}` }),
          r.attempts.slice(1).map((t) => h("span", { class: "gantt-retry", style: `left:${((t.start - a.start) / span) * 100}%`, title: "retry" }))),
        h("span", { class: "gantt-dur" }, fmtDuration((r.end ?? r.start) - r.start), r.attempts.length > 1 ? ` · ${r.attempts.length - 1}↻` : ""));
    }),
    a.runs.length > GANTT_ROWS_MAX ? h("p", { class: "muted" }, `First ${GANTT_ROWS_MAX} of ${a.runs.length} state runs.`) : null);
}

function eventsTable(events: HistoryEvent[], a: Analysis): HTMLElement {
  const owner = new Map<number, string>();
  for (const r of a.runs) for (const e of r.events) owner.set(e.id ?? 0, r.name);
  const t0 = events.length ? new Date(events[0].timestamp!).getTime() : 0;
  const rows = events.slice(0, EVENT_ROWS_MAX).flatMap((e) => {
    const detail = h("tr", { class: "event-detail", hidden: true }, h("td", { colspan: 5 }, h("pre", { class: "json" }, JSON.stringify(expand(eventDetails(e)), null, 2))));
    const tr = h("tr", { tabindex: 0, class: "event-row", "data-type": e.type ?? "" },
      h("td", null, String(e.id)), h("td", null, e.type ?? ""), h("td", null, owner.get(e.id ?? 0) ?? ""),
      h("td", null, fmtDuration(new Date(e.timestamp!).getTime() - t0)), h("td", null, fmtDate(e.timestamp)));
    const toggle = () => { detail.hidden = !detail.hidden; tr.classList.toggle("open", !detail.hidden); };
    tr.addEventListener("click", toggle);
    tr.addEventListener("keydown", (k) => { if ((k as KeyboardEvent).key === "Enter") toggle(); });
    return [tr, detail];
  });
  return h("div", null, table(["ID", "Type", "Step", "Elapsed", "Timestamp"], rows, "No events."),
    events.length > EVENT_ROWS_MAX ? h("p", { class: "muted" }, `First ${EVENT_ROWS_MAX} of ${events.length} events.`) : null);
}

// JSON texts inside details (input, output, parameters) shown as JSON, not escaped strings.
function expand(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (typeof v === "string" && /^(input|output|parameters|cause)$/.test(k)) {
      try { out[k] = JSON.parse(v); continue; } catch { /* keep text */ }
    }
    out[k] = v;
  }
  return out;
}

export async function executionPage(root: HTMLElement, arn: string, query: URLSearchParams) {
  // A Map Run's child has no history or definition of its own: its page is the Map Run's.
  if (isMapRunChild(arn)) return (await import("./maprun")).childExecutionPage(root, arn);
  replace(root, spinner());
  const view = (VIEWS as readonly string[]).includes(query.get("view") ?? "") ? query.get("view")! : "inspector";
  let [desc, events, machine] = await Promise.all([
    sfn().send(new DescribeExecutionCommand({ executionArn: arn })),
    readHistory(arn),
    sfn().send(new DescribeStateMachineForExecutionCommand({ executionArn: arn })),
  ]);
  let definition: Json = {};
  try { definition = JSON.parse(machine.definition ?? "{}"); } catch { /* drawn empty */ }
  const graph = machineGraph(definition);
  const byName = nodesByName(graph);
  let selected: StateRun | undefined;
  let selectedName = query.get("state") ?? "";
  const head = h("div");
  const actions = h("div", { class: "actions" });
  const panel = h("div", { class: "tab-body" });
  const liveBadge = h("span", { class: "live off", title: "Live updates" }, "● live");
  const base = `#/execution/${encodeURIComponent(arn)}`;
  const stateDef = (name: string): Json => {
    const node = byName.get(name)?.[0] as GNode | undefined;
    const st = node ? stateAt(definition, node.id) : undefined;
    return st ? { ...st, __ql: st.QueryLanguage ?? definition.QueryLanguage } : undefined;
  };
  let drawn: Drawn;
  let a = analyse(events, desc.status);
  const mapRuns = mapRunsBox(arn);
  const readMapRuns = () => mapRuns.load(events).catch((e) => replace(mapRuns.el, errorBox(e)));
  const select = (name: string, run?: StateRun) => {
    selectedName = name;
    selected = run ?? [...a.runs].reverse().find((r) => r.name === name);
    for (const [n, gs] of drawn.byState) for (const g of gs) g.classList.toggle("selected", n === name);
    const q = new URLSearchParams(query);
    q.set("state", name);
    history.replaceState(null, "", `${base}?${q}`);
    if (view === "inspector") replace(panel, inspector(selected, stateDef(name), a.runs, (r) => select(r.name, r)));
  };
  drawn = await drawGraph(graph, (name) => select(name));
  const colour = () => {
    for (const [name, gs] of drawn.byState) {
      const st = a.status.get(name) ?? "NOT_STARTED";
      for (const g of gs) {
        if (g.getAttribute("data-status") === st) continue;
        g.setAttribute("data-status", st);
        g.setAttribute("class", g.getAttribute("class")!.replace(/\s?status-\S+/g, "") + ` status-${st.toLowerCase()}`);
      }
    }
  };
  const drawHead = () => {
    const parent = parentOf(desc.input);
    const children = [...new Set(a.runs.flatMap(childrenOf))];
    const dur = desc.stopDate ? new Date(desc.stopDate).getTime() - new Date(desc.startDate!).getTime() : Date.now() - new Date(desc.startDate!).getTime();
    replace(head,
      h("div", { class: "page-head" }, h("h1", null, desc.name ?? ""), statusBadge(desc.status), liveBadge),
      h("dl", { class: "facts" },
        h("dt", null, "State machine"), h("dd", null, h("a", { href: `#/machine/${encodeURIComponent(desc.stateMachineArn!)}` }, desc.stateMachineArn!.split(":").pop())),
        h("dt", null, "Started"), h("dd", null, fmtDate(desc.startDate)),
        h("dt", null, "Ended"), h("dd", null, fmtDate(desc.stopDate)),
        h("dt", null, "Duration"), h("dd", null, fmtDuration(dur)),
        desc.redriveCount ? [h("dt", null, "Redrives"), h("dd", null, String(desc.redriveCount))] : null,
        parent ? [h("dt", null, "Started by"), h("dd", { class: "parent" }, link(execHref(parent), parent.split(":").pop() ?? parent))] : null,
        children.length ? [h("dt", null, "Nested executions"), h("dd", null, childLinks(children))] : null,
        h("dt", null, "ARN"), h("dd", { class: "mono" }, arn)),
      desc.error || desc.cause ? h("div", { class: "error-detail" }, h("strong", null, desc.error ?? "Error"), desc.cause ? h("pre", { class: "json" }, pretty(desc.cause)) : null) : null,
      h("div", { class: "split io-pair" }, jsonBlock(desc.input, "Execution input"), jsonBlock(desc.output, "Execution output")),
      mapRuns.el);
    drawActions(desc);
  };
  const drawActions = (d: DescribeExecutionOutput) => {
    const out: Child[] = [];
    if (d.status === "RUNNING") {
      const error = h("input", { placeholder: "Error (optional)", "aria-label": "Stop error" });
      const cause = h("input", { placeholder: "Cause (optional)", "aria-label": "Stop cause" });
      const stop = h("button", { type: "button", class: "danger", "data-action": "stop" }, "Stop execution");
      stop.addEventListener("click", async () => {
        stop.disabled = true;
        try {
          await sfn().send(new StopExecutionCommand({ executionArn: arn, error: error.value || undefined, cause: cause.value || undefined }));
          await refresh(true);
        } catch (e) { actions.appendChild(errorBox(e)); stop.disabled = false; }
      });
      out.push(error, cause, stop);
    }
    if (d.status === "FAILED" || d.status === "TIMED_OUT" || d.status === "ABORTED") {
      const redrive = h("button", { type: "button", "data-action": "redrive" }, "Redrive");
      redrive.addEventListener("click", async () => {
        redrive.disabled = true;
        try {
          await sfn().send(new RedriveExecutionCommand({ executionArn: arn }));
          await refresh(true);
        } catch (e) { actions.appendChild(errorBox(e)); redrive.disabled = false; }
      });
      out.push(redrive);
    }
    out.push(h("a", { class: "button", href: `#/start/${encodeURIComponent(d.stateMachineArn!)}?from=${encodeURIComponent(arn)}` }, "New execution with this input"));
    replace(actions, out);
  };
  const drawView = () => {
    if (view === "inspector") {
      if (selectedName) selected = [...a.runs].reverse().find((r) => r.name === selectedName && (!selected || r.entered.id! >= selected.entered.id!)) ?? selected;
      replace(panel, inspector(selected, selectedName ? stateDef(selectedName) : undefined, a.runs, (r) => select(r.name, r)));
    } else if (view === "timeline") replace(panel, gantt(a, (r) => select(r.name, r)));
    else replace(panel, eventsTable(events, a));
  };
  let busy: Promise<void> | null = null;
  let again = false;
  // Reads what changed: the newest events (or all of them after a resync) and the description.
  const refresh = async (full = false, count?: number) => {
    if (busy) { again = true; return busy; }
    busy = (async () => {
      try {
        if (full || count === undefined || count < events.length) {
          [desc, events] = await Promise.all([sfn().send(new DescribeExecutionCommand({ executionArn: arn })), readHistory(arn)]);
        } else if (count > events.length) {
          const fresh = await readNewest(arn, count - events.length);
          const last = events.length ? events[events.length - 1].id ?? 0 : 0;
          events = events.concat(fresh.filter((e) => (e.id ?? 0) > last));
        }
        const ended = events.length > 0 && /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(events[events.length - 1].type ?? "");
        if (ended && desc.status === "RUNNING") desc = await sfn().send(new DescribeExecutionCommand({ executionArn: arn }));
        a = analyse(events, desc.status);
        colour();
        drawHead();
        drawView();
        await readMapRuns();
      } catch (e) {
        panel.prepend(errorBox(e));
      } finally {
        busy = null;
      }
    })();
    await busy;
    if (again) { again = false; await refresh(true); }
  };
  replace(root, head, actions,
    h("div", { class: "split exec-split" },
      h("div", { class: "graph-col" }, graphFrame(drawn),
        h("div", { class: "legend" }, ["not_started", "running", "succeeded", "failed", "caught", "cancelled"].map((s) =>
          h("span", { class: `legend-item status-${s}` }, s.replace("_", " "))))),
      h("div", { class: "side-col" }, tabs(view, base, VIEWS, "view"), panel)));
  colour();
  drawHead();
  if (selectedName) select(selectedName);
  if (!selectedName || view !== "inspector") drawView();
  void readMapRuns();
  // A running Map Run changes its counts without new events: re-read the runs (at most every
  // MAP_RUNS_MS) while one runs.
  let mapRunsTimer: number | undefined;
  const close = follow({ execution: arn }, (c) => {
    if (c.historyCount !== events.length || c.status !== desc.status) void refresh(c.redriveCount !== (desc.redriveCount ?? 0), c.historyCount);
    else if (mapRuns.running() && mapRunsTimer === undefined)
      mapRunsTimer = window.setTimeout(() => { mapRunsTimer = undefined; void readMapRuns(); }, MAP_RUNS_MS);
  }, () => void refresh(true), (live) => liveBadge.classList.toggle("off", !live));
  return () => { close(); if (mapRunsTimer !== undefined) clearTimeout(mapRunsTimer); };
}
