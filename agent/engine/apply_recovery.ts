/**
 * Settling the remote changes a killed run was applying (written ahead by apply.ts and
 * download.ts): a file that holds the new bytes (or is gone, for a deletion) is recorded as that
 * version; anything else is left to the scan, based on the old version, and the change itself
 * comes again with the pull (a killed run never saved the cursor past the page it was applying).
 *
 * @module
 */
import { hashFile, restoreMovedAside } from "../scanner.ts";
import type { PendingApply } from "../state_db.ts";
import { type HashedFile, sameStat, stateOf } from "./file_state.ts";
import type { EngineContext } from "./options.ts";

/** What a killed apply left at its path, as looked at now. */
export interface LeftBehind {
  /** Nothing is at the path. */
  readonly gone: boolean;
  /** The file there, with its hash, when it did not change while it was hashed. */
  readonly file?: HashedFile;
}

/**
 * What an interrupted apply comes to: `adopt` the file as the version being applied (it holds
 * its bytes), `forget` the path (a deletion that happened), or `leave` it to the scan.
 */
export function settleApply(pending: PendingApply, left: LeftBehind): "adopt" | "forget" | "leave" {
  if (pending.sha256 !== null) return left.file?.sha256 === pending.sha256 ? "adopt" : "leave";
  return left.gone ? "forget" : "leave";
}

/** Settles every apply a killed run left pending. */
export async function recoverApplies(ctx: EngineContext): Promise<void> {
  const { fs, state } = ctx;
  for (const pending of state.pendingApplies()) {
    // A file the killed apply had only moved aside is not gone: back first, judged below.
    await restoreMovedAside(fs, pending.path);
    const left = await lookAt(ctx, pending);
    const verdict = settleApply(pending, left);
    state.transaction(() => {
      if (verdict === "adopt") state.put(stateOf(left.file!, pending));
      else if (verdict === "forget") state.remove(pending.path);
      state.endApply(pending.path);
    });
    if (verdict !== "leave") ctx.log(`recovered the interrupted apply of "${pending.path}"`);
  }
}

async function lookAt(ctx: EngineContext, pending: PendingApply): Promise<LeftBehind> {
  const local = await ctx.fs.stat(pending.path);
  if (pending.sha256 === null || local?.kind !== "file") return { gone: local === null };
  const { sha256 } = await hashFile(ctx.fs, pending.path);
  const after = await ctx.fs.stat(pending.path);
  // (Unchanged while it was hashed, else it is a local edit after all.)
  if (!after || !sameStat(after, local)) return { gone: false };
  return { gone: false, file: { ...after, sha256 } };
}
