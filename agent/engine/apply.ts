/**
 * Applying one remote file state to the directory: what is skipped (ignored, invalid, a name
 * Windows cannot hold, a symlink on the way, a version already applied), what a local file not
 * yet committed means (identical bytes are adopted, an edit is left to the next push, a touch is
 * no edit), and the deletion itself; new bytes go through download.ts. Safety rules:
 * docs/decisions/0009-sandbox-side-safety.md.
 *
 * @module
 */
import { isRetryableError } from "../../client/retry.ts";
import type { ChangeEntry } from "../../client/types.ts";
import { conflictCopyPath } from "../../shared/merge/conflict_copy.ts";
import type { IgnoreRules } from "../../shared/paths/ignore_rules.ts";
import { validatePath, windowsNameProblem } from "../../shared/paths/path_rules.ts";
import type { FsEntry, SandboxFs } from "../../shared/sandbox_fs.ts";
import { compareVectors } from "../../shared/version_vector.ts";
import { assertNoLinkOnPath, LinkedPathError } from "../safe_write.ts";
import { hashFile, unchanged } from "../scanner.ts";
import type { PathState } from "../state_db.ts";
import { downloadInto } from "./download.ts";
import { errorText, sameStat, stateOf, statOf } from "./file_state.ts";
import type { EngineContext } from "./options.ts";
import type { SyncOutcome } from "./sync_outcome.ts";

/** Options of {@linkcode applyRemote}. */
export interface ApplyOptions {
  readonly rules: IgnoreRules;
  readonly result: SyncOutcome;
  /** A restore: a recorded file missing here comes back even when its version was seen. */
  readonly restore: boolean;
  readonly signal?: AbortSignal;
  /** Collects the paths that could not be applied now. */
  readonly failed?: string[];
}

/**
 * Applies one remote file state. A failure is logged and the path added to `failed` (the
 * rest of the page is still applied; the caller then fails the run without moving the
 * cursor, so the change is retried, never skipped past).
 */
export async function applyRemote(
  ctx: EngineContext,
  entry: ChangeEntry,
  options: ApplyOptions,
): Promise<void> {
  try {
    await applyEntry(ctx, entry, options);
  } catch (error) {
    if (isRetryableError(error) || options.signal?.aborted) throw error;
    if (error instanceof LinkedPathError) {
      // A symlink on the way: refused for good (retrying cannot make it safe).
      ctx.log(`not applied: ${error.message}`);
      options.result.skipped++;
      return;
    }
    ctx.log(`cannot apply "${entry.path}" now: ${errorText(error)} (retried)`);
    options.result.skipped++;
    options.failed?.push(entry.path);
  }
}

/**
 * True when the recorded version already covers `entry` (this replica's own commit's echo, or
 * applied earlier), unless a restore finds the file missing.
 */
export function alreadyApplied(
  entry: Pick<ChangeEntry, "vector" | "deleted">,
  recorded: Pick<PathState, "vector"> | undefined,
  look: { restore: boolean; missing: boolean },
): boolean {
  if (!recorded) return false;
  const order = compareVectors(entry.vector, recorded.vector);
  const seen = order === "before" || order === "equal";
  return seen && !(look.restore && look.missing && !entry.deleted);
}

/**
 * What a local file that does not look as recorded means for a remote change: `adopt` (it holds
 * the remote bytes already), `touched` (the recorded bytes and mode, another stat: no edit, the
 * change applies over it) or `keep` (a local edit not committed yet, left to the next push,
 * based on the old version, so the server sees the conflict).
 */
export function judgeLocal(
  entry: Pick<ChangeEntry, "sha256" | "deleted">,
  recorded: Pick<PathState, "sha256" | "mode"> | undefined,
  look: { sha256: string; before: FsEntry; after: FsEntry | null },
): "adopt" | "touched" | "keep" {
  if (!entry.deleted && look.sha256 === entry.sha256) return "adopt";
  const { after } = look;
  if (
    !recorded || look.sha256 !== recorded.sha256 || !after || !sameStat(after, look.before) ||
    after.mode !== recorded.mode
  ) {
    return "keep";
  }
  return "touched";
}

