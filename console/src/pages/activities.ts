// Activities and their pending tasks (the tasks waiting for a worker's answer).
import { ListActivitiesCommand, type ActivityListItem } from "@aws-sdk/client-sfn";
import { sfn, waitingTasks } from "../api";
import { fmtDate, h, replace, spinner, table } from "../dom";

export async function activitiesPage(root: HTMLElement) {
  replace(root, h("h1", null, "Activities"), spinner());
  const list: ActivityListItem[] = [];
  let token: string | undefined;
  do {
    const r = await sfn().send(new ListActivitiesCommand({ maxResults: 1000, nextToken: token }));
    list.push(...(r.activities ?? []));
    token = r.nextToken;
  } while (token && list.length < 10_000);
  const tasks = await waitingTasks().catch(() => []);
  const pending = (arn: string) => tasks.filter((t) => t.resource === arn);
  replace(root, h("h1", null, "Activities"),
    table(["Name", "Created", "Pending tasks", "ARN"], list.map((a) => {
      const p = pending(a.activityArn ?? "");
      return h("tr", null, h("td", null, a.name ?? ""), h("td", null, fmtDate(a.creationDate)),
        h("td", null, p.length === 0 ? "0" : h("a", { href: "#/inbox" }, String(p.length))),
        h("td", { class: "mono" }, a.activityArn ?? ""));
    }), h("p", null, "No activities (CreateActivity).")));
}
