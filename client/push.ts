/**
 * Committing local changes: batches that fit one commit (at most 1,000 changes and about
 * 3.5 MiB of inline bytes), each negotiated, its missing blobs uploaded with bounded
 * concurrency, then committed under one idempotency key (so a retried commit is a no-op).
 * A file whose bytes changed under the upload is left out of its batch and reported, never
 * committed with a hash it no longer has.
 *
 * @module
 */
import { isSyncError } from "../shared/protocol/errors.ts";
import type { VersionVector } from "../shared/version_vector.ts";
import { MAX_INLINE_FILE_BYTES, MAX_INLINE_TOTAL_BYTES } from "../shared/protocol/sync.ts";
import { mapPool } from "../shared/pool.ts";
import type { SyncApi } from "./sync_api.ts";
import { type BlobSource, ContentChangedError, uploadBlob } from "./transfer.ts";
import type {
  CommitItemAnswer,
  CommitRequest,
  FileChange,
  ProgressEvent,
  UploadInstruction,
} from "./types.ts";

/** One change to commit. `sha256: null` deletes the path. */
export interface PendingChange {
  readonly path: string;
  readonly sha256: string | null;
  readonly size: number;
  /** Permission bits (`0o644`, `0o755`). */
  readonly mode: number;
  /** Modification time, ms since the epoch. */
  readonly mtime: number;
  /** The version this change was made on; `null` for a path new to this replica. */
  readonly base: VersionVector | null;
  /** Opens the bytes (not needed for deletions). */
  readonly open?: () => Promise<BlobSource>;
  readonly diffStats?: { added: number; removed: number };
}

/** What happened to each change. */
export interface PushResult {
  /** Per committed change, in input order of the committed ones. */
  readonly committed: { change: PendingChange; result: CommitItemAnswer }[];
  /** Changes left out because their bytes changed while uploading. */
  readonly changed: PendingChange[];
  /** Bytes uploaded (inline included). */
  readonly bytes: number;
  /** The journal cursor after the last commit (0 when nothing was committed). */
  readonly cursor: number;
  /**
   * Changes held back because their bytes do not fit the owner's quota (`quota_exceeded`);
   * everything else was committed. Absent when nothing was held back.
   */
  readonly heldBack?: PendingChange[];
}

/**
 * Where TUS upload URLs are kept between runs, by blob SHA-256, so an upload interrupted by a
 * crash or a restart resumes from the server's offset instead of starting over. The agent
 * keeps them in its state database; an app can use its own storage.
 */
export interface ResumeStore {
  get(sha256: string): string | undefined | Promise<string | undefined>;
  set(sha256: string, url: string): void | Promise<void>;
  delete(sha256: string): void | Promise<void>;
}

/** Options of {@linkcode pushChanges}. */
export interface PushOptions {
  /** Uploads in flight at once. Default 4. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Largest change count per commit. Default 1,000. */
  readonly batchSize?: number;
  /** Keeps TUS upload URLs so a later run resumes them (default: within this run only). */
  readonly resume?: ResumeStore;
  /**
   * Called with each commit request (its idempotency key included) right before it is sent:
   * a caller that records it durably can send it again after a crash and get the server's
   * stored answer instead of committing the same changes a second time.
   */
  readonly beforeCommit?: (request: CommitRequest) => void | Promise<void>;
  /** Called after a commit answer, with it (a test hook point for crashes). */
  readonly afterCommit?: () => void | Promise<void>;
}

/** Negotiate rounds after a `blob_missing` commit before the run gives up (the next retries). */
const BLOB_MISSING_ROUNDS = 4;

/** Negotiates, uploads and commits `changes` in batches. */
export async function pushChanges(
  api: SyncApi,
  target: { workspaceId: string; replicaId: string },
  changes: readonly PendingChange[],
  options: PushOptions = {},
): Promise<PushResult> {
  const committed: PushResult["committed"] = [];
  const changed: PendingChange[] = [];
  const heldBack: PendingChange[] = [];
  let bytes = 0;
  let cursor = 0;
  for (const batch of batches(changes, options.batchSize ?? 1000)) {
    const outcome = await pushFitting(api, target, batch, options);
    committed.push(...outcome.committed);
    changed.push(...outcome.changed);
    heldBack.push(...outcome.heldBack ?? []);
    bytes += outcome.bytes;
    cursor = Math.max(cursor, outcome.cursor);
  }
  return { committed, changed, bytes, cursor, ...(heldBack.length > 0 ? { heldBack } : {}) };
}

/**
 * One batch; when the owner's quota refuses it (reservations are all or nothing), the batch is
 * halved until what fits is committed and each change that alone does not fit is held back.
 */
