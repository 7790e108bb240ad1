/**
 * The push phase of a run: the planned changes go through `pushChanges` (client/push.ts), each
 * commit request written ahead in the state so a commit whose answer was lost (a kill, a cut
 * connection) is sent again by the next run ({@linkcode recoverCommits}) with its idempotency
 * key; the answers are recorded as outcomes.ts reads them; files over the owner's quota are
 * held back and reported.
 *
 * @module
 */
import { type PendingChange, pushChanges } from "../../client/push.ts";
import { isRetryableError } from "../../client/retry.ts";
import type { CommitAnswer, CommitRequest } from "../../client/types.ts";
import { hashFile, type ScannedFile } from "../scanner.ts";
import { testDelay } from "../test_hooks.ts";
import { errorText, sameStat } from "./file_state.ts";
import type { EngineContext } from "./options.ts";
import {
  interpretItem,
  interpretRecovered,
  type ItemEffect,
  needsLocalBytes,
  recordEffects,
  type RecoveredLook,
  type SentChange,
} from "./outcomes.ts";
import type { HeldFile, SyncOutcome } from "./sync_outcome.ts";

/** Options of {@linkcode pushPlanned}. */
export interface PushPlannedOptions {
  /** The scanned file each (non-delete) change was made from. */
  readonly files: ReadonlyMap<PendingChange, ScannedFile>;
  readonly result: SyncOutcome;
  /** A watch-mode run (it has not looked at every path, so it keeps the last full hold). */
  readonly targeted: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Pushes `changes` and records what the server answered; answers the paths of deletes that lost
 * to a concurrent edit (to be brought back). With nothing to push, only the quota hold of a
 * whole-tree run is cleared.
 */
export async function pushPlanned(
  ctx: EngineContext,
  changes: readonly PendingChange[],
  options: PushPlannedOptions,
): Promise<string[]> {
  const { state } = ctx;
  const { result, signal } = options;
  if (changes.length === 0) {
    if (!options.targeted) state.deleteMeta("held_quota");
    return [];
  }
  state.pruneUploads();
  const target = { workspaceId: ctx.workspaceId, replicaId: ctx.replicaId };
  const pushed = await pushChanges(ctx.api, target, changes, {
    concurrency: ctx.concurrency,
    signal,
    onProgress: ctx.onProgress,
    // Interrupted TUS uploads resume from the server's offset, also after a restart.
    resume: state.uploads,
    beforeCommit: (request) => writeAhead(ctx, request),
    afterCommit: () => testDelay("SANDSYNC_TEST_KILL_AFTER_COMMIT", "commit"),
  });
  result.bytes += pushed.bytes;
  result.skipped += pushed.changed.length;
  noteHeldOverQuota(ctx, heldOverQuotaOf(pushed.heldBack ?? []), options);
  const at = new Date();
  const effects = pushed.committed.map(({ change, result: item }) =>
    interpretItem({ change, item, file: options.files.get(change) }, at)
  );
  return state.transaction(() => {
    state.deleteMeta("pending_commits");
    return recordEffects(state, effects, { result, log: ctx.log });
  });
}

/** The changes `pushChanges` held back over quota, as reported files. */
export function heldOverQuotaOf(heldBack: readonly PendingChange[]): HeldFile[] {
  return heldBack.map((change) => ({
    path: change.path,
    size: change.size,
    code: "quota_exceeded",
  }));
}

/**
 * Sends again the commits a killed (or cut off) run sent without recording their answers,
 * with the same idempotency keys: the server answers what it did then, and each file that
 * still holds the bytes sent is recorded as that version. Without this the restarted agent
 * would commit those bytes again, based on the old version, over whatever came after them
 * (a newer edit, a delete). A commit the server never got is simply made now.
 */
export async function recoverCommits(ctx: EngineContext, signal?: AbortSignal): Promise<void> {
  const { state } = ctx;
  const raw = state.getMeta("pending_commits");
  if (raw === undefined) return;
  for (const request of JSON.parse(raw) as CommitRequest[]) {
    let answer: CommitAnswer;
    try {
      answer = await ctx.api.commit(request, { signal });
    } catch (error) {
      if (isRetryableError(error) || signal?.aborted) throw error;
      ctx.log(`cannot recover an interrupted commit: ${errorText(error)}`);
      continue;
    }
    await recordRecovered(ctx, request, answer);
  }
  state.deleteMeta("pending_commits");
}

async function recordRecovered(ctx: EngineContext, request: CommitRequest, answer: CommitAnswer) {
  const at = new Date();
  const effects: ItemEffect[] = [];
  for (const item of answer.items) {
    const change = request.changes[item.index];
    if (!change) continue;
    const look = await lookAgain(ctx, change, needsLocalBytes(change, item));
    effects.push(interpretRecovered({ change, item }, look, at));
  }
  ctx.state.transaction(() => recordEffects(ctx.state, effects, { log: ctx.log }));
  const recovered = effects.filter((effect) => effect.record || effect.forget).length;
  if (recovered > 0) ctx.log(`recovered ${recovered} changes of an interrupted commit`);
}

/** Whether the path is gone, or (when `bytes`) still holds exactly the bytes `change` sent. */
async function lookAgain(
  ctx: EngineContext,
  change: SentChange,
  bytes: boolean,
): Promise<RecoveredLook> {
  const local = await ctx.fs.stat(change.path);
  if (!bytes || local?.kind !== "file") return { file: null, gone: local === null };
  const { sha256 } = await hashFile(ctx.fs, change.path);
  const after = await ctx.fs.stat(change.path);
  if (sha256 !== change.sha256 || !after || !sameStat(after, local)) {
    return { file: null, gone: false };
  }
  return { file: { ...after, sha256 }, gone: false };
}

/**
 * Written ahead: a commit whose answer was lost (a kill, a cut connection) is sent again by the
 * next run with its idempotency key, so the server's stored answer is recorded instead of the
 * same bytes being committed anew over what came after them.
 */
function writeAhead(ctx: EngineContext, request: CommitRequest): void {
  const pending = JSON.parse(ctx.state.getMeta("pending_commits") ?? "[]") as unknown[];
  ctx.state.setMeta("pending_commits", JSON.stringify([...pending, request]));
}

/** What does not fit the quota waits (and is tried again next run); the rest went in. */
function noteHeldOverQuota(
  ctx: EngineContext,
  held: readonly HeldFile[],
  options: { result: SyncOutcome; targeted: boolean },
): void {
  for (const file of held) {
    ctx.log(`held: "${file.path}" (${file.size} bytes) does not fit the quota`);
  }
  options.result.skipped += held.length;
  if (held.length > 0) {
    options.result.heldOverQuota = [...held];
    ctx.state.setMeta("held_quota", JSON.stringify(held));
  } else if (!options.targeted) ctx.state.deleteMeta("held_quota");
}
