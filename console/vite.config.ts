// Vite builds the console for `stepwise serve`: the files are served under /console/ (index.html
// also at /), with content-hashed names under assets/ so the server can cache them for a year.
import { readFileSync } from "node:fs";
import { defineConfig } from "vite";

// The packages the Step Functions client needs (its dependency closure): one "sdk" chunk that
// every page loads. The other services' clients (SQS, S3, ...) and what only they need stay in
// the chunks of their pages, loaded on first use (src/main.ts imports those pages lazily).
function closure(root: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    try {
      const pkg = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8"));
      for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
    } catch { /* an optional dependency that is not installed */ }
  };
  visit(root);
  return seen;
}
const sfnPackages = closure("@aws-sdk/client-sfn");
const packageOf = (id: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id)?.[1];
// Whether the Step Functions client imports a module (through static imports): a module of a
// shared package (@aws-sdk/core, @smithy/*) that only another client uses stays with that client.
const used = new Map<string, boolean>();
type Info = (id: string) => { importers: readonly string[] } | null;
function usedBySfn(id: string, info: Info): boolean {
  const known = used.get(id);
  if (known !== undefined) return known;
  used.set(id, false);  // a cycle proves nothing
  const yes = packageOf(id) === "@aws-sdk/client-sfn" ||
    (info(id)?.importers ?? []).some((i) => sfnPackages.has(packageOf(i) ?? "") && usedBySfn(i, info));
  used.set(id, yes);
  return yes;
}

export default defineConfig({
  base: "/console/",
  build: {
    target: "es2022",
    assetsDir: "assets",
    sourcemap: false,
    // elkjs (layout) and the AWS SDK are large; one chunk each keeps the first paint cacheable.
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      output: {
        manualChunks: (id, { getModuleInfo }) => {
          const pkg = packageOf(id);
          if (pkg === "elkjs") return "elk";
          return pkg && sfnPackages.has(pkg) && usedBySfn(id, getModuleInfo) ? "sdk" : undefined;
        },
      },
    },
  },
});
