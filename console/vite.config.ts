// Vite builds the console for `stepwise serve`: the files are served under /console/ (index.html
// also at /), with content-hashed names under assets/ so the server can cache them for a year.
import { defineConfig } from "vite";

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
        manualChunks: (id: string) =>
          id.includes("node_modules/elkjs") ? "elk"
            : id.includes("node_modules/@aws-sdk") || id.includes("node_modules/@smithy") ? "sdk"
              : undefined,
      },
    },
  },
});
