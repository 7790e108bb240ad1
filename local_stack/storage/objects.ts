/**
 * Object operations other than uploads: reads (as the caller, through RLS), removal, copy,
 * move, listing and signed URLs. Writes follow the upload protocol of uploader.ts.
 *
 * @module
 */
import { type Caller, signToken, verifyToken } from "./auth.ts";
import type { StorageDatabase } from "./database.ts";
import type { StorageBackend } from "./disk_backend.ts";
import { ERRORS, isStorageError } from "./errors.ts";
import { mustBeValidBucketName, mustBeValidKey } from "./keys.ts";
import type {
  ListV2Query,
  ListV2Row,
  ObjectRow,
  Queries,
  SearchOptions,
  SearchRow,
} from "./queries.ts";
import type { Uploader } from "./uploader.ts";

/** Lifetime of signed upload URLs, as on hosted Supabase (2 hours). */
export const SIGNED_UPLOAD_TTL = 2 * 60 * 60;

/**
 * The `scope` claim of signed URL tokens, as supabase/storage writes it: a download token never
 * opens an upload, nor the reverse (both are signed with the same secret and name the same
 * `url`).
 */
const SIGNED_DOWNLOAD = "download";
const SIGNED_UPLOAD = "upload";

/** Verifies a signed URL token: `"400"`/InvalidJWT when it does not verify (or expired). */
async function verifySigned(token: string, secret: string): Promise<Record<string, unknown>> {
  try {
    return await verifyToken(token, secret);
  } catch (error) {
    throw ERRORS.invalidJwt(isStorageError(error) ? error.message : undefined, error);
  }
}

/** Where an object lives. */
export interface ObjectRef {
  readonly bucketId: string;
  readonly name: string;
}

/** The claims of a signed upload URL's token. */
export interface UploadGrant {
  readonly owner: string | undefined;
  readonly upsert: boolean;
}

/** Object operations over an injected database, backend and uploader. */
export class Objects {
  constructor(
    readonly db: StorageDatabase,
    readonly backend: StorageBackend,
    readonly uploader: Uploader,
    readonly jwtSecret: string,
  ) {}

  /** Finds an object as `caller` (RLS select); NoSuchKey when missing or hidden. */
  async find(caller: Caller, ref: ObjectRef): Promise<ObjectRow> {
    mustBeValidBucketName(ref.bucketId);
    mustBeValidKey(ref.name);
    const row = await this.db.as(caller, (q) => q.findObject(ref.bucketId, ref.name));
    if (!row) throw ERRORS.noSuchKey(ref.name);
    return row;
  }

  /**
   * Finds an object to serve, as the real server's download and info routes do: an unknown
   * bucket is NoSuchBucket, and so is a private one for a caller without a valid JWT; objects
   * of a public bucket are read without RLS, others as the caller.
   */
  async findToServe(caller: Caller, ref: ObjectRef): Promise<ObjectRow> {
    mustBeValidBucketName(ref.bucketId);
    mustBeValidKey(ref.name);
    const bucket = await this.db.asService((q) => q.findBucket(ref.bucketId));
    if (!bucket || (caller.authenticated === false && !bucket.public)) {
      throw ERRORS.noSuchBucket(ref.bucketId);
    }
    const find = (q: Queries) => q.findObject(ref.bucketId, ref.name);
    const row = bucket.public ? await this.db.asService(find) : await this.db.as(caller, find);
    if (!row) throw ERRORS.noSuchKey(ref.name);
    return row;
  }

  /** Deletes one object as the caller; NoSuchKey when nothing was deleted. */
  async remove(caller: Caller, ref: ObjectRef): Promise<void> {
    const removed = await this.removeMany(caller, ref.bucketId, [ref.name]);
    if (removed.length === 0) throw ERRORS.noSuchKey(ref.name);
  }

  /** Deletes the named objects the caller may delete; returns the deleted rows. */
  async removeMany(caller: Caller, bucketId: string, names: string[]): Promise<ObjectRow[]> {
    mustBeValidBucketName(bucketId);
    const removed = await this.db.as(caller, (q) => q.deleteObjects(bucketId, names));
    await this.backend.remove(removed.flatMap((row) => row.version ? [row.version] : []));
    return removed;
  }

  /** Copies bytes to a new row (an INSERT, or an overwrite with `upsert`). */
  async copy(caller: Caller, from: ObjectRef, to: ObjectRef, upsert: boolean) {
    const source = await this.find(caller, from);
    if (!source.version || !source.metadata) throw ERRORS.noSuchKey(from.name);
    const target = await this.uploader.prepare(caller, to.bucketId, to.name, {
      upsert,
      size: source.metadata.size,
      mimetype: source.metadata.mimetype,
    });
    await this.backend.copy(source.version, target.version);
    return await this.uploader.commit(
      target,
      { size: source.metadata.size, eTag: source.metadata.eTag },
      {
        mimetype: source.metadata.mimetype,
        cacheControl: source.metadata.cacheControl,
        userMetadata: source.user_metadata ?? undefined,
      },
    );
  }

