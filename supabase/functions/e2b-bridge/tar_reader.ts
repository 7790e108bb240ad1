/**
 * A defensive reader of tar streams (ustar, GNU and pax, as `tar -c` writes them) for archives a
 * sandbox made: hostile input. It never touches a filesystem and never interprets a name; it
 * reports each entry's name, kind and size and hands out exactly `size` bytes of its data, so the
 * caller decides what to accept (the bridge takes only regular files it asked for, by exact name,
 * of the size it expects, and verifies their SHA-256).
 *
 * Limits: every header's checksum is checked; pax and GNU long-name extensions are capped at
 * {@linkcode MAX_EXTENSION_BYTES}; sizes are non-negative safe integers; the whole stream may not
 * exceed `maxBytes` (a header claiming a huge size runs into that cap, or into the end of the
 * stream, and fails with {@linkcode TarFormatError}). Errors of the source stream itself are
 * rethrown as they are, so callers can tell a broken connection from a malformed archive.
 *
 * @module
 */

/** What an entry is; only `file` carries file bytes a caller may accept. */
export type TarEntryKind = "file" | "dir" | "symlink" | "hardlink" | "other";

/** One member of the archive. */
export interface TarEntry {
  /** The member's name (pax `path`, GNU long name or ustar prefix/name); `null` if not UTF-8. */
  readonly name: string | null;
  readonly kind: TarEntryKind;
  /** Bytes of data that follow the header. */
  readonly size: number;
}

/** The archive is malformed, truncated or larger than allowed. */
export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TarFormatError";
  }
}

/** Largest pax header or GNU long name accepted (synced paths are at most 1024 bytes). */
export const MAX_EXTENSION_BYTES = 64 * 1024;

const BLOCK = 512;
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Reads entries one at a time: `next()`, then the entry's data via `read`, `readAll` or `skip`. */
export class TarReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #maxBytes: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #consumed = 0;
  #ended = false;
  /** Data bytes of the current entry not yet handed out, and the padding after them. */
  #left = 0;
  #padding = 0;
  #done = false;

  constructor(source: ReadableStream<Uint8Array>, options: { readonly maxBytes: number }) {
    this.#reader = source.getReader();
    this.#maxBytes = options.maxBytes;
  }

  /** Bytes of the stream consumed so far. */
  get consumed(): number {
    return this.#consumed;
  }

  /** The next entry (skipping what is left of the current one), or `null` at the archive's end. */
  async next(): Promise<TarEntry | null> {
    await this.skip();
    if (this.#done) return null;
    let longName: Uint8Array | undefined;
    let pax: Map<string, string> | undefined;
    for (;;) {
      const header = await this.#exact(BLOCK, true);
      if (header === undefined || header.every((byte) => byte === 0)) {
        // End of archive: a zero block (the second one, if any, is not needed), or a clean end.
        this.#done = true;
        return null;
      }
      verifyChecksum(header);
      const type = String.fromCharCode(header[156]!);
      const size = parseNumber(header.subarray(124, 136), "size");
      if (type === "L" || type === "x" || type === "g") {
        if (size > MAX_EXTENSION_BYTES) {
          throw new TarFormatError(`Extension header of ${size} bytes exceeds the limit`);
        }
        const data = await this.#exact(size, false);
        await this.#exact(padOf(size), false);
        if (type === "L") longName = data!.subarray(0, nulIndex(data!));
        // A global header (`g`) is read and ignored: names are judged one entry at a time.
        else if (type === "x") pax = parsePax(data!);
        continue;
      }
      const paxSize = pax?.get("size");
      const entrySize = paxSize === undefined ? size : parseDecimal(paxSize, "pax size");
      const name = pax?.get("path") ?? decode(longName ?? ustarName(header));
      this.#left = entrySize;
      this.#padding = padOf(entrySize);
      return { name, kind: kindOf(type), size: entrySize };
    }
  }

  /** Up to `max` bytes of the current entry's data; `null` once it is all read. */
  async read(max = 1 << 20): Promise<Uint8Array | null> {
    if (this.#left === 0) return null;
    const chunk = await this.#some(Math.min(max, this.#left));
    this.#left -= chunk.byteLength;
    return chunk;
  }

  /** The current entry's data in one buffer (callers only ask for small entries). */
  async readAll(): Promise<Uint8Array> {
    const out = new Uint8Array(this.#left);
    let filled = 0;
    for (let chunk = await this.read(); chunk; chunk = await this.read()) {
      out.set(chunk, filled);
      filled += chunk.byteLength;
    }
    return out;
  }

  /** Skips what is left of the current entry's data and its padding. */
  async skip(): Promise<void> {
    while (this.#left > 0) await this.read();
    if (this.#padding > 0) {
      await this.#exact(this.#padding, false);
      this.#padding = 0;
    }
  }

  /** Stops reading (the source is cancelled). */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }

  /** Exactly `count` bytes; `undefined` at a clean end of stream when `eofOk`. */
  async #exact(count: number, eofOk: boolean): Promise<Uint8Array | undefined> {
    if (count === 0) return new Uint8Array();
    while (this.#buffered < count) {
      if (!(await this.#fill())) {
        if (eofOk && this.#buffered === 0) return undefined;
        throw new TarFormatError("The archive ends in the middle of an entry");
      }
    }
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const head = this.#chunks[0]!;
      const take = Math.min(head.byteLength, count - filled);
      out.set(head.subarray(0, take), filled);
      this.#shift(take);
      filled += take;
    }
    return out;
  }

  /** Between 1 and `max` bytes, without copying when the buffer holds them. */
  async #some(max: number): Promise<Uint8Array> {
    if (this.#buffered === 0 && !(await this.#fill())) {
      throw new TarFormatError("The archive ends in the middle of an entry");
    }
    const head = this.#chunks[0]!;
    const take = Math.min(head.byteLength, max);
    const out = head.subarray(0, take);
    this.#shift(take);
    return out;
  }

  #shift(count: number): void {
    const head = this.#chunks[0]!;
    if (count === head.byteLength) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(count);
    this.#buffered -= count;
  }

  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    const { done, value } = await this.#reader.read();
    if (done) {
      this.#ended = true;
      return false;
    }
    this.#consumed += value.byteLength;
    if (this.#consumed > this.#maxBytes) {
      await this.cancel();
      throw new TarFormatError(`The archive exceeds ${this.#maxBytes} bytes`);
    }
    if (value.byteLength > 0) {
      this.#chunks.push(value);
      this.#buffered += value.byteLength;
    }
    return true;
  }
}

