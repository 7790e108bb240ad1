/**
 * Writing a remote file's new bytes into place: downloaded to a temp file in the same directory
 * (verified by SHA-256 on the way), then renamed over the target only if the target still looks
 * as it did (else the local edit wins the race and is pushed next run, where the server settles
 * it). The rename is written ahead in the state, so a kill after it never reads as a local edit,
 * and the new stat is recorded, so the write never comes back as a change.
 *
 * @module
 */
import { downloadBlob, downloadBytes } from "../../client/transfer.ts";
import type { ChangeEntry } from "../../client/types.ts";
import { EMPTY_SHA256 } from "../../shared/hash.ts";
import { conflictCopyPath } from "../../shared/merge/conflict_copy.ts";
import { TEMP_PREFIX } from "../../shared/paths/ignore_rules.ts";
import { permissionBits } from "../../shared/paths/protected_paths.ts";
import type { FsEntry } from "../../shared/sandbox_fs.ts";
import { assertNoLinkOnPath, makeParentDirs } from "../safe_write.ts";
import { testDelay } from "../test_hooks.ts";
import { sameStat, stateOf } from "./file_state.ts";
import type { EngineContext } from "./options.ts";
import type { SyncOutcome } from "./sync_outcome.ts";

/** Options of {@linkcode downloadInto}. */
export interface DownloadOptions {
  /** The local entry the new bytes replace, as last looked at (`null`: none). */
  readonly before: FsEntry | null;
  readonly result: SyncOutcome;
  readonly signal?: AbortSignal;
}

/** Downloads `entry`'s bytes and puts them in place of what `before` saw. */
export async function downloadInto(
  ctx: EngineContext,
  entry: ChangeEntry,
  options: DownloadOptions,
): Promise<void> {
  const { fs, state } = ctx;
  const { path } = entry;
  const { before, result } = options;
  const temp = await fetchToTemp(ctx, entry, options.signal);
  // A first look: a file written meanwhile is a local edit, not ours.
  if (!sameStat(await fs.stat(path), before)) {
    await fs.remove(temp);
    result.skipped++;
    return;
  }
  await assertNoLinkOnPath(fs, path).catch(async (error) => {
    await fs.remove(temp);
    throw error;
  });
  await fs.chmod(temp, permissionBits(entry.mode));
  // Written ahead: a kill after the rename must not read as a local edit.
  state.beginApply({
    path,
    sha256: entry.sha256,
    vector: entry.vector,
    versionId: entry.versionId,
  });
  await testDelay("SANDSYNC_TEST_DELAY_BEFORE_RENAME_MS", path);
  if (!await place(ctx, temp, { path, before })) {
    state.endApply(path);
    ctx.log(`not applied: "${path}" changed here while it was being replaced`);
    result.skipped++;
    return;
  }
  const after = await fs.stat(path);
  state.transaction(() => {
    if (after) state.put(stateOf({ ...after, sha256: entry.sha256! }, entry));
    state.endApply(path);
  });
  if (!after) return;
  result.downloaded++;
  result.bytes += entry.size;
}

/** The name of a new temp file beside `path`. */
export function tempPathBeside(path: string): string {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "" : path.slice(0, slash);
  return `${dir ? `${dir}/` : ""}${TEMP_PREFIX}${crypto.randomUUID().slice(0, 8)}`;
}

/** Downloads `entry`'s bytes (verified) into a new temp file beside it; answers its path. */
async function fetchToTemp(
  ctx: EngineContext,
  entry: ChangeEntry,
  signal?: AbortSignal,
): Promise<string> {
  const { fs } = ctx;
  const { path } = entry;
  await makeParentDirs(fs, path);
  const temp = tempPathBeside(path);
  const writer = await fs.openWrite(temp);
  try {
    const ready = entry.sha256 ? ctx.prefetched?.get(entry.sha256) : undefined;
    if (ready) {
      await writer.write(ready);
    } else if (entry.range && entry.url && entry.sha256) {
      // A packed (small) blob is verified in memory: a damaged byte never reaches the disk.
      const expected = { sha256: entry.sha256, size: entry.size, range: entry.range };
      await writer.write(await downloadBytes(entry.url, expected, { signal }));
    } else if (entry.sha256 !== EMPTY_SHA256) {
      if (!entry.url || !entry.sha256) throw new Error(entry.error?.message ?? "no download URL");
      const expected = { sha256: entry.sha256, size: entry.size };
      await downloadBlob(entry.url, expected, writer, {
        signal,
        onProgress: (bytes, total) => ctx.onProgress?.({ kind: "download", path, bytes, total }),
      });
    }
    await writer.close();
  } catch (error) {
    await writer.close().catch(() => {});
    await fs.remove(temp);
    throw error;
  }
  return temp;
}

/**
 * Renames `temp` over the target if it still looks as `before` saw it. The last look is part of
 * the replacement itself where the file system can: an edit that lands after the first look is
 * never overwritten; it stays, based on the version recorded here, and its push meets the
 * remote change as a concurrent edit (a conflict, not a loss).
 */
async function place(
  ctx: EngineContext,
  temp: string,
  target: { path: string; before: FsEntry | null },
): Promise<boolean> {
  const { fs } = ctx;
  const { path, before } = target;
  if (fs.replaceIfUnchanged) {
    return await fs.replaceIfUnchanged(temp, path, {
      expected: before,
      keepAs: conflictCopyPath(path, { at: new Date(), replica: ctx.replicaId }),
    });
  }
  if (sameStat(await fs.stat(path), before)) {
    await fs.rename(temp, path);
    return true;
  }
  await fs.remove(temp);
  return false;
}
