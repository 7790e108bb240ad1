/**
 * Blobs whose bytes stream through the function from a sandbox (the e2b-bridge's pull): one tar
 * archive per page, read once, in the order the quota rules ask for
 * (docs/decisions/0007-quota-by-trigger.md): the archive is read entry by entry and each accepted
 * file hashed as it streams. Small files (at most `MAX_INLINE_FILE_BYTES`) are held in memory and
 * written a pack at a time (`_shared/blobs/blob_ingest.ts`, docs/decisions/0014-packs.md, which
 * reserves their quota first, all or nothing, and skips blobs a pack of the workspace already
 * holds); quota for the larger ones is reserved before the archive is opened (the one
 * reservation of `_shared/blobs/blob_reserve.ts`), and each streams into its content-addressed
 * key and is removed again when its bytes are not what was announced. The good ones are marked
 * `stored` as the service role (`_shared/blobs/blob_check.ts`), which only the server may do
 * because only it has hashed the bytes. A later `commit_changes` may then reference them.
 *
 * The archive is hostile input (`tar_reader.ts`): an entry is accepted only when its name is
 * exactly a path the page asked for (seen once), it is a regular file, its size is the expected
 * one and its bytes hash to the expected SHA-256. Anything else is skipped without being stored;
 * a path that never arrives is `vanished`, one that arrives wrong `changed_during_pull`. A
 * malformed archive ends the reading (what was verified so far stays good); a failing source (the
 * connection to the sandbox) is a {@linkcode SourceError} and nothing is marked stored.
 *
 * Memory: at most `packBytes` of small files, one chunk of a large one.
 *
 * @module
 */
import { createSha256 } from "../../../shared/hash.ts";
import { MAX_INLINE_FILE_BYTES, MAX_INLINE_TOTAL_BYTES } from "../../../shared/protocol/sync.ts";
import { blobKey, type BlobStore, stagingKey } from "../_shared/blobs/blob_store.ts";
import { agentTokenId, type Caller } from "../_shared/edge/caller.ts";
import type { Database } from "../_shared/db/db.ts";
import { grantToScope, keepIfValid, markStored, sameBlob } from "../_shared/blobs/blob_check.ts";
import { reserveBlobs, type ReservedBlob } from "../_shared/blobs/blob_reserve.ts";
import { ingestBlobs } from "../_shared/blobs/blob_ingest.ts";
import { adoptStaged } from "../_shared/blobs/staged_blobs.ts";
import { TarFormatError, TarReader } from "./tar_reader.ts";

/** A file the archive should hold: its root-relative path and what it must hash to. */
export interface ArchivedFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** Thrown when the source of the bytes (not Storage) failed while streaming. */
export class SourceError extends Error {
  constructor(cause: unknown) {
    super("Reading the blob's source failed", { cause });
    this.name = "SourceError";
  }
}

/** What {@linkcode ingestArchive} stores, and for whom. */
export interface ArchiveIngest {
  readonly caller: Caller;
  readonly owner: string;
  /** The workspace the small blobs' packs belong to. */
  readonly workspaceId: string;
  readonly files: readonly ArchivedFile[];
  /** Opens the archive (a tar stream); called once, after the reservation. */
  readonly open: () => Promise<ReadableStream<Uint8Array>>;
  /** Small-file bytes held before a pack is written (default 16 MiB). */
  readonly packBytes?: number;
}

/** What became of the archive's files. */
export interface ArchiveOutcome {
  /** Paths whose bytes are stored and verified (or were already). */
  readonly stored: ReadonlySet<string>;
  /** Paths left out, and why. */
  readonly refused: ReadonlyMap<string, "vanished" | "changed_during_pull">;
  /** Bytes written into Storage (each blob once; 0 for blobs Storage had). */
  readonly bytes: number;
}

