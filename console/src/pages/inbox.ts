// Approvals: every task waiting for its token (.waitForTaskToken callbacks and activity tasks),
// with the input it was given; send success with an output, or failure with an error and cause.
import { GetExecutionHistoryCommand, SendTaskFailureCommand, SendTaskSuccessCommand } from "@aws-sdk/client-sfn";
import { follow, sfn, waitingTasks, type WaitingTask } from "../api";
import { errorBox, h, pretty, replace, spinner } from "../dom";
import { jsonEditor } from "./start";

// The parameters (or activity input) the task was scheduled with: the newest scheduling event
// of its state in the execution's history, read from the end.
async function taskInput(t: WaitingTask): Promise<string | undefined> {
  let token: string | undefined;
  for (let page = 0; page < 25; page++) {
    const r = await sfn().send(new GetExecutionHistoryCommand({ executionArn: t.executionArn, reverseOrder: true, maxResults: 1000, nextToken: token }));
    for (const e of r.events ?? []) {
      const d = e.taskScheduledEventDetails ?? e.activityScheduledEventDetails ?? e.lambdaFunctionScheduledEventDetails;
      if (!d) continue;
      const params = "parameters" in d ? d.parameters : (d as { input?: string }).input;
      // The scheduling event's state: the newest StateEntered before it names it; the token
      // table names the state, so match on the resource and take the newest.
      if (!t.resource || ("resource" in d ? d.resource : t.resource) === t.resource || e.activityScheduledEventDetails) return params;
    }
    token = r.nextToken;
    if (!token) break;
  }
  return undefined;
}

function card(t: WaitingTask, done: () => void): HTMLElement {
  const machine = t.stateMachineArn.split(":").pop() ?? "";
  const execName = t.executionArn.split(":").pop() ?? "";
  const input = h("pre", { class: "json" }, "…");
  taskInput(t).then((i) => { input.textContent = i === undefined ? "(not found in the history)" : pretty(i); })
    .catch((e) => replace(input, errorBox(e)));
  const output = jsonEditor("{\n  \"approved\": true\n}", "Task output");
  const error = h("input", { placeholder: "Error", value: "Rejected", "aria-label": "Failure error" });
  const cause = h("input", { placeholder: "Cause", "aria-label": "Failure cause" });
  const result = h("div");
  const approve = h("button", { type: "button", class: "primary", "data-action": "approve" }, "Send success");
  const reject = h("button", { type: "button", class: "danger", "data-action": "reject" }, "Send failure");
  const act = async (fn: () => Promise<unknown>) => {
    approve.disabled = reject.disabled = true;
    try { await fn(); done(); } catch (e) { replace(result, errorBox(e)); approve.disabled = reject.disabled = false; }
  };
  approve.addEventListener("click", () => {
    if (!output.valid()) return;
    void act(() => sfn().send(new SendTaskSuccessCommand({ taskToken: t.taskToken, output: output.area.value })));
  });
  reject.addEventListener("click", () => void act(() => sfn().send(new SendTaskFailureCommand({ taskToken: t.taskToken, error: error.value || undefined, cause: cause.value || undefined }))));
  return h("article", { class: "card task", "data-execution": t.executionArn, "data-state": t.stateName },
    h("header", null, h("h3", null, t.stateName),
      h("span", { class: "muted" }, "in ", h("a", { href: `#/execution/${encodeURIComponent(t.executionArn)}?state=${encodeURIComponent(t.stateName)}` }, execName),
        " of ", h("a", { href: `#/machine/${encodeURIComponent(t.stateMachineArn)}` }, machine))),
    h("p", { class: "muted mono small" }, t.resource, t.attempt ? ` · attempt ${t.attempt + 1}` : ""),
    h("h4", null, "Input"), input,
    h("div", { class: "split" },
      h("div", null, h("h4", null, "Output"), output.el, approve),
      h("div", null, h("h4", null, "Failure"), error, cause, reject)),
    result);
}

export async function inboxPage(root: HTMLElement) {
  const body = h("div", null, spinner());
  replace(root, h("div", { class: "page-head" }, h("h1", null, "Approvals"),
    h("p", { class: "muted" }, "Tasks waiting for their token: .waitForTaskToken callbacks and activity tasks.")), body);
  const load = async () => {
    try {
      const tasks = await waitingTasks();
      tasks.sort((x, y) => x.executionArn.localeCompare(y.executionArn) || x.stateName.localeCompare(y.stateName));
      replace(body, tasks.length === 0
        ? h("div", { class: "empty" }, "No task is waiting for a decision.")
        : h("div", { class: "cards" }, tasks.map((t) => card(t, () => void load()))));
    } catch (e) { replace(body, errorBox(e)); }
  };
  await load();
  // A task starts or ends waiting when some execution steps: re-read the list (coalesced).
  let timer: number | undefined;
  return follow({}, () => {
    if (timer || document.activeElement?.closest(".card")) return;  // not while someone types
    timer = window.setTimeout(() => { timer = undefined; void load(); }, 300);
  }, () => void load());
}
