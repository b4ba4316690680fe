// SNS topics (read-only): the list with each topic's subscriptions (ListSubscriptions, grouped
// by topic), and a topic's page with its attributes and subscriptions.
import {
  GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListSubscriptionsCommand, ListTopicsCommand,
  SNSClient, type Subscription,
} from "@aws-sdk/client-sns";
import { h, linkRow, pretty, replace, spinner, table } from "../dom";
import { clientConfig, contains, filterHead, moreNote, readAll, serviceError } from "./clients";

const client = () => new SNSClient(clientConfig());
const nameOf = (arn: string) => arn.split(":").pop() ?? arn;
const pending = (s: Subscription) => (s.SubscriptionArn ?? "").startsWith("PendingConfirmation");

export async function topicsPage(root: HTMLElement, _arg: string, query: URLSearchParams) {
  const body = h("div", null, spinner());
  const { head, filter } = filterHead("Topics", "topics", query, "Filter topics", (f) => draw(f));
  replace(root, head, body);
  const sns = client();
  let topics: { items: string[]; more: boolean }, subs: { items: Subscription[]; more: boolean };
  try {
    [topics, subs] = await Promise.all([
      readAll(async (token) => {
        const r = await sns.send(new ListTopicsCommand({ NextToken: token }));
        return { items: (r.Topics ?? []).map((t) => t.TopicArn ?? ""), next: r.NextToken };
      }),
      readAll(async (token) => {
        const r = await sns.send(new ListSubscriptionsCommand({ NextToken: token }));
        return { items: r.Subscriptions ?? [], next: r.NextToken };
      }),
    ]);
  } catch (e) {
    replace(body, serviceError(e, "SNS"));
    return;
  }
  const byTopic = new Map<string, Subscription[]>();
  for (const s of subs.items) byTopic.set(s.TopicArn ?? "", [...(byTopic.get(s.TopicArn ?? "") ?? []), s]);
  const draw = (f: string) => {
    const rows = topics.items.filter((t) => contains(nameOf(t), f)).map((arn) => {
      const list = byTopic.get(arn) ?? [];
      const protocols = [...new Set(list.map((s) => s.Protocol ?? ""))].sort().join(", ");
      return linkRow(`#/topic/${encodeURIComponent(arn)}`,
        h("a", { href: `#/topic/${encodeURIComponent(arn)}`, class: "name" }, nameOf(arn)),
        arn.endsWith(".fifo") ? "FIFO" : "Standard", String(list.filter((s) => !pending(s)).length),
        String(list.filter(pending).length), protocols || "—");
    });
    replace(body,
      topics.items.length === 0
        ? h("div", { class: "empty" }, h("p", null, "No topics yet."),
          h("p", null, "Create one with CreateTopic, e.g. ",
            h("code", null, "aws sns --endpoint-url ", location.origin, " create-topic --name alerts"), "."))
        : table(["Name", "Type", "Subscriptions", "Pending", "Protocols"], rows,
          h("p", null, "No topic's name contains “", f, "”.")),
      moreNote(topics.more, topics.items.length, "topics"));
  };
  draw(filter);
}

const JSON_ATTRS = new Set(["Policy", "EffectiveDeliveryPolicy", "DeliveryPolicy", "DataProtectionPolicy", "ArchivePolicy"]);

export async function topicPage(root: HTMLElement, arn: string) {
  replace(root, h("h1", null, nameOf(arn)), spinner());
  const sns = client();
  let attrs: Record<string, string>, subs: Subscription[];
  try {
    [attrs, subs] = await Promise.all([
      sns.send(new GetTopicAttributesCommand({ TopicArn: arn })).then((r) => r.Attributes ?? {}),
      readAll(async (token) => {
        const r = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken: token }));
        return { items: r.Subscriptions ?? [], next: r.NextToken };
      }).then((r) => r.items),
    ]);
  } catch (e) {
    replace(root, h("h1", null, nameOf(arn)), serviceError(e, "SNS"));
    return;
  }
  replace(root,
    h("div", { class: "page-head" }, h("h1", null, nameOf(arn))),
    h("p", null, h("a", { href: "#/topics" }, "← Topics")),
    h("dl", { class: "facts" },
      h("dt", null, "Display name"), h("dd", null, attrs.DisplayName || "—"),
      h("dt", null, "ARN"), h("dd", { class: "mono" }, arn)),
    h("h2", null, "Subscriptions"),
    table(["Protocol", "Endpoint", "Subscription ARN"], subs.map((s) =>
      h("tr", null, h("td", null, s.Protocol ?? ""), h("td", { class: "mono" }, s.Endpoint ?? ""),
        h("td", { class: "mono" }, s.SubscriptionArn ?? ""))),
    "No subscriptions (Subscribe)."),
    h("h2", null, "Attributes"),
    table(["Attribute", "Value"], Object.entries(attrs).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) =>
      h("tr", null, h("td", null, k), h("td", { class: "mono" }, JSON_ATTRS.has(k) ? h("pre", { class: "json" }, pretty(v)) : v)))));
}
