// Health: /health and the request metrics of /metrics (Prometheus text), per operation.
import { h, replace, spinner, table } from "../dom";

interface Series { name: string; labels: Record<string, string>; value: number }

export function parseMetrics(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

export async function healthPage(root: HTMLElement) {
  replace(root, h("h1", null, "Health"), spinner());
  const load = async () => {
    const [health, metrics] = await Promise.all([
      fetch("/health", { cache: "no-store" }).then((r) => r.text()),
      fetch("/metrics", { cache: "no-store" }).then((r) => r.text()),
    ]);
    const series = parseMetrics(metrics);
    const one = (n: string) => series.find((s) => s.name === n)?.value ?? 0;
    const ops = new Map<string, { ok: number; client: number; server: number; sum: number; count: number }>();
    for (const s of series) {
      const key = `${s.labels.service ?? ""} ${s.labels.operation ?? ""}`;
      const o = ops.get(key) ?? { ok: 0, client: 0, server: 0, sum: 0, count: 0 };
      if (s.name === "stepwise_requests_total") {
        if (s.labels.outcome === "success") o.ok += s.value; else if (s.labels.outcome === "client_error") o.client += s.value; else o.server += s.value;
      } else if (s.name === "stepwise_request_duration_seconds_sum") o.sum += s.value;
      else if (s.name === "stepwise_request_duration_seconds_count") o.count += s.value;
      else continue;
      ops.set(key, o);
    }
    let ok = false;
    try { ok = (JSON.parse(health) as { status?: string }).status === "ok"; } catch { /* not ok */ }
    replace(root, h("h1", null, "Health"),
      h("p", null, h("span", { class: `badge status-${ok ? "succeeded" : "failed"}` }, ok ? "Healthy" : "Unhealthy"), " ",
        h("span", { class: "muted" }, "/health")),
      h("dl", { class: "facts" },
        h("dt", null, "Open connections"), h("dd", null, String(one("stepwise_connections_open"))),
        h("dt", null, "Connections accepted"), h("dd", null, String(one("stepwise_connections_accepted_total"))),
        h("dt", null, "HTTP requests"), h("dd", null, String(one("stepwise_http_requests_total"))),
        h("dt", null, "Timeouts"), h("dd", null, String(one("stepwise_timeouts_total")))),
      h("h2", null, "Requests by operation"),
      table(["Service", "Operation", "OK", "Client errors", "Server errors", "Mean latency"],
        [...ops.entries()].sort().map(([key, o]) => {
          const [service, op] = key.split(" ");
          return h("tr", null, h("td", null, service), h("td", null, op), h("td", null, String(o.ok)),
            h("td", null, String(o.client)), h("td", null, String(o.server)),
            h("td", null, o.count ? `${((o.sum / o.count) * 1000).toFixed(2)} ms` : "—"));
        }), "No requests counted yet."));
  };
  await load();
  const timer = window.setInterval(() => void load().catch(() => {}), 5000);
  return () => clearInterval(timer);
}
