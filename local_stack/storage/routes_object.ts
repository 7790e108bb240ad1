/**
 * `/object` routes: upload (POST create, PUT update, `x-upsert`), download, info, HEAD,
 * remove, copy, move, public objects.
 *
 * @module
 */
import { ANONYMOUS } from "./auth.ts";
import { infoResponse, objectResponse } from "./download.ts";
import { ERRORS } from "./errors.ts";
import { decodePath, isUpsert, json, objectRef, readJson, stringField } from "./http.ts";
import type { ObjectRow } from "./rows.ts";
import { type Route, route, type RouteContext } from "./router.ts";
import { uploadFromRequest } from "./upload_body.ts";

/**
 * GET and HEAD of an object or its info under the real server's three prefixes: `public/`
 * (no JWT), `authenticated/` (the authorization header required) and none (any JWT or none;
 * without a valid one only public buckets answer). `kind` is `info` or `""` (downloads).
 */
function serveRoutes(
  kind: "info" | "",
  render: (row: ObjectRow, context: RouteContext) => Promise<Response> | Response,
): Route[] {
  const base = kind ? `/object/${kind}` : "/object";
  const serve = (auth: "none" | "header" | "optional", segment: string) =>
    route(["GET", "HEAD"], new RegExp(`^${base}/${segment}([^/]+)/(.+)$`), async (context) => {
      const caller = auth === "none" ? ANONYMOUS : context.caller;
      const ref = objectRef(context.params[0], context.params[1]);
      return await render(await context.services.objects.findToServe(caller, ref), context);
    }, { auth });
  return [
    serve("none", "public/"),
    serve("header", "authenticated/"),
    serve("optional", ""),
  ];
}

/** The object routes, in match order (fixed paths before `/object/:bucket/*`). */
export const objectRoutes: readonly Route[] = [
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
  ...serveRoutes("info", (row, { request }) => infoResponse(row, request)),
  ...serveRoutes("", (row, { request, services }) => {
    return objectResponse(services.uploader.backend, row, request);
  }),
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
