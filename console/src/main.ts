// The console's shell: hash routes (every page has a URL to share and reload), the header with
// navigation, the theme switch and keyboard shortcuts. Pages live in pages/.
import "./style.css";
import { h, replace, errorBox } from "./dom";
import { isAuthError, signedIn, setKeys } from "./api";
import { machinesPage } from "./pages/machines";
import { machinePage } from "./pages/machine";
import { executionsPage } from "./pages/executions";
import { executionPage } from "./pages/execution";
import { startPage } from "./pages/start";
import { inboxPage } from "./pages/inbox";
import { activitiesPage } from "./pages/activities";
import { healthPage } from "./pages/health";
import { loginPage } from "./pages/login";
import { warmUp } from "./graph/render";

export type Cleanup = (() => void) | void;
export type Page = (root: HTMLElement, arg: string, query: URLSearchParams) => Promise<Cleanup>;

// Pages of the built-in services and map runs load on first use (their SDK clients are large).
const lazy = (load: () => Promise<Page>): Page => async (root, arg, query) => (await load())(root, arg, query);

const routes: Record<string, Page> = {
  machines: machinesPage,
  machine: machinePage,
  executions: executionsPage,
  execution: executionPage,
  start: startPage,
  inbox: inboxPage,
  activities: activitiesPage,
  health: healthPage,
  login: loginPage,
  maprun: lazy(() => import("./pages/maprun").then((m) => m.mapRunPage)),
  queues: lazy(() => import("./services/queues").then((m) => m.queuesPage)),
  queue: lazy(() => import("./services/queues").then((m) => m.queuePage)),
  topics: lazy(() => import("./services/topics").then((m) => m.topicsPage)),
  topic: lazy(() => import("./services/topics").then((m) => m.topicPage)),
  tables: lazy(() => import("./services/tables").then((m) => m.tablesPage)),
  table: lazy(() => import("./services/tables").then((m) => m.tablePage)),
  buckets: lazy(() => import("./services/buckets").then((m) => m.bucketsPage)),
  bucket: lazy(() => import("./services/buckets").then((m) => m.bucketPage)),
  object: lazy(() => import("./services/buckets").then((m) => m.objectPage)),
  buses: lazy(() => import("./services/buses").then((m) => m.busesPage)),
};

const NAV: [string, string, string][] = [
  ["machines", "State machines", "g m"],
  ["inbox", "Approvals", "g i"],
  ["activities", "Activities", "g a"],
  ["queues", "Queues", "g q"],
  ["topics", "Topics", "g t"],
  ["tables", "Tables", "g d"],
  ["buckets", "Buckets", "g b"],
  ["buses", "Event buses", "g e"],
  ["health", "Health", "g h"],
];
// Detail routes and the list they belong to, for the active navigation entry.
const SECTION: Record<string, string> = {
  machine: "machines", executions: "machines", execution: "machines", start: "machines", maprun: "machines",
  queue: "queues", topic: "topics", table: "tables", bucket: "buckets", object: "buckets",
};

