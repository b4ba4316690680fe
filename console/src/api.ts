// How the console reaches Stepwise: the public Step Functions API through the AWS SDK (signed
// with the key from the login form when the server runs with --auth-keys; any key otherwise),
// plus the console's own read-only routes (/console/api/*) and one Server-Sent Events stream.
import { SFNClient } from "@aws-sdk/client-sfn";
import { signGet, type Keys } from "./sigv4";

const KEY_STORE = "stepwise.keys";
const ANONYMOUS: Keys = { accessKeyId: "console", secretAccessKey: "console", region: "us-east-1" };

export function keys(): Keys {
  try {
    const k = JSON.parse(sessionStorage.getItem(KEY_STORE) ?? "null") as Keys | null;
    if (k && k.accessKeyId && k.secretAccessKey) return { ...k, region: k.region || "us-east-1" };
  } catch { /* a damaged entry counts as none */ }
  return ANONYMOUS;
}
export const signedIn = () => keys() !== ANONYMOUS && keys().accessKeyId !== "console";

export function setKeys(k: Keys | null): void {
  if (k) sessionStorage.setItem(KEY_STORE, JSON.stringify(k));
  else sessionStorage.removeItem(KEY_STORE);
  client = null;
}

let client: SFNClient | null = null;
export function sfn(): SFNClient {
  if (!client) {
    const k = keys();
    client = new SFNClient({
      endpoint: location.origin,
      region: k.region,
      credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey },
      disableHostPrefix: true,  // StartSyncExecution would go to sync-<host> otherwise
      maxAttempts: 1,           // a console shows errors; it does not hide them behind retries
    });
  }
  return client;
}

// Errors that mean "sign in": the server verifies SigV4 and our key is missing or wrong.
export function isAuthError(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? "";
  return ["UnrecognizedClientException", "MissingAuthenticationTokenException",
    "InvalidSignatureException", "IncompleteSignatureException", "AccessDeniedException"]
    .includes(name);
}

export async function consoleGet<T>(path: string): Promise<T> {
  const headers = signGet(path, location.host, keys());
  const res = await fetch(path, { headers, cache: "no-store" });
  const text = await res.text();
  let body: unknown = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  if (!res.ok) {
    const b = body as { __type?: string; message?: string } | null;
    const err = new Error(b?.message ?? `${res.status} ${res.statusText}`);
    err.name = b?.__type ?? `HTTP${res.status}`;
    throw err;
  }
  return body as T;
}

export interface WaitingTask {
  taskToken: string; executionArn: string; stateMachineArn: string; stateName: string;
  resource: string; attempt: number;
}
export const waitingTasks = () =>
  consoleGet<{ tasks: WaitingTask[] }>("/console/api/tasks").then((r) => r.tasks);

export interface LiveChange {
  executionArn: string; stateMachineArn: string; name: string; status: string;
  historyCount: number; redriveCount: number; startDate: number; stopDate?: number;
}

// Follows execution changes (one execution, one machine's, or all). `onChange` hears each
// change, `onResync` when changes were lost (re-read everything), `onState` whether the stream
// is up. A ticket is fetched first when signed in (EventSource cannot sign). Returns a closer.
export function follow(filter: { execution?: string; stateMachine?: string },
                       onChange: (c: LiveChange) => void, onResync: () => void,
                       onState: (live: boolean) => void = () => {}): () => void {
  let source: EventSource | null = null;
  let closed = false;
  let retry: number | undefined;
  const open = async () => {
    const q = new URLSearchParams();
    if (filter.execution) q.set("execution", filter.execution);
    if (filter.stateMachine) q.set("stateMachine", filter.stateMachine);
    if (signedIn()) {
      try {
        q.set("ticket", (await consoleGet<{ ticket: string }>("/console/api/ticket")).ticket);
      } catch {
        onState(false);
        retry = window.setTimeout(open, 3000);
        return;
      }
    }
    if (closed) return;
    source = new EventSource(`/console/events?${q}`);
    let opened = false;
    source.addEventListener("open", () => {
      onState(true);
      if (opened) onResync();  // a reconnect: what happened meanwhile was not heard
      opened = true;
    });
    source.addEventListener("execution", (e) => {
      try { onChange(JSON.parse((e as MessageEvent).data) as LiveChange); } catch { /* skip */ }
    });
    source.addEventListener("resync", () => onResync());
    source.addEventListener("error", () => {
      onState(false);
      if (signedIn() && source) {  // a ticket is good once: reconnect with a new one
        source.close();
        retry = window.setTimeout(open, 1000);
      }
    });
  };
  // A browser holds at most 6 HTTP/1.1 connections per server, and each open stream keeps one:
  // a hidden tab lets go of its stream and re-reads what it shows when it is seen again.
  const visibility = () => {
    if (closed) return;
    if (document.hidden) {
      source?.close();
      source = null;
      onState(false);
    } else if (!source) {
      void open().then(() => onResync());
    }
  };
  document.addEventListener("visibilitychange", visibility);
  void open();
  return () => {
    closed = true;
    document.removeEventListener("visibilitychange", visibility);
    source?.close();
    if (retry) clearTimeout(retry);
  };
}
