/**
 * Base64 (RFC 4648, standard alphabet) for bytes on the wire: inline blobs in a commit, a merged
 * resolution's content. Web APIs only (shared/ runs in browsers too): the native
 * `Uint8Array.fromBase64`/`toBase64` where the runtime has them, else `atob`/`btoa` with plain
 * loops. A commit carries up to 16 MiB, where a per-character callback cost hundreds of ms.
 *
 * @module
 */

interface NativeBase64 {
  fromBase64?: (data: string) => Uint8Array;
}

/** Base64 of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  const native = (bytes as unknown as { toBase64?: () => string }).toBase64;
  if (typeof native === "function") return native.call(bytes);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of `data`, which the caller has validated as base64 (a zod `z.base64()`). */
export function decodeBase64(data: string): Uint8Array {
  const native = (Uint8Array as unknown as NativeBase64).fromBase64;
  if (typeof native === "function") return native(data);
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
