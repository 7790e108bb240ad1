/**
 * The statement behind `POST /object/list-v2/{bucket}`. It returns what supabase/storage's
 * `storage.search_v2` / `list_objects_with_delimiter` (migration 0050) return, in their order,
 * but as one plain query (a local stack lists small buckets, so no skip-scan):
 *
 * - without a delimiter, the objects under the prefix;
 * - with one, the objects directly under the prefix and one folder per next `/` segment: a
 *   folder's name has no trailing `/`, its id, timestamps and metadata are null, except under a
 *   timestamp sort where both timestamps are its oldest object's `created_at`;
 * - sorted by name (bytewise, folders placed where their `prefix/` sorts), or by a timestamp
 *   then name; a page starts after the cursor's entry.
 *
 * @module
 */
import type postgres from "postgres";
import type { ListV2Query, ListV2Row } from "./rows.ts";

/** `value` with LIKE's wildcards escaped (the default escape character is a backslash). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

const COLUMNS = "name, id, updated_at, created_at, last_accessed_at, metadata";

/** One page (`query.limit` rows) of a list-v2 listing of `bucketId`. */
export function listV2Rows(
  tx: postgres.TransactionSql,
  bucketId: string,
  query: ListV2Query,
): Promise<ListV2Row[]> {
  // Column and order come from closed lists (routes_list_v2.ts), safe to splice in.
  const order = query.sortOrder === "desc" ? "desc" : "asc";
  const op = order === "asc" ? ">" : "<";
  const byTime = query.sortColumn !== "name";
  const values: (string | number | boolean)[] = [bucketId, `${escapeLike(query.prefix)}%`];
  const param = (value: string | number | boolean) => `$${values.push(value)}`;
  const source = query.delimited ? delimitedEntries(param, query.prefix, byTime) : `
    select ${COLUMNS}, name as sort_key from storage.objects
    where bucket_id = $1 and name collate "C" like $2`;
  let after = "true";
  if (query.after !== undefined && byTime) {
    after = `(date_trunc('milliseconds', ${query.sortColumn}), name collate "C") ${op}
      (coalesce(nullif(${param(query.afterValue ?? "")}::text, '')::timestamptz, 'epoch'),
        ${param(query.after)})`;
  } else if (query.after !== undefined) {
    // A cursor naming a folder skips everything under it.
    const cursor = param(query.after);
    const seek = query.delimited
      ? `case when exists (select 1 from storage.objects where bucket_id = $1
          and name collate "C" like ${param(escapeLike(query.after))} || '/%')
          then ${cursor}::text || '/' else ${cursor}::text end`
      : cursor;
    after = `sort_key collate "C" ${op} ${seek}`;
  }
  const sort = byTime ? `${query.sortColumn} ${order}, name collate "C" ${order}` : "";
  return tx.unsafe<ListV2Row[]>(
    `with entries as (${source})
     select ${COLUMNS} from entries where ${after}
     order by ${sort || `sort_key collate "C" ${order}`}
     limit ${param(query.limit)}::int`,
    values,
  );
}

/** Folders (grouped by their `prefix…/`) and the objects directly under `prefix`. */
function delimitedEntries(
  param: (value: string | number | boolean) => string,
  prefix: string,
  byTime: boolean,
): string {
  const start = `${param(prefix.length + 1)}::int`;
  return `
    with raw as (
      select ${COLUMNS},
        case when strpos(substr(name, ${start}), '/') > 0
          then left(name, ${start} - 1 + strpos(substr(name, ${start}), '/')) end as folder
      from storage.objects where bucket_id = $1 and name collate "C" like $2
    )
    select rtrim(folder, '/') as name, null::uuid as id,
      case when ${param(byTime)}::boolean then min(created_at) end as updated_at,
      case when ${param(byTime)}::boolean then min(created_at) end as created_at,
      null::timestamptz as last_accessed_at, null::jsonb as metadata, folder as sort_key
    from raw where folder is not null group by folder
    union all
    select ${COLUMNS}, name as sort_key from raw where folder is null`;
}
