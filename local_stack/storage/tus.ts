/**
 * TUS resumable uploads at `/storage/v1/upload/resumable`, on `@tus/server` with its file
 * store. Creation validates the target and probes RLS as the caller (as the REST upload does);
 * completion commits the row through the same service-role path. TUS answers with real HTTP
 * statuses; Storage errors travel as JSON bodies.
 *
 * @module
 */
import { FileStore } from "@tus/file-store";
import { Server, type Upload } from "@tus/server";
import { join } from "node:path";
import { authenticate, type Caller, serviceCaller, verifyToken } from "./auth.ts";
import { ERRORS, isStorageError } from "./errors.ts";
import { isUpsert } from "./http.ts";
import type { Uploader } from "./uploader.ts";

/** Where the TUS routes live. */
export const TUS_PATH = "/storage/v1/upload/resumable";
/**
 * Signed TUS uploads: the same protocol under `<TUS_PATH>/sign`, authorised by a signed upload
 * token in `x-signature` on every request instead of a JWT (as `uploadToSignedUrl` for TUS).
 */
export const TUS_SIGNED_PATH = `${TUS_PATH}/sign`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Options of {@linkcode createTusHandler}. */
export interface TusOptions {
  readonly uploader: Uploader;
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
  /** Signed requests: the `x-signature` token, checked against the upload's object. */
  const signatures = new WeakMap<object, string>();
  /** Verifies a signed upload token for `bucket/name`; returns the service role for its owner. */
  const signedCaller = async (req: object, bucket: string, name: string) => {
    const token = signatures.get(req) ?? "";
    let claims: Record<string, unknown>;
    try {
      claims = await verifyToken(token, options.jwtSecret);
    } catch (error) {
      throw ERRORS.invalidUploadSignature(error instanceof Error ? error.message : undefined);
    }
    if (claims.url !== `${bucket}/${name}`) {
      throw ERRORS.invalidSignature("The url do not match the signature");
    }
    const owner = typeof claims.owner === "string" ? claims.owner : undefined;
    const caller = serviceCaller(owner);
    callers.set(req, caller);
    return { caller, upsert: claims.upsert === true };
  };
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
      `${options.publicUrl}${signatures.has(req) ? TUS_SIGNED_PATH : TUS_PATH}/${id}`,
    // Only the user who created an upload may continue, inspect or cancel it; a signed upload
    // only with a signature for its object.
    async onIncomingRequest(req, id) {
      if (req.method === "POST") return;
      if (signatures.has(req)) {
        const upload = await server.datastore.getUpload(id).catch(() => undefined);
        if (!upload) return; // @tus/server answers 404
        try {
          await signedCaller(req, meta(upload, "bucketName"), meta(upload, "objectName"));
        } catch (error) {
          throw tusError(error);
        }
        return;
      }
      const caller = callerOf(req);
      if (caller.role === "service_role") return;
      const upload = await server.datastore.getUpload(id).catch(() => undefined);
      if (upload && (meta(upload, "owner") || undefined) !== caller.owner) {
        throw tusError(ERRORS.accessDenied("Access denied: the upload belongs to another user"));
      }
    },
    async onUploadCreate(req, upload) {
      try {
        const signed = signatures.has(req)
          ? await signedCaller(req, meta(upload, "bucketName"), meta(upload, "objectName"))
          : undefined;
        const caller = signed?.caller ?? callerOf(req);
        if (upload.sizeIsDeferred) throw ERRORS.invalidRequest("Upload-Length is required");
        const target = await uploader.prepare(
          caller,
          meta(upload, "bucketName"),
          meta(upload, "objectName"),
          {
            upsert: signed ? signed.upsert : isUpsert(req.headers),
            trusted: signed !== undefined,
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
        const cacheTime = meta(upload, "cacheControl");
        await uploader.commit(target, stored, {
          mimetype: meta(upload, "contentType") || "application/octet-stream",
          cacheControl: cacheTime ? `max-age=${cacheTime}` : "no-cache",
        });
        return {};
      } catch (error) {
        throw tusError(error);
      }
    },
  });

  const handle = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const signed = path === TUS_SIGNED_PATH || path.startsWith(`${TUS_SIGNED_PATH}/`);
    if (request.method !== "OPTIONS") {
      try {
        if (signed) {
          const signature = request.headers.get("x-signature");
          if (!signature) throw ERRORS.invalidSignature("Missing x-signature header");
          signatures.set(request, signature);
        } else {
          callers.set(request, await authenticate(request.headers, options.jwtSecret));
        }
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