  /** Renames an object: an UPDATE of its row, checked as the caller, committed as service. */
  async move(caller: Caller, from: ObjectRef, to: ObjectRef): Promise<string> {
    mustBeValidBucketName(to.bucketId);
    mustBeValidKey(to.name);
    const source = await this.find(caller, from);
    if (!await this.db.asService((q) => q.findBucket(to.bucketId))) {
      throw ERRORS.noSuchBucket(to.bucketId);
    }
    const hint = { kind: "object" as const, name: to.name };
    await this.db.check(caller, async (q) => {
      if (await q.renameObject(source.id, to.bucketId, to.name) === 0) {
        throw ERRORS.accessDenied("new row violates row-level security policy");
      }
    }, hint);
    return await this.db.asService(async (q) => {
      const row = await q.findObject(from.bucketId, from.name, { forUpdate: true });
      if (!row) throw ERRORS.noSuchKey(from.name);
      if (await q.findObject(to.bucketId, to.name)) throw ERRORS.keyAlreadyExists(to.name);
      await q.renameObject(row.id, to.bucketId, to.name);
      return row.id;
    }, hint);
  }

  /** Lists folders and files under `prefix` as the caller (`storage.search`). */
  async list(
    caller: Caller,
    bucketId: string,
    prefix: string,
    options: SearchOptions,
  ): Promise<SearchRow[]> {
    mustBeValidBucketName(bucketId);
    // The prefix always names a folder, as in supabase/storage.
    const folder = prefix.length > 0 && !prefix.endsWith("/") ? `${prefix}/` : prefix;
    return [...await this.db.as(caller, (q) => q.search(bucketId, folder, options))];
  }

  /** One page of a list-v2 listing, as the caller (RLS decides what is seen). */
  listV2(caller: Caller, bucketId: string, query: ListV2Query): Promise<ListV2Row[]> {
    mustBeValidBucketName(bucketId);
    return this.db.as(caller, (q) => q.listV2(bucketId, query));
  }

  /** A token for a signed download URL, after checking the caller may read the object. */
  async signDownload(caller: Caller, ref: ObjectRef, expiresIn: number): Promise<string> {
    await this.find(caller, ref);
    const payload = { url: `${ref.bucketId}/${ref.name}`, scope: SIGNED_DOWNLOAD };
    return signToken(payload, this.jwtSecret, expiresIn);
  }

  /** Reads an object through a signed download token; also gives the token's expiry. */
  async findSigned(ref: ObjectRef, token: string): Promise<{ row: ObjectRow; expires: Date }> {
    const claims = await verifySigned(token, this.jwtSecret);
    if (claims.scope !== SIGNED_DOWNLOAD) {
      throw ERRORS.invalidSignature(`Token is not scoped for ${SIGNED_DOWNLOAD}`);
    }
    if (claims.url !== `${ref.bucketId}/${ref.name}`) throw ERRORS.invalidSignature();
    const row = await this.db.asService((q) => q.findObject(ref.bucketId, ref.name));
    if (!row) throw ERRORS.noSuchKey(ref.name);
    return { row, expires: new Date(Number(claims.exp) * 1000) };
  }

  /** A token for a signed upload URL, after the same RLS probe an upload makes. */
  async signUpload(caller: Caller, ref: ObjectRef, upsert: boolean): Promise<string> {
    await this.uploader.prepare(caller, ref.bucketId, ref.name, { upsert });
    const payload = {
      owner: caller.owner,
      url: `${ref.bucketId}/${ref.name}`,
      upsert,
      scope: SIGNED_UPLOAD,
    };
    return signToken(payload, this.jwtSecret, SIGNED_UPLOAD_TTL);
  }

  /** Checks a signed upload token against the URL it is used on. */
  async verifyUpload(ref: ObjectRef, token: string): Promise<UploadGrant> {
    const claims = await verifySigned(token, this.jwtSecret);
    if (claims.scope !== SIGNED_UPLOAD) {
      throw ERRORS.invalidSignature(`Token is not scoped for ${SIGNED_UPLOAD}`);
    }
    if (claims.url !== `${ref.bucketId}/${ref.name}`) throw ERRORS.invalidSignature();
    const owner = typeof claims.owner === "string" ? claims.owner : undefined;
    return { owner, upsert: claims.upsert === true };
  }
}
