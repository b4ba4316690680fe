// SQS queues (read-only): the list with each queue's message counts (GetQueueAttributes), and a
// queue's page with every attribute and its tags. Nothing here receives a message: a receive
// would hide it from the workers for its visibility timeout.
import { GetQueueAttributesCommand, ListQueueTagsCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { fmtDate, h, linkRow, pretty, replace, spinner, table } from "../dom";
import { DESCRIBE_ROWS_MAX, clientConfig, contains, filterHead, moreNote, readAll, serviceError } from "./clients";

const client = () => new SQSClient(clientConfig());
const nameOf = (url: string) => decodeURIComponent(url.split("/").pop() ?? url);

export async function queuesPage(root: HTMLElement, _arg: string, query: URLSearchParams) {
  const body = h("div", null, spinner());
  const { head, filter } = filterHead("Queues", "queues", query, "Filter queues", (f) => draw(f));
  replace(root, head, body);
  const sqs = client();
  let list: { items: string[]; more: boolean };
  try {
    list = await readAll(async (token) => {
      const r = await sqs.send(new ListQueuesCommand({ MaxResults: 1000, NextToken: token }));
      return { items: r.QueueUrls ?? [], next: r.NextToken };
    });
  } catch (e) {
    replace(body, serviceError(e, "SQS"));
    return;
  }
  const counts = new Map<string, HTMLElement[]>();
  const draw = (f: string) => {
    const shown = list.items.filter((u) => contains(nameOf(u), f));
    const rows = shown.map((url) => {
      const cells = [0, 1, 2, 3].map(() => h("span", { class: "muted" }, "…"));
      counts.set(url, cells);
      return linkRow(`#/queue/${encodeURIComponent(url)}`,
        h("a", { href: `#/queue/${encodeURIComponent(url)}`, class: "name" }, nameOf(url)), ...cells);
    });
    replace(body,
      list.items.length === 0
        ? h("div", { class: "empty" }, h("p", null, "No queues yet."),
          h("p", null, "Create one with CreateQueue, e.g. ",
            h("code", null, "aws sqs --endpoint-url ", location.origin, " create-queue --queue-name jobs"), "."))
        : table(["Name", "Type", "Available", "In flight", "Delayed"], rows,
          h("p", null, "No queue's name contains “", f, "”.")),
      moreNote(list.more, list.items.length, "queues"));
    for (const url of shown.slice(0, DESCRIBE_ROWS_MAX)) {
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })).then((r) => {
        const a = r.Attributes ?? {};
        const [type, visible, inflight, delayed] = counts.get(url)!;
        replace(type, a.FifoQueue === "true" ? "FIFO" : "Standard");
        replace(visible, a.ApproximateNumberOfMessages ?? "?");
        replace(inflight, a.ApproximateNumberOfMessagesNotVisible ?? "?");
        replace(delayed, a.ApproximateNumberOfMessagesDelayed ?? "?");
        for (const c of counts.get(url)!) c.classList.remove("muted");
      }).catch(() => { for (const c of counts.get(url)!) replace(c, "?"); });
    }
  };
  draw(filter);
}

// Attributes whose values are epoch seconds, shown as dates.
const DATES = new Set(["CreatedTimestamp", "LastModifiedTimestamp"]);
// Attributes whose values are JSON documents.
const JSON_ATTRS = new Set(["Policy", "RedrivePolicy", "RedriveAllowPolicy"]);

export async function queuePage(root: HTMLElement, url: string) {
  replace(root, h("h1", null, nameOf(url)), spinner());
  const sqs = client();
  let attrs: Record<string, string>, tags: Record<string, string>;
  try {
    [attrs, tags] = await Promise.all([
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })).then((r) => r.Attributes ?? {}),
      sqs.send(new ListQueueTagsCommand({ QueueUrl: url })).then((r) => r.Tags ?? {}),
    ]);
  } catch (e) {
    replace(root, h("h1", null, nameOf(url)), serviceError(e, "SQS"));
    return;
  }
  const value = (k: string, v: string) => DATES.has(k) ? fmtDate(new Date(Number(v) * 1000))
    : JSON_ATTRS.has(k) ? h("pre", { class: "json" }, pretty(v)) : v;
  replace(root,
    h("div", { class: "page-head" }, h("h1", null, nameOf(url)),
      h("span", { class: "badge" }, attrs.FifoQueue === "true" ? "FIFO" : "Standard")),
    h("p", null, h("a", { href: "#/queues" }, "← Queues")),
    h("dl", { class: "facts" },
      h("dt", null, "Messages available"), h("dd", { "data-count": "available" }, attrs.ApproximateNumberOfMessages ?? "?"),
      h("dt", null, "In flight"), h("dd", null, attrs.ApproximateNumberOfMessagesNotVisible ?? "?"),
      h("dt", null, "Delayed"), h("dd", null, attrs.ApproximateNumberOfMessagesDelayed ?? "?"),
      h("dt", null, "URL"), h("dd", { class: "mono" }, url)),
    h("h2", null, "Attributes"),
    table(["Attribute", "Value"], Object.entries(attrs).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) =>
      h("tr", null, h("td", null, k), h("td", { class: "mono" }, value(k, v))))),
    h("h2", null, "Tags"),
    table(["Key", "Value"], Object.entries(tags).map(([k, v]) => h("tr", null, h("td", null, k), h("td", null, v))),
      "No tags (TagQueue)."));
}
