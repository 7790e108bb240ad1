/**
 * A streaming multipart/form-data reader for uploads: text fields before the file are read
 * into memory (small, capped), the first file part is handed out as a stream. Deno's
 * `Request.formData()` would buffer the whole file, and it drops parts with an empty name,
 * which is how supabase-js sends the file.
 *
 * @module
 */
import { ERRORS } from "./errors.ts";

/** Largest text field accepted (cacheControl, metadata). */
const MAX_FIELD = 64 * 1024;
/** Largest part header block accepted. */
const MAX_HEADERS = 16 * 1024;

/** The file part and the fields that preceded it. */
export interface MultipartUpload {
  readonly fields: ReadonlyMap<string, string>;
  /** `undefined` when the body holds no file part. */
  readonly file?: { readonly type: string; readonly body: ReadableStream<Uint8Array> };
}

/** The boundary of a `multipart/form-data` content type. */
export function boundaryOf(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2]?.trim();
  if (!boundary) throw ERRORS.invalidRequest("Multipart body without boundary");
  return boundary;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (
    let i = haystack.indexOf(first ?? 0, from);
    i !== -1;
    i = haystack.indexOf(first ?? 0, i + 1)
  ) {
    if (i + needle.length > haystack.length) return -1;
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Reads `body` up to its first file part; see {@linkcode MultipartUpload}. */
export async function readMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
): Promise<MultipartUpload> {
  const encoder = new TextEncoder();
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const reader = body.getReader();
  // A leading CRLF lets the first boundary match the same delimiter as the others.
  let buffer: Uint8Array = encoder.encode("\r\n");
  let done = false;
  const more = async () => {
    const next = await reader.read();
    if (next.done) done = true;
    else buffer = join(buffer, next.value);
  };
  const until = async (needle: Uint8Array, cap: number): Promise<Uint8Array> => {
    for (;;) {
      const at = indexOf(buffer, needle);
      if (at !== -1) {
        const head = buffer.slice(0, at);
        buffer = buffer.slice(at + needle.length);
        return head;
      }
      if (buffer.length > cap + needle.length) {
        throw ERRORS.invalidRequest("Multipart part too large");
      }
      if (done) throw ERRORS.invalidRequest("Truncated multipart body");
      await more();
    }
  };
  const fields = new Map<string, string>();
  try {
    await until(delimiter, MAX_FIELD); // preamble
    for (;;) {
      while (buffer.length < 2 && !done) await more();
      if (buffer[0] === 45 && buffer[1] === 45) break; // "--": closing delimiter
      const headerText = new TextDecoder().decode(
        await until(encoder.encode("\r\n\r\n"), MAX_HEADERS),
      );
      const headers = new Headers();
      for (const line of headerText.split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      const disposition = headers.get("content-disposition") ?? "";
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? "";
      if (/\bfilename="/i.test(disposition)) {
        return { fields, file: { type: headers.get("content-type") ?? "", body: fileStream() } };
      }
      fields.set(name, new TextDecoder().decode(await until(delimiter, MAX_FIELD)));
    }
    await reader.cancel();
    return { fields };
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }

  function fileStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          const at = indexOf(buffer, delimiter);
          if (at !== -1) {
            if (at > 0) controller.enqueue(buffer.slice(0, at));
            buffer = new Uint8Array(0);
            controller.close();
            await reader.cancel().catch(() => {});
            return;
          }
          // Keep a tail that may hold the start of a delimiter split across chunks.
          const safe = buffer.length - delimiter.length;
          if (safe > 0) {
            controller.enqueue(buffer.slice(0, safe));
            buffer = buffer.slice(safe);
            return;
          }
          if (done) {
            controller.error(ERRORS.invalidRequest("Truncated multipart body"));
            return;
          }
          await more();
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => {});
      },
    });
  }
}
