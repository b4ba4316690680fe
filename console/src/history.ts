// Reads an execution's history into what the execution page shows: every run of every state
// (entered, exited, attempts, failures), each state's status for the graph, and the Gantt rows.
// Pure functions over the API's HistoryEvent objects.
import type { HistoryEvent } from "@aws-sdk/client-sfn";

export type StateStatus = "NOT_STARTED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CAUGHT" | "CANCELLED";

export interface Attempt { start: number; end?: number; error?: string; cause?: string; ok?: boolean }

export interface StateRun {
  name: string;
  type: string;           // Task, Pass, ... from the event type
  entered: HistoryEvent;
  exited?: HistoryEvent;
  start: number;
  end?: number;
  status: StateStatus;
  attempts: Attempt[];
  events: HistoryEvent[]; // this run's events, StateEntered first
}

export interface Analysis {
  runs: StateRun[];
  status: Map<string, StateStatus>;  // per state name, for the graph
  start: number;
  end: number;
}

const ms = (d: Date | undefined) => (d ? new Date(d).getTime() : 0);

function details(e: HistoryEvent): Record<string, unknown> {
  for (const [k, v] of Object.entries(e)) if (k.endsWith("EventDetails") && v) return v as Record<string, unknown>;
  return {};
}
export { details as eventDetails };

const failure = (t: string) => /(Failed|TimedOut)$/.test(t) && !t.startsWith("Execution");
const success = (t: string) => /(Succeeded)$/.test(t) && !t.startsWith("Execution");
const begins = (t: string) => /^(Task|Activity|LambdaFunction)(Scheduled)$/.test(t);

export function analyse(events: HistoryEvent[], executionStatus: string | undefined): Analysis {
  const runs: StateRun[] = [];
  const byEntered = new Map<number, StateRun>();
  const owner = new Map<number, StateRun | null>();
  const open = new Map<string, StateRun>();
  for (const e of events) {
    const t = e.type ?? "";
    const id = e.id ?? 0;
    if (t.endsWith("StateEntered")) {
      const d = e.stateEnteredEventDetails;
      const run: StateRun = {
        name: d?.name ?? "?", type: t.replace(/StateEntered$/, ""), entered: e,
        start: ms(e.timestamp), status: "RUNNING", attempts: [], events: [e],
      };
      runs.push(run);
      byEntered.set(id, run);
      owner.set(id, run);
      open.set(run.name, run);
      continue;
    }
    if (t.startsWith("Execution")) { owner.set(id, null); continue; }
    // Which run an event belongs to: follow previousEventId to the nearest StateEntered.
    let run: StateRun | null | undefined = owner.get(e.previousEventId ?? -1);
    if (run === undefined) run = byEntered.get(e.previousEventId ?? -1) ?? null;
    if (t.endsWith("StateExited")) {
      const name = e.stateExitedEventDetails?.name;
      const r = run && run.name === name && !run.exited ? run : name ? open.get(name) ?? null : null;
      owner.set(id, null);  // what follows an exit belongs to the next state
      if (r) {
        r.exited = e;
        r.end = ms(e.timestamp);
        r.events.push(e);
        open.delete(r.name);
      }
      continue;
    }
    owner.set(id, run);
    if (!run) continue;
    run.events.push(e);
    if (begins(t)) run.attempts.push({ start: ms(e.timestamp) });
    const last = run.attempts[run.attempts.length - 1];
    if (failure(t)) {
      const d = details(e) as { error?: string; cause?: string };
      if (last && last.end === undefined) Object.assign(last, { end: ms(e.timestamp), error: d.error ?? t, cause: d.cause, ok: false });
      else run.attempts.push({ start: run.start, end: ms(e.timestamp), error: d.error ?? t, cause: d.cause, ok: false });
    } else if (success(t) && last && last.end === undefined) {
      Object.assign(last, { end: ms(e.timestamp), ok: true });
    }
  }
  const execEnded = executionStatus !== undefined && executionStatus !== "RUNNING";
  const lastTs = events.length ? ms(events[events.length - 1].timestamp) : 0;
  for (const r of runs) {
    const lastAttempt = r.attempts[r.attempts.length - 1];
    const failedLast = lastAttempt?.ok === false;
    if (r.type === "Fail") r.status = "FAILED";
    else if (r.exited) r.status = failedLast ? "CAUGHT" : "SUCCEEDED";
    else if (!execEnded) r.status = "RUNNING";
    else if (executionStatus === "ABORTED") r.status = "CANCELLED";
    else if (executionStatus === "SUCCEEDED") r.status = "SUCCEEDED";
    else r.status = "FAILED";
    if (r.status === "RUNNING" || r.end === undefined) r.end = execEnded ? lastTs : Date.now();
  }
  const status = new Map<string, StateStatus>();
  const rank: Record<StateStatus, number> = { NOT_STARTED: 0, SUCCEEDED: 1, CAUGHT: 2, CANCELLED: 3, RUNNING: 4, FAILED: 5 };
  for (const r of runs) {
    // Several runs of one state (a loop, Map iterations): the most telling status wins; a
    // loop's later success replaces an earlier caught failure.
    const prev = status.get(r.name);
    if (!prev || rank[r.status] >= rank[prev] || (prev === "CAUGHT" && r.status === "SUCCEEDED")) status.set(r.name, r.status);
  }
  const start = events.length ? ms(events[0].timestamp) : 0;
  return { runs, status, start, end: Math.max(lastTs, ...runs.map((r) => r.end ?? 0)) };
}

export function stateInput(r: StateRun): string | undefined { return r.entered.stateEnteredEventDetails?.input; }
export function stateOutput(r: StateRun): string | undefined { return r.exited?.stateExitedEventDetails?.output; }

// The effective parameters the state's task was called with, and its raw result.
export function taskIo(r: StateRun): { parameters?: string; result?: string } {
  let parameters: string | undefined, result: string | undefined;
  for (const e of r.events) {
    const t = e.type ?? "";
    const d = details(e) as { parameters?: string; input?: string; output?: string };
    if (begins(t)) parameters = d.parameters ?? d.input;
    if (success(t)) result = d.output;
  }
  return { parameters, result };
}
