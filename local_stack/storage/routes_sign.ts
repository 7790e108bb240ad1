/**
 * Signed URL routes: signed downloads (`/object/sign`) and signed uploads
 * (`/object/upload/sign`), as `createSignedUrl(s)`, `createSignedUploadUrl` and
 * `uploadToSignedUrl` of supabase-js use them. The URLs handed out carry the raw key, as the
 * real server's do: supabase-js encodes them.
 *
 * @module
 */
import { serviceCaller } from "./auth.ts";
import { objectResponse } from "./download.ts";
import { ERRORS } from "./errors.ts";
import { decodePath, isUpsert, json, objectRef, readJson } from "./http.ts";
import { type Route, route } from "./router.ts";
import { uploadFromRequest } from "./upload_body.ts";

function expiresInOf(body: Record<string, unknown>): number {
  const value = Number(body.expiresIn);
  if (!Number.isFinite(value) || value < 1) throw ERRORS.invalidParameter("expiresIn");
  return Math.floor(value);
}

/** The `token` query parameter, required by the real routes' querystring schema. */
function tokenOf(url: URL): string {
  const token = url.searchParams.get("token");
  if (token === null) throw ERRORS.invalidInput("querystring must have required property 'token'");
  return token;
}

/** The signed URL routes, in match order. */
export const signRoutes: readonly Route[] = [
  route("POST", /^\/object\/upload\/sign\/([^/]+)\/(.+)$/, async (context) => {
    const { params, request, caller, services } = context;
    const ref = objectRef(params[0], params[1]);
    const token = await services.objects.signUpload(caller, ref, isUpsert(request.headers));
    return json({ url: `/object/upload/sign/${ref.bucketId}/${ref.name}?token=${token}`, token });
  }),
  route("PUT", /^\/object\/upload\/sign\/([^/]+)\/(.+)$/, async (context) => {
    const { params, request, url, services } = context;
    const ref = objectRef(params[0], params[1]);
    const grant = await services.objects.verifyUpload(ref, tokenOf(url));
    const row = await uploadFromRequest(
      services.uploader,
      serviceCaller(grant.owner),
      request,
      ref,
      { upsert: grant.upsert, trusted: true },
    );
    // The real route's response schema has `Key` only.
    return json({ Key: `${row.bucket_id}/${row.name}` });
  }, { auth: "none" }),
  route("POST", /^\/object\/sign\/([^/]+)\/?$/, async ({ request, params, caller, services }) => {
    const body = await readJson(request);
    const bucketId = decodePath(params[0] ?? "");
    const paths = body.paths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === "string")) {
      throw ERRORS.invalidParameter("paths");
    }
    const expiresIn = expiresInOf(body);
    const results = [];
    for (const path of paths as string[]) {
      const ref = { bucketId, name: path };
      try {
        const token = await services.objects.signDownload(caller, ref, expiresIn);
        results.push({
          error: null,
          path,
          signedURL: `/object/sign/${ref.bucketId}/${ref.name}?token=${token}`,
        });
      } catch {
        results.push({
          error: "Either the object does not exist or you do not have access to it",
          path,
          signedURL: null,
        });
      }
    }
    return json(results);
  }),
  route("POST", /^\/object\/sign\/([^/]+)\/(.+)$/, async (context) => {
    const { params, request, caller, services } = context;
    const ref = objectRef(params[0], params[1]);
    const token = await services.objects.signDownload(
      caller,
      ref,
      expiresInOf(await readJson(request)),
    );
    return json({ signedURL: `/object/sign/${ref.bucketId}/${ref.name}?token=${token}` });
  }),
  route(["GET", "HEAD"], /^\/object\/sign\/([^/]+)\/(.+)$/, async (context) => {
    const { params, request, url, services } = context;
    const ref = objectRef(params[0], params[1]);
    const { row, expires } = await services.objects.findSigned(ref, tokenOf(url));
    return await objectResponse(services.uploader.backend, row, request, { expires });
  }, { auth: "none" }),
];
