/**
 * envd's plain-HTTP file endpoints over a sandbox directory:
 * - `GET /files?path=&username=`: the file's bytes (`application/octet-stream`, with
 *   `Content-Length`), 404 when missing, 400 for a directory;
 * - `POST /files?path=&username=`: a `multipart/form-data` body (every `file` part; without
 *   `path`, each part's filename is its path) or an `application/octet-stream` body
 *   (`path` required), optionally `Content-Encoding: gzip`; parent directories are created,
 *   the file truncated in place; answers `[{ path, name, type: "file" }]`.
 * Errors are envd's `{ code: <http status>, message }`. Downloads are sent without
 * compression (identity is always acceptable); `X-Metadata-*` headers are ignored.
 *
 * @module
 */
import { dirname } from "node:path";
import { ConnectError } from "./connect_protocol.ts";
import { resolveForCall, type SandboxCall } from "./sandbox_call.ts";
import type { ResolvedPath } from "./sandbox_paths.ts";

/** envd's JSON error body. */
export function httpError(status: number, message: string): Response {
  return Response.json({ code: status, message }, { status });
}

function asHttpError(error: unknown): Response {
  if (error instanceof ConnectError) {
    return httpError(error.code === "invalid_argument" ? 400 : 500, error.message);
  }
  return httpError(500, error instanceof Error ? error.message : String(error));
}

async function download(call: SandboxCall, path: string): Promise<Response> {
  const file = await resolveForCall(call, path, { followLast: true });
  const info = await Deno.stat(file.hostPath).catch(() => null);
  if (!info) return httpError(404, `path '${file.sandboxPath}' does not exist`);
  if (info.isDirectory) return httpError(400, `path '${file.sandboxPath}' is a directory`);
  const headers = {
    "content-type": "application/octet-stream",
    "content-length": String(info.size),
    ...(info.mtime ? { "last-modified": info.mtime.toUTCString() } : {}),
  };
  if (info.size === 0) return new Response(null, { headers });
  const handle = await Deno.open(file.hostPath, { read: true });
  return new Response(handle.readable, { headers });
}

async function writeFile(file: ResolvedPath, bytes: ReadableStream<Uint8Array>): Promise<void> {
  const existing = await Deno.stat(file.hostPath).catch(() => null);
  if (existing?.isDirectory) {
    throw new ConnectError("invalid_argument", `path is a directory: ${file.sandboxPath}`);
  }
  try {
    await Deno.mkdir(dirname(file.hostPath), { recursive: true });
  } catch (error) {
    throw new ConnectError("internal", `error ensuring directories: ${(error as Error).message}`);
  }
  const handle = await Deno.open(file.hostPath, { write: true, create: true, truncate: true });
  await bytes.pipeTo(handle.writable);
}

function entryOf(file: ResolvedPath) {
  const name = file.sandboxPath.slice(file.sandboxPath.lastIndexOf("/") + 1);
  return { path: file.sandboxPath, name, type: "file" };
}

function decodedBody(request: Request): ReadableStream<Uint8Array> {
  const body = request.body ?? new Blob([]).stream();
  const encoding = request.headers.get("content-encoding")?.toLowerCase();
  if (encoding === "gzip") return body.pipeThrough(new DecompressionStream("gzip"));
  return body;
}

async function upload(call: SandboxCall, path: string | null, request: Request): Promise<Response> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const written: ReturnType<typeof entryOf>[] = [];
  if (type === "application/octet-stream") {
    if (!path) return httpError(400, "path query parameter is required for raw body upload");
    const file = await resolveForCall(call, path, { followLast: true });
    await writeFile(file, decodedBody(request));
    written.push(entryOf(file));
  } else if (type.startsWith("multipart/")) {
    const headers = new Headers(request.headers);
    headers.delete("content-encoding");
    const form = await new Response(decodedBody(request), { headers }).formData();
    for (const part of form.getAll("file")) {
      if (typeof part === "string") continue;
      const file = await resolveForCall(call, path ?? part.name, { followLast: true });
      if (written.some((entry) => entry.path === file.sandboxPath)) {
        return httpError(
          400,
          `you cannot upload multiple files to the same path '${file.sandboxPath}' in one upload request`,
        );
      }
      await writeFile(file, part.stream());
      written.push(entryOf(file));
    }
  } else {
    return httpError(
      400,
      `unsupported content type: ${type}, expected multipart/form-data or application/octet-stream`,
    );
  }
  return Response.json(written);
}

/** Serves `GET` and `POST /files` for one sandbox call. */
export async function serveFiles(request: Request, call: SandboxCall): Promise<Response> {
  const path = new URL(request.url).searchParams.get("path");
  try {
    if (request.method === "GET") return await download(call, path ?? "");
    if (request.method === "POST") return await upload(call, path, request);
    return httpError(405, `method ${request.method} is not allowed on /files`);
  } catch (error) {
    return asHttpError(error);
  }
}