async function applyEntry(ctx: EngineContext, entry: ChangeEntry, options: ApplyOptions) {
  const { fs, state } = ctx;
  const { path } = entry;
  const { result } = options;
  if (options.rules.ignoresPath(path) || !validatePath(path).ok) {
    result.skipped++;
    return;
  }
  // Nothing is read, written or deleted through a symlinked directory (checked again before
  // the rename).
  await assertNoLinkOnPath(fs, path);
  const windows = Deno.build.os === "windows" ? windowsNameProblem(path) : null;
  if (windows !== null) {
    ctx.log(`not applied: "${path}" cannot be held on Windows: ${windows}`);
    result.skipped++;
    return;
  }
  const st = state.get(path);
  const found = await fs.stat(path);
  if (alreadyApplied(entry, st, { restore: options.restore, missing: found === null })) return;
  const local = await settleLocal(ctx, entry, { st, local: found, result });
  if (local === "settled") return;
  if (entry.deleted) await applyDeletion(ctx, entry, { local, result });
  else await downloadInto(ctx, entry, { before: local, result, signal: options.signal });
}

/**
 * Looks at the local file before a remote change lands on it: `settled` when nothing more is
 * to be done, else the local entry the change replaces (`null`: none).
 */
async function settleLocal(
  ctx: EngineContext,
  entry: ChangeEntry,
  seen: { st: PathState | undefined; local: FsEntry | null; result: SyncOutcome },
): Promise<FsEntry | null | "settled"> {
  const { st, local, result } = seen;
  if (local === null) return null;
  if (local.kind !== "file") {
    ctx.log(`not applied: "${entry.path}" is a ${local.kind} here`);
    result.skipped++;
    return "settled";
  }
  if (st && unchanged(local, st)) return local;
  const { sha256 } = await hashFile(ctx.fs, entry.path);
  const after = await ctx.fs.stat(entry.path);
  switch (judgeLocal(entry, st, { sha256, before: local, after })) {
    case "adopt":
      if (after) ctx.state.put(stateOf({ ...after, sha256 }, entry));
      return "settled";
    case "keep":
      result.skipped++;
      return "settled";
    case "touched":
      ctx.state.put({ ...st!, ...statOf(after!) });
      return after;
  }
}

/** Deletes the local file of a remote deletion, unless it changed since it was looked at. */
async function applyDeletion(
  ctx: EngineContext,
  entry: ChangeEntry,
  seen: { local: FsEntry | null; result: SyncOutcome },
): Promise<void> {
  const { fs, state } = ctx;
  const { path } = entry;
  if (seen.local === null) {
    state.remove(path);
    return;
  }
  await assertNoLinkOnPath(fs, path);
  // Written ahead: a kill after the removal must not read as a local deletion.
  state.beginApply({ path, sha256: null, vector: entry.vector, versionId: entry.versionId });
  // Like a replacement: an edit that lands after the look above is never deleted.
  if (fs.removeIfUnchanged) {
    const removed = await fs.removeIfUnchanged(path, {
      expected: seen.local,
      keepAs: conflictCopyPath(path, { at: new Date(), replica: ctx.replicaId }),
    });
    if (!removed) {
      state.endApply(path);
      ctx.log(`not deleted: "${path}" changed here while it was being deleted`);
      seen.result.skipped++;
      return;
    }
  } else await fs.remove(path);
  state.transaction(() => {
    state.remove(path);
    state.endApply(path);
  });
  await removeEmptyParents(fs, path);
  seen.result.deleted++;
}

async function removeEmptyParents(fs: SandboxFs, path: string): Promise<void> {
  let dir = path;
  for (;;) {
    const slash = dir.lastIndexOf("/");
    if (slash < 0) return;
    dir = dir.slice(0, slash);
    if ((await fs.stat(dir))?.kind !== "dir") return; // a link is never followed nor removed
    if ((await fs.list(dir)).length > 0) return;
    await fs.remove(dir).catch(() => {});
  }
}
