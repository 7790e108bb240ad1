/**
 * The local Supabase Storage API: the HTTP contract of supabase/storage under `/storage/v1`
 * (buckets, objects, signed URLs, TUS resumable uploads), bytes on disk, rows in
 * `storage.buckets` / `storage.objects` written as Supabase writes them.
 *
 * @example
 * ```ts
 * const api = await createStorageApi({ dbUrl, jwtSecret, dataDir, fileSizeLimit, publicUrl });
 * Deno.serve((request) => api.fetch(request));
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { Buckets } from "./buckets.ts";
import { isPreflight, preflightResponse, withCors } from "./cors.ts";
import { StorageDatabase } from "./database.ts";
import { DiskBackend } from "./disk_backend.ts";
import { errorResponse } from "./http.ts";
import { Objects } from "./objects.ts";
import { dispatch, type Route, route, type Services } from "./router.ts";
import { bucketRoutes } from "./routes_bucket.ts";
import { listRoutes } from "./routes_list.ts";
import { objectRoutes } from "./routes_object.ts";
import { signRoutes } from "./routes_sign.ts";
import { createTusHandler, TUS_PATH } from "./tus.ts";
import { Uploader } from "./uploader.ts";

/** Settings of {@linkcode createStorageApi}. */
export interface StorageApiOptions {
  /** Superuser URL; the server switches role per request. */
  readonly dbUrl: string;
  /** HS256 secret for API keys, user JWTs and signed URL tokens. */
  readonly jwtSecret: string;
  /** Bytes on disk live under here (created). */
  readonly dataDir: string;
  /** Global upload limit in bytes. */
  readonly fileSizeLimit: number;
  /** Base URL clients see, e.g. `http://127.0.0.1:54321` (for TUS Location headers). */
  readonly publicUrl: string;
}

/** A running Storage API. */
export interface StorageApi {
  /** Answers a request whose path starts with `/storage/v1/`. */
  fetch(request: Request): Promise<Response>;
  /** Closes the database pool. */
  close(): Promise<void>;
}

const PREFIX = "/storage/v1";
const ROUTES: readonly Route[] = [
  // The real server's liveness route, outside every auth (`app.ts`).
  route(["GET", "HEAD"], /^\/status$/, () => new Response(null, { status: 200 }), { auth: "none" }),
  ...signRoutes,
  ...listRoutes,
  ...objectRoutes,
  ...bucketRoutes,
];

/** Creates the Storage API over a database that has the `storage` schema. */
export async function createStorageApi(options: StorageApiOptions): Promise<StorageApi> {
  const backend = new DiskBackend(options.dataDir);
  await backend.init();
  const tusDirectory = join(options.dataDir, "tus");
  await Deno.mkdir(tusDirectory, { recursive: true });
  const db = new StorageDatabase(options.dbUrl);
  const uploader = new Uploader(db, backend, options.fileSizeLimit);
  const services: Services = {
    buckets: new Buckets(db, backend, options.fileSizeLimit),
    objects: new Objects(db, backend, uploader, options.jwtSecret),
    uploader,
    jwtSecret: options.jwtSecret,
  };
  const tus = createTusHandler({
    uploader,
    verifySignedUpload: (ref, token) => services.objects.verifyUpload(ref, token),
    jwtSecret: options.jwtSecret,
    directory: tusDirectory,
    publicUrl: options.publicUrl.replace(/\/+$/, ""),
  });
  await tus.cleanUpExpired().catch((error) => {
    console.error("storage: cleaning up expired TUS uploads failed:", error);
  });
  return {
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === TUS_PATH || path.startsWith(`${TUS_PATH}/`)) {
        try {
          return await tus.handle(request);
        } catch (error) {
          return errorResponse(error, request.method);
        }
      }
      if (isPreflight(request)) return preflightResponse();
      const relative = path.startsWith(`${PREFIX}/`) ? path.slice(PREFIX.length) : path;
      return withCors(await dispatch(ROUTES, request, relative, services));
    },
    close: () => db.close(),
  };
}
