/**
 * `POST /object/list-v2/{bucket}` (supabase-js `listV2()`), as supabase/storage answers it
 * (`routes/object/listObjectsV2.ts`, `Storage.listObjectsV2` in `storage/object.ts`): the body
 * is checked like its schema, the cursor is the real server's base64 of `l:`/`o:`/`c:`/`a:`
 * lines, and a page is `{ hasNext, nextCursor?, nextCursorKey?, folders, objects }`.
 *
 * @module
 */
import { ERRORS } from "./errors.ts";
import type { ListV2Query, ListV2Row } from "./rows.ts";

/** The largest page, as on the real server. */
export const MAX_LIST_V2_KEYS = 1000;

const COLUMNS = ["name", "updated_at", "created_at"] as const;

/** A list-v2 request body, checked. */
export interface ListV2Request {
  readonly prefix: string;
  readonly limit: number;
  readonly delimited: boolean;
  readonly cursor?: string;
  readonly sortColumn?: ListV2Query["sortColumn"];
  readonly sortOrder?: "asc" | "desc";
}

/** What a cursor holds. */
export interface ListV2Cursor {
  readonly startAfter: string;
  readonly sortOrder?: string;
  readonly sortColumn?: string;
  readonly sortColumnAfter?: string;
}

const CURSOR_PARTS = [
  ["l", "startAfter"],
  ["o", "sortOrder"],
  ["c", "sortColumn"],
  ["a", "sortColumnAfter"],
] as const;

/** Encodes a cursor as the real server does (base64 of `x:value` lines). */
export function encodeCursor(cursor: ListV2Cursor): string {
  const lines = CURSOR_PARTS.flatMap(([tag, field]) =>
    cursor[field] ? [`${tag}:${cursor[field]}`] : []
  );
  const bytes = new TextEncoder().encode(lines.join("\n"));
  return btoa(String.fromCharCode(...bytes));
}

/** Decodes a cursor; `"400"` InvalidParameter `continuation token` when malformed. */
export function decodeCursor(token: string): ListV2Cursor {
  let text: string;
  try {
    text = new TextDecoder().decode(Uint8Array.from(atob(token), (c) => c.charCodeAt(0)));
  } catch {
    throw ERRORS.invalidParameter("continuation token");
  }
  const cursor: Record<string, string> = { startAfter: "", sortOrder: "asc" };
  for (const line of text.split("\n")) {
    const match = /^(\S):(.*)$/.exec(line);
    const part = CURSOR_PARTS.find(([tag]) => tag === match?.[1]);
    if (!match || !part) throw ERRORS.invalidParameter("continuation token");
    cursor[part[1]] = match[2] ?? "";
  }
  return cursor as unknown as ListV2Cursor;
}

function invalid(path: string, rule: string): never {
  throw ERRORS.invalidInput(`body/${path} ${rule}`);
}

/** Checks a list-v2 body as the real route's JSON schema does (with Fastify's coercion). */
export function parseListV2Body(body: Record<string, unknown>): ListV2Request {
  const { prefix = "", cursor, with_delimiter: delimiter = false, sortBy } = body;
  if (typeof prefix !== "string") invalid("prefix", "must be string");
  if (cursor !== undefined && typeof cursor !== "string") invalid("cursor", "must be string");
  if (typeof delimiter !== "boolean" && delimiter !== "true" && delimiter !== "false") {
    invalid("with_delimiter", "must be boolean");
  }
  const limit = body.limit === undefined ? undefined : Number(body.limit);
  if (limit !== undefined && !Number.isInteger(limit)) invalid("limit", "must be integer");
  if (limit !== undefined && limit < 1) invalid("limit", "must be >= 1");
  let sortColumn: ListV2Request["sortColumn"];
  let sortOrder: ListV2Request["sortOrder"];
  if (sortBy !== undefined) {
    if (typeof sortBy !== "object" || sortBy === null) invalid("sortBy", "must be object");
    const { column, order } = sortBy as Record<string, unknown>;
    if (column === undefined) invalid("sortBy", "must have required property 'column'");
    if (!COLUMNS.includes(column as never)) {
      invalid("sortBy/column", "must be equal to one of the allowed values");
    }
    if (order !== undefined && order !== "asc" && order !== "desc") {
      invalid("sortBy/order", "must be equal to one of the allowed values");
    }
    sortColumn = column as ListV2Request["sortColumn"];
    sortOrder = order as ListV2Request["sortOrder"];
  }
  return {
    prefix,
    limit: Math.min(limit || MAX_LIST_V2_KEYS, MAX_LIST_V2_KEYS),
    delimited: delimiter === true || delimiter === "true",
    cursor: cursor || undefined,
    sortColumn,
    sortOrder,
  };
}

/** The query a request (and its cursor, which wins over the body's sort) makes. */
export function listV2Query(request: ListV2Request): ListV2Query {
  const cursor = request.cursor ? decodeCursor(request.cursor) : undefined;
  const column = cursor?.sortColumn || request.sortColumn || "name";
  const order = cursor?.sortOrder || request.sortOrder || "asc";
  return {
    prefix: request.prefix,
    delimited: request.delimited,
    limit: request.limit + 1,
    sortColumn: COLUMNS.includes(column as never) ? column as ListV2Query["sortColumn"] : "name",
    sortOrder: order === "desc" ? "desc" : "asc",
    after: cursor?.startAfter || undefined,
    afterValue: cursor?.sortColumnAfter,
  };
}

/** One page of the answer. */
export interface ListV2Page {
  readonly hasNext: boolean;
  readonly nextCursor?: string;
  readonly nextCursorKey?: string;
  readonly folders: Record<string, unknown>[];
  readonly objects: Record<string, unknown>[];
}

/** Builds the answer from the rows of {@linkcode listV2Query} (one row more than a page). */
export function listV2Page(request: ListV2Request, rows: readonly ListV2Row[]): ListV2Page {
  const cursor = request.cursor ? decodeCursor(request.cursor) : undefined;
  const hasNext = rows.length > request.limit;
  const page = rows.slice(0, request.limit);
  // Delimited listings carry each entry's segment under the prefix as `key` (search_v2).
  const level = request.prefix ? request.prefix.split("/").length : 1;
  const folders: Record<string, unknown>[] = [];
  const objects: Record<string, unknown>[] = [];
  for (const row of page) {
    const entry = request.delimited
      ? { key: row.name.split("/")[level - 1] ?? "", ...row }
      : { ...row };
    if (row.id === null) folders.push({ ...entry, name: `${row.name}/` });
    else objects.push(entry);
  }
  const last = page[page.length - 1];
  if (!hasNext || !last) return { hasNext: false, folders, objects };
  const sortColumn = cursor?.sortColumn || request.sortColumn;
  const value = sortColumn === "created_at" || sortColumn === "updated_at"
    ? last[sortColumn]
    : null;
  return {
    hasNext,
    nextCursor: encodeCursor({
      startAfter: last.name,
      sortOrder: cursor?.sortOrder || request.sortOrder,
      sortColumn,
      sortColumnAfter: value ? new Date(value).toISOString() : undefined,
    }),
    nextCursorKey: last.name,
    folders,
    objects,
  };
}
