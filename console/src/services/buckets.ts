// S3 buckets (read-only): the list, a bucket's objects browsed by prefix and "/" delimiter (folders
// as links, pages through the continuation token), and an object's page (its metadata and the
// first bytes of a text body).
import {
  GetObjectCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, S3Client,
  type Bucket, type ListObjectsV2Output,
} from "@aws-sdk/client-s3";
import { fmtDate, h, linkRow, pretty, replace, spinner, table } from "../dom";
import { clientConfig, contains, filterHead, fmtBytes, serviceError } from "./clients";

// Path-style URLs (the bucket in the path: one host); no checksums asked for or checked.
export const s3 = () => new S3Client({
  ...clientConfig(), forcePathStyle: true,
  requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED",
});
// Keys a listing page asks for; bytes of an object's body shown on its page.
const PAGE_KEYS = 200;
const PREVIEW_BYTES = 64 * 1024;

const bucketHref = (b: string, prefix = "") =>
  `#/bucket/${encodeURIComponent(b)}${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ""}`;
export const objectHref = (b: string, key: string) => `#/object/${encodeURIComponent(`${b}/${key}`)}`;

export async function bucketsPage(root: HTMLElement, _arg: string, query: URLSearchParams) {
  const body = h("div", null, spinner());
  const { head, filter } = filterHead("Buckets", "buckets", query, "Filter buckets", (f) => draw(f));
  replace(root, head, body);
  let buckets: Bucket[];
  try {
    buckets = (await s3().send(new ListBucketsCommand({}))).Buckets ?? [];
  } catch (e) {
    replace(body, serviceError(e, "S3"));
    return;
  }
  const draw = (f: string) => replace(body, buckets.length === 0
    ? h("div", { class: "empty" }, h("p", null, "No buckets yet."),
      h("p", null, "Create one with CreateBucket, e.g. ", h("code", null, "aws s3 --endpoint-url ", location.origin, " mb s3://inbox"), "."))
    : table(["Name", "Created"], buckets.filter((b) => contains(b.Name ?? "", f)).map((b) =>
      linkRow(bucketHref(b.Name ?? ""), h("a", { href: bucketHref(b.Name ?? ""), class: "name" }, b.Name ?? ""), fmtDate(b.CreationDate))),
    h("p", null, "No bucket's name contains “", f, "”.")));
  draw(filter);
}

// The prefix as links, one per "/"-ended part: bucket / a/ / b/.
function crumbs(bucket: string, prefix: string): HTMLElement {
  const parts = prefix.split("/").filter((p, i, all) => p !== "" || i < all.length - 1);
  const out: (HTMLElement | string)[] = [h("a", { href: bucketHref(bucket) }, bucket)];
  let acc = "";
  for (const p of parts.slice(0, prefix.endsWith("/") ? parts.length : parts.length - 1)) {
    acc += `${p}/`;
    out.push(" / ", h("a", { href: bucketHref(bucket, acc) }, p));
  }
  return h("nav", { class: "crumbs", "aria-label": "Prefix" }, out);
}