/** Tar headers and padding allowed on top of the files' bytes: 3 KiB per file, 64 KiB more. */
const ARCHIVE_OVERHEAD_PER_FILE = 3 * 1024;
const ARCHIVE_OVERHEAD = 64 * 1024;
/** A pack of sandbox files holds what one commit's inline bytes may: one home for the size. */
const DEFAULT_PACK_BYTES = MAX_INLINE_TOTAL_BYTES;

/**
 * Reserves, reads the archive, verifies and stores the blobs; marks the good ones stored.
 * Throws `quota_exceeded` before the bytes of a batch move when they do not fit (before the
 * archive is opened for the large files), and {@linkcode SourceError} when its stream fails.
 */
export async function ingestArchive(
  deps: { readonly db: Database; readonly blobs: BlobStore },
  input: ArchiveIngest,
): Promise<ArchiveOutcome> {
  const { caller, owner, workspaceId } = input;
  const expected = new Map(input.files.map((file) => [file.path, file]));
  const unique = [...new Map(input.files.map((f) => [f.sha256, f])).values()];
  const stored = new Set<string>();
  const refused = new Map<string, "vanished" | "changed_during_pull">();
  if (unique.length === 0) return { stored, refused, bytes: 0 };
  // Large blobs are reserved before any byte moves; small ones when their pack is written
  // (`ingestBlobs` reserves them, and skips those a pack of the workspace already holds).
  const small = (file: ArchivedFile) => file.size <= MAX_INLINE_FILE_BYTES;
  const reserved = await deps.db.asCaller(
    caller,
    (tx) => reserveBlobs(tx, { caller, owner, wanted: unique.filter((file) => !small(file)) }),
  );
  const good = new Set<string>(); // blobs stored and verified
  const bad = new Set<string>();
  const pending: { sha256: string; bytes: Uint8Array }[] = [];
  let pendingBytes = 0;
  const streamedLoose: ArchivedFile[] = [];
  let bytes = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const written = await ingestBlobs(deps, {
      caller,
      owner,
      items: pending.splice(0),
      workspaceId,
    });
    for (const sha256 of written) bytes += expectedSize(sha256);
    pendingBytes = 0;
  };
  const sizes = new Map(unique.map((file) => [file.sha256, file.size]));
  const expectedSize = (sha256: string) => sizes.get(sha256) ?? 0;

  const seen = new Set<string>();
  const maxBytes = input.files.reduce((sum, f) => sum + f.size, 0) +
    input.files.length * ARCHIVE_OVERHEAD_PER_FILE + ARCHIVE_OVERHEAD;
  let source: ReadableStream<Uint8Array>;
  try {
    source = await input.open();
  } catch (error) {
    throw new SourceError(error);
  }
  const reader = new TarReader(failingAs(source), { maxBytes });
  try {
    for (let entry = await reader.next(); entry; entry = await reader.next()) {
      const name = entry.name?.startsWith("./") ? entry.name.slice(2) : entry.name;
      const file = name === null ? undefined : expected.get(name);
      if (!file || seen.has(file.path)) continue; // not asked for, or a second copy: skipped
      seen.add(file.path);
      if (entry.kind !== "file" || entry.size !== file.size) {
        refused.set(file.path, "changed_during_pull");
        continue;
      }
      if (good.has(file.sha256) || bad.has(file.sha256)) continue; // judged by its twin
      if (small(file)) {
        const data = await reader.readAll();
        if (createSha256().update(data).digestHex() !== file.sha256) {
          refused.set(file.path, "changed_during_pull");
          continue;
        }
        good.add(file.sha256);
        pending.push({ sha256: file.sha256, bytes: data });
        pendingBytes += data.byteLength;
        if (pendingBytes >= (input.packBytes ?? DEFAULT_PACK_BYTES)) await flush();
        continue;
      }
      const outcome = await storeLarge(deps.blobs, {
        caller,
        owner,
        file,
        reserved: reserved.get(file.sha256),
        body: entryStream(reader),
      });
      await reader.skip();
      bytes += outcome.bytes;
      if (outcome.ok) {
        good.add(file.sha256);
        streamedLoose.push(file);
      } else {
        bad.add(file.sha256);
        refused.set(file.path, "changed_during_pull");
      }
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    if (!(error instanceof TarFormatError)) throw error;
    // A malformed archive: what was verified stays; the rest is refused below.
  } finally {
    await reader.cancel();
  }
  await flush();
  // Service role: only the server may vouch that stored bytes match their hash.
  await markStored(deps.db, owner, streamedLoose);
  await grantToScope(deps.db, caller, [...good]);
  for (const file of input.files) {
    if (refused.has(file.path)) continue;
    if (good.has(file.sha256) && seen.has(file.path)) stored.add(file.path);
    else refused.set(file.path, seen.has(file.path) ? "changed_during_pull" : "vanished");
  }
  return { stored, refused, bytes };
}

