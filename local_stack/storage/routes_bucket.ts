/**
 * `/bucket` routes: create, list, get, update, empty, delete.
 *
 * @module
 */
import type { BucketSettings } from "./buckets.ts";
import { ERRORS } from "./errors.ts";
import { decodePath, json, readJson } from "./http.ts";
import { parseFileSizeLimit } from "./keys.ts";
import type { BucketListOptions } from "./queries.ts";
import { type Route, route } from "./router.ts";

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
    return json({ name: id });
  }),
  route("GET", /^\/bucket\/?$/, async ({ url, caller, services }) => {
    return json(await services.buckets.list(caller, listOptionsFrom(url.searchParams)));
  }),
  route("POST", /^\/bucket\/([^/]+)\/empty\/?$/, async ({ params, caller, services }) => {
    await services.buckets.empty(caller, decodePath(params[0] ?? ""));
    return json({ message: "Successfully emptied" });
  }),
  route("GET", /^\/bucket\/([^/]+)\/?$/, async ({ params, caller, services }) => {
    return json(await services.buckets.get(caller, decodePath(params[0] ?? "")));
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
