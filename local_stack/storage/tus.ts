/**
 * TUS resumable uploads at `/storage/v1/upload/resumable`, on `@tus/server` with its file
 * store. Creation validates the target and probes RLS as the caller (as the REST upload does);
 * completion commits the row through the same service-role path. TUS answers with real HTTP
 * statuses; Storage errors travel as JSON bodies.
 *
 * Signed resumable uploads live under `/storage/v1/upload/resumable/sign`, as on hosted
 * Supabase: every request carries the token of `createSignedUploadUrl` in `x-signature`, which
 * names the one object it may write and its owner; no JWT is needed and no RLS probe runs.
 *
 * @module
 */
import { FileStore } from "@tus/file-store";
import { Server, type Upload } from "@tus/server";
import { join } from "node:path";
import { authenticate, type Caller } from "./auth.ts";
import { ERRORS, isStorageError } from "./errors.ts";
import { isUpsert } from "./http.ts";
import { cacheControlFromSeconds, storedContentType } from "./object_headers.ts";
import type { Uploader } from "./uploader.ts";

/** Where the TUS routes live. */
export const TUS_PATH = "/storage/v1/upload/resumable";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where signed resumable uploads live (the token travels in `x-signature`). */
export const TUS_SIGNED_PATH = `${TUS_PATH}/sign`;

/** What a signed upload token grants: see `Objects.verifyUpload`. */
export interface SignedUploadGrant {
  readonly owner: string | undefined;
  readonly upsert: boolean;
}

/** Options of {@linkcode createTusHandler}. */
export interface TusOptions {
  readonly uploader: Uploader;
  /** Checks a signed upload token against the object it is used for. */
  readonly verifySignedUpload: (
    ref: { bucketId: string; name: string },
    token: string,
  ) => Promise<SignedUploadGrant>;
  readonly jwtSecret: string;
  /** Where partial uploads live until they complete. */
  readonly directory: string;
  readonly publicUrl: string;
}

/** A TUS error: what `@tus/server` turns into a response. */
function tusError(error: unknown): { status_code: number; body: string } {
  const storageError = isStorageError(error) ? error : ERRORS.internal(error);
  if (!isStorageError(error)) console.error("storage: TUS request failed:", error);
  return { status_code: storageError.httpStatusCode, body: JSON.stringify(storageError.render()) };
}

function meta(upload: Upload, key: string): string {
  return upload.metadata?.[key] ?? "";
}

