/**
 * Content-addressed blobs in the sync bucket, reached through the Storage API as the service
 * role (bytes never pass through Postgres). Keys are `<owner>/<sha256[0:2]>/<sha256>`.
 *
 * @module
 */
import { createSha256 } from "../../../../shared/hash.ts";

/** The Storage bucket holding every blob (created by a migration). */
export const SYNC_BUCKET = "sandsync";

/** The key of a blob: content-addressed under its owner's prefix (quota attribution). */
export function blobKey(ownerId: string, sha256: string): string {
  return `${ownerId}/${sha256.slice(0, 2)}/${sha256}`;
}

/**
 * Where a caller confined to one workspace (an agent token) uploads a blob its workspace cannot
 * read yet: under the owner (quota) but apart from the blob keys, so the upload proves possession
 * whether or not the owner already has the bytes (`sync_service.ts` hashes, then keeps one copy).
 */
export function stagingKey(ownerId: string, tokenId: string, sha256: string): string {
  return `${ownerId}/staging/${tokenId}/${sha256}`;
}

/** What a stored blob hashed to. */
export interface BlobDigest {
  readonly sha256: string;
  readonly size: number;
}

/** Where a client puts bytes for one blob. */
export interface UploadTicket {
  /** `PUT` (or POST) the bytes here; no JWT needed. */
  readonly signedUrl: string;
  /** The signed-upload token (also valid as TUS `x-signature`). */
  readonly token: string;
}

/** The Storage operations the sync functions need. */
export interface BlobStore {
  /** A signed upload URL for `key` (upsert off: content-addressed keys are written once). */
  signUpload(key: string): Promise<UploadTicket>;
  /** Signed download URLs, in the order of `keys`; `undefined` for a key with no object. */
  signDownloads(
    keys: readonly string[],
    expiresInSeconds: number,
  ): Promise<(string | undefined)[]>;
  /** Streams the stored bytes through SHA-256; `undefined` when there is no such object. */
  digest(key: string): Promise<BlobDigest | undefined>;
  /** Streams the stored bytes (optionally a `Range`); `undefined` when missing. */
  open(key: string, range?: string): Promise<Response | undefined>;
  /** Writes small bytes directly (inline uploads); an existing object is left as it is. */
  put(key: string, bytes: Uint8Array, contentType?: string): Promise<void>;
  /**
   * Streams bytes of unknown length into `key` (the e2b-bridge moving a sandbox file): memory
   * stays at one chunk. An existing object is left as it is, like {@linkcode BlobStore.put};
   * resolves `false` then (the body may be left partly unread), `true` when it wrote.
   */
  putStream(key: string, body: ReadableStream<Uint8Array>): Promise<boolean>;
  /** Removes objects (garbage collection, refused uploads). */
  remove(keys: readonly string[]): Promise<void>;
  /** Renames `from` to `to`; resolves `false` when `to` already exists (nothing moved). */
  move(from: string, to: string): Promise<boolean>;
}

/** Options of {@linkcode createBlobStore}. */
export interface BlobStoreOptions {
  /** `SUPABASE_URL`. */
  readonly url: string;
  /** `SUPABASE_SERVICE_ROLE_KEY`: these are service-role operations. */
  readonly serviceRoleKey: string;
  /** The URL clients reach Storage at, when it differs from `url` (signed URLs). */
  readonly publicUrl?: string;
}

