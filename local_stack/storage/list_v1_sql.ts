/**
 * The name-sorted listing behind `POST /object/list/{bucket}`, as supabase/storage's
 * `storage.search` (migration 0050) answers it: one level under `prefix`, folders and files
 * interleaved in bytewise order of their lowercased keys (a folder where its `prefix/` sorts),
 * the prefix and search matched case-insensitively as a plain prefix, folder names lowercased
 * (the real function derives them from `lower(name)`), then `offset` and `limit`. Other sorts
 * use the `storage.search` of the database (folders first), as the real server does.
 *
 * @module
 */
import type postgres from "postgres";
import { escapeLike } from "./list_v2_sql.ts";
import type { SearchOptions, SearchRow } from "./rows.ts";

/** One page of a name-sorted v1 listing; `prefix` ends with `/` or is empty. */
export function listV1ByName(
  tx: postgres.TransactionSql,
  bucketId: string,
  prefix: string,
  options: SearchOptions,
): Promise<SearchRow[]> {
  const start = (prefix + options.search).toLowerCase();
  const levels = (prefix + options.search).split("/").length;
  const order = options.sortOrder === "desc" ? "desc" : "asc";
  // The order comes from a closed list, safe to splice in.
  return tx.unsafe<SearchRow[]>(
    `with raw as (
       select name, id, updated_at, created_at, last_accessed_at, metadata,
         case when strpos(substr(lower(name), $3::int + 1), '/') > 0
           then left(lower(name), $3::int + strpos(substr(lower(name), $3::int + 1), '/'))
         end as folder
       from storage.objects
       where bucket_id = $1 and lower(name) collate "C" like $2 || '%'
     ), entries as (
       select split_part(rtrim(folder, '/'), '/', $4::int) as name, null::uuid as id,
         null::timestamptz as updated_at, null::timestamptz as created_at,
         null::timestamptz as last_accessed_at, null::jsonb as metadata, folder as sort_key
       from raw where folder is not null group by folder
       union all
       select split_part(name, '/', $4::int), id, updated_at, created_at, last_accessed_at,
         metadata, lower(name)
       from raw where folder is null
     )
     select name, id, updated_at, created_at, last_accessed_at, metadata from entries
     order by sort_key collate "C" ${order}
     limit $5::int offset $6::int`,
    [bucketId, escapeLike(start), start.length, levels, options.limit, options.offset],
  );
}
