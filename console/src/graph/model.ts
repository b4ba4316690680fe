// A state machine definition as a graph for ELK: one node per state (ids are paths, so a state
// of a Parallel branch or a Map processor is inside its container), edges for Next, Default,
// each Choice rule (labelled with the rule) and each Catch (drawn apart). Pure: no DOM.

export type Json = any;  // eslint-disable-line @typescript-eslint/no-explicit-any

export type EdgeKind = "next" | "choice" | "default" | "catch" | "start" | "end";

export interface GNode {
  id: string;
  name: string;            // the state's name ("" for start/end and branch boxes)
  type: string;            // Task, Choice, ..., or "start" / "end" / "branch"
  label: string;
  retry: number;           // Retry rules on the state
  catches: number;
  jsonata: boolean;
  resource?: string;
  children?: GNode[];      // Parallel: branch boxes; Map: one processor box; branch: its states
  edges?: GEdge[];         // the edges between this container's children
}

export interface GEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  label?: string;          // Choice rule, Catch's errors
  title?: string;          // the full text when the label is cut
}

// Joins the parts of a node id. AWS refuses control characters in state names, so a name can
// never contain it (a "/" can).
export const SEP = "\u001f";

const LABEL_MAX = 42;
const cut = (s: string) => (s.length > LABEL_MAX ? s.slice(0, LABEL_MAX - 1) + "…" : s);

const COMPARATORS: Record<string, string> = {
  StringEquals: "==", StringLessThan: "<", StringGreaterThan: ">", StringLessThanEquals: "<=",
  StringGreaterThanEquals: ">=", NumericEquals: "==", NumericLessThan: "<",
  NumericGreaterThan: ">", NumericLessThanEquals: "<=", NumericGreaterThanEquals: ">=",
  BooleanEquals: "==", TimestampEquals: "==", TimestampLessThan: "<",
  TimestampGreaterThan: ">", TimestampLessThanEquals: "<=", TimestampGreaterThanEquals: ">=",
  StringMatches: "matches",
};

// A Choice rule as readable text: `$.n > 5`, `$.a == "x" and not($.b is present)`, or the
// JSONata Condition as written.
export function ruleText(rule: Json, depth = 0): string {
  if (!rule || typeof rule !== "object" || depth > 8) return "?";
  if (typeof rule.Condition === "string") return rule.Condition;
  if (Array.isArray(rule.And)) return rule.And.map((r: Json) => paren(ruleText(r, depth + 1))).join(" and ");
  if (Array.isArray(rule.Or)) return rule.Or.map((r: Json) => paren(ruleText(r, depth + 1))).join(" or ");
  if (rule.Not) return `not(${ruleText(rule.Not, depth + 1)})`;
  const v = rule.Variable ?? "?";
  for (const key of Object.keys(rule)) {
    if (key === "Variable" || key === "Next" || key === "Comment" || key === "Assign" ||
        key === "Output") continue;
    const value = rule[key];
    const isPath = key.endsWith("Path") && key !== "IsPresent";
    const base = isPath ? key.slice(0, -4) : key;
    if (base.startsWith("Is")) return `${v} ${base.replace(/^Is/, "is ").toLowerCase()}${value === false ? " = false" : ""}`;
    const op = COMPARATORS[base] ?? base;
    return `${v} ${op} ${isPath ? value : JSON.stringify(value)}`;
  }
  return String(v);
}
const paren = (s: string) => (/ (and|or) /.test(s) ? `(${s})` : s);

interface Scope { prefix: string; states: Record<string, Json>; startAt: string }

function stateNode(id: string, name: string, st: Json, machineJsonata: boolean): GNode {
  const type = String(st?.Type ?? "?");
  const jsonata = (st?.QueryLanguage ?? (machineJsonata ? "JSONata" : "JSONPath")) === "JSONata";
  const n: GNode = {
    id, name, type, label: name, jsonata,
    retry: Array.isArray(st?.Retry) ? st.Retry.length : 0,
    catches: Array.isArray(st?.Catch) ? st.Catch.length : 0,
    resource: typeof st?.Resource === "string" ? st.Resource : undefined,
  };
  if (type === "Parallel" && Array.isArray(st.Branches)) {
    n.children = st.Branches.map((b: Json, i: number) =>
      scopeBox(`${id}${SEP}${i}`, `Branch ${i + 1}`, b, jsonata));
  } else if (type === "Map") {
    const proc = st.ItemProcessor ?? st.Iterator;
    if (proc) n.children = [scopeBox(`${id}${SEP}p`, st.ItemProcessor?.ProcessorConfig?.Mode === "DISTRIBUTED" ? "Distributed processor" : "Item processor", proc, jsonata)];
  }
  return n;
}