/** The source with its own failures marked, so they are not mistaken for a bad archive. */
function failingAs(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        controller.error(new SourceError(error));
        return;
      }
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** The current entry's data as a stream (ends at the entry's end; the archive stays open). */
function entryStream(reader: TarReader): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await reader.read();
      if (chunk === null) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

/**
 * Stores one large file streamed from the archive under its key (an agent token's staged blob
 * under its staging key first), hashing on the way; bad bytes are removed again.
 */
async function storeLarge(
  blobs: BlobStore,
  input: {
    readonly caller: Caller;
    readonly owner: string;
    readonly file: ArchivedFile;
    readonly reserved: ReservedBlob | undefined;
    readonly body: ReadableStream<Uint8Array>;
  },
): Promise<{ ok: boolean; bytes: number }> {
  const { owner, file, reserved } = input;
  const key = blobKey(owner, file.sha256);
  const tokenId = agentTokenId(input.caller);
  if (reserved?.status === "staged" && tokenId) {
    // Not readable in the caller's workspace: the hash it announced proves nothing, so the
    // bytes are hashed in full (into the staging key), then one copy is kept.
    const staged = stagingKey(owner, tokenId, file.sha256);
    await blobs.remove([staged]);
    const streamed = await streamInto(blobs, staged, input.body);
    if (!sameBlob(streamed, file)) {
      await blobs.remove([staged]);
      return { ok: false, bytes: streamed.size };
    }
    await adoptStaged(blobs, { owner, staged, blob: file, state: reserved.state ?? undefined });
    return { ok: true, bytes: streamed.size };
  }
  if (reserved?.status !== "reserved") {
    if (reserved?.state === "stored" && !reserved.packed) return { ok: true, bytes: 0 };
    // An object nobody vouched for yet (an abandoned client upload): keep it if it is right.
    if ((await keepIfValid(blobs, key, file)).valid) return { ok: true, bytes: 0 };
  }
  const streamed = await streamInto(blobs, key, input.body);
  if (sameBlob(streamed, file)) return { ok: true, bytes: streamed.written ? streamed.size : 0 };
  // Bad bytes never stay: removing them frees the quota they took.
  if (streamed.written) await blobs.remove([key]);
  return { ok: false, bytes: streamed.written ? streamed.size : 0 };
}

/** Streams `body` into `key`, hashing on the way. */
async function streamInto(
  blobs: BlobStore,
  key: string,
  body: ReadableStream<Uint8Array>,
): Promise<{ sha256: string; size: number; written: boolean }> {
  const hash = createSha256();
  let size = 0;
  let failed: unknown;
  const reader = body.getReader();
  const counted = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        hash.update(value);
        size += value.byteLength;
        controller.enqueue(value);
      } catch (error) {
        failed = error;
        controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  let written: boolean;
  try {
    written = await blobs.putStream(key, counted);
  } catch (error) {
    throw failed === undefined ? error : failed;
  }
  if (failed !== undefined) throw failed;
  if (!written) {
    // Someone stored this key meanwhile: judge the object Storage holds, not our partial read.
    const digest = await blobs.digest(key);
    return { sha256: digest?.sha256 ?? "", size: digest?.size ?? 0, written: false };
  }
  return { sha256: hash.digestHex(), size, written: true };
}
