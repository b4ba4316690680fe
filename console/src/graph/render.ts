// Lays a machine graph out with ELK (layered, top to bottom, containers laid out with their
// contents) and draws it as SVG. Each state's <g> carries data-state (its name) and a
// status class, so an execution page recolours it without a new layout.
//
// ELK runs in a Web Worker (its own script, elk-worker.min.js, 1.5 MB): the page's thread
// neither parses it nor stalls while a large graph is laid out, and the worker's warm-up
// (warmUp, below) compiles ELK's code off the page's thread before the first real graph.
import ELK from "elkjs/lib/elk-api.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import elkWorkerUrl from "elkjs/lib/elk-worker.min.js?url";
import { s } from "../dom";
import { machineGraph, type GEdge, type GNode } from "./model";

const elk = new ELK({ workerUrl: elkWorkerUrl });
// Layouts asked for and not answered yet (the warm-up gives way to them).
let layoutsInFlight = 0;
async function layout(graph: ElkNode, options: Record<string, string>): Promise<ElkNode> {
  layoutsInFlight++;
  try {
    return await elk.layout(graph, { layoutOptions: options });
  } finally {
    layoutsInFlight--;
  }
}
const CHAR_PX = 7.2;
const NODE_H = 44;
const PAD_TOP = 30;

function size(n: GNode): { width: number; height: number } {
  if (n.type === "start" || n.type === "end") return { width: 64, height: 30 };
  const text = Math.max(n.label.length, n.type.length + 4);
  return { width: Math.min(280, Math.max(120, text * CHAR_PX + 36)), height: NODE_H };
}

// Spacing between layers (the gap between a state and the next one below it).
const ROOT_LAYER_GAP = 40;
const CONTAINER_LAYER_GAP = 34;

// A chain: states one after the other, each but the last with a single way out (to the next)
// and each but the first with a single way in (from the one before), none a container. ELK
// gets a chain as one tall node (a long machine is mostly chains: a 300-state one becomes a few
// dozen nodes, and the layout's cost falls with it); drawGraph puts its states back in a column,
// the width of the widest, with straight edges between them. `links` are the edges inside.
interface Chain { members: GNode[]; links: GEdge[]; width: number; gap: number }

function chainsOf(n: GNode, gap: number): Map<string, Chain> {
  const chains = new Map<string, Chain>();
  const kids = n.children ?? [];
  const edges = n.edges ?? [];
  const byId = new Map(kids.map((k) => [k.id, k]));
  const outs = new Map<string, GEdge[]>(), ins = new Map<string, GEdge[]>();
  for (const e of edges) {
    (outs.get(e.source) ?? outs.set(e.source, []).get(e.source)!).push(e);
    (ins.get(e.target) ?? ins.set(e.target, []).get(e.target)!).push(e);
  }
  const linkable = (k: GNode | undefined) =>
    !!k && !k.children?.length && k.type !== "start" && k.type !== "end";
  // The edge on to the next member from `k`, when there is one.
  const onward = (k: GNode): GEdge | undefined => {
    const out = outs.get(k.id) ?? [];
    if (out.length !== 1 || out[0].target === k.id) return undefined;
    const next = byId.get(out[0].target);
    return linkable(next) && (ins.get(next!.id) ?? []).length === 1 ? out[0] : undefined;
  };
  const inner = new Set<string>();
  for (const k of kids) if (linkable(k) && onward(k)) inner.add(onward(k)!.target);
  for (const head of kids) {
    if (!linkable(head) || inner.has(head.id)) continue;
    const members = [head], links: GEdge[] = [];
    for (let e = onward(head); e && !members.some((m) => m.id === e!.target); e = onward(members[members.length - 1])) {
      links.push(e);
      members.push(byId.get(e.target)!);
    }
    if (members.length > 1)
      chains.set(head.id, { members, links, gap, width: Math.max(...members.map((m) => size(m).width)) });
  }
  return chains;
}

