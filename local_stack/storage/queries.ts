/**
 * The SQL of the Storage API, one method per statement, over a transaction that already runs
 * as the right role (see database.ts). Row shapes are those of `storage.buckets` and
 * `storage.objects`.
 *
 * @module
 */
import type postgres from "postgres";
import { listV1ByName } from "./list_v1_sql.ts";
import { listV2Rows } from "./list_v2_sql.ts";
import type {
  BucketListOptions,
  BucketRow,
  ListV2Query,
  ListV2Row,
  ObjectRow,
  ObjectValues,
  SearchOptions,
  SearchRow,
} from "./rows.ts";

export type {
  BucketListOptions,
  BucketRow,
  ListV2Query,
  ListV2Row,
  ObjectMetadata,
  ObjectRow,
  ObjectValues,
  SearchOptions,
  SearchRow,
} from "./rows.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const BUCKET_COLUMNS = "id, name, owner, owner_id, public, type, file_size_limit::float8 " +
  "as file_size_limit, allowed_mime_types, created_at, updated_at";

/** Statements over one transaction. */
export class Queries {
  readonly #tx: postgres.TransactionSql;

  constructor(tx: postgres.TransactionSql) {
    this.#tx = tx;
  }

  /** A jsonb parameter (postgres.js serializes it once; a string would be encoded twice). */
  #json(value: object | undefined) {
    return value === undefined ? null : this.#tx.json(value as postgres.JSONValue);
  }

  /** The bucket `id`, if the role may see it. */
  async findBucket(id: string): Promise<BucketRow | undefined> {
    const rows = await this.#tx.unsafe<BucketRow[]>(
      `select ${BUCKET_COLUMNS} from storage.buckets where id = $1`,
      [id],
    );
    return rows[0];
  }

  /** The buckets the role may see, filtered, sorted and paged. */
  listBuckets(options: BucketListOptions): Promise<BucketRow[]> {
    // Column and order come from closed lists (routes_bucket.ts), safe to splice in.
    return this.#tx.unsafe<BucketRow[]>(
      `select ${BUCKET_COLUMNS} from storage.buckets
       where $1 = '' or name ilike '%' || $1 || '%'
       order by ${options.sortColumn} ${options.sortOrder}, id
       limit $2 offset $3`,
      [options.search, options.limit, options.offset],
    );
  }

  /** Creates a bucket (RLS on `storage.buckets` applies). */
  async insertBucket(bucket: {
    id: string;
    name: string;
    owner: string | undefined;
    public: boolean;
    fileSizeLimit: number | null;
    allowedMimeTypes: string[] | null;
  }): Promise<void> {
    await this.#tx`insert into storage.buckets
      (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
      values (${bucket.id}, ${bucket.name}, ${ownerUuid(bucket.owner)}, ${bucket.owner ?? null},
        ${bucket.public}, ${bucket.fileSizeLimit}, ${bucket.allowedMimeTypes})`;
  }

  /** Changes the given settings; returns the number of rows changed (0 or 1). */
  async updateBucket(id: string, changes: {
    public?: boolean;
    fileSizeLimit?: number | null;
    allowedMimeTypes?: string[] | null;
  }): Promise<number> {
    const rows = await this.#tx`update storage.buckets set
        public = coalesce(${changes.public ?? null}::boolean, public),
        file_size_limit = case when ${changes.fileSizeLimit !== undefined}
          then ${changes.fileSizeLimit ?? null}::bigint else file_size_limit end,
        allowed_mime_types = case when ${changes.allowedMimeTypes !== undefined}
          then ${changes.allowedMimeTypes ?? null}::text[] else allowed_mime_types end,
        updated_at = now()
      where id = ${id} returning id`;
    return rows.length;
  }

  /** Deletes a bucket; returns the number of rows deleted. */
  async deleteBucket(id: string): Promise<number> {
    return (await this.#tx`delete from storage.buckets where id = ${id} returning id`).length;
  }

  /** How many objects the bucket holds (as far as the role sees). */
  async countObjects(bucketId: string): Promise<number> {
    const [row] = await this.#tx<{ n: number }[]>`
      select count(*)::int as n from storage.objects where bucket_id = ${bucketId}`;
    return row?.n ?? 0;
  }

  /** The object `name` in `bucketId`, optionally locked for the transaction. */
  async findObject(
    bucketId: string,
    name: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<ObjectRow | undefined> {
    const lock = options.forUpdate ? " for update" : "";
    const rows = await this.#tx.unsafe<ObjectRow[]>(
      `select * from storage.objects where bucket_id = $1 and name = $2${lock}`,
      [bucketId, name],
    );
    return rows[0];
  }

  /** Inserts an object row and returns it. */
  async insertObject(values: ObjectValues): Promise<ObjectRow> {
    const [row] = await this.#tx<ObjectRow[]>`insert into storage.objects
      (bucket_id, name, owner, owner_id, version, metadata, user_metadata)
      values (${values.bucketId}, ${values.name}, ${ownerUuid(values.owner)},
        ${values.owner ?? null}, ${values.version}, ${this.#json(values.metadata)},
        ${this.#json(values.userMetadata)})
      returning *`;
    return row as ObjectRow;
  }

  /**
   * The permission probe of an upload: an insert without RETURNING, which under RLS would
   * also need a select policy (hosted Supabase asks only for insert).
   */
  async probeInsert(values: ObjectValues): Promise<void> {
    await this.#tx`insert into storage.objects
      (bucket_id, name, owner, owner_id, version, metadata, user_metadata)
      values (${values.bucketId}, ${values.name}, ${ownerUuid(values.owner)},
        ${values.owner ?? null}, ${values.version}, ${this.#json(values.metadata)},
        ${this.#json(values.userMetadata)})`;
  }

  /** The permission probe of an upsert: insert, or update the existing row. */
  async upsertObject(values: ObjectValues): Promise<void> {
    await this.#tx`insert into storage.objects
      (bucket_id, name, owner, owner_id, version, metadata, user_metadata)
      values (${values.bucketId}, ${values.name}, ${ownerUuid(values.owner)},
        ${values.owner ?? null}, ${values.version}, ${this.#json(values.metadata)},
        ${this.#json(values.userMetadata)})
      on conflict (bucket_id, name) do update set
        owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
        metadata = excluded.metadata, user_metadata = excluded.user_metadata`;
  }

  /** Points an existing row at new bytes: the UPDATE of an overwrite. */
  async overwriteObject(id: string, values: ObjectValues): Promise<ObjectRow> {
    const [row] = await this.#tx<ObjectRow[]>`update storage.objects set
        owner = ${ownerUuid(values.owner)}, owner_id = ${values.owner ?? null},
        version = ${values.version}, metadata = ${this.#json(values.metadata)},
        user_metadata = ${this.#json(values.userMetadata)}, last_accessed_at = now()
      where id = ${id} returning *`;
    return row as ObjectRow;
  }

  /** Renames (and possibly re-buckets) a row: the UPDATE of a move. */
  async renameObject(id: string, bucketId: string, name: string): Promise<number> {
    const rows = await this.#tx`update storage.objects
      set bucket_id = ${bucketId}, name = ${name}, last_accessed_at = now()
      where id = ${id} returning id`;
    return rows.length;
  }

  /** Deletes the named objects (one row trigger call each); returns the deleted rows. */
  deleteObjects(bucketId: string, names: readonly string[]): Promise<ObjectRow[]> {
    return this.#tx<ObjectRow[]>`delete from storage.objects
      where bucket_id = ${bucketId} and name = any(${names as string[]}::text[]) returning *`;
  }

  /** Deletes every object of a bucket the role may delete; returns the deleted rows. */
  deleteAllObjects(bucketId: string): Promise<ObjectRow[]> {
    return this.#tx<ObjectRow[]>`delete from storage.objects where bucket_id = ${bucketId}
      returning *`;
  }

  /** One page of `POST /object/list-v2` (see list_v2_sql.ts). */
  listV2(bucketId: string, query: ListV2Query): Promise<ListV2Row[]> {
    return listV2Rows(this.#tx, bucketId, query);
  }

  /** One level of a bucket's listing under `prefix` (list_v1_sql.ts, else `storage.search`). */
  search(bucketId: string, prefix: string, options: SearchOptions): Promise<SearchRow[]> {
    if (options.sortColumn === "name") return listV1ByName(this.#tx, bucketId, prefix, options);
    const levels = (prefix + options.search).split("/").length;
    return this.#tx<SearchRow[]>`select * from storage.search(${prefix}, ${bucketId},
      ${options.limit}, ${levels}, ${options.offset}, ${options.search}, ${options.sortColumn},
      ${options.sortOrder})`;
  }
}

function ownerUuid(owner: string | undefined): string | null {
  return owner && UUID.test(owner) ? owner : null;
}