// ---- theme ----
const THEME = "stepwise.theme";
function setTheme(t: string): void {
  document.documentElement.dataset.theme = t;
  localStorage.setItem(THEME, t);
}
setTheme(localStorage.getItem(THEME) ??
  (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
const toggleTheme = () => setTheme(document.documentElement.dataset.theme === "dark" ? "light" : "dark");

// ---- layout ----
const app = document.getElementById("app")!;
const main = h("main", { id: "main", tabindex: -1 });
const navLinks = NAV.map(([route, label, key]) =>
  h("a", { href: `#/${route}`, "data-route": route, title: `${label} (${key})` }, label));
const authLink = h("a", { href: "#/login", class: "auth-link" });
replace(app,
  h("header", { class: "top" },
    h("a", { class: "brand", href: "#/machines" }, "Stepwise"),
    h("nav", { "aria-label": "Main" }, navLinks),
    h("div", { class: "spacer" }),
    authLink,
    h("button", { type: "button", class: "theme", title: "Dark / light (t)", onclick: toggleTheme }, "◐"),
    h("button", { type: "button", class: "help", title: "Keyboard shortcuts (?)", onclick: () => showHelp() }, "?")),
  main);

// ---- routing ----
let cleanup: Cleanup;
let generation = 0;
export function parseHash(hash: string): { route: string; arg: string; query: URLSearchParams } {
  const raw = hash.replace(/^#\/?/, "");
  const [pathPart, queryPart = ""] = raw.split("?", 2);
  const slash = pathPart.indexOf("/");
  const route = (slash < 0 ? pathPart : pathPart.slice(0, slash)) || "machines";
  const arg = slash < 0 ? "" : decodeURIComponent(pathPart.slice(slash + 1));
  return { route, arg, query: new URLSearchParams(queryPart) };
}

async function render(): Promise<void> {
  const my = ++generation;
  if (typeof cleanup === "function") cleanup();
  cleanup = undefined;
  const { route, arg, query } = parseHash(location.hash);
  for (const a of navLinks) a.classList.toggle("active", a.dataset.route === (SECTION[route] ?? route));
  authLink.textContent = signedIn() ? "Sign out" : "Sign in";
  const page = routes[route];
  const root = h("div", { class: `page page-${route}` });
  replace(main, root);
  if (!page) {
    replace(root, h("h1", null, "Not found"), h("p", { class: "empty" }, "No page at ", location.hash, ". ",
      h("a", { href: "#/machines" }, "State machines")));
    return;
  }
  try {
    const c = await page(root, arg, query);
    if (my !== generation) { if (typeof c === "function") c(); return; }
    cleanup = c;
  } catch (e) {
    if (my !== generation) return;
    if (isAuthError(e) && route !== "login") {
      location.hash = `#/login?next=${encodeURIComponent(location.hash)}`;
      return;
    }
    root.appendChild(errorBox(e));
  }
}
window.addEventListener("hashchange", () => void render());
authLink.addEventListener("click", (e) => {
  if (!signedIn()) return;
  e.preventDefault();
  setKeys(null);
  location.hash = "#/login";
});

// ---- keyboard ----
let pendingG = false;
function showHelp(): void {
  const close = () => dialog.remove();
  const dialog = h("div", { class: "modal", role: "dialog", "aria-label": "Keyboard shortcuts", onclick: (e: Event) => { if (e.target === dialog) close(); } },
    h("div", { class: "modal-body" },
      h("h2", null, "Keyboard shortcuts"),
      h("table", { class: "grid" }, h("tbody", null,
        [...NAV.map(([, label, key]) => [key, label]), ["/", "Search / filter"], ["t", "Dark / light theme"],
          ["↑ ↓, Enter", "Move in a list, open"], ["Tab, Enter", "Select a state in a graph"], ["Esc", "Close"]]
          .map(([k, v]) => h("tr", null, h("td", null, h("kbd", null, k)), h("td", null, v))))),
      h("button", { type: "button", onclick: close }, "Close")));
  document.body.appendChild(dialog);
  (dialog.querySelector("button") as HTMLButtonElement).focus();
}
document.addEventListener("keydown", (e) => {
  const t = e.target as HTMLElement;
  if (e.key === "Escape") { document.querySelector(".modal")?.remove(); return; }
  if (t.closest("input,textarea,select") || e.ctrlKey || e.metaKey || e.altKey) return;
  if (pendingG) {
    pendingG = false;
    const target = NAV.find(([, , key]) => key === `g ${e.key}`);
    if (target) { location.hash = `#/${target[0]}`; e.preventDefault(); }
    return;
  }
  if (e.key === "g") { pendingG = true; setTimeout(() => { pendingG = false; }, 1500); return; }
  if (e.key === "t") toggleTheme();
  else if (e.key === "?") showHelp();
  else if (e.key === "/") {
    const search = document.querySelector<HTMLInputElement>("input[type=search]");
    if (search) { e.preventDefault(); search.focus(); }
  }
});

void render();
// Warm the graph layout up in idle time (graph/render.ts), unless this page already draws one.
const idle = (window as { requestIdleCallback?: (f: () => void) => void }).requestIdleCallback ?? ((f: () => void) => setTimeout(f, 200));
idle(() => void warmUp());
