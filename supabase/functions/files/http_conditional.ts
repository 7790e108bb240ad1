/**
 * Conditional and partial requests over file versions (RFC 9110 sections 13 and 14): entity
 * tags are version ids (`"<versionId>"`), compared strongly for `If-Match` and weakly for
 * `If-None-Match`; a single `Range: bytes=...` is honoured, anything else is ignored (the full
 * content is served), as the RFC allows.
 *
 * @module
 */

/** The entity tag of a version: its id, quoted. */
export function entityTag(versionId: string): string {
  return `"${versionId}"`;
}

/** The entity tags of an `If-Match` / `If-None-Match` header. */
export interface EntityTagList {
  /** The header was `*`. */
  readonly any: boolean;
  /** Opaque tags without quotes, with their weakness. */
  readonly tags: readonly { readonly tag: string; readonly weak: boolean }[];
}

/**
 * Parses a list of entity tags; bare tokens (`v1` for `"v1"`) are accepted because simple
 * clients often send a version id unquoted. `undefined` when the header is absent or blank.
 */
export function parseEntityTags(header: string | null): EntityTagList | undefined {
  if (header === null || header.trim() === "") return undefined;
  if (header.trim() === "*") return { any: true, tags: [] };
  const tags: { tag: string; weak: boolean }[] = [];
  for (const match of header.matchAll(/\s*(W\/)?(?:"([^"]*)"|([^\s,"]+))\s*(?:,|$)/g)) {
    tags.push({ tag: match[2] ?? match[3] ?? "", weak: match[1] !== undefined });
  }
  return { any: false, tags };
}

/** Options of {@linkcode tagsMatch}. */
export interface TagComparison {
  /** `If-Match` compares strongly (a weak tag never matches), `If-None-Match` weakly. */
  readonly comparison: "strong" | "weak";
}

/** True when `list` matches the current version (`undefined`: there is none). */
export function tagsMatch(
  list: EntityTagList,
  versionId: string | undefined,
  { comparison }: TagComparison,
): boolean {
  if (versionId === undefined) return false;
  if (list.any) return true;
  return list.tags.some((entry) =>
    entry.tag.toLowerCase() === versionId.toLowerCase() &&
    (comparison === "weak" || !entry.weak)
  );
}

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Reads a `Range` header against a content of `size` bytes: the range to serve, `undefined`
 * to serve everything (no header, another unit, several ranges, bad syntax), or
 * `"unsatisfiable"` (answer 416) when it starts at or after the end.
 */
export function parseByteRange(
  header: string | null,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (header === null) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const first = match[1] === "" ? undefined : Number(match[1]);
  const last = match[2] === "" ? undefined : Number(match[2]);
  if (first === undefined) {
    // A suffix range: the last N bytes.
    if (last === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - last!), end: size - 1 };
  }
  if (last !== undefined && last < first) return undefined;
  if (first >= size) return "unsatisfiable";
  return { start: first, end: Math.min(last ?? size - 1, size - 1) };
}

/** `Content-Range` of a served range, or of a 416 answer (`bytes *\/size`). */
export function contentRange(range: ByteRange | undefined, size: number): string {
  return range ? `bytes ${range.start}-${range.end}/${size}` : `bytes */${size}`;
}