function padOf(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function nulIndex(bytes: Uint8Array): number {
  const index = bytes.indexOf(0);
  return index < 0 ? bytes.byteLength : index;
}

function decode(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

function kindOf(type: string): TarEntryKind {
  if (type === "0" || type === "\0") return "file";
  if (type === "5") return "dir";
  if (type === "2") return "symlink";
  if (type === "1") return "hardlink";
  return "other"; // devices, FIFOs, contiguous and sparse files, volume labels, unknown types
}

/** The ustar name: `prefix/name` for POSIX ustar, the name field alone for old GNU headers. */
function ustarName(header: Uint8Array): Uint8Array {
  const name = header.subarray(0, 100);
  const field = name.subarray(0, nulIndex(name));
  const magic = String.fromCharCode(...header.subarray(257, 263));
  if (magic !== "ustar\0") return field;
  const prefixField = header.subarray(345, 500);
  const prefix = prefixField.subarray(0, nulIndex(prefixField));
  if (prefix.byteLength === 0) return field;
  const joined = new Uint8Array(prefix.byteLength + 1 + field.byteLength);
  joined.set(prefix);
  joined[prefix.byteLength] = 0x2f;
  joined.set(field, prefix.byteLength + 1);
  return joined;
}

function verifyChecksum(header: Uint8Array): void {
  const stored = parseNumber(header.subarray(148, 156), "checksum");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  if (sum !== stored) throw new TarFormatError("A header's checksum does not match");
}

/** An octal field (NUL or space terminated) or GNU base-256 (high bit set), non-negative. */
function parseNumber(field: Uint8Array, what: string): number {
  if (field[0]! & 0x80) {
    if (field[0]! & 0x40) throw new TarFormatError(`Negative ${what}`);
    let value = field[0]! & 0x3f;
    for (const byte of field.subarray(1)) {
      value = value * 256 + byte;
      if (value > Number.MAX_SAFE_INTEGER) throw new TarFormatError(`Oversized ${what}`);
    }
    return value;
  }
  const text = String.fromCharCode(...field).replace(/[\0 ]+$/, "").replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`Malformed ${what}`);
  const value = parseInt(text, 8);
  if (!Number.isSafeInteger(value)) throw new TarFormatError(`Oversized ${what}`);
  return value;
}

function parseDecimal(text: string, what: string): number {
  if (!/^[0-9]{1,16}$/.test(text)) throw new TarFormatError(`Malformed ${what}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new TarFormatError(`Oversized ${what}`);
  return value;
}

/** Pax records: `<length> <key>=<value>\n`, each length counting the whole record. */
function parsePax(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.byteLength) {
    if (data[at] === 0) break; // padding some writers leave
    const space = data.indexOf(0x20, at);
    if (space < 0) throw new TarFormatError("Malformed pax record");
    const length = parseDecimal(String.fromCharCode(...data.subarray(at, space)), "pax record");
    const end = at + length;
    if (length < 5 || end > data.byteLength || data[end - 1] !== 0x0a) {
      throw new TarFormatError("Malformed pax record");
    }
    const record = decode(data.subarray(space + 1, end - 1));
    const equals = record?.indexOf("=") ?? -1;
    if (record === null || equals <= 0) throw new TarFormatError("Malformed pax record");
    records.set(record.slice(0, equals), record.slice(equals + 1));
    at = end;
  }
  return records;
}
