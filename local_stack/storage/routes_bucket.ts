/**
 * `/bucket` routes: create, list, get, update, empty, delete.
 *
 * @module
 */
import type { BucketSettings } from "./buckets.ts";
import { ERRORS } from "./errors.ts";
import { decodePath, json, readJson } from "./http.ts";
import { parseFileSizeLimit } from "./keys.ts";
import type { BucketListOptions, BucketRow } from "./queries.ts";
import { type Route, route } from "./router.ts";

/**
 * A bucket as the real server answers it: the columns it selects, `owner` as its response
 * schema writes it (a string, so an ownerless bucket says `""`), no `owner_id`; `type` only in
 * listings.
 */
export function renderBucket(row: BucketRow, options: { withType?: boolean } = {}) {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner ?? "",
    public: row.public,
    ...(options.withType ? { type: row.type } : {}),
    file_size_limit: row.file_size_limit,
    allowed_mime_types: row.allowed_mime_types,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function settingsFrom(body: Record<string, unknown>): BucketSettings {
  const mime = body.allowed_mime_types;
  if (
    mime !== undefined && mime !== null && (!Array.isArray(mime) ||
      !mime.every((item) => typeof item === "string"))
  ) {
    throw ERRORS.invalidParameter("allowed_mime_types");
  }
  if (body.public !== undefined && typeof body.public !== "boolean") {
    throw ERRORS.invalidParameter("public");
  }
  return {
    public: body.public as boolean | undefined,
    fileSizeLimit: body.file_size_limit === undefined
      ? undefined
      : parseFileSizeLimit(body.file_size_limit),
    allowedMimeTypes: mime === undefined ? undefined : (mime as string[] | null),
  };
}

const SORT_COLUMNS = ["id", "name", "created_at", "updated_at"] as const;

function listOptionsFrom(query: URLSearchParams): BucketListOptions {
  const number = (name: string) => {
    const value = query.get(name);
    if (value === null || value === "") return null;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw ERRORS.invalidParameter(name);
    return parsed;
  };
  const column = query.get("sortColumn") ?? "name";
  const order = (query.get("sortOrder") ?? "asc").toLowerCase();
  if (!(SORT_COLUMNS as readonly string[]).includes(column)) {
    throw ERRORS.invalidParameter("sortColumn");
  }
  if (order !== "asc" && order !== "desc") throw ERRORS.invalidParameter("sortOrder");
  return {
    search: query.get("search") ?? "",
    sortColumn: column as BucketListOptions["sortColumn"],
    sortOrder: order,
    limit: number("limit"),
    offset: number("offset") ?? 0,
  };
}

/** The bucket routes, in match order. */
export const bucketRoutes: readonly Route[] = [
  route("POST", /^\/bucket\/?$/, async ({ request, caller, services }) => {
    const body = await readJson(request);
    const name = body.name ?? body.id;
    if (typeof name !== "string" || name === "") throw ERRORS.missingParameter("name");
    const id = typeof body.id === "string" && body.id !== "" ? body.id : name;
    await services.buckets.create(caller, id, name, settingsFrom(body));
    return json({ name });
  }),
  route("GET", /^\/bucket\/?$/, async ({ url, caller, services }) => {
    const rows = await services.buckets.list(caller, listOptionsFrom(url.searchParams));
    return json(rows.map((row) => renderBucket(row, { withType: true })));
  }),
  // Service role only, as the real route (`enforceJwtRoles`); emptying here is immediate, the
  // message is the real server's (which queues the work).
  route("POST", /^\/bucket\/([^/]+)\/empty\/?$/, async ({ params, caller, services }) => {
    await services.buckets.empty(caller, decodePath(params[0] ?? ""));
    return json({ message: "Empty bucket has been queued. Completion may take up to an hour." });
  }, { auth: "service" }),
  route("GET", /^\/bucket\/([^/]+)\/?$/, async ({ params, caller, services }) => {
    return json(renderBucket(await services.buckets.get(caller, decodePath(params[0] ?? ""))));
  }),
  route("PUT", /^\/bucket\/([^/]+)\/?$/, async ({ request, params, caller, services }) => {
    const settings = settingsFrom(await readJson(request));
    await services.buckets.update(caller, decodePath(params[0] ?? ""), settings);
    return json({ message: "Successfully updated" });
  }),
  route("DELETE", /^\/bucket\/([^/]+)\/?$/, async ({ params, caller, services }) => {
    await services.buckets.delete(caller, decodePath(params[0] ?? ""));
    return json({ message: "Successfully deleted" });
  }),
];
