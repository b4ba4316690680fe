// What an execution's history says about the executions and Map Runs around it: the children a
// `states:startExecution` task started (their ARNs in the task's answers), the parent that
// started this one (AWS's convention: the child's input carries
// `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`), and each Distributed Map's Map Run
// (MapRunStarted → MapRunSucceeded/MapRunFailed) with what its state returned. Pure functions.
import { eventDetails, type StateRun } from "./history";
import type { Json } from "./graph/model";
import { getPath } from "./refpath";

export const PARENT_FIELD = "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID";
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:(execution|express):[^:]+:[^:]+$/;
export const isExecutionArn = (s: unknown): s is string => typeof s === "string" && EXECUTION_ARN.test(s);

// The execution that started this one, from its input (an object with the field at the top).
export function parentOf(input: string | undefined): string | undefined {
  try {
    const v = JSON.parse(input ?? "null") as Json;
    return v && typeof v === "object" && isExecutionArn(v[PARENT_FIELD]) ? v[PARENT_FIELD] : undefined;
  } catch { return undefined; }
}

const START_EXECUTION = (resourceType: unknown, resource: unknown) =>
  (resourceType === "states" && typeof resource === "string" && resource.startsWith("startExecution")) ||
  (resourceType === "aws-sdk:sfn" && resource === "startExecution");

// The child executions a state's run started: ExecutionArn in TaskSubmitted/TaskSucceeded's
// output, or in TaskFailed's cause (a `.sync` child that failed), once each.
export function childrenOf(run: StateRun): string[] {
  const out: string[] = [];
  for (const e of run.events) {
    if (!/^Task(Submitted|Succeeded|Failed)$/.test(e.type ?? "")) continue;
    const d = eventDetails(e) as { resourceType?: string; resource?: string; output?: string; cause?: string };
    if (!START_EXECUTION(d.resourceType, d.resource)) continue;
    try {
      const arn = (JSON.parse(d.output ?? d.cause ?? "null") as Json)?.ExecutionArn;
      if (isExecutionArn(arn) && !out.includes(arn)) out.push(arn);
    } catch { /* an answer that is not JSON names no child */ }
  }
  return out;
}

export type MapRunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED";

export interface MapRun {
  arn: string;
  run: StateRun;          // the Map state's run that started it
  status: MapRunStatus;
  start: Date;
  stop?: Date;
  error?: string;
  cause?: string;
  length?: number;        // MapStateStarted's item count (0 when an ItemReader reads them)
}

export function mapRunsOf(runs: StateRun[], executionStatus: string | undefined): MapRun[] {
  const out: MapRun[] = [];
  for (const run of runs) {
    let current: MapRun | undefined;
    let length: number | undefined;
    for (const e of run.events) {
      const t = e.type ?? "";
      if (t === "MapStateStarted") length = e.mapStateStartedEventDetails?.length;
      else if (t === "MapRunStarted" && e.mapRunStartedEventDetails?.mapRunArn) {
        current = { arn: e.mapRunStartedEventDetails.mapRunArn, run, status: "RUNNING", start: e.timestamp!, length };
        out.push(current);
      } else if (current && (t === "MapRunSucceeded" || t === "MapRunFailed" || t === "MapRunAborted")) {
        current.status = t === "MapRunSucceeded" ? "SUCCEEDED" : t === "MapRunFailed" ? "FAILED" : "ABORTED";
        current.stop = e.timestamp;
        const d = e.mapRunFailedEventDetails;
        if (d) { current.error = d.error; current.cause = d.cause; }
      }
    }
    // An execution that ended while its Map Run ran: the run ended with it.
    if (current && current.status === "RUNNING" && executionStatus && executionStatus !== "RUNNING") {
      current.status = executionStatus === "ABORTED" ? "ABORTED" : "FAILED";
      current.stop = run.exited?.timestamp;
    }
  }
  return out;
}

// Where the Map Run's results are: the ResultWriter's manifest ({"MapRunArn", "ResultWriterDetails":
// {"Bucket", "Key"}} somewhere in the state's output), or the results array at ResultPath when the
// output is the state's result there (no ResultSelector, OutputPath "$").
export type MapResults =
  | { kind: "writer"; bucket: string; key: string }
  | { kind: "array"; results: Json[] }
  | { kind: "unknown"; why: string };

function findWriter(v: Json, arn: string, depth = 0): { bucket: string; key: string } | undefined {
  if (!v || typeof v !== "object" || depth > 8) return undefined;
  const d = v.ResultWriterDetails;
  if (v.MapRunArn === arn && d && typeof d.Bucket === "string" && typeof d.Key === "string") return { bucket: d.Bucket, key: d.Key };
  for (const x of Object.values(v)) {
    const found = findWriter(x, arn, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function mapResults(m: MapRun, state: Json): MapResults {
  const text = m.run.exited?.stateExitedEventDetails?.output;
  if (text === undefined) return { kind: "unknown", why: m.status === "RUNNING" ? "The Map Run is still running." : "The Map state recorded no output." };
  let out: Json;
  try { out = JSON.parse(text); } catch { return { kind: "unknown", why: "The Map state's output is not JSON." }; }
  const writer = findWriter(out, m.arn);
  if (writer) return { kind: "writer", ...writer };
  const st = state ?? {};
  if (st.ResultSelector !== undefined || (st.OutputPath !== undefined && st.OutputPath !== "$") || st.ResultPath === null)
    return { kind: "unknown", why: "The Map state's ResultSelector, OutputPath or ResultPath hides its results from its output." };
  const at = getPath(out, st.ResultPath ?? "$");
  if (at.ok && Array.isArray(at.value)) return { kind: "array", results: at.value };
  return { kind: "unknown", why: "The Map state's output holds no results array." };
}

// A tolerated failure's result is {"Error", "Cause"} (only when the state tolerates failures).
export const failedResult = (v: Json, tolerates: boolean) =>
  tolerates && v && typeof v === "object" && !Array.isArray(v) && "Error" in v &&
  Object.keys(v).every((k) => k === "Error" || k === "Cause");

