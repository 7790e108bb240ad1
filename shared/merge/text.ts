/**
 * Telling text from binary, and line helpers shared by diff and merge.
 *
 * @module
 */

/** How many leading bytes are searched for a NUL, as git does. */
export const BINARY_SNIFF_BYTES = 8192;

/** A line ending found in a text. */
export type LineEnding = "\n" | "\r\n";

/**
 * True when `bytes` look like text: no NUL byte in the first 8 KiB (git's
 * heuristic) and the whole content is valid UTF-8. Empty content is text.
 */
export function isProbablyText(bytes: Uint8Array): boolean {
  return decodeText(bytes) !== null;
}

/**
 * Decodes `bytes` as UTF-8 when {@linkcode isProbablyText} would accept
 * them, else returns `null`. A byte-order mark is kept in the string
 * (`ignoreBOM`), so `encodeText(decodeText(b))` gives back `b` exactly.
 */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Encodes a string as UTF-8 bytes. */
export function encodeText(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * Splits `text` into lines that keep their terminators (`\n` or `\r\n`), so
 * joining them gives back `text` exactly; the last line has no terminator
 * when the text does not end with a newline. `""` has no lines.
 *
 * @example
 * ```ts
 * splitLines("a\r\nb\nc"); // ["a\r\n", "b\n", "c"]
 * ```
 */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * Number of lines in `text`, counted as editors do: a final line without a
 * newline still counts, a trailing newline does not start a new line.
 *
 * @example
 * ```ts
 * countLines(""); // 0
 * countLines("a\nb"); // 2
 * countLines("a\nb\n"); // 2
 * ```
 */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return text.endsWith("\n") ? count : count + 1;
}

/**
 * The line ending `text` mostly uses: `\r\n` when more lines end in CRLF
 * than in a bare LF, else `\n` (also for text without any newline).
 */
export function detectLineEnding(text: string): LineEnding {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) {
    if (i > 0 && text[i - 1] === "\r") crlf++;
    else lf++;
  }
  return crlf > lf ? "\r\n" : "\n";
}

/** Removes one trailing `\n` or `\r\n` from a line, if present. */
export function stripLineEnding(line: string): string {
  if (line.endsWith("\r\n")) return line.slice(0, -2);
  if (line.endsWith("\n")) return line.slice(0, -1);
  return line;
}
