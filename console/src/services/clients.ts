// What every built-in service page shares: the SDK client settings (same origin, the login key,
// no retries: the console shows errors), a "service not enabled" message for a server started
// with fewer --services, filters on a list, and paging to a bound.
import { keys } from "../api";
import { errorBox, h, type Child } from "../dom";

export function clientConfig() {
  const k = keys();
  return {
    endpoint: location.origin,
    region: k.region,
    credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey },
    maxAttempts: 1,
  };
}

// Answers meaning "no such service on this port": the server routes a request no service
// claims to UnknownOperationException (JSON), InvalidAction (query) or NotFound (REST).
const NOT_SERVED = ["UnknownOperationException", "InvalidAction", "NotFound", "MethodNotAllowed"];

// An answer the client could not parse (S3 reading the JSON error of a server without S3) is
// shown as the server's own error, from the body the SDK kept.
function unwrap(e: unknown): unknown {
  const body = (e as { $responseBodyText?: string })?.$responseBodyText;
  try {
    const b = JSON.parse(body ?? "null") as { __type?: string; message?: string } | null;
    if (b?.__type) return { name: b.__type, message: b.message ?? "" };
  } catch { /* not JSON: the SDK's own error stands */ }
  return e;
}

export function serviceError(err: unknown, service: string): HTMLElement {
  const e = unwrap(err);
  const name = (e as { name?: string })?.name ?? "";
  if (NOT_SERVED.includes(name)) {
    return h("div", { class: "empty" }, h("p", null, `This server does not run the built-in ${service}.`),
      h("p", null, "Start it with ", h("code", null, "stepwise serve"), " (every service) or name it in ",
        h("code", null, "--services"), "."), errorBox(e));
  }
  return errorBox(e);
}

// Pages read at most this many items of a list (a console shows, it does not export).
export const LIST_MAX = 10_000;
// Describe calls made for the rows of a list (counts, sizes), for the first rows only.
export const DESCRIBE_ROWS_MAX = 100;

// Reads pages until there is no next token or `max` items are in.
export async function readAll<T>(page: (token: string | undefined) => Promise<{ items: T[]; next?: string }>,
                                 max = LIST_MAX): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const r = await page(token);
    items.push(...r.items);
    token = r.next;
  } while (token && items.length < max);
  return { items, more: Boolean(token) };
}

// The heading of a list page with a name filter kept in the URL (`?q=`).
export function filterHead(title: string, route: string, query: URLSearchParams, label: string,
                           onFilter: (f: string) => void): { head: HTMLElement; filter: string } {
  const q = query.get("q") ?? "";
  const search = h("input", { type: "search", placeholder: "Filter by name", value: q, "aria-label": label });
  search.addEventListener("input", () => {
    onFilter(search.value);
    history.replaceState(null, "", `#/${route}${search.value ? `?q=${encodeURIComponent(search.value)}` : ""}`);
  });
  return { head: h("div", { class: "page-head" }, h("h1", null, title), search), filter: q };
}

export const contains = (name: string, f: string) => name.toLowerCase().includes(f.toLowerCase());

export function fmtBytes(n: number | undefined): string {
  if (n === undefined) return "—";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

// A note under a list read to its bound.
export const moreNote = (more: boolean, n: number, what: string): Child =>
  more ? h("p", { class: "muted" }, `Showing the first ${n} ${what}.`) : null;
