// Vite's `?url` imports: the file is copied to assets/ as it is and the import is its URL
// (graph/render.ts loads ELK's worker script this way).
declare module "*?url" {
  const url: string;
  export default url;
}
