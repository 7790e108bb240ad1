/**
 * Writes a tar stream (POSIX ustar, with a pax `path` record for names longer than the ustar
 * field) from entries whose bytes are opened one at a time, so memory stays at one chunk however
 * large the archive. Each entry declares its size up front: a body that turns out shorter is
 * padded with zeros and a longer one cut, so the archive stays well formed and the reader's
 * SHA-256 check (inside the sandbox) refuses the damaged file.
 *
 * @module
 */

/** One regular file of the archive. */
export interface TarSource {
  /** Member name (relative, `/`-separated, UTF-8). */
  readonly name: string;
  readonly size: number;
  /** Mode bits of the member (default `0o600`). */
  readonly mode?: number;
  /** Its bytes; `undefined` drops the entry (its `onSkip` is told). */
  readonly open: () => Promise<ReadableStream<Uint8Array> | Uint8Array | undefined>;
}

const BLOCK = 512;
const encoder = new TextEncoder();

/**
 * A tar stream of `sources`, read lazily. `onEntry` hears of every entry written (with the bytes
 * its body really had) and `onSkip` of every one dropped, before the stream ends.
 */
export function tarStream(
  sources: AsyncIterable<TarSource> | Iterable<TarSource>,
  hooks: {
    readonly onEntry?: (source: TarSource, actual: number) => void;
    readonly onSkip?: (source: TarSource) => void;
  } = {},
): ReadableStream<Uint8Array> {
  const mtime = Math.floor(Date.now() / 1000);
  async function* blocks(): AsyncGenerator<Uint8Array> {
    for await (const source of sources) {
      const body = await source.open();
      if (body === undefined) {
        hooks.onSkip?.(source);
        continue;
      }
      yield* headers(source, mtime);
      let written = 0;
      const chunks = body instanceof Uint8Array ? [body] : body;
      for await (const chunk of chunks) {
        const take = Math.min(chunk.byteLength, source.size - written);
        if (take > 0) yield chunk.subarray(0, take);
        written += chunk.byteLength;
        if (written >= source.size && !(body instanceof Uint8Array)) {
          // Longer than declared: the rest is not ours to send.
          await (body as ReadableStream<Uint8Array>).cancel().catch(() => {});
          break;
        }
      }
      if (written < source.size) yield new Uint8Array(source.size - written);
      const pad = (BLOCK - (source.size % BLOCK)) % BLOCK;
      if (pad > 0) yield new Uint8Array(pad);
      hooks.onEntry?.(source, written);
    }
    yield new Uint8Array(2 * BLOCK);
  }
  const iterator = blocks();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
}

/** The header block(s) of a regular file: a pax header first when the name needs one. */
function headers(source: TarSource, mtime: number): Uint8Array[] {
  const { name, size } = source;
  const mode = (source.mode ?? 0o600) & 0o777;
  const bytes = encoder.encode(name);
  const records: string[] = [];
  if (bytes.byteLength > 100) records.push(paxRecord("path", name));
  if (size > 0o77777777777) records.push(paxRecord("size", String(size)));
  if (records.length === 0) return [header(bytes, { size, mode, mtime }, "0")];
  const pax = encoder.encode(records.join(""));
  const padded = new Uint8Array(Math.ceil(pax.byteLength / BLOCK) * BLOCK);
  padded.set(pax);
  const short = encoder.encode("PaxHeader");
  return [
    header(short, { size: pax.byteLength, mode: 0o600, mtime }, "x"),
    padded,
    header(bytes.subarray(0, 100), { size: size % 0o100000000000, mode, mtime }, "0"),
  ];
}

/** `<length> key=value\n`, where the length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = encoder.encode(body).byteLength;
  let length = bodyBytes + 1;
  while (length !== bodyBytes + String(length).length) length = bodyBytes + String(length).length;
  return `${length}${body}`;
}

function header(
  name: Uint8Array,
  fields: { readonly size: number; readonly mode: number; readonly mtime: number },
  type: string,
): Uint8Array {
  const { size, mode, mtime } = fields;
  const block = new Uint8Array(BLOCK);
  block.set(name.subarray(0, 100), 0);
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, mtime);
  block.fill(0x20, 148, 156);
  block[156] = type.charCodeAt(0);
  block.set(encoder.encode("ustar\u000000"), 257);
  let sum = 0;
  for (const byte of block) sum += byte;
  octal(block, 148, 7, sum);
  return block;
}

/** Writes `value` as zero-padded octal in `length - 1` digits plus a NUL. */
function octal(block: Uint8Array, offset: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, "0");
  block.set(encoder.encode(text), offset);
  block[offset + length - 1] = 0;
}
