/**
 * The upload protocol of supabase/storage: check permission (a rolled-back insert as the
 * caller), write the bytes under a new version, commit the row in one service-role transaction
 * with a row lock, delete the superseded bytes; on any failure delete the new bytes, so a failed
 * upload leaves no row and no file behind.
 *
 * @module
 */
import type { Caller } from "./auth.ts";
import type { StorageDatabase } from "./database.ts";
import type { StorageBackend, StoredBytes } from "./disk_backend.ts";
import { ERRORS, isStorageError } from "./errors.ts";
import { mustBeValidBucketName, mustBeValidKey } from "./keys.ts";
import type { BucketRow, ObjectMetadata, ObjectRow } from "./queries.ts";

/** What an upload writes besides the bytes. */
export interface UploadDetails {
  readonly mimetype: string;
  readonly cacheControl: string;
  readonly userMetadata?: Record<string, unknown>;
}

/** A checked upload target: what {@linkcode Uploader.prepare} returns. */
export interface UploadTarget {
  readonly bucket: BucketRow;
  readonly name: string;
  /** The version (and file name) the new bytes get. */
  readonly version: string;
  /** Bytes allowed: the smaller of the global and the bucket's limit. */
  readonly limit: number;
  readonly upsert: boolean;
  readonly owner: string | undefined;
}

/** Options of {@linkcode Uploader.prepare}. */
export interface PrepareOptions {
  readonly upsert: boolean;
  /** Declared size, refused early when over the limit. */
  readonly size?: number;
  readonly mimetype?: string;
  /** Skip the RLS probe (signed upload URLs were checked when signed). */
  readonly trusted?: boolean;
  /** The version to use (TUS names its file before the probe); default: a new uuid. */
  readonly version?: string;
}

/** Runs uploads; shared by the REST routes, signed uploads, copies and TUS. */
export class Uploader {
  constructor(
    readonly db: StorageDatabase,
    readonly backend: StorageBackend,
    readonly globalLimit: number,
  ) {}

  /** Validates the target and checks RLS as the caller, writing nothing. */
  async prepare(
    caller: Caller,
    bucketId: string,
    name: string,
    options: PrepareOptions,
  ): Promise<UploadTarget> {
    const target = await this.resume(options.version ?? crypto.randomUUID(), {
      bucketId,
      name,
      upsert: options.upsert,
      owner: caller.owner,
    });
    if (options.size !== undefined && options.size > target.limit) throw ERRORS.entityTooLarge();
    if (options.mimetype !== undefined) checkMimeType(target.bucket, options.mimetype);
    if (!options.trusted) {
      // The declared size rides on the probe, so row triggers on storage.objects (the sync
      // bucket's quota) refuse at creation an upload that cannot fit, before any byte is sent.
      const metadata = options.size === undefined
        ? undefined
        : { size: options.size, contentLength: options.size } as unknown as ObjectMetadata;
      const values = { bucketId, name, version: target.version, owner: caller.owner, metadata };
      await this.db.check(
        caller,
        (q) => options.upsert ? q.upsertObject(values) : q.probeInsert(values),
        { kind: "object", name },
      );
    }
    return target;
  }

  /** Rebuilds the target of a checked upload (TUS completes in a later request). */
  async resume(
    version: string,
    where: { bucketId: string; name: string; upsert: boolean; owner: string | undefined },
  ): Promise<UploadTarget> {
    mustBeValidBucketName(where.bucketId);
    mustBeValidKey(where.name);
    const bucket = await this.db.asService((q) => q.findBucket(where.bucketId));
    if (!bucket) throw ERRORS.noSuchBucket(where.bucketId);
    const limit = Math.min(this.globalLimit, bucket.file_size_limit ?? Infinity);
    return { bucket, name: where.name, version, limit, upsert: where.upsert, owner: where.owner };
  }

  /** Streams `body` to disk and commits the row; see the module doc for the order. */
  async upload(
    target: UploadTarget,
    body: ReadableStream<Uint8Array>,
    details: UploadDetails,
  ): Promise<ObjectRow> {
    checkMimeType(target.bucket, details.mimetype);
    const stored = await this.backend.write(target.version, body, target.limit);
    return await this.commit(target, stored, details);
  }

  /**
   * Commits bytes already stored under `target.version` as the service role, with `owner_id`
   * from the caller; deletes the new bytes if the commit fails and the superseded ones if it
   * succeeds.
   */
  async commit(
    target: UploadTarget,
    stored: StoredBytes,
    details: UploadDetails,
  ): Promise<ObjectRow> {
    let superseded: string | null = null;
    try {
      if (stored.size > target.limit) throw ERRORS.entityTooLarge();
      const metadata: ObjectMetadata = {
        eTag: stored.eTag,
        size: stored.size,
        mimetype: details.mimetype,
        cacheControl: details.cacheControl,
        lastModified: new Date().toISOString(),
        contentLength: stored.size,
        httpStatusCode: 200,
      };
      const values = {
        bucketId: target.bucket.id,
        name: target.name,
        version: target.version,
        owner: target.owner,
        metadata,
        userMetadata: details.userMetadata,
      };
      const write = () =>
        this.db.asService(async (q) => {
          const existing = await q.findObject(target.bucket.id, target.name, {
            forUpdate: true,
          });
          if (!existing) return await q.insertObject(values);
          if (!target.upsert) throw ERRORS.keyAlreadyExists(target.name);
          superseded = existing.version;
          return await q.overwriteObject(existing.id, values);
        }, { kind: "object", name: target.name });
      let row: ObjectRow;
      try {
        row = await write();
      } catch (error) {
        // A concurrent upload created the row between our lookup and insert: with upsert,
        // try once more, now locking (and overwriting) that row.
        if (!(target.upsert && isUniqueViolation(error))) throw error;
        row = await write();
      }
      if (superseded && superseded !== target.version) {
        await this.backend.remove([superseded]).catch(() => {});
      }
      return row;
    } catch (error) {
      await this.backend.remove([target.version]).catch(() => {});
      throw error;
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  return isStorageError(error) && error.code === "KeyAlreadyExists" &&
    (error.cause as { code?: unknown } | undefined)?.code === "23505";
}

/** Refuses a mimetype the bucket's `allowed_mime_types` does not list (`image/*` wildcards). */
export function checkMimeType(bucket: BucketRow, mimetype: string): void {
  const allowed = bucket.allowed_mime_types;
  if (!allowed || allowed.length === 0) return;
  const type = mimetype.split(";")[0]?.trim().toLowerCase() ?? "";
  const ok = allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith("/*") ? type.startsWith(p.slice(0, -1)) : type === p;
  });
  if (!ok) throw ERRORS.invalidMimeType(mimetype);
}