function toElk(n: GNode, chains: Map<string, Chain>, gap = ROOT_LAYER_GAP): ElkNode {
  const e: ElkNode = { id: n.id };
  if (n.children && n.children.length > 0) {
    const mine = chainsOf(n, gap);
    const hidden = new Set<string>(), tailOf = new Map<string, string>();
    for (const [head, c] of mine) {
      chains.set(head, c);
      c.links.forEach((l) => hidden.add(l.id));
      c.members.slice(1).forEach((m) => { hidden.add(m.id); tailOf.set(m.id, head); });
    }
    e.children = n.children.filter((k) => !hidden.has(k.id)).map((k) => {
      const c = mine.get(k.id);
      if (!c) return toElk(k, chains, CONTAINER_LAYER_GAP);
      return { id: k.id, width: c.width, height: c.members.length * NODE_H + (c.members.length - 1) * c.gap };
    });
    // An edge leaving a chain's last state leaves the chain's node.
    e.edges = (n.edges ?? []).filter((g) => !hidden.has(g.id))
      .map((g) => toElkEdge(tailOf.has(g.source) ? { ...g, source: tailOf.get(g.source)! } : g));
    e.layoutOptions = {
      "elk.padding": `[top=${PAD_TOP},left=14,bottom=14,right=14]`,
      "elk.direction": "DOWN",
      "elk.layered.spacing.nodeNodeBetweenLayers": String(CONTAINER_LAYER_GAP),
      "elk.spacing.nodeNode": "24",
      "elk.spacing.edgeLabel": "4",
    };
  } else {
    Object.assign(e, size(n));
  }
  return e;
}

function toElkEdge(g: GEdge): ElkExtendedEdge {
  const e: ElkExtendedEdge = { id: g.id, sources: [g.source], targets: [g.target] };
  if (g.label) e.labels = [{ text: g.label, width: g.label.length * 6.2 + 8, height: 16 }];
  return e;
}

export interface Drawn {
  svg: SVGSVGElement;
  byState: Map<string, SVGGElement[]>;  // state name → its boxes
  ms: number;                           // layout + drawing time
  layoutMs: number;                     // of which ELK's layout (in the worker, and back)
}

// Nodes past which crossing minimisation tries fewer orderings: layout time grows fast with
// size, and a 300-state machine must still draw in well under a second.
const THOROUGH_NODES_MAX = 100;

function layoutOptions(root: GNode): Record<string, string> {
  let nodes = 0, containers = 0;
  const walk = (n: GNode) => { nodes++; if (n.children?.length) { containers++; n.children.forEach(walk); } };
  root.children?.forEach(walk);
  return {
    "elk.algorithm": "layered",
    "elk.direction": "DOWN",
    // Laying containers out with their contents costs; a flat machine does without.
    "elk.hierarchyHandling": containers > 0 ? "INCLUDE_CHILDREN" : "SEPARATE_CHILDREN",
    "elk.layered.thoroughness": nodes > THOROUGH_NODES_MAX ? "1" : "7",
    "elk.layered.crossingMinimization.greedySwitch.type": nodes > THOROUGH_NODES_MAX ? "OFF" : "TWO_SIDED",
    "elk.layered.spacing.nodeNodeBetweenLayers": String(ROOT_LAYER_GAP),
    "elk.spacing.nodeNode": "28",
    "elk.edgeRouting": "ORTHOGONAL",
    "elk.padding": "[top=16,left=16,bottom=16,right=16]",
  };
}

// ELK is a large script: its first layouts run before the JavaScript engine has compiled it, and
// a cold 300-state layout takes seconds. So once the console has loaded, the worker lays out a
// machine with every kind of state and edge a few times (a Choice with rule labels, Catch,
// Parallel and Map containers, chains), one layout at a time, and stops as soon as a real
// layout is asked for: a real one waits for at most the warm-up layout already running.
const WARM_ROUNDS = 6;
function warmMachine(): GNode {
  const states: Record<string, unknown> = {};
  const n = 60;
  const name = (i: number) => `S${i}`;
  for (let i = 0; i < n; i++) {
    const next = i === n - 1 ? undefined : name(i + 1);
    if (!next) states[name(i)] = { Type: "Succeed" };
    else if (i % 12 === 3) states[name(i)] = { Type: "Choice", Default: next, Choices: [{ Variable: "$.x", NumericGreaterThan: i, Next: name(Math.min(n - 1, i + 4)) }] };
    else if (i % 12 === 6) states[name(i)] = { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Next: next, Retry: [{ ErrorEquals: ["States.ALL"] }], Catch: [{ ErrorEquals: ["States.ALL"], Next: name(n - 1) }] };
    else if (i === 20) states[name(i)] = { Type: "Parallel", Next: next, Branches: [0, 1].map((b) => ({ StartAt: `P${b}`, States: { [`P${b}`]: { Type: "Pass", Next: `Q${b}` }, [`Q${b}`]: { Type: "Pass", End: true } } })) };
    else if (i === 40) states[name(i)] = { Type: "Map", Next: next, ItemProcessor: { StartAt: "M", States: { M: { Type: "Pass", Next: "N" }, N: { Type: "Pass", End: true } } } };
    else states[name(i)] = { Type: "Pass", Next: next };
  }
  return machineGraph({ StartAt: name(0), States: states });
}
export async function warmUp(): Promise<void> {
  const g = warmMachine();
  for (let i = 0; i < WARM_ROUNDS && layoutsInFlight === 0; i++)
    await elk.layout(toElk(g, new Map()), { layoutOptions: layoutOptions(g) });
}