function scopeBox(id: string, label: string, def: Json, jsonata: boolean): GNode {
  const box: GNode = { id, name: "", type: "branch", label, retry: 0, catches: 0, jsonata };
  const built = buildScope({ prefix: `${id}${SEP}`, states: def?.States ?? {}, startAt: def?.StartAt },
    (def?.QueryLanguage ?? (jsonata ? "JSONata" : "JSONPath")) === "JSONata", false);
  box.children = built.nodes;
  box.edges = built.edges;
  return box;
}

function buildScope(scope: Scope, jsonata: boolean, top: boolean): { nodes: GNode[]; edges: GEdge[] } {
  const nodes: GNode[] = [];
  const edges: GEdge[] = [];
  const id = (name: string) => scope.prefix + name;
  let edgeNo = 0;
  const edge = (source: string, target: string, kind: EdgeKind, label?: string) => {
    const full = label;
    edges.push({ id: `${scope.prefix}e${edgeNo++}`, source, target, kind,
      label: label === undefined ? undefined : cut(label), title: full });
  };
  const names = Object.keys(scope.states ?? {});
  const known = new Set(names);
  let needsEnd = false;
  const endId = `${scope.prefix}__end`;
  if (top) {
    nodes.push({ id: `${scope.prefix}__start`, name: "", type: "start", label: "Start", retry: 0, catches: 0, jsonata: false });
    if (known.has(scope.startAt)) edge(`${scope.prefix}__start`, id(scope.startAt), "start");
  }
  for (const name of names) {
    const st = scope.states[name] ?? {};
    nodes.push(stateNode(id(name), name, st, jsonata));
    const to = (target: unknown, kind: EdgeKind, label?: string) => {
      if (typeof target === "string" && known.has(target)) edge(id(name), id(target), kind, label);
    };
    if (st.Type === "Choice") {
      (Array.isArray(st.Choices) ? st.Choices : []).forEach((r: Json) => to(r?.Next, "choice", ruleText(r)));
      to(st.Default, "default", "Default");
    } else {
      to(st.Next, "next");
    }
    (Array.isArray(st.Catch) ? st.Catch : []).forEach((c: Json) =>
      to(c?.Next, "catch", `Catch ${Array.isArray(c?.ErrorEquals) ? c.ErrorEquals.join(", ") : ""}`));
    if (top && (st.End === true || st.Type === "Succeed" || st.Type === "Fail")) {
      needsEnd = true;
      edge(id(name), endId, "end");
    }
  }
  if (needsEnd) nodes.push({ id: endId, name: "", type: "end", label: "End", retry: 0, catches: 0, jsonata: false });
  return { nodes, edges };
}

// The whole machine: a root box whose children are the top-level states with Start and End.
export function machineGraph(definition: Json): GNode {
  const jsonata = definition?.QueryLanguage === "JSONata";
  const built = buildScope({ prefix: "", states: definition?.States ?? {}, startAt: definition?.StartAt }, jsonata, true);
  return { id: "root", name: "", type: "root", label: "", retry: 0, catches: 0, jsonata, children: built.nodes, edges: built.edges };
}

// Every state node (nested ones too), by state name: a name may repeat in different scopes.
export function nodesByName(root: GNode): Map<string, GNode[]> {
  const out = new Map<string, GNode[]>();
  const walk = (n: GNode) => {
    if (n.name) out.set(n.name, [...(out.get(n.name) ?? []), n]);
    n.children?.forEach(walk);
  };
  walk(root);
  return out;
}

// The state definition at a node id ("A", "P␟0␟B", "M␟p␟C").
export function stateAt(definition: Json, nodeId: string): Json | undefined {
  const parts = nodeId.split(SEP);
  let states = definition?.States;
  let st: Json;
  for (let i = 0; i < parts.length; i++) {
    st = states?.[parts[i]];
    if (i + 1 >= parts.length) break;
    const sel = parts[++i];
    if (st?.Type === "Parallel") states = st.Branches?.[Number(sel)]?.States;
    else states = (st?.ItemProcessor ?? st?.Iterator)?.States;
  }
  return st;
}