/** A {@linkcode BlobStore} over the Storage HTTP API with the service-role key. */
export function createBlobStore(options: BlobStoreOptions): BlobStore {
  const base = `${options.url.replace(/\/$/, "")}/storage/v1`;
  const publicBase = `${(options.publicUrl ?? options.url).replace(/\/$/, "")}/storage/v1`;
  const headers = {
    authorization: `Bearer ${options.serviceRoleKey}`,
    apikey: options.serviceRoleKey,
  };
  const objectPath = (key: string) =>
    `${SYNC_BUCKET}/${key.split("/").map(encodeURIComponent).join("/")}`;
  const fail = async (what: string, response: Response): Promise<never> => {
    const body = await response.text().catch(() => "");
    throw new Error(`Storage ${what} failed: ${response.status} ${body.slice(0, 300)}`);
  };

  return {
    async signUpload(key) {
      const response = await fetch(`${base}/object/upload/sign/${objectPath(key)}`, {
        method: "POST",
        headers,
      });
      if (!response.ok) await fail(`signing an upload of "${key}"`, response);
      const { url } = await response.json() as { url: string };
      const signed = new URL(`${publicBase}${url}`);
      return { signedUrl: signed.toString(), token: signed.searchParams.get("token") ?? "" };
    },

    async signDownloads(keys, expiresInSeconds) {
      if (keys.length === 0) return [];
      const response = await fetch(`${base}/object/sign/${SYNC_BUCKET}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ expiresIn: expiresInSeconds, paths: keys }),
      });
      if (!response.ok) await fail("signing downloads", response);
      const entries = await response.json() as { path: string; signedURL: string | null }[];
      const byPath = new Map(entries.map((entry) => [entry.path, entry.signedURL]));
      return keys.map((key) => {
        const signed = byPath.get(key);
        return signed ? `${publicBase}${signed}` : undefined;
      });
    },

    async digest(key) {
      const response = await this.open(key);
      if (!response?.body) return undefined;
      const hash = createSha256();
      let size = 0;
      for await (const chunk of response.body) {
        hash.update(chunk);
        size += chunk.byteLength;
      }
      return { sha256: hash.digestHex(), size };
    },

    async open(key, range) {
      const response = await fetch(`${base}/object/authenticated/${objectPath(key)}`, {
        headers: range ? { ...headers, range } : headers,
      });
      if (response.status === 404 || response.status === 400) {
        const body = await response.json().catch(() => ({})) as { statusCode?: string };
        if (response.status === 404 || body.statusCode === "404") return undefined;
        throw new Error(`Storage download of "${key}" failed: ${JSON.stringify(body)}`);
      }
      if (!response.ok) await fail(`download of "${key}"`, response);
      return response;
    },

    async put(key, bytes, contentType = "application/octet-stream") {
      await upload(key, bytes as Uint8Array<ArrayBuffer>, contentType);
    },

    putStream(key, body) {
      return upload(key, body, "application/octet-stream");
    },

    async remove(keys) {
      if (keys.length === 0) return;
      const response = await fetch(`${base}/object/${SYNC_BUCKET}`, {
        method: "DELETE",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ prefixes: keys }),
      });
      if (!response.ok) await fail("removing objects", response);
      await response.body?.cancel();
    },

    async move(from, to) {
      const response = await fetch(`${base}/object/move`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ bucketId: SYNC_BUCKET, sourceKey: from, destinationKey: to }),
      });
      if (response.ok) {
        await response.body?.cancel();
        return true;
      }
      const answer = await response.json().catch(() => ({})) as { statusCode?: string };
      if (answer.statusCode === "409" || response.status === 409) return false;
      throw new Error(`Storage move of "${from}" failed: ${JSON.stringify(answer)}`);
    },
  };

  async function upload(
    key: string,
    body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>,
    contentType: string,
  ): Promise<boolean> {
    const response = await fetch(`${base}/object/${objectPath(key)}`, {
      method: "POST",
      headers: { ...headers, "content-type": contentType, "x-upsert": "false" },
      body,
    });
    if (response.ok) {
      await response.body?.cancel();
      return true;
    }
    const answer = await response.json().catch(() => ({})) as { statusCode?: string };
    // Content-addressed: an object already under this key holds these very bytes.
    if (answer.statusCode === "409") return false;
    throw new Error(`Storage upload of "${key}" failed: ${JSON.stringify(answer)}`);
  }
}