/** The `metadata` field as a JSON object; anything else is ignored, as on the real server. */
function userMetadataOf(value: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

/** Unfinished uploads are dropped after this long, as on hosted Supabase (24 hours). */
export const TUS_EXPIRATION_MS = 24 * 60 * 60 * 1000;

/** The TUS endpoint: a request handler and the clean-up of expired partial uploads. */
export interface TusHandler {
  handle(request: Request): Promise<Response>;
  /** Removes expired partial uploads; returns how many. */
  cleanUpExpired(): Promise<number>;
}

/** Builds the handler for every request under {@linkcode TUS_PATH}. */
export function createTusHandler(options: TusOptions): TusHandler {
  const { uploader } = options;
  const callers = new WeakMap<object, Caller>();
  // Requests on the signed route, with what their token grants.
  const signed = new WeakMap<object, SignedUploadGrant>();
  const callerOf = (req: object): Caller => {
    const caller = callers.get(req);
    if (!caller) throw ERRORS.accessDenied("Access denied: no caller");
    return caller;
  };

  const server = new Server({
    path: TUS_PATH,
    datastore: new FileStore({
      directory: options.directory,
      expirationPeriodInMilliseconds: TUS_EXPIRATION_MS,
    }),
    maxSize: uploader.globalLimit,
    respectForwardedHeaders: false,
    namingFunction: () => crypto.randomUUID(),
    getFileIdFromRequest: (_req, id) => id && UUID.test(id) ? id : undefined,
    generateUrl: (req, { id }) =>
      `${options.publicUrl}${signed.has(req) ? TUS_SIGNED_PATH : TUS_PATH}/${id}`,
    // Only the user who created an upload may continue, inspect or cancel it.
    async onIncomingRequest(req, id) {
      if (req.method === "POST") return;
      const caller = callerOf(req);
      if (caller.role === "service_role") return;
      const upload = await server.datastore.getUpload(id).catch(() => undefined);
      if (upload && (meta(upload, "owner") || undefined) !== caller.owner) {
        throw tusError(ERRORS.accessDenied("Access denied: the upload belongs to another user"));
      }
    },
    async onUploadCreate(req, upload) {
      try {
        const caller = callerOf(req);
        if (upload.sizeIsDeferred) throw ERRORS.invalidRequest("Upload-Length is required");
        const target = await uploader.prepare(
          caller,
          meta(upload, "bucketName"),
          meta(upload, "objectName"),
          {
            upsert: signed.get(req)?.upsert ?? isUpsert(req.headers),
            size: upload.size,
            mimetype: meta(upload, "contentType") || undefined,
            version: upload.id,
          },
        );
        return {
          metadata: {
            ...upload.metadata,
            upsert: target.upsert ? "true" : "false",
            owner: caller.owner ?? "",
          },
        };
      } catch (error) {
        throw tusError(error);
      }
    },
    async onUploadFinish(req, upload) {
      try {
        const caller = callerOf(req);
        const owner = meta(upload, "owner") || undefined;
        if (caller.owner !== owner && caller.role !== "service_role") {
          throw ERRORS.accessDenied("Access denied: the upload belongs to another user");
        }
        const file = join(options.directory, upload.id);
        const stored = await uploader.backend.adopt(upload.id, file);
        await Deno.remove(`${file}.json`).catch(() => {});
        const target = await uploader.resume(upload.id, {
          bucketId: meta(upload, "bucketName"),
          name: meta(upload, "objectName"),
          upsert: meta(upload, "upsert") === "true",
          owner,
        });
        // As the real lifecycle: digits become max-age, JSON `metadata` the user metadata.
        await uploader.commit(target, stored, {
          mimetype: storedContentType(meta(upload, "contentType")),
          cacheControl: cacheControlFromSeconds(meta(upload, "cacheControl")),
          userMetadata: userMetadataOf(meta(upload, "metadata")),
        });
        return {};
      } catch (error) {
        throw tusError(error);
      }
    },
  });

  /** The object a signed request targets: from Upload-Metadata on creation, else the upload. */
  const signedTarget = async (request: Request) => {
    const id = new URL(request.url).pathname.slice(TUS_SIGNED_PATH.length + 1);
    if (request.method === "POST" && id === "") {
      const fields = parseUploadMetadata(request.headers.get("upload-metadata") ?? "");
      return { bucketId: fields.bucketName ?? "", name: fields.objectName ?? "" };
    }
    const upload = UUID.test(id)
      ? await server.datastore.getUpload(id).catch(() => undefined)
      : undefined;
    if (!upload) throw ERRORS.noSuchKey(id);
    return { bucketId: meta(upload, "bucketName"), name: meta(upload, "objectName") };
  };

  /** Authenticates a signed request: the token must name the object it writes. */
  const authenticateSigned = async (request: Request): Promise<Caller> => {
    const token = request.headers.get("x-signature");
    if (!token) throw ERRORS.invalidSignature("Missing x-signature header");
    const grant = await options.verifySignedUpload(await signedTarget(request), token);
    signed.set(request, grant);
    // As hosted: signed uploads run as the superuser, attributed to the token's owner.
    return { role: "service_role", claims: { role: "service_role" }, owner: grant.owner, token };
  };

  const handle = async (request: Request): Promise<Response> => {
    if (request.method !== "OPTIONS") {
      try {
        const path = new URL(request.url).pathname;
        const isSigned = path === TUS_SIGNED_PATH || path.startsWith(`${TUS_SIGNED_PATH}/`);
        callers.set(
          request,
          isSigned
            ? await authenticateSigned(request)
            : await authenticate(request.headers, options.jwtSecret),
        );
      } catch (error) {
        await request.body?.cancel().catch(() => {});
        const { status_code, body } = tusError(error);
        return new Response(body, {
          status: status_code,
          headers: { "content-type": "application/json", "tus-resumable": "1.0.0" },
        });
      }
    }
    return await server.handleWeb(request);
  };
  return { handle, cleanUpExpired: () => server.cleanUpExpiredUploads() };
}

/** Parses a TUS `Upload-Metadata` header: `key base64value` pairs separated by commas. */
export function parseUploadMetadata(header: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of header.split(",")) {
    const [key, value = ""] = pair.trim().split(" ");
    if (!key) continue;
    try {
      fields[key] = new TextDecoder().decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
    } catch {
      fields[key] = "";
    }
  }
  return fields;
}
