// EventBridge event buses (read-only): ListEventBuses. The built-in EventBridge has buses and
// PutEvents; rules and targets come with their own pages when the service has them.
import { EventBridgeClient, ListEventBusesCommand, type EventBus } from "@aws-sdk/client-eventbridge";
import { fmtDate, h, replace, spinner, table } from "../dom";
import { clientConfig, contains, filterHead, moreNote, readAll, serviceError } from "./clients";

export async function busesPage(root: HTMLElement, _arg: string, query: URLSearchParams) {
  const body = h("div", null, spinner());
  const { head, filter } = filterHead("Event buses", "buses", query, "Filter event buses", (f) => draw(f));
  replace(root, head, body);
  const events = new EventBridgeClient(clientConfig());
  let list: { items: EventBus[]; more: boolean };
  try {
    list = await readAll(async (token) => {
      const r = await events.send(new ListEventBusesCommand({ Limit: 100, NextToken: token }));
      return { items: r.EventBuses ?? [], next: r.NextToken };
    });
  } catch (e) {
    replace(body, serviceError(e, "EventBridge"));
    return;
  }
  const draw = (f: string) => replace(body,
    table(["Name", "Description", "Created", "ARN"], list.items.filter((b) => contains(b.Name ?? "", f)).map((b) =>
      h("tr", null, h("td", { class: "name" }, b.Name ?? ""), h("td", null, b.Description ?? ""),
        h("td", null, fmtDate(b.CreationTime)), h("td", { class: "mono" }, b.Arn ?? ""))),
    list.items.length === 0 ? h("p", null, "No event buses (CreateEventBus).") : h("p", null, "No bus's name contains “", f, "”.")),
    moreNote(list.more, list.items.length, "event buses"));
  draw(filter);
}
