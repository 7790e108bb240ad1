/**
 * Listing routes: `POST /object/list/{bucket}` (one folder level, `storage.search`) and
 * `POST /object/list-v2/{bucket}` (pages with a cursor, see list_v2.ts). Both come before the
 * upload route `POST /object/{bucket}/*`, which would otherwise take them.
 *
 * @module
 */
import { ERRORS } from "./errors.ts";
import { decodePath, intField, json, readJson } from "./http.ts";
import { listV2Page, listV2Query, parseListV2Body } from "./list_v2.ts";
import { type Route, route } from "./router.ts";

const SORT_COLUMNS = ["name", "updated_at", "created_at", "last_accessed_at"];

/** The listing routes, in match order. */
export const listRoutes: readonly Route[] = [
  // The real route has no header schema: without a token it answers AccessDenied, not 400.
  route("POST", /^\/object\/list-v2\/([^/]+)\/?$/, async (context) => {
    const { request, params, caller, services } = context;
    const body = parseListV2Body(await readJson(request));
    const bucketId = decodePath(params[0] ?? "");
    const rows = await services.objects.listV2(caller, bucketId, listV2Query(body));
    return json(listV2Page(body, rows));
  }, { auth: "jwt" }),
  route("POST", /^\/object\/list\/([^/]+)\/?$/, async ({ request, params, caller, services }) => {
    const body = await readJson(request);
    const sortBy = (body.sortBy ?? {}) as Record<string, unknown>;
    const column = typeof sortBy.column === "string" ? sortBy.column : "name";
    const order = typeof sortBy.order === "string" ? sortBy.order.toLowerCase() : "asc";
    if (!SORT_COLUMNS.includes(column)) throw ERRORS.invalidParameter("sortBy.column");
    if (order !== "asc" && order !== "desc") throw ERRORS.invalidParameter("sortBy.order");
    const prefix = typeof body.prefix === "string" ? body.prefix : "";
    const rows = await services.objects.list(caller, decodePath(params[0] ?? ""), prefix, {
      limit: intField(body, "limit", 100),
      offset: intField(body, "offset", 0),
      search: typeof body.search === "string" ? body.search : "",
      sortColumn: column,
      sortOrder: order,
    });
    return json(rows);
  }),
];
