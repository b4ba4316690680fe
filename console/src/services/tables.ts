// DynamoDB tables (read-only): the list with status, keys and item counts (DescribeTable), and a
// table's page with its key schema, indexes and the first items of a Scan (paged on demand).
import {
  DescribeTableCommand, DynamoDBClient, ListTablesCommand, ScanCommand, type AttributeValue,
  type KeySchemaElement, type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { fmtDate, h, linkRow, replace, spinner, table } from "../dom";
import { DESCRIBE_ROWS_MAX, clientConfig, contains, filterHead, fmtBytes, moreNote, readAll, serviceError } from "./clients";

const client = () => new DynamoDBClient(clientConfig());
// Items a Scan page asks for, and the columns shown (the keys first, then by first appearance).
const SCAN_PAGE = 25;
const COLUMNS_MAX = 12;
// Characters of one shown value (a long string or map is cut, the cell's title has more).
const CELL_CHARS = 200;

// An AttributeValue as plain JSON (M and L recursively; sets as arrays; B as its size).
export function plain(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number.isFinite(Number(v.N)) && String(Number(v.N)) === v.N ? Number(v.N) : v.N;
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.M !== undefined) return Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, plain(x)]));
  if (v.L !== undefined) return v.L.map(plain);
  if (v.SS !== undefined) return v.SS;
  if (v.NS !== undefined) return v.NS;
  if (v.B !== undefined) return `(${v.B.length} bytes)`;
  if (v.BS !== undefined) return v.BS.map((b) => `(${b.length} bytes)`);
  return null;
}
const typeOf = (v: AttributeValue) => Object.keys(v).find((k) => (v as unknown as Record<string, unknown>)[k] !== undefined) ?? "?";

function cell(v: AttributeValue | undefined): HTMLElement {
  if (!v) return h("td", { class: "muted" }, "");
  const p = plain(v);
  const text = typeof p === "string" ? p : JSON.stringify(p);
  return h("td", { title: `${typeOf(v)}: ${text.slice(0, 2000)}`, "data-type": typeOf(v) },
    text.length > CELL_CHARS ? text.slice(0, CELL_CHARS) + "…" : text);
}

const keysText = (ks: KeySchemaElement[] | undefined, defs: TableDescription["AttributeDefinitions"]) =>
  (ks ?? []).map((k) => `${k.AttributeName} (${k.KeyType === "HASH" ? "partition" : "sort"}, ` +
    `${defs?.find((d) => d.AttributeName === k.AttributeName)?.AttributeType ?? "?"})`).join(" · ");

export async function tablesPage(root: HTMLElement, _arg: string, query: URLSearchParams) {
  const body = h("div", null, spinner());
  const { head, filter } = filterHead("Tables", "tables", query, "Filter tables", (f) => draw(f));
  replace(root, head, body);
  const ddb = client();
  let list: { items: string[]; more: boolean };
  try {
    list = await readAll(async (token) => {
      const r = await ddb.send(new ListTablesCommand({ Limit: 100, ExclusiveStartTableName: token }));
      return { items: r.TableNames ?? [], next: r.LastEvaluatedTableName };
    });
  } catch (e) {
    replace(body, serviceError(e, "DynamoDB"));
    return;
  }
  const draw = (f: string) => {
    const shown = list.items.filter((n) => contains(n, f));
    const cells = new Map<string, HTMLElement[]>();
    const rows = shown.map((name) => {
      const c = [0, 1, 2, 3].map(() => h("span", { class: "muted" }, "…"));
      cells.set(name, c);
      return linkRow(`#/table/${encodeURIComponent(name)}`, h("a", { href: `#/table/${encodeURIComponent(name)}`, class: "name" }, name), ...c);
    });
    replace(body,
      list.items.length === 0
        ? h("div", { class: "empty" }, h("p", null, "No tables yet."),
          h("p", null, "Create one with CreateTable (AWS CLI ", h("code", null, "aws dynamodb --endpoint-url ", location.origin, " create-table …"), ", an SDK)."))
        : table(["Name", "Status", "Keys", "Items", "Size"], rows, h("p", null, "No table's name contains “", f, "”.")),
      moreNote(list.more, list.items.length, "tables"));
    for (const name of shown.slice(0, DESCRIBE_ROWS_MAX)) {
      ddb.send(new DescribeTableCommand({ TableName: name })).then((r) => {
        const t = r.Table ?? {};
        const [status, keys, items, size] = cells.get(name)!;
        replace(status, t.TableStatus ?? "?");
        replace(keys, keysText(t.KeySchema, t.AttributeDefinitions));
        replace(items, String(t.ItemCount ?? "?"));
        replace(size, fmtBytes(t.TableSizeBytes));
        for (const c of cells.get(name)!) c.classList.remove("muted");
      }).catch(() => { for (const c of cells.get(name)!) replace(c, "?"); });
    }
  };
  draw(filter);
}

