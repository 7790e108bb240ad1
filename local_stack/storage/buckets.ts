/**
 * Bucket operations. They run as the caller, so `storage.buckets` RLS decides who may create,
 * see, change or delete buckets (the service role bypasses it, as on hosted Supabase).
 *
 * @module
 */
import type { Caller } from "./auth.ts";
import type { StorageDatabase } from "./database.ts";
import type { StorageBackend } from "./disk_backend.ts";
import { ERRORS } from "./errors.ts";
import { mustBeNewBucketName } from "./keys.ts";
import type { BucketListOptions, BucketRow } from "./queries.ts";

/** Settings of a new or changed bucket. */
export interface BucketSettings {
  readonly public?: boolean;
  readonly fileSizeLimit?: number | null;
  readonly allowedMimeTypes?: string[] | null;
}

/** Bucket operations over an injected database and backend. */
export class Buckets {
  constructor(
    readonly db: StorageDatabase,
    readonly backend: StorageBackend,
    /** The global upload limit: no bucket may allow more (`"413"`, as the real server). */
    readonly globalLimit: number,
  ) {}

  #checkLimit(settings: BucketSettings): void {
    if ((settings.fileSizeLimit ?? 0) > this.globalLimit) throw ERRORS.entityTooLarge();
  }

  /** Creates a bucket as the caller. */
  async create(caller: Caller, id: string, name: string, settings: BucketSettings) {
    mustBeNewBucketName(id);
    this.#checkLimit(settings);
    await this.db.as(caller, (q) =>
      q.insertBucket({
        id,
        name,
        owner: caller.owner,
        public: settings.public ?? false,
        fileSizeLimit: settings.fileSizeLimit ?? null,
        allowedMimeTypes: settings.allowedMimeTypes ?? null,
      }), { kind: "bucket", name: id });
  }

  /** A bucket the caller may see; NoSuchBucket otherwise. */
  async get(caller: Caller, id: string): Promise<BucketRow> {
    const bucket = await this.db.as(caller, (q) => q.findBucket(id));
    if (!bucket) throw ERRORS.noSuchBucket(id);
    return bucket;
  }

  /** The buckets the caller may see. */
  async list(caller: Caller, options: BucketListOptions): Promise<BucketRow[]> {
    return [...await this.db.as(caller, (q) => q.listBuckets(options))];
  }

  /** Changes a bucket's settings as the caller. */
  async update(caller: Caller, id: string, settings: BucketSettings): Promise<void> {
    this.#checkLimit(settings);
    const changed = await this.db.as(caller, (q) => q.updateBucket(id, settings));
    if (changed === 0) throw ERRORS.noSuchBucket(id);
  }

  /** Deletes an empty bucket; ResourceNotEmpty (409) while it holds objects. */
  async delete(caller: Caller, id: string): Promise<void> {
    await this.db.as(caller, async (q) => {
      if (!await q.findBucket(id)) throw ERRORS.noSuchBucket(id);
      if (await q.countObjects(id) > 0) throw ERRORS.bucketNotEmpty(id);
      if (await q.deleteBucket(id) === 0) throw ERRORS.noSuchBucket(id);
    }, { kind: "bucket", name: id });
  }

  /** Deletes every object the caller may delete (one DELETE per row), then their bytes. */
  async empty(caller: Caller, id: string): Promise<void> {
    const removed = await this.db.as(caller, async (q) => {
      if (!await q.findBucket(id)) throw ERRORS.noSuchBucket(id);
      return await q.deleteAllObjects(id);
    });
    await this.backend.remove(removed.flatMap((row) => row.version ? [row.version] : []));
  }
}
