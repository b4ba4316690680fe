// Lays a machine graph out with ELK (layered, top to bottom, containers laid out with their
// contents) and draws it as SVG. Each state's <g> carries data-state (its name) and a
// status class, so an execution page recolours it without a new layout.
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import { s } from "../dom";
import { machineGraph, type GEdge, type GNode } from "./model";

const elk = new ELK();
const CHAR_PX = 7.2;
const NODE_H = 44;
const PAD_TOP = 30;

function size(n: GNode): { width: number; height: number } {
  if (n.type === "start" || n.type === "end") return { width: 64, height: 30 };
  const text = Math.max(n.label.length, n.type.length + 4);
  return { width: Math.min(280, Math.max(120, text * CHAR_PX + 36)), height: NODE_H };
}

function toElk(n: GNode): ElkNode {
  const e: ElkNode = { id: n.id, labels: [{ text: n.label }] };
  if (n.children && n.children.length > 0) {
    e.children = n.children.map(toElk);
    e.edges = (n.edges ?? []).map(toElkEdge);
    e.layoutOptions = {
      "elk.padding": `[top=${PAD_TOP},left=14,bottom=14,right=14]`,
      "elk.direction": "DOWN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "34",
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
    "elk.layered.spacing.nodeNodeBetweenLayers": "40",
    "elk.spacing.nodeNode": "28",
    "elk.edgeRouting": "ORTHOGONAL",
    "elk.padding": "[top=16,left=16,bottom=16,right=16]",
  };
}

// ELK is a large script: its first layouts run before the JavaScript engine has compiled it.
// The console lays out a small graph while the user is still on another page, so the first
// real graph does not pay for that.
export async function warmUp(): Promise<void> {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < 40; i++) states[`S${i}`] = i === 39 ? { Type: "Succeed" } : { Type: "Pass", Next: `S${i + 1}` };
  states.S5 = { Type: "Parallel", Next: "S6", Branches: [{ StartAt: "A", States: { A: { Type: "Pass", End: true } } }] };
  const g = machineGraph({ StartAt: "S0", States: states });
  await elk.layout(toElk(g), { layoutOptions: layoutOptions(g) });
}

export async function drawGraph(root: GNode, onSelect?: (name: string, id: string) => void): Promise<Drawn> {
  const t0 = performance.now();
  const laid = await elk.layout(toElk(root), { layoutOptions: layoutOptions(root) });
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
  const drawNode = (e: ElkNode, ox: number, oy: number) => {
    const n = byId.get(e.id);
    const x = ox + (e.x ?? 0), y = oy + (e.y ?? 0), w = e.width ?? 0, hgt = e.height ?? 0;
    if (n && n.id !== "root") {
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
    }
    for (const c of e.children ?? []) drawNode(c, x, y);
    for (const ed of (e.edges ?? []) as ElkExtendedEdge[]) drawEdge(ed, x, y);
  };
  const edgeMeta = new Map<string, GEdge>();
  const indexEdges = (n: GNode) => { n.edges?.forEach((e) => edgeMeta.set(e.id, e)); n.children?.forEach(indexEdges); };
  indexEdges(root);
  const drawEdge = (ed: ElkExtendedEdge, ox: number, oy: number) => {
    const meta = edgeMeta.get(ed.id);
    const kind = meta?.kind ?? "next";
    for (const sec of ed.sections ?? []) {
      const pts = [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint];
      const d = pts.map((p, i) => `${i ? "L" : "M"} ${ox + p.x} ${oy + p.y}`).join(" ");
      const marker = kind === "start" || kind === "end" ? "next" : kind;
      edgesLayer.appendChild(s("path", {
        class: `edge edge-${kind}`, d, "marker-end": `url(#arrow-${marker})`,
        "data-source": meta?.source ?? "", "data-target": meta?.target ?? "",
      }, meta?.title ? s("title", null, meta.title) : null));
    }
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
  return { svg, byState, ms: performance.now() - t0 };
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