export async function bucketPage(root: HTMLElement, bucket: string, query: URLSearchParams) {
  const prefix = query.get("prefix") ?? "";
  const body = h("div", { class: "objects" }, spinner());
  const search = h("input", { type: "search", placeholder: "Prefix", value: prefix, "aria-label": "Prefix" });
  search.addEventListener("keydown", (e) => {
    if ((e as KeyboardEvent).key === "Enter") location.hash = bucketHref(bucket, search.value);
  });
  replace(root, h("div", { class: "page-head" }, h("h1", null, bucket), search),
    h("p", null, h("a", { href: "#/buckets" }, "← Buckets")), crumbs(bucket, prefix), body);
  const client = s3();
  const tokens: (string | undefined)[] = [undefined];  // the token of each page read so far
  let at = 0;
  const load = async () => {
    let r: ListObjectsV2Output;
    try {
      r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, Delimiter: "/",
        MaxKeys: PAGE_KEYS, ContinuationToken: tokens[at] }));
    } catch (e) {
      replace(body, serviceError(e, "S3"));
      return;
    }
    if (r.NextContinuationToken) tokens[at + 1] = r.NextContinuationToken;
    const folders = (r.CommonPrefixes ?? []).map((p) => p.Prefix ?? "");
    const objects = r.Contents ?? [];
    const prev = h("button", { type: "button", disabled: at === 0 }, "← Previous");
    const next = h("button", { type: "button", disabled: !r.NextContinuationToken }, "Next →");
    prev.addEventListener("click", () => { at--; void load(); });
    next.addEventListener("click", () => { at++; void load(); });
    const rows = [
      ...folders.map((p) => linkRow(bucketHref(bucket, p),
        h("a", { href: bucketHref(bucket, p), class: "name folder" }, p.slice(prefix.length)), "folder", "", "")),
      ...objects.map((o) => linkRow(objectHref(bucket, o.Key ?? ""),
        h("a", { href: objectHref(bucket, o.Key ?? ""), class: "name" }, (o.Key ?? "").slice(prefix.length)),
        fmtBytes(o.Size), fmtDate(o.LastModified), h("span", { class: "mono" }, o.ETag ?? ""))),
    ];
    replace(body,
      table(["Name", "Size", "Last modified", "ETag"], rows,
        prefix ? h("p", null, "No objects under “", prefix, "”.") : h("p", null, "This bucket is empty (PutObject).")),
      at > 0 || r.NextContinuationToken ? h("div", { class: "toolbar" }, prev, next, h("span", { class: "muted" }, `Page ${at + 1}`)) : null);
  };
  await load();
}

export async function objectPage(root: HTMLElement, path: string) {
  const slash = path.indexOf("/");
  const bucket = slash < 0 ? path : path.slice(0, slash), key = slash < 0 ? "" : path.slice(slash + 1);
  replace(root, h("h1", null, key), spinner());
  const client = s3();
  const parent = key.includes("/") ? key.slice(0, key.lastIndexOf("/") + 1) : "";
  const head = [h("div", { class: "page-head" }, h("h1", null, key)), h("p", null, crumbs(bucket, parent))];
  try {
    const meta = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const textual = /^(text\/|application\/(json|xml|x-ndjson|jsonl|yaml|csv))/.test(meta.ContentType ?? "") ||
      /\.(json|jsonl|csv|txt|md|xml|ya?ml|log)$/i.test(key);
    let preview: HTMLElement = h("p", { class: "muted" }, "Not shown: the content type is not text.");
    if (textual && (meta.ContentLength ?? 0) > 0) {
      const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${PREVIEW_BYTES - 1}` }));
      const text = (await r.Body?.transformToString()) ?? "";
      preview = h("pre", { class: "json object-body" }, (meta.ContentLength ?? 0) <= PREVIEW_BYTES ? pretty(text) : text);
    }
    replace(root, ...head,
      h("dl", { class: "facts" },
        h("dt", null, "Size"), h("dd", null, fmtBytes(meta.ContentLength)),
        h("dt", null, "Content type"), h("dd", null, meta.ContentType ?? "—"),
        h("dt", null, "Last modified"), h("dd", null, fmtDate(meta.LastModified)),
        h("dt", null, "ETag"), h("dd", { class: "mono" }, meta.ETag ?? ""),
        Object.entries(meta.Metadata ?? {}).map(([k, v]) => [h("dt", null, `x-amz-meta-${k}`), h("dd", null, v)])),
      h("h2", null, (meta.ContentLength ?? 0) > PREVIEW_BYTES ? `First ${fmtBytes(PREVIEW_BYTES)}` : "Content"), preview);
  } catch (e) {
    replace(root, ...head, serviceError(e, "S3"));
  }
}
