/**
 * The pull phase of a run: the workspace's changes after the cursor, page by page (only the
 * latest change of a path in a page is applied; every conflict opened or closed is noted), and
 * bringing back files deleted here that the workspace still has (a delete that lost to an edit,
 * or deletions the user rejected). A page with a change that could not be applied keeps the
 * cursor before it, so the change is retried, never skipped past.
 *
 * @module
 */
import type { ChangeEntry, ChangesPage } from "../../client/types.ts";
import type { IgnoreRules } from "../../shared/paths/ignore_rules.ts";
import { mapPool } from "../../shared/pool.ts";
import type { ConflictState } from "../state_db.ts";
import { applyRemote } from "./apply.ts";
import { prefetchBatches, prefetchPacked } from "./prefetch.ts";
import type { EngineContext } from "./options.ts";
import type { SyncOutcome } from "./sync_outcome.ts";

/** What a page of the changes feed holds for this directory. */
export interface PageReading {
  /** Conflicts opened and closed (by a file change naming the conflict), in feed order. */
  readonly conflicts: ({ open: ConflictState } | { close: string })[];
  /** The latest file change of each path. */
  readonly latest: ChangeEntry[];
}

/** Reads a page of the changes feed. */
export function readPage(page: Pick<ChangesPage, "changes">): PageReading {
  const conflicts: PageReading["conflicts"] = [];
  const latest = new Map<string, ChangeEntry>();
  for (const entry of page.changes) {
    if (entry.kind === "conflict") {
      if (entry.conflictId) {
        const { conflictId, path, committedAt: openedAt } = entry;
        conflicts.push({ open: { conflictId, path, openedAt } });
      }
      continue;
    }
    if (entry.conflictId) conflicts.push({ close: entry.conflictId });
    latest.set(entry.path, entry);
  }
  return { conflicts, latest: [...latest.values()] };
}

/** The error failing a run whose remote changes could not all be applied; none when they were. */
export function unappliedError(failed: readonly string[]): Error | undefined {
  if (failed.length === 0) return undefined;
  const first = failed.slice(0, 3).map((path) => JSON.stringify(path)).join(", ");
  return new Error(
    `Cannot apply ${failed.length} remote change${failed.length === 1 ? "" : "s"} now: ${first}${
      failed.length > 3 ? ", ..." : ""
    } (the run is retried)`,
  );
}

/** Options of {@linkcode applyAll}. */
export interface ApplyAllOptions {
  readonly rules: IgnoreRules;
  readonly result: SyncOutcome;
  readonly restore: boolean;
  readonly signal?: AbortSignal;
}

/** Applies `entries` concurrently; throws when some could not be applied now (retried). */
export async function applyAll(
  ctx: EngineContext,
  entries: readonly ChangeEntry[],
  options: ApplyAllOptions,
): Promise<void> {
  const failed: string[] = [];
  for (const batch of prefetchBatches(ctx, entries, { restore: options.restore })) {
    // Packed blobs of the batch come first, a few range requests for many files.
    const prefetched = await prefetchPacked(ctx, batch.packed, options.signal);
    await mapPool(
      batch.entries,
      ctx.concurrency ?? 8,
      (entry) => applyRemote({ ...ctx, prefetched }, entry, { ...options, failed }),
    );
  }
  const error = unappliedError(failed);
  if (error) throw error;
}

/** Options of {@linkcode pullChanges}. */
export interface PullOptions {
  readonly rules: IgnoreRules;
  readonly result: SyncOutcome;
  /** A page already read from cursor `from` (see `RunOptions.changes`). */
  readonly changes?: { readonly from: number; readonly page: ChangesPage };
  readonly signal?: AbortSignal;
}

/** Applies the workspace's changes after the state's cursor and moves the cursor past them. */
export async function pullChanges(ctx: EngineContext, options: PullOptions): Promise<void> {
  const { api, state, workspaceId } = ctx;
  const { signal } = options;
  let cursor = state.cursor ?? 0;
  let prefetched = options.changes?.from === cursor ? options.changes.page : undefined;
  for (;;) {
    const page = prefetched ?? await api.changes({ workspaceId, cursor, limit: 1000 }, { signal });
    prefetched = undefined;
    const { conflicts, latest } = readPage(page);
    for (const conflict of conflicts) {
      if ("open" in conflict) state.openConflict(conflict.open);
      else state.closeConflict(conflict.close);
    }
    // (What was applied before a failure is seen, and skipped, by its vector when retried.)
    await applyAll(ctx, latest, {
      rules: options.rules,
      result: options.result,
      restore: false,
      signal,
    });
    cursor = page.cursor;
    state.setMeta("cursor", String(cursor));
    if (!page.hasMore) break;
  }
}

/** Downloads the workspace's version of `paths` (synced files deleted here). */
export async function undelete(
  ctx: EngineContext,
  paths: readonly string[],
  options: { rules: IgnoreRules; result: SyncOutcome; signal?: AbortSignal },
): Promise<void> {
  if (paths.length === 0) return;
  const { api, state, workspaceId } = ctx;
  const { result, signal } = options;
  const wanted = new Set(paths);
  const { files } = await api.fullManifest(workspaceId, { signal });
  const live = files.filter((entry) => wanted.has(entry.path));
  const before = result.downloaded;
  await mapPool(
    live,
    ctx.concurrency ?? 8,
    (entry) => applyRemote(ctx, entry, { rules: options.rules, result, restore: true, signal }),
  );
  result.rejectedDeletes += result.downloaded - before;
  // Deleted in the workspace meanwhile: nothing to bring back, nothing to commit.
  const found = new Set(live.map((entry) => entry.path));
  state.transaction(() => {
    for (const path of paths) if (!found.has(path)) state.remove(path);
  });
}
