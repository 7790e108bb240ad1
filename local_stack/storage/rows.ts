/**
 * Row shapes of `storage.buckets` and `storage.objects` as the Storage API reads and writes
 * them, and the options of the listing statements.
 *
 * @module
 */

/** A `storage.buckets` row as the API returns it. */
export interface BucketRow {
  readonly id: string;
  readonly name: string;
  readonly owner: string | null;
  readonly owner_id: string | null;
  readonly public: boolean;
  /** `STANDARD` or `ANALYTICS`. */
  readonly type: string;
  readonly file_size_limit: number | null;
  readonly allowed_mime_types: string[] | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** The `metadata` column Supabase writes for every object. */
export interface ObjectMetadata {
  readonly eTag: string;
  readonly size: number;
  readonly mimetype: string;
  readonly cacheControl: string;
  readonly lastModified: string;
  readonly contentLength: number;
  readonly httpStatusCode: number;
}

/** A `storage.objects` row. */
export interface ObjectRow {
  readonly id: string;
  readonly bucket_id: string;
  readonly name: string;
  readonly owner: string | null;
  readonly owner_id: string | null;
  readonly version: string | null;
  readonly metadata: ObjectMetadata | null;
  readonly user_metadata: Record<string, unknown> | null;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly last_accessed_at: Date;
}

/** Values written into an object row. */
export interface ObjectValues {
  readonly bucketId: string;
  readonly name: string;
  readonly version: string;
  readonly owner: string | undefined;
  readonly metadata?: ObjectMetadata;
  readonly userMetadata?: Record<string, unknown>;
}

/** One entry of `storage.search`: a folder (no id) or a file. */
export interface SearchRow {
  readonly name: string;
  readonly id: string | null;
  readonly updated_at: Date | null;
  readonly created_at: Date | null;
  readonly last_accessed_at: Date | null;
  readonly metadata: ObjectMetadata | null;
}

/** Options of `Queries.listBuckets`. */
export interface BucketListOptions {
  readonly search: string;
  readonly sortColumn: "id" | "name" | "created_at" | "updated_at";
  readonly sortOrder: "asc" | "desc";
  readonly limit: number | null;
  readonly offset: number;
}

/** Options of `Queries.search`. */
export interface SearchOptions {
  readonly limit: number;
  readonly offset: number;
  readonly search: string;
  readonly sortColumn: string;
  readonly sortOrder: string;
}

/** What `POST /object/list-v2` asks for, its cursor already decoded. */
export interface ListV2Query {
  readonly prefix: string;
  /** Group keys by their next `/` after the prefix into folders. */
  readonly delimited: boolean;
  /** Rows to fetch (one more than the page, to learn whether there is a next page). */
  readonly limit: number;
  readonly sortColumn: "name" | "created_at" | "updated_at";
  readonly sortOrder: "asc" | "desc";
  /** The name of the last entry of the previous page, if any. */
  readonly after?: string;
  /** That entry's sort column value (ISO time), for the timestamp sorts. */
  readonly afterValue?: string;
}

/** One entry of a list-v2 page: an object, or a folder (`id` null, name without its `/`). */
export interface ListV2Row {
  readonly name: string;
  readonly id: string | null;
  readonly updated_at: Date | null;
  readonly created_at: Date | null;
  readonly last_accessed_at: Date | null;
  readonly metadata: Record<string, unknown> | null;
}
