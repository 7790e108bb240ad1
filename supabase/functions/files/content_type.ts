/**
 * A `Content-Type` for downloaded files, guessed from the name: the types a coding workspace
 * holds most, text with `charset=utf-8`, everything else `application/octet-stream`. Guessing
 * from the name (not the bytes) keeps downloads streamed, and a wrong guess costs only a label.
 *
 * @module
 */

const TEXT = "text/plain; charset=utf-8";

const BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: TEXT,
  md: "text/markdown; charset=utf-8",
  markdown: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  xml: "application/xml; charset=utf-8",
  svg: "image/svg+xml",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  cjs: "text/javascript; charset=utf-8",
  jsx: "text/javascript; charset=utf-8",
  ts: "text/typescript; charset=utf-8",
  tsx: "text/typescript; charset=utf-8",
  json: "application/json; charset=utf-8",
  jsonc: "application/json; charset=utf-8",
  yaml: "application/yaml; charset=utf-8",
  yml: "application/yaml; charset=utf-8",
  toml: "application/toml; charset=utf-8",
  py: "text/x-python; charset=utf-8",
  rb: TEXT,
  go: TEXT,
  rs: TEXT,
  java: TEXT,
  c: TEXT,
  h: TEXT,
  cpp: TEXT,
  hpp: TEXT,
  sh: "application/x-sh; charset=utf-8",
  sql: "application/sql; charset=utf-8",
  ini: TEXT,
  cfg: TEXT,
  log: TEXT,
  env: TEXT,
  lock: TEXT,
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  tar: "application/x-tar",
  wasm: "application/wasm",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  woff: "font/woff",
  woff2: "font/woff2",
};

/** Extension-less names that are text. */
const TEXT_NAMES = new Set([
  "Dockerfile",
  "Makefile",
  "LICENSE",
  "README",
  ".gitignore",
  ".dockerignore",
  ".editorconfig",
  ".npmrc",
]);

/** The content type for a path; `application/octet-stream` when unknown. */
export function contentTypeFor(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (TEXT_NAMES.has(name)) return TEXT;
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return "application/octet-stream";
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? "application/octet-stream";
}