export async function tablePage(root: HTMLElement, name: string) {
  replace(root, h("h1", null, name), spinner());
  const ddb = client();
  let t: TableDescription;
  try {
    t = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table ?? {};
  } catch (e) {
    replace(root, h("h1", null, name), serviceError(e, "DynamoDB"));
    return;
  }
  const indexes = [
    ...(t.GlobalSecondaryIndexes ?? []).map((i) => ({ kind: "Global", ...i })),
    ...(t.LocalSecondaryIndexes ?? []).map((i) => ({ kind: "Local", ...i })),
  ];
  const items = h("div", { class: "scan" }, spinner());
  replace(root,
    h("div", { class: "page-head" }, h("h1", null, name), h("span", { class: "badge" }, t.TableStatus ?? "")),
    h("p", null, h("a", { href: "#/tables" }, "← Tables")),
    h("dl", { class: "facts" },
      h("dt", null, "Keys"), h("dd", { "data-keys": "" }, keysText(t.KeySchema, t.AttributeDefinitions)),
      h("dt", null, "Items"), h("dd", null, String(t.ItemCount ?? "?")),
      h("dt", null, "Size"), h("dd", null, fmtBytes(t.TableSizeBytes)),
      h("dt", null, "Billing"), h("dd", null, t.BillingModeSummary?.BillingMode ?? "PROVISIONED"),
      h("dt", null, "Created"), h("dd", null, fmtDate(t.CreationDateTime)),
      h("dt", null, "ARN"), h("dd", { class: "mono" }, t.TableArn ?? "")),
    h("h2", null, "Indexes"),
    table(["Name", "Kind", "Keys", "Projection", "Items"], indexes.map((i) =>
      h("tr", null, h("td", null, i.IndexName ?? ""), h("td", null, i.kind), h("td", null, keysText(i.KeySchema, t.AttributeDefinitions)),
        h("td", null, [i.Projection?.ProjectionType ?? "", ...(i.Projection?.NonKeyAttributes ?? [])].join(" ")),
        h("td", null, String(i.ItemCount ?? "—")))),
      "No secondary indexes."),
    h("h2", null, "Items (Scan)"), items);
  const keyNames = (t.KeySchema ?? []).map((k) => k.AttributeName ?? "");
  const rows: Record<string, AttributeValue>[] = [];
  const more = h("button", { type: "button" }, `Next ${SCAN_PAGE}`);
  let start: Record<string, AttributeValue> | undefined;
  const page = async () => {
    more.disabled = true;
    try {
      const r = await ddb.send(new ScanCommand({ TableName: name, Limit: SCAN_PAGE, ExclusiveStartKey: start }));
      rows.push(...(r.Items ?? []));
      start = r.LastEvaluatedKey;
    } catch (e) {
      items.appendChild(serviceError(e, "DynamoDB"));
      return;
    }
    const cols = [...keyNames];
    for (const it of rows) for (const k of Object.keys(it)) if (!cols.includes(k) && cols.length < COLUMNS_MAX) cols.push(k);
    replace(items,
      table(cols, rows.map((it) => h("tr", { class: "item-row" }, cols.map((c) => cell(it[c])))),
        h("p", null, "No items (PutItem).")),
      h("div", { class: "toolbar" }, h("span", { class: "muted" }, `${rows.length} item${rows.length === 1 ? "" : "s"} read`),
        start ? more : null));
    more.disabled = false;
  };
  more.addEventListener("click", () => void page());
  await page();
}
