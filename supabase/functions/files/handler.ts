/**
 * Routes of the `files` function, one file at a time (the path percent-encoded, segments
 * joined by `/`):
 * `PUT /files/:workspace/*path` (raw bytes), `GET|HEAD /files/:workspace/*path` (streamed, with
 * ETag, If-None-Match, Range and `?version=`), `DELETE /files/:workspace/*path`,
 * `GET /files/:workspace/*path?history` and `GET /files/:workspace/*path?diff&from=&to=`.
 *
 * @module
 */
import { errors, isSyncError } from "../../../shared/protocol/errors.ts";
import {
  diffQuerySchema,
  type FileWriteAnswer,
  historyQuerySchema,
  MAX_FILES_PUT_BYTES,
  MTIME_HEADER,
  REPLICA_HEADER,
  SHA256_HEADER,
  VERSION_HEADER,
  versionParamSchema,
  writeHeadersSchema,
} from "../../../shared/protocol/files.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import { contentTypeFor } from "./content_type.ts";
import type { FileService, Located } from "./file_service.ts";
import { type FileTarget, parseFileTarget } from "./file_target.ts";
import {
  createHandler,
  errorResponse,
  json,
  readBody,
  readQuery,
  validate,
} from "../_shared/edge/http.ts";
import {
  contentRange,
  entityTag,
  parseByteRange,
  parseEntityTags,
  tagsMatch,
} from "./http_conditional.ts";

/** What the files handler needs. */
export interface FilesHandlerDeps {
  readonly service: FileService;
  readonly authenticate: (request: Request) => Promise<Caller>;
}

/** The `files` function's request handler. */
export function createFilesHandler(
  deps: FilesHandlerDeps,
): (request: Request) => Promise<Response> {
  const { service } = deps;
  // `/files/<workspace>` or `/files/<workspace>/`: a request without a path.
  const noPath = ({ url }: { url: URL }) => {
    parseFileTarget(url.pathname);
    throw errors.invalidPath("", "empty", "path_empty");
  };
  return createHandler<Caller>({
    name: "files",
    authenticate: deps.authenticate,
    routes: [
      {
        method: "PUT",
        pattern: "/:workspace/*path",
        handler: async ({ request, url, caller }) => {
          const target = parseFileTarget(url.pathname);
          const options = writeOptions(request);
          const bytes = await readUpload(request, target);
          const result = await service.put(caller, {
            ...target,
            ...options,
            ifNoneMatch: parseEntityTags(request.headers.get("if-none-match")),
            bytes,
          });
          return written(result, result.previousVersionId === null ? 201 : 200);
        },
      },
      {
        method: "GET",
        pattern: "/:workspace/*path",
        handler: ({ request, url, caller }) => {
          const target = parseFileTarget(url.pathname);
          if (url.searchParams.has("history")) {
            return service.history(caller, { ...target, ...readQuery(url, historyQuerySchema) })
              .then((history) => json(history));
          }
          if (url.searchParams.has("diff")) {
            return service.diff(caller, { ...target, ...readQuery(url, diffQuerySchema) })
              .then((diff) => json(diff));
          }
          return download(service, caller, request, url, target);
        },
      },
      {
        method: "DELETE",
        pattern: "/:workspace/*path",
        handler: async ({ request, url, caller }) => {
          const target = parseFileTarget(url.pathname);
          return written(await service.delete(caller, { ...target, ...writeOptions(request) }));
        },
      },
      { method: "PUT", pattern: "/:workspace", handler: noPath },
      { method: "GET", pattern: "/:workspace", handler: noPath },
      { method: "DELETE", pattern: "/:workspace", handler: noPath },
    ],
  });
}

function writeOptions(request: Request) {
  const headers = validate(writeHeadersSchema, {
    [REPLICA_HEADER]: request.headers.get(REPLICA_HEADER) ?? undefined,
    [MTIME_HEADER]: request.headers.get(MTIME_HEADER) ?? undefined,
  });
  return {
    ifMatch: parseEntityTags(request.headers.get("if-match")),
    replicaId: headers[REPLICA_HEADER],
    mtime: headers[MTIME_HEADER],
  };
}

async function readUpload(request: Request, target: FileTarget): Promise<Uint8Array> {
  try {
    return await readBody(request, MAX_FILES_PUT_BYTES);
  } catch (error) {
    if (!isSyncError(error, "payload_too_large")) throw error;
    const size = error.details?.size;
    throw errors.uploadTooLarge(
      target.path,
      typeof size === "number" ? size : undefined,
      MAX_FILES_PUT_BYTES,
    );
  }
}

function written(result: FileWriteAnswer, status = 200): Response {
  const headers: Record<string, string> = { [VERSION_HEADER]: result.versionId };
  if (!result.deleted) headers.etag = entityTag(result.versionId);
  return json(result, status, headers);
}

async function download(
  service: FileService,
  caller: Caller,
  request: Request,
  url: URL,
  target: FileTarget,
): Promise<Response> {
  const version = url.searchParams.get("version");
  const located = await service.locate(caller, {
    ...target,
    versionId: version === null ? undefined : validate(versionParamSchema, version),
  });
  const headers = versionHeaders(located);
  const ifNoneMatch = parseEntityTags(request.headers.get("if-none-match"));
  if (ifNoneMatch && tagsMatch(ifNoneMatch, located.version.versionId, { comparison: "weak" })) {
    return new Response(null, { status: 304, headers });
  }
  const size = located.version.size;
  headers.set("content-type", contentTypeFor(target.path));
  if (request.method === "HEAD") {
    headers.set("content-length", String(size));
    return new Response(null, { status: 200, headers });
  }
  const rangeHeader = request.headers.get("range");
  const range = parseByteRange(rangeHeader, size);
  if (range === "unsatisfiable") {
    const response = errorResponse(errors.rangeNotSatisfiable(rangeHeader ?? "", size));
    response.headers.set("content-range", contentRange(undefined, size));
    return response;
  }
  const body = await service.content(located, range);
  headers.set("content-length", String(range ? range.end - range.start + 1 : size));
  if (!range) return new Response(body, { status: 200, headers });
  headers.set("content-range", contentRange(range, size));
  return new Response(body, { status: 206, headers });
}

/** Headers every answer about a version carries (200, 206, 304 and HEAD alike). */
function versionHeaders(located: Located): Headers {
  const { version } = located;
  return new Headers({
    etag: entityTag(version.versionId),
    "last-modified": new Date(version.committedAt).toUTCString(),
    "accept-ranges": "bytes",
    // A historic version never changes; the current one must be revalidated (ETag) each time.
    "cache-control": located.current ? "private, no-cache" : "private, max-age=31536000, immutable",
    [VERSION_HEADER]: version.versionId,
    [SHA256_HEADER]: version.sha256 ?? "",
  });
}
