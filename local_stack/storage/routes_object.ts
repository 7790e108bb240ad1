/**
 * `/object` routes: upload (POST create, PUT update, `x-upsert`), download, info, HEAD,
 * remove, list, copy, move, public objects.
 *
 * @module
 */
import { objectInfo, objectResponse } from "./download.ts";
import { ERRORS } from "./errors.ts";
import { decodePath, intField, isUpsert, json, objectRef, readJson, stringField } from "./http.ts";
import { type Route, route } from "./router.ts";
import { uploadFromRequest } from "./upload_body.ts";

const SORT_COLUMNS = ["name", "updated_at", "created_at", "last_accessed_at"];

/** The object routes, in match order (fixed paths before `/object/:bucket/*`). */
export const objectRoutes: readonly Route[] = [
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
  route("POST", /^\/object\/copy\/?$/, async ({ request, caller, services }) => {
    const body = await readJson(request);
    const bucketId = stringField(body, "bucketId");
    const from = { bucketId, name: stringField(body, "sourceKey") };
    const destinationBucket = typeof body.destinationBucket === "string" && body.destinationBucket
      ? body.destinationBucket
      : bucketId;
    const to = { bucketId: destinationBucket, name: stringField(body, "destinationKey") };
    const row = await services.objects.copy(caller, from, to, isUpsert(request.headers));
    return json({ Id: row.id, Key: `${to.bucketId}/${to.name}` });
  }),
  route("POST", /^\/object\/move\/?$/, async ({ request, caller, services }) => {
    const body = await readJson(request);
    const bucketId = stringField(body, "bucketId");
    const destinationBucket = typeof body.destinationBucket === "string" && body.destinationBucket
      ? body.destinationBucket
      : bucketId;
    const to = { bucketId: destinationBucket, name: stringField(body, "destinationKey") };
    const from = { bucketId, name: stringField(body, "sourceKey") };
    const id = await services.objects.move(caller, from, to);
    return json({ message: "Successfully moved", Id: id, Key: to.name });
  }),
  route(
    "GET",
    /^\/object\/info\/(?:authenticated\/)?([^/]+)\/(.+)$/,
    async ({ params, caller, services }) => {
      const row = await services.objects.find(caller, objectRef(params[0], params[1]));
      return json(objectInfo(row));
    },
  ),
  route(["GET", "HEAD"], /^\/object\/public\/([^/]+)\/(.+)$/, async (context) => {
    const { params, request, services } = context;
    const row = await services.objects.findPublic(objectRef(params[0], params[1]));
    return await objectResponse(services.uploader.backend, row, request);
  }, { auth: false }),
  route(
    ["GET", "HEAD"],
    /^\/object\/(?:authenticated\/)?([^/]+)\/(.+)$/,
    async ({ params, request, caller, services }) => {
      const row = await services.objects.find(caller, objectRef(params[0], params[1]));
      return await objectResponse(services.uploader.backend, row, request);
    },
  ),
  route(["POST", "PUT"], /^\/object\/([^/]+)\/(.+)$/, async (context) => {
    const { params, request, caller, services } = context;
    const ref = objectRef(params[0], params[1]);
    // PUT replaces (and creates), as the real server's update route does.
    const upsert = request.method === "PUT" || isUpsert(request.headers);
    const row = await uploadFromRequest(services.uploader, caller, request, ref, { upsert });
    return json({ Id: row.id, Key: `${ref.bucketId}/${ref.name}` });
  }),
  route("DELETE", /^\/object\/([^/]+)\/?$/, async ({ request, params, caller, services }) => {
    const body = await readJson(request);
    const prefixes = body.prefixes;
    if (!Array.isArray(prefixes) || !prefixes.every((p) => typeof p === "string")) {
      throw ERRORS.invalidParameter("prefixes");
    }
    if (prefixes.length < 1 || prefixes.length > 1000) throw ERRORS.invalidParameter("prefixes");
    const removed = await services.objects.removeMany(
      caller,
      decodePath(params[0] ?? ""),
      prefixes,
    );
    return json(removed);
  }),
  route("DELETE", /^\/object\/([^/]+)\/(.+)$/, async ({ params, caller, services }) => {
    await services.objects.remove(caller, objectRef(params[0], params[1]));
    return json({ message: "Successfully deleted" });
  }),
];
