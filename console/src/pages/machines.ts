// State machines: name, type, status, creation date; a search box filters by name (in the URL,
// so a filtered list can be shared).
import { DescribeStateMachineCommand, ListStateMachinesCommand, type StateMachineListItem } from "@aws-sdk/client-sfn";
import { sfn } from "../api";
import { fmtDate, h, linkRow, replace, spinner, table } from "../dom";

// Pages of ListStateMachines read at most (1,000 machines each).
const PAGES_MAX = 20;
// DescribeStateMachine calls for the status column, for the first rows shown.
const STATUS_ROWS_MAX = 100;

export async function machinesPage(root: HTMLElement, _arg: string, query: URLSearchParams) {
  const q = query.get("q") ?? "";
  const search = h("input", { type: "search", placeholder: "Search by name", value: q, "aria-label": "Search state machines" });
  const body = h("div", null, spinner());
  replace(root, h("div", { class: "page-head" }, h("h1", null, "State machines"), search), body);
  const machines: StateMachineListItem[] = [];
  let token: string | undefined;
  for (let i = 0; i < PAGES_MAX; i++) {
    const r = await sfn().send(new ListStateMachinesCommand({ maxResults: 1000, nextToken: token }));
    machines.push(...(r.stateMachines ?? []));
    token = r.nextToken;
    if (!token) break;
  }
  const draw = (filter: string) => {
    const f = filter.toLowerCase();
    const shown = machines.filter((m) => (m.name ?? "").toLowerCase().includes(f));
    const rows = shown.map((m) => {
      const status = h("span", { class: "muted" }, "…");
      const tr = linkRow(`#/machine/${encodeURIComponent(m.stateMachineArn!)}`,
        h("a", { href: `#/machine/${encodeURIComponent(m.stateMachineArn!)}`, class: "name" }, m.name ?? ""),
        m.type ?? "", status, fmtDate(m.creationDate));
      tr.dataset.status = "";
      return { tr, status, arn: m.stateMachineArn! };
    });
    replace(body,
      machines.length === 0
        ? h("div", { class: "empty" }, h("p", null, "No state machines yet."),
          h("p", null, "Create one with CreateStateMachine (AWS CLI, SDK), or start the server with ",
            h("code", null, "--examples examples"), "."))
        : table(["Name", "Type", "Status", "Created"], rows.map((r) => r.tr),
          h("p", null, "No state machine's name contains “", filter, "”.")),
      token ? h("p", { class: "muted" }, `Showing the first ${machines.length} state machines.`) : null);
    for (const r of rows.slice(0, STATUS_ROWS_MAX)) {
      sfn().send(new DescribeStateMachineCommand({ stateMachineArn: r.arn }))
        .then((d) => replace(r.status, d.status ?? "ACTIVE"))
        .catch(() => replace(r.status, "?"));
    }
  };
  draw(q);
  search.addEventListener("input", () => {
    draw(search.value);
    history.replaceState(null, "", `#/machines${search.value ? `?q=${encodeURIComponent(search.value)}` : ""}`);
  });
}