export async function drawGraph(root: GNode, onSelect?: (name: string, id: string) => void): Promise<Drawn> {
  const t0 = performance.now();
  const chains = new Map<string, Chain>();
  const laid = await layout(toElk(root, chains), layoutOptions(root));
  const layoutMs = performance.now() - t0;
  const byId = new Map<string, GNode>();
  const index = (n: GNode) => { byId.set(n.id, n); n.children?.forEach(index); };
  index(root);
  const byState = new Map<string, SVGGElement[]>();
  const width = Math.ceil(laid.width ?? 100), height = Math.ceil(laid.height ?? 100);
  const svg = s("svg", {
    class: "graph", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": "State machine graph",
  }) as SVGSVGElement;
  svg.appendChild(s("defs", null,
    ...(["next", "catch", "choice", "default"] as const).map((k) => s("marker", {
      id: `arrow-${k}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: "auto-start-reverse", class: `arrow-${k}`,
    }, s("path", { d: "M 0 0 L 10 5 L 0 10 z" })))));
  const edgesLayer = s("g", { class: "edges" });
  const nodesLayer = s("g", { class: "nodes" });
  // One state's box (or a container's frame) at (x, y), w × hgt.
  const drawBox = (n: GNode, x: number, y: number, w: number, hgt: number) => {
    const container = !!(n.children && n.children.length);
    const g = s("g", {
      class: `node type-${n.type.toLowerCase()}${container ? " container" : ""}`,
      transform: `translate(${x},${y})`,
    }) as SVGGElement;
    if (n.name) {
      g.setAttribute("data-state", n.name);
      g.setAttribute("data-status", "NOT_STARTED");
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.appendChild(s("title", null, `${n.name} (${n.type})${n.resource ? "\n" + n.resource : ""}`));
      if (onSelect) {
        g.addEventListener("click", (ev) => { ev.stopPropagation(); onSelect(n.name, n.id); });
        g.addEventListener("keydown", (ev) => {
          if ((ev as KeyboardEvent).key === "Enter") onSelect(n.name, n.id);
        });
      }
      (byState.get(n.name) ?? byState.set(n.name, []).get(n.name)!).push(g);
    }
    const rx = n.type === "start" || n.type === "end" ? hgt / 2 : container ? 6 : 8;
    g.appendChild(s("rect", { class: "box", width: w, height: hgt, rx }));
    if (container) {
      g.appendChild(s("text", { class: "container-label", x: 10, y: 18 },
        n.type === "branch" ? n.label : `${n.label} · ${n.type}`));
    } else if (n.type === "start" || n.type === "end") {
      g.appendChild(s("text", { class: "label", x: w / 2, y: hgt / 2 + 4, "text-anchor": "middle" }, n.label));
    } else {
      const fit = Math.max(4, Math.floor((w - (n.retry > 0 ? 54 : 24)) / CHAR_PX));
      g.appendChild(s("text", { class: "label", x: 12, y: 19 },
        n.label.length > fit ? n.label.slice(0, fit - 1) + "…" : n.label));
      g.appendChild(s("text", { class: "kind", x: 12, y: 35 },
        n.type + (n.jsonata ? " · JSONata" : "")));
    }
    if (n.retry > 0) {
      const bx = w - 30;
      g.appendChild(s("g", { class: "retry-badge", transform: `translate(${bx},${container ? 6 : 6})` },
        s("rect", { width: 24, height: 14, rx: 7 }),
        s("text", { x: 12, y: 11, "text-anchor": "middle" }, `↻${n.retry}`),
        s("title", null, `${n.retry} Retry rule${n.retry > 1 ? "s" : ""}`)));
    }
    nodesLayer.appendChild(g);
  };
  const drawNode = (e: ElkNode, ox: number, oy: number) => {
    const n = byId.get(e.id);
    const x = ox + (e.x ?? 0), y = oy + (e.y ?? 0), w = e.width ?? 0, hgt = e.height ?? 0;
    const chain = chains.get(e.id);
    if (chain) {
      // A chain's node: its states in a column, joined by straight edges.
      const step = NODE_H + chain.gap;
      chain.members.forEach((m, i) => drawBox(m, x, y + i * step, w, NODE_H));
      chain.links.forEach((l, i) => drawPath(l, [{ x: x + w / 2, y: y + i * step + NODE_H }, { x: x + w / 2, y: y + (i + 1) * step }]));
      return;
    }
    if (n && n.id !== "root") drawBox(n, x, y, w, hgt);
    for (const c of e.children ?? []) drawNode(c, x, y);
    for (const ed of (e.edges ?? []) as ElkExtendedEdge[]) drawEdge(ed, x, y);
  };
  const edgeMeta = new Map<string, GEdge>();
  const indexEdges = (n: GNode) => { n.edges?.forEach((e) => edgeMeta.set(e.id, e)); n.children?.forEach(indexEdges); };
  indexEdges(root);
  const drawPath = (meta: GEdge | undefined, pts: { x: number; y: number }[]) => {
    const kind = meta?.kind ?? "next";
    const d = pts.map((p, i) => `${i ? "L" : "M"} ${p.x} ${p.y}`).join(" ");
    const marker = kind === "start" || kind === "end" ? "next" : kind;
    edgesLayer.appendChild(s("path", {
      class: `edge edge-${kind}`, d, "marker-end": `url(#arrow-${marker})`,
      "data-source": meta?.source ?? "", "data-target": meta?.target ?? "",
    }, meta?.title ? s("title", null, meta.title) : null));
  };
  const drawEdge = (ed: ElkExtendedEdge, ox: number, oy: number) => {
    const meta = edgeMeta.get(ed.id);
    const kind = meta?.kind ?? "next";
    for (const sec of ed.sections ?? [])
      drawPath(meta, [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint].map((p) => ({ x: ox + p.x, y: oy + p.y })));
    for (const l of ed.labels ?? []) {
      const lx = ox + (l.x ?? 0), ly = oy + (l.y ?? 0);
      edgesLayer.appendChild(s("g", { class: `edge-label edge-label-${kind}` },
        s("rect", { x: lx - 2, y: ly - 1, width: (l.width ?? 0), height: (l.height ?? 14), rx: 3 }),
        s("text", { x: lx + 2, y: ly + 11 }, l.text ?? ""),
        meta?.title ? s("title", null, meta.title) : null));
    }
  };
  drawNode(laid, 0, 0);
  svg.appendChild(edgesLayer);
  svg.appendChild(nodesLayer);
  return { svg, byState, ms: performance.now() - t0, layoutMs };
}

// A graph inside a zoomable, scrollable frame with fit / + / − buttons.
export function graphFrame(d: Drawn): HTMLElement {
  const frame = document.createElement("div");
  frame.className = "graph-frame";
  const inner = document.createElement("div");
  inner.className = "graph-inner";
  inner.appendChild(d.svg);
  let scale = 1;
  const w = Number(d.svg.getAttribute("width")), hgt = Number(d.svg.getAttribute("height"));
  const apply = () => {
    d.svg.setAttribute("width", String(Math.round(w * scale)));
    d.svg.setAttribute("height", String(Math.round(hgt * scale)));
  };
  const tools = document.createElement("div");
  tools.className = "graph-tools";
  const btn = (label: string, title: string, fn: () => void) => {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = label; b.title = title;
    b.addEventListener("click", fn);
    tools.appendChild(b);
  };
  btn("−", "Zoom out", () => { scale = Math.max(0.2, scale / 1.25); apply(); });
  btn("+", "Zoom in", () => { scale = Math.min(3, scale * 1.25); apply(); });
  btn("Fit", "Fit to the frame", () => {
    scale = Math.min(1.5, Math.max(0.2, (frame.clientWidth - 20) / w));
    apply();
  });
  frame.appendChild(tools);
  frame.appendChild(inner);
  return frame;
}
