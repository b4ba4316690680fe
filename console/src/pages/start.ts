// Start an execution: a name, an input editor that checks the JSON as you type, and the recent
// inputs used on this machine (kept in this browser).
import { DescribeExecutionCommand, DescribeStateMachineCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { sfn } from "../api";
import { errorBox, h, replace, spinner } from "../dom";

const RECENT_MAX = 8;
const recentKey = (arn: string) => `stepwise.recent.${arn}`;

export function recentInputs(arn: string): string[] {
  try { return JSON.parse(localStorage.getItem(recentKey(arn)) ?? "[]") as string[]; } catch { return []; }
}
function remember(arn: string, input: string): void {
  const list = [input, ...recentInputs(arn).filter((i) => i !== input)].slice(0, RECENT_MAX);
  localStorage.setItem(recentKey(arn), JSON.stringify(list));
}

// A JSON editor: a textarea and a line that says whether (and where) the JSON is wrong.
export function jsonEditor(initial: string, label: string): { el: HTMLElement; area: HTMLTextAreaElement; valid: () => boolean } {
  const area = h("textarea", { class: "json-editor", spellcheck: "false", rows: 12, "aria-label": label });
  area.value = initial;
  const status = h("div", { class: "json-status", "aria-live": "polite" });
  const check = () => {
    try {
      JSON.parse(area.value);
      status.textContent = "Valid JSON";
      status.className = "json-status ok";
      area.setAttribute("aria-invalid", "false");
      return true;
    } catch (e) {
      status.textContent = (e as Error).message;
      status.className = "json-status bad";
      area.setAttribute("aria-invalid", "true");
      return false;
    }
  };
  area.addEventListener("input", check);
  check();
  return { el: h("div", { class: "editor" }, area, status), area, valid: check };
}

export async function startPage(root: HTMLElement, arn: string, query: URLSearchParams) {
  replace(root, spinner());
  const m = await sfn().send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
  let initial = recentInputs(arn)[0] ?? "{}";
  const from = query.get("from");
  if (from) {
    try { initial = (await sfn().send(new DescribeExecutionCommand({ executionArn: from }))).input ?? initial; } catch { /* keep */ }
  }
  try { initial = JSON.stringify(JSON.parse(initial), null, 2); } catch { /* as is */ }
  const name = h("input", { name: "name", placeholder: "Name (optional: a UUID is chosen)", "aria-label": "Execution name", maxlength: 80 });
  const editor = jsonEditor(initial, "Execution input");
  const result = h("div");
  const start = h("button", { type: "submit", class: "primary", "data-action": "start" }, "Start execution");
  const form = h("form", { class: "start-form" },
    h("label", null, "Name", name),
    h("label", null, "Input"), editor.el,
    h("div", { class: "toolbar" }, start), result);
  const recent = recentInputs(arn);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!editor.valid()) { editor.area.focus(); return; }
    start.disabled = true;
    try {
      const r = await sfn().send(new StartExecutionCommand({ stateMachineArn: arn, name: name.value || undefined, input: editor.area.value }));
      remember(arn, JSON.stringify(JSON.parse(editor.area.value)));
      location.hash = `#/execution/${encodeURIComponent(r.executionArn!)}`;
    } catch (err) {
      replace(result, errorBox(err));
      start.disabled = false;
    }
  });
  replace(root,
    h("div", { class: "page-head" }, h("h1", null, "Start an execution of ", h("a", { href: `#/machine/${encodeURIComponent(arn)}` }, m.name ?? ""))),
    h("div", { class: "split" }, form,
      h("aside", { class: "side" }, h("h3", null, "Recent inputs"),
        recent.length === 0 ? h("p", { class: "muted" }, "None yet in this browser.")
          : h("ul", { class: "recent" }, recent.map((r) => h("li", null,
            h("button", { type: "button", class: "link", onclick: () => { editor.area.value = JSON.stringify(JSON.parse(r), null, 2); editor.valid(); } },
              r.length > 80 ? r.slice(0, 79) + "…" : r)))))));
  name.focus();
}
