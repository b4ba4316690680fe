// What an execution's history says about the executions and Map Runs around it: the children a
// `states:startExecution` task started (their ARNs in the task's answers), the parent that
// started this one (AWS's convention: the child's input carries
// `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`); and what Map Run ARNs and their child executions'
// ARNs name, and where in a definition their Map state is (the Map Run API, read by
// pages/maprun.ts, has the rest). Pure functions.
import { eventDetails, type StateRun } from "./history";
import type { Json } from "./graph/model";

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

// Map Run ARNs and their children's (as Stepwise and AWS make them):
//   run    arn:aws:states:R:A:mapRun:<machine>/<label>:<uuid>
//   child  arn:aws:states:R:A:execution:<machine>/<label>:<name>
// A state machine's name cannot hold "/", so an execution ARN with one names a Map Run's child.
const MAP_RUN_ARN = /^(arn:aws[a-z-]*:states:[^:]*:[^:]*):mapRun:([^:/]+)\/([^:]+):([^:]+)$/;
const CHILD_ARN = /^(arn:aws[a-z-]*:states:[^:]*:[^:]*):execution:([^:/]+)\/([^:]+):([^:]+)$/;
export const isMapRunChild = (arn: string) => CHILD_ARN.test(arn);

export interface MapRunName { machineArn: string; label: string; id: string }
// The parts of a Map Run's or a child's ARN: its state machine, the Map state's label and the
// run's id (a child's name). undefined when the ARN is shaped as neither.
export function mapRunName(arn: string): MapRunName | undefined {
  const m = MAP_RUN_ARN.exec(arn) ?? CHILD_ARN.exec(arn);
  return m ? { machineArn: `${m[1]}:stateMachine:${m[2]}`, label: m[3], id: m[4] } : undefined;
}

// A child's iteration (batch) index: the last group of its name, in hex (history/map_run.h).
export function childIndex(name: string | undefined): number | undefined {
  const m = /-([0-9a-f]{12})$/.exec(name ?? "");
  return m ? parseInt(m[1], 16) : undefined;
}

// The Map state whose Label (or name, without one) is `label`, anywhere in the definition
// (inside Parallel branches and Map processors too), with its name; the first found.
export function mapStateByLabel(def: Json, label: string, depth = 0): { name: string; state: Json } | undefined {
  const states = def?.States;
  if (!states || typeof states !== "object" || depth > 32) return undefined;
  for (const [name, st] of Object.entries(states as Record<string, Json>)) {
    if (!st || typeof st !== "object") continue;
    if (st.Type === "Map" && (typeof st.Label === "string" ? st.Label : name) === label) return { name, state: st };
    for (const inner of [...(Array.isArray(st.Branches) ? st.Branches : []), st.ItemProcessor, st.Iterator]) {
      const found = mapStateByLabel(inner, label, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

// Where a ResultWriter puts a run's files, when its bucket and prefix are plain strings (AWS's
// layout: <Prefix>/<map run id>/manifest.json and the result files beside it).
export function resultLocation(state: Json, runId: string): { bucket: string; prefix: string } | undefined {
  const p = state?.ResultWriter?.Parameters ?? state?.ResultWriter?.Arguments;
  if (!p || typeof p.Bucket !== "string" || p.Bucket.includes("{%")) return undefined;
  const prefix = typeof p.Prefix === "string" && !p.Prefix.includes("{%") ? p.Prefix.replace(/\/+$/, "") : "";
  return { bucket: p.Bucket, prefix: `${prefix ? prefix + "/" : ""}${runId}/` };
}