async function pushFitting(
  api: SyncApi,
  target: { workspaceId: string; replicaId: string },
  batch: PendingChange[],
  options: PushOptions,
): Promise<PushResult> {
  try {
    return await pushBatch(api, target, batch, options);
  } catch (error) {
    if (!isSyncError(error, "quota_exceeded")) throw error;
    if (batch.length === 1) {
      return { committed: [], changed: [], bytes: 0, cursor: 0, heldBack: [batch[0]!] };
    }
    // Deletions and small files first: they free or need the least.
    const sorted = [...batch].sort((a, b) => (a.sha256 ? a.size : -1) - (b.sha256 ? b.size : -1));
    const half = Math.ceil(sorted.length / 2);
    const first = await pushFitting(api, target, sorted.slice(0, half), options);
    const second = await pushFitting(api, target, sorted.slice(half), options);
    const heldBack = [...first.heldBack ?? [], ...second.heldBack ?? []];
    return {
      committed: [...first.committed, ...second.committed],
      changed: [...first.changed, ...second.changed],
      bytes: first.bytes + second.bytes,
      cursor: Math.max(first.cursor, second.cursor),
      ...(heldBack.length > 0 ? { heldBack } : {}),
    };
  }
}

function* batches(changes: readonly PendingChange[], size: number): Generator<PendingChange[]> {
  let batch: PendingChange[] = [];
  let inline = 0;
  for (const change of changes) {
    const small = change.sha256 !== null && change.size <= MAX_INLINE_FILE_BYTES ? change.size : 0;
    if (batch.length > 0 && (batch.length >= size || inline + small > MAX_INLINE_TOTAL_BYTES)) {
      yield batch;
      batch = [];
      inline = 0;
    }
    batch.push(change);
    inline += small;
  }
  if (batch.length > 0) yield batch;
}

function toWire(change: PendingChange): FileChange {
  const wire: FileChange = {
    path: change.path,
    sha256: change.sha256,
    size: change.sha256 === null ? 0 : change.size,
    mode: change.mode & 0o777,
    mtime: Math.max(0, Math.floor(change.mtime)),
    base: change.base,
  };
  if (change.sha256 === null) wire.deleted = true;
  if (change.diffStats) wire.diffStats = change.diffStats;
  return wire;
}

async function pushBatch(
  api: SyncApi,
  target: { workspaceId: string; replicaId: string },
  initial: PendingChange[],
  options: PushOptions,
): Promise<PushResult> {
  let batch = initial;
  const changed: PendingChange[] = [];
  let bytes = 0;
  // A blob may vanish between negotiate and commit (garbage collection): negotiate again.
  for (let round = 0;; round++) {
    if (batch.length === 0) return { committed: [], changed, bytes, cursor: 0 };
    const wire = batch.map(toWire);
    const plan = await api.negotiate({ ...target, changes: wire }, { signal: options.signal });
    const inline: Record<string, string> = {};
    const bad = new Set<string>();
    await mapPool(plan.uploads, options.concurrency ?? 4, async (instruction) => {
      const change = batch.find((c) => c.sha256 === instruction.sha256);
      if (!change?.open) throw new Error(`No bytes for blob ${instruction.sha256}`);
      const sent = await uploadOne(api, instruction, change, options).catch((error) => {
        if (error instanceof ContentChangedError) return bad.add(instruction.sha256) && null;
        throw error;
      });
      if (typeof sent === "string") inline[instruction.sha256] = sent;
      if (!bad.has(instruction.sha256)) bytes += instruction.size;
    });
    if (bad.size > 0) {
      changed.push(...batch.filter((c) => c.sha256 !== null && bad.has(c.sha256)));
      batch = batch.filter((c) => c.sha256 === null || !bad.has(c.sha256));
      for (const sha of bad) delete inline[sha];
      if (batch.length === 0) return { committed: [], changed, bytes, cursor: 0 };
    }
    options.onProgress?.({ kind: "commit", message: `committing ${batch.length} changes` });
    try {
      const request: CommitRequest = {
        ...target,
        idempotencyKey: crypto.randomUUID(),
        changes: batch.map(toWire),
        ...(Object.keys(inline).length > 0 ? { inline } : {}),
      };
      await options.beforeCommit?.(request);
      const result = await api.commit(request, { signal: options.signal });
      await options.afterCommit?.();
      const committed = result.items.map((item) => ({ change: batch[item.index]!, result: item }));
      return { committed, changed, bytes, cursor: result.cursor };
    } catch (error) {
      // Bytes being collected are refused until their removal is done: negotiate again (the
      // server then asks for a fresh upload), a few times with a short pause.
      if (round < BLOB_MISSING_ROUNDS && isSyncError(error, "blob_missing")) {
        await new Promise((resolve) => setTimeout(resolve, 250 * round));
        continue;
      }
      throw error;
    }
  }
}

async function uploadOne(
  api: SyncApi,
  instruction: UploadInstruction,
  change: PendingChange,
  options: PushOptions,
): Promise<string | undefined> {
  const source = await change.open!();
  const resume = instruction.method === "tus" ? options.resume : undefined;
  const sha256 = instruction.sha256;
  try {
    const resumeUrl = await resume?.get(sha256);
    const sent = await uploadBlob(instruction, source, {
      anonKey: api.anonKey,
      signal: options.signal,
      ...(resumeUrl ? { resumeUrl } : {}),
      onUploadUrl: resume ? (url) => void resume.set(sha256, url) : undefined,
      onProgress: (sent, total) =>
        options.onProgress?.({ kind: "upload", path: change.path, bytes: sent, total }),
    });
    await resume?.delete(sha256);
    return sent;
  } catch (error) {
    // Bytes of other content sit at that URL: never resume them.
    if (error instanceof ContentChangedError) await resume?.delete(sha256);
    throw error;
  } finally {
    await source.close?.();
  }
}
