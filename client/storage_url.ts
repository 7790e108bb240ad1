/**
 * Storage is reached where the API is: `<SUPABASE_URL>/storage/v1`, as supabase-js builds it.
 * The server signs URLs with its own idea of its public address, which a client behind a
 * tunnel, a proxy or a sandbox's port forward cannot always reach; so every Storage URL the
 * server hands out (signed uploads and downloads, the TUS endpoint and the upload URLs TUS
 * answers with) is rebased onto the URL the client was configured with. The signature travels
 * in the path and query (or a header), never in the host, so rebasing keeps it valid.
 *
 * @module
 */

const STORAGE_PATH = "/storage/v1/";

/**
 * `url` with everything before its `/storage/v1/` replaced by `base` (the project URL);
 * a URL without that path, or an unparsable one, is returned unchanged.
 *
 * @example
 * ```ts
 * rebaseStorageUrl("http://10.0.0.5:54321/storage/v1/object/sign/b/k?token=t", "http://localhost:9000");
 * // "http://localhost:9000/storage/v1/object/sign/b/k?token=t"
 * ```
 */
export function rebaseStorageUrl(url: string, base: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const at = parsed.pathname.indexOf(STORAGE_PATH);
  if (at < 0) return url;
  const tail = parsed.pathname.slice(at) + parsed.search + parsed.hash;
  return `${base.replace(/\/+$/, "")}${tail}`;
}

/** The project URL a Storage URL lives under (everything before `/storage/v1/`). */
export function storageBase(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const at = parsed.pathname.indexOf(STORAGE_PATH);
    return at < 0 ? undefined : `${parsed.origin}${parsed.pathname.slice(0, at)}`;
  } catch {
    return undefined;
  }
}
