/**
 * The bytes of a restore page as tar members, read from Storage with few requests: blobs that
 * rest in packs of the workspace (docs/decisions/0014-packs.md) are fetched by `Range`, neighbours
 * in one pack coalesced into one request (gap at most 64 KiB, span at most 8 MiB, one span held
 * in memory at a time); loose blobs stream from their own objects. Sources open lazily, in the
 * order the tar stream asks for them, so memory stays at one span or one chunk.
 *
 * Nothing is verified here: the sandbox hashes every member before it is renamed into place
 * (`sandbox_scripts.ts`), so a damaged byte is refused there.
 *
 * @module
 */
import { blobKey } from "../_shared/blobs/blob_store.ts";
import { locateBlobs, type PackLocation, rangeHeader } from "../_shared/blobs/blob_packs.ts";
import type { BlobReadDeps } from "../_shared/blobs/blob_read.ts";
import type { TarSource } from "./tar_writer.ts";

/** One file to archive: its member name and the blob it holds. */
export interface ArchiveMember {
  readonly member: string;
  readonly sha256: string;
  readonly size: number;
  /** Mode bits of the member. */
  readonly mode: number;
}

/** Unwanted bytes between two packed blobs that still share a request. */
const MAX_GAP = 64 * 1024;
/** Longest ranged read (held in memory while its blobs are handed out). */
const MAX_SPAN = 8 * 1024 * 1024;

interface Span {
  readonly key: string;
  readonly offset: number;
  length: number;
  readonly members: { member: ArchiveMember; at: number }[];
}

/** Groups packed members into spans of one pack each (see the module's limits). */
export function planSpans(
  members: readonly { member: ArchiveMember; place: PackLocation }[],
): Span[] {
  const byKey = Map.groupBy(members, ({ place }) => place.key);
  const spans: Span[] = [];
  for (const [key, group] of byKey) {
    group.sort((a, b) => a.place.offset - b.place.offset);
    let span: Span | undefined;
    for (const { member, place } of group) {
      const end = place.offset + place.size;
      if (
        span && place.offset - (span.offset + span.length) <= MAX_GAP &&
        end - span.offset <= MAX_SPAN
      ) {
        span.length = Math.max(span.length, end - span.offset);
        span.members.push({ member, at: place.offset - span.offset });
        continue;
      }
      span = { key, offset: place.offset, length: place.size, members: [{ member, at: 0 }] };
      spans.push(span);
    }
  }
  return spans;
}

/** The members' sources, packed spans first; a blob with no bytes anywhere opens `undefined`. */
export async function* archiveSources(
  deps: BlobReadDeps,
  input: {
    readonly owner: string;
    readonly workspaceId: string;
    readonly members: readonly ArchiveMember[];
  },
): AsyncGenerator<TarSource> {
  const { owner, workspaceId } = input;
  const sized = input.members.filter((m) => m.size > 0);
  const located = await deps.db.asService((tx) =>
    locateBlobs(tx, workspaceId, sized.map((m) => m.sha256))
  );
  for (const member of input.members) {
    if (member.size === 0) yield bytesSource(member, new Uint8Array());
  }
  const packed = sized.flatMap((member) => {
    const place = located.get(member.sha256);
    return place ? [{ member, place }] : [];
  });
  for (const span of planSpans(packed)) {
    const response = await deps.blobs.open(
      span.key,
      rangeHeader({ offset: span.offset, size: span.length }),
    );
    const bytes = response ? new Uint8Array(await response.arrayBuffer()) : undefined;
    for (const { member, at } of span.members) {
      const slice = bytes && bytes.byteLength >= at + member.size
        ? bytes.subarray(at, at + member.size)
        : undefined;
      yield bytesSource(member, slice);
    }
  }
  for (const member of sized) {
    if (located.has(member.sha256)) continue;
    yield {
      name: member.member,
      size: member.size,
      mode: member.mode,
      open: async () => (await deps.blobs.open(blobKey(owner, member.sha256)))?.body ?? undefined,
    };
  }
}

function bytesSource(member: ArchiveMember, bytes: Uint8Array | undefined): TarSource {
  return {
    name: member.member,
    size: member.size,
    mode: member.mode,
    open: () => Promise.resolve(bytes),
  };
}
