// Safe DOM building. Every piece of execution data (names, inputs, outputs, error causes) reaches
// the page through h()/text(), which set textContent and attributes, never innerHTML: a name like
// `<img src=x onerror=alert(1)>` is shown as those characters and runs nothing.

export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";
export function s(tag: string, attrs: Attrs | null = null, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  apply(el, attrs);
  append(el, children);
  return el;
}

function apply(el: Element, attrs: Attrs | null): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") {
      el.addEventListener(k.replace(/^on/, ""), v);
    } else if (k.startsWith("on")) {
      // A string handler would be script from text: refuse it outright.
      throw new Error("event handlers must be functions");
    } else {
      el.setAttribute(k, v === true ? "" : String(v));
    }
  }
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replace(el: Element, ...children: Child[]): void {
  clear(el);
  append(el, children);
}

// Pretty JSON of a JSON text (or the text itself when it is not JSON), for <pre>.
export function pretty(text: string | undefined | null): string {
  if (text === undefined || text === null) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function fmtDate(d: Date | undefined | null): string {
  if (!d) return "—";
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

// A status pill: SUCCEEDED, FAILED, RUNNING, ...
export function statusBadge(status: string | undefined): HTMLElement {
  const st = (status ?? "UNKNOWN").toUpperCase();
  return h("span", { class: `badge status-${st.toLowerCase()}`, "data-status": st }, st);
}

// A table whose rows can be walked with the arrow keys and opened with Enter.
export function table(headers: string[], rows: HTMLTableRowElement[],
                      empty: Child = "Nothing here."): HTMLElement {
  if (rows.length === 0) return h("div", { class: "empty" }, empty);
  const body = h("tbody", null, rows);
  for (const r of rows) {
    if (!r.hasAttribute("tabindex")) continue;
    r.addEventListener("keydown", (e) => {
      const ke = e as KeyboardEvent;
      if (ke.key === "ArrowDown") (r.nextElementSibling as HTMLElement | null)?.focus();
      else if (ke.key === "ArrowUp") (r.previousElementSibling as HTMLElement | null)?.focus();
      else return;
      ke.preventDefault();
    });
  }
  return h("table", { class: "grid" },
    h("thead", null, h("tr", null, headers.map((t) => h("th", null, t)))), body);
}

// A row that opens `href` on click or Enter.
export function linkRow(href: string, ...cells: Child[]): HTMLTableRowElement {
  const tr = h("tr", { tabindex: 0, class: "link-row" },
    cells.map((c) => h("td", null, c)));
  const go = () => { location.hash = href; };
  tr.addEventListener("click", (e) => {
    if ((e.target as HTMLElement).closest("a,button,input")) return;
    go();
  });
  tr.addEventListener("keydown", (e) => { if ((e as KeyboardEvent).key === "Enter") go(); });
  return tr;
}

export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h("a", { href }, ...children);
}

export function errorBox(err: unknown): HTMLElement {
  const e = err as { name?: string; message?: string; __type?: string };
  const name = e?.name && e.name !== "Error" ? e.name : e?.__type ?? "Error";
  return h("div", { class: "error", role: "alert" },
    h("strong", null, name), ": ", e?.message ?? String(err));
}

export function spinner(label = "Loading…"): HTMLElement {
  return h("div", { class: "loading", role: "status" }, label);
}
