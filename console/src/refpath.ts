// ASL reference paths ($, $.a.b, $['a'][0]) for the step inspector: enough to show what
// InputPath, ResultPath and OutputPath did. Anything else (wildcards, filters, context paths)
// gives undefined, and the inspector then says it was not computed here.
import type { Json } from "./graph/model";

type Step = string | number;

export function parsePath(path: string): Step[] | undefined {
  if (!path.startsWith("$") || path.startsWith("$$")) return undefined;
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === ".") {
      const m = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!m) return undefined;
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === "[") {
      const rest = path.slice(i);
      const num = /^\[(\d+)\]/.exec(rest);
      const str = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest) ?? /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
      if (num) { steps.push(Number(num[1])); i += num[0].length; } else if (str) { steps.push(str[1]); i += str[0].length; } else return undefined;
    } else {
      return undefined;
    }
  }
  return steps;
}

export function getPath(value: Json, path: string | null | undefined): { ok: boolean; value?: Json } {
  if (path === null) return { ok: true, value: {} };  // InputPath/OutputPath null: {}
  if (path === undefined) return { ok: true, value };
  const steps = parsePath(path);
  if (!steps) return { ok: false };
  let v = value;
  for (const s of steps) {
    if (v === null || typeof v !== "object" || !(s in v)) return { ok: false };
    v = v[s as keyof typeof v];
  }
  return { ok: true, value: v };
}

// ResultPath: the state input with `result` placed at `path` (null: the input unchanged).
export function setPath(input: Json, path: string | null | undefined, result: Json): { ok: boolean; value?: Json } {
  if (path === null) return { ok: true, value: input };
  if (path === undefined || path === "$") return { ok: true, value: result };
  const steps = parsePath(path);
  if (!steps) return { ok: false };
  const root = structuredClone(input ?? {});
  let v = root;
  for (let i = 0; i < steps.length - 1; i++) {
    if (v[steps[i]] === undefined || typeof v[steps[i]] !== "object" || v[steps[i]] === null) v[steps[i]] = {};
    v = v[steps[i]];
  }
  v[steps[steps.length - 1]] = result;
  return { ok: true, value: root };
}
