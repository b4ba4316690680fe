// One state machine: its graph (ELK, SVG), definition as JSON and YAML, validation diagnostics
// placed on the graph, versions and aliases, and its executions.
import {
  DescribeStateMachineCommand, ListStateMachineAliasesCommand, ListStateMachineVersionsCommand,
  ValidateStateMachineDefinitionCommand,
} from "@aws-sdk/client-sfn";
import { stringify } from "yaml";
import { sfn } from "../api";
import { fmtDate, h, replace, spinner, table } from "../dom";
import { machineGraph, stateAt, type Json } from "../graph/model";
import { drawGraph, graphFrame } from "../graph/render";
import { executionsPanel } from "./executions";

const TABS = ["graph", "definition", "versions", "executions"] as const;

export function tabs(active: string, base: string, names: readonly string[], param = "tab"): HTMLElement {
  return h("nav", { class: "tabs", role: "tablist" }, names.map((t) =>
    h("a", { href: `${base}?${param}=${t}`, role: "tab", class: t === active ? "active" : "", "aria-selected": t === active ? "true" : "false" },
      t[0].toUpperCase() + t.slice(1))));
}

export async function machinePage(root: HTMLElement, arn: string, query: URLSearchParams): Promise<(() => void) | undefined> {
  const tab = (TABS as readonly string[]).includes(query.get("tab") ?? "") ? query.get("tab")! : "graph";
  replace(root, spinner());
  const m = await sfn().send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
  let definition: Json = {};
  try { definition = JSON.parse(m.definition ?? "{}"); } catch { /* shown as text below */ }
  const base = `#/machine/${encodeURIComponent(arn)}`;
  const body = h("div", { class: "tab-body" });
  replace(root,
    h("div", { class: "page-head" },
      h("h1", null, m.name ?? ""),
      h("a", { class: "button primary", href: `#/start/${encodeURIComponent(arn)}` }, "Start execution")),
    h("dl", { class: "facts" },
      h("dt", null, "Type"), h("dd", null, m.type ?? ""),
      h("dt", null, "Status"), h("dd", null, m.status ?? ""),
      h("dt", null, "Created"), h("dd", null, fmtDate(m.creationDate)),
      h("dt", null, "Role"), h("dd", null, m.roleArn ?? ""),
      h("dt", null, "ARN"), h("dd", { class: "mono" }, arn)),
    tabs(tab, base, TABS), body);
  if (tab === "graph") {
    const diag = h("div");
    body.append(diag);
    const drawn = await drawGraph(machineGraph(definition), (name) => {
      const st = Object.entries(definition.States ?? {}).find(([n]) => n === name);
      replace(side, h("h3", null, name), h("pre", { class: "json" }, JSON.stringify(st?.[1] ?? stateAt(definition, name), null, 2)));
    });
    const side = h("aside", { class: "side" }, h("p", { class: "muted" }, "Select a state to see its definition."));
    body.append(h("div", { class: "split" }, graphFrame(drawn), side),
      h("p", { class: "muted timing", "data-render-ms": String(Math.round(drawn.ms)), "data-layout-ms": String(Math.round(drawn.layoutMs)) },
        `Laid out in ${Math.round(drawn.layoutMs)} ms and drawn in ${Math.round(drawn.ms - drawn.layoutMs)} ms.`));
    // Diagnostics on the graph: a state named in a diagnostic's location is marked.
    sfn().send(new ValidateStateMachineDefinitionCommand({ definition: m.definition, type: m.type }))
      .then((v) => {
        const list = v.diagnostics ?? [];
        if (list.length === 0) return;
        for (const d of list) {
          const st = /^\/States\/([^/]+)/.exec(d.location ?? "")?.[1];
          for (const g of (st && drawn.byState.get(st)) || []) g.classList.add(d.severity === "ERROR" ? "diag-error" : "diag-warning");
        }
        replace(diag, h("div", { class: "diagnostics" }, h("strong", null, `${list.length} diagnostic${list.length > 1 ? "s" : ""}`),
          h("ul", null, list.map((d) => h("li", { class: `sev-${(d.severity ?? "").toLowerCase()}` },
            `${d.severity} ${d.code}: ${d.message} `, d.location ? h("code", null, d.location) : null)))));
      }).catch(() => { /* validation is advisory */ });
  } else if (tab === "definition") {
    let fmt = query.get("format") === "yaml" ? "yaml" : "json";
    const pre = h("pre", { class: "json definition" });
    const show = () => { pre.textContent = fmt === "yaml" ? stringify(definition) : JSON.stringify(definition, null, 2); };
    const jsonBtn = h("button", { type: "button" }, "JSON");
    const yamlBtn = h("button", { type: "button" }, "YAML");
    const mark = () => { jsonBtn.classList.toggle("active", fmt === "json"); yamlBtn.classList.toggle("active", fmt === "yaml"); };
    jsonBtn.addEventListener("click", () => { fmt = "json"; show(); mark(); });
    yamlBtn.addEventListener("click", () => { fmt = "yaml"; show(); mark(); });
    show(); mark();
    body.append(h("div", { class: "toolbar" }, jsonBtn, yamlBtn), pre);
  } else if (tab === "versions") {
    const [versions, aliases] = await Promise.all([
      sfn().send(new ListStateMachineVersionsCommand({ stateMachineArn: arn, maxResults: 1000 })),
      sfn().send(new ListStateMachineAliasesCommand({ stateMachineArn: arn, maxResults: 100 })),
    ]);
    body.append(
      h("h2", null, "Versions"),
      table(["Version ARN", "Created"], (versions.stateMachineVersions ?? []).map((v) =>
        h("tr", null, h("td", { class: "mono" }, v.stateMachineVersionArn ?? ""), h("td", null, fmtDate(v.creationDate)))),
        "No versions published (PublishStateMachineVersion)."),
      h("h2", null, "Aliases"),
      table(["Alias ARN", "Created"], (aliases.stateMachineAliases ?? []).map((a) =>
        h("tr", null, h("td", { class: "mono" }, a.stateMachineAliasArn ?? ""), h("td", null, fmtDate(a.creationDate)))),
        "No aliases (CreateStateMachineAlias)."));
  } else {
    const panel = executionsPanel(arn, query, `${base}`);
    body.append(panel.el);
    return panel.close;
  }
  return undefined;
}
