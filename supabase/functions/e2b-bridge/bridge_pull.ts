/**
 * `e2b-bridge/pull`, one page per call: list the sandbox root, skip what the replica state says
 * is unchanged (size and mtime), then one command inside the sandbox hashes the other candidates
 * and archives the ones whose hash the bridge does not know into one tar file, which streams
 * through the function in one download (`streamed_blobs.ts`: each file accepted only by exact
 * name, kind, size and SHA-256; small ones written a pack at a time), and commit them as the
 * bridge replica through
 * {@linkcode CommitService.commit}, the path every client takes (so the workspace's conflict
 * strategy applies). Files missing from the sandbox that the bridge reported before become
 * deletions, in pages of their own after the files. An empty or missing root deletes nothing.
 *
 * Nothing is committed before every byte of the page is in Storage: a sandbox that stops
 * answering mid-page fails the call with `sandbox_unavailable` and leaves the workspace as it
 * was (blobs already streamed are unreferenced and collected later).
 *
 * @module
 */
import { InvalidArgumentError } from "e2b";
import type {
  PullAnswer,
  PullCommit,
  PullRequest,
  RefusedPath,
} from "../../../shared/protocol/bridge.ts";
import { errors } from "../../../shared/protocol/errors.ts";
import { sha256Hex } from "../../../shared/hash.ts";
import type { CommitItemAnswer, FileChange } from "../../../shared/protocol/sync.ts";
import { assertWorkspaceScope } from "../_shared/edge/auth.ts";
import {
  cursorTarget,
  decodeCursor,
  encodeCursor,
  type PullCursor,
  pullCursorSchema,
} from "./bridge_cursor.ts";
import { compare, listSandbox, type SandboxListing } from "./bridge_listing.ts";
import type { BridgeStore, CurrentFile, ReplicaFile, StateReport } from "./bridge_store.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import { sandboxFailure } from "../_shared/sandboxes/e2b_connect.ts";
import { type E2bEntry, E2bFs } from "./e2b_fs.ts";
import type { BlobStore } from "../_shared/blobs/blob_store.ts";
import type { Database } from "../_shared/db/db.ts";
import { REPLICA_NAMESPACE, uuidV5 } from "../_shared/commit/replica_ids.ts";
import { ingestArchive, SourceError } from "./streamed_blobs.ts";
import { parsePullScript, pullScript, type PullScriptOutput } from "./sandbox_scripts.ts";
import { TEMP_PREFIX } from "../../../shared/paths/protected_paths.ts";
import type { CommitService } from "../_shared/commit/commit_service.ts";
import type { Sandbox } from "e2b";

/**
 * How much one call does (hosted functions: 150 s wall clock, 2 s CPU, 256 MB). Measured on the
 * local stack, a page of 1,000 small files costs about 0.5 s of CPU and a page of 256 MiB of large
 * files about 1.3 s (pull or restore); memory stays near 100 MB either way (the archive streams).
 */
export interface BridgeLimits {
  /** Files looked at per page. */
  readonly pageFiles: number;
  /** Bytes streamed per page, pull or restore (a larger single file still goes alone). */
  readonly pageBytes: number;
  /** Deletions per page. */
  readonly pageDeletes: number;
}

/** Defaults of {@linkcode BridgeLimits}. */
export const DEFAULT_LIMITS: BridgeLimits = {
  pageFiles: 1000,
  pageBytes: 256 * 1024 * 1024,
  pageDeletes: 1000,
};

/** What the bridge operations need. */
export interface BridgeDeps {
  readonly db: Database;
  readonly blobs: BlobStore;
  readonly sync: CommitService;
  readonly store: BridgeStore;
  /** Connects to a sandbox (errors already mapped: `sandbox_not_found`, ...). */
  readonly connect: (sandboxId: string) => Promise<Sandbox>;
  readonly limits: BridgeLimits;
}

/** Most refused paths listed in an answer. */
const MAX_REFUSED = 100;

/** Runs SDK work, turning its failures into the bridge's stable errors. */
export async function inSandbox<T>(sandboxId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw sandboxFailure(sandboxId, error instanceof SourceError ? error.cause : error);
  }
}

/** Opens the sandbox root, refusing a root that is a symlink or leaves the sandbox. */
export async function openRoot(
  deps: BridgeDeps,
  request: { sandboxId: string; root: string },
): Promise<{ fs: E2bFs; exists: boolean }> {
  const sandbox = await deps.connect(request.sandboxId);
  const fs = new E2bFs(sandbox, request.root);
  const entry = await inSandbox(request.sandboxId, () =>
    fs.stat("").catch((error) => {
      if (error instanceof InvalidArgumentError) {
        throw errors.sandboxPathRefused(request.root, "it resolves outside the sandbox");
      }
      throw error;
    }));
  if (entry?.kind === "symlink") {
    throw errors.sandboxPathRefused(request.root, "the root is a symlink");
  }
  if (entry && entry.kind !== "dir") {
    throw errors.sandboxPathRefused(request.root, "the root is not a directory");
  }
  return { fs, exists: entry !== null };
}

/** One page of a pull. */
export async function pullPage(
  deps: BridgeDeps,
  caller: Caller,
  request: PullRequest,
): Promise<PullAnswer> {
  assertWorkspaceScope(caller, request.workspaceId);
  const target = cursorTarget(request);
  const cursor: PullCursor = request.cursor
    ? decodeCursor(pullCursorSchema, request.cursor, target)
    : { v: 1, op: "pull", target, phase: "files", after: "" };
  // Workspace access first: nothing touches the sandbox for a caller who may not pull into it.
  const owner = await deps.store.owner(caller, request.workspaceId);
  const { fs, exists } = await openRoot(deps, request);
  const listing = exists ? await inSandbox(request.sandboxId, () => listSandbox(fs)) : null;
  if (!listing || listing.files.length === 0) {
    throw errors.sandboxEmpty(request.sandboxId, request.root);
  }
  const replicaId = await deps.store.register(caller, request);
  const page = new PullPage(deps, caller, { ...request, owner, replicaId, fs, listing });
  const first = !request.cursor;
  if (cursor.phase === "files") {
    const next = await page.files(cursor.after);
    if (next !== undefined) return page.answer(first, { ...cursor, after: next });
  }
  const next = await page.deletes(cursor.phase === "deletes" ? cursor.after : "");
  return page.answer(
    first,
    next === undefined ? null : { ...cursor, phase: "deletes", after: next },
  );
}

interface PageContext extends PullRequest {
  readonly owner: string;
  readonly replicaId: string;
  readonly fs: E2bFs;
  readonly listing: SandboxListing;
}

/** The work and counters of one page. */
class PullPage {
  readonly #deps: BridgeDeps;
  readonly #caller: Caller;
  readonly #ctx: PageContext;
  #pulled = 0;
  #skipped = 0;
  #deleted = 0;
  #bytes = 0;
  readonly #refused: RefusedPath[] = [];
  readonly #commits: PullCommit[] = [];

  constructor(deps: BridgeDeps, caller: Caller, ctx: PageContext) {
    this.#deps = deps;
    this.#caller = caller;
    this.#ctx = ctx;
  }

  /** Pulls the next files after `after`; returns where the next page starts, if any. */
  async files(after: string): Promise<string | undefined> {
    const { store, limits } = this.#deps;
    const { listing, replicaId, workspaceId } = this.#ctx;
    const rest = listing.files.filter((entry) => compare(entry.path, after) > 0);
    const window = rest.slice(0, limits.pageFiles);
    const state = await store.replicaState(
      this.#caller,
      { workspaceId, replicaId },
      window.map((e) => e.path),
    );
    // Cut the page where its bytes would exceed the budget (a first large file goes alone).
    const candidates: E2bEntry[] = [];
    let taken = 0;
    let bytes = 0;
    for (const entry of window) {
      const seen = state.get(entry.path);
      const unchanged = seen?.size === entry.size && seen.mtimeMs === entry.mtimeMs;
      if (!unchanged) {
        if (candidates.length > 0 && bytes + entry.size > limits.pageBytes) break;
        candidates.push(entry);
        bytes += entry.size;
      } else this.#skipped++;
      taken++;
    }
    const current = await store.currentFiles(
      this.#caller,
      workspaceId,
      candidates.map((e) => e.path),
    );
    // What the bridge already knows of each candidate: not moved again when its hash matches.
    const known = new Map(candidates.map((entry) => {
      const hashes: string[] = [];
      const seen = state.get(entry.path)?.sha256;
      const now = current.get(entry.path);
      if (seen) hashes.push(seen);
      if (now && !now.deleted && now.sha256 && now.sha256 !== seen) hashes.push(now.sha256);
      return [entry.path, hashes];
    }));
    const tar = `${TEMP_PREFIX}${crypto.randomUUID()}.tar`;
    let archived = false;
    try {
      const scan = await this.#scan(candidates, known, tar);
      archived = scan.archived;
      const reports: StateReport[] = [];
      const changed: { entry: E2bEntry; sha256: string }[] = [];
      for (const entry of candidates) {
        const hashed = scan.hashes.get(entry.path);
        if (!hashed) {
          this.#refuse({ path: entry.path, reason: "vanished" });
          continue;
        }
        const { sha256 } = hashed;
        if (!hashed.changed) {
          // Touched but not changed, or already the workspace's content: record, move nothing.
          this.#skipped++;
          reports.push({ path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs, sha256 });
        } else if (!scan.archived) {
          this.#refuse({ path: entry.path, reason: "vanished" });
        } else changed.push({ entry, sha256 });
      }
      await this.#commitFiles(changed, { state, current, tar }, reports);
      await store.report(this.#caller, { workspaceId, replicaId }, reports);
    } finally {
      if (archived) await this.#ctx.fs.remove(tar).catch(() => {});
    }
    const last = window[taken - 1];
    return taken < rest.length && last ? last.path : undefined;
  }

  /** One command in the sandbox: hash the candidates, archive the changed ones into `tar`. */
  async #scan(
    candidates: readonly E2bEntry[],
    known: ReadonlyMap<string, readonly string[]>,
    tar: string,
  ): Promise<PullScriptOutput> {
    if (candidates.length === 0) return { hashes: new Map(), archived: false };
    const paths = candidates.map((entry) => entry.path);
    const stdout = await inSandbox(
      this.#ctx.sandboxId,
      () => this.#ctx.fs.runScript(pullScript({ paths, known, tar }), `${tar}.sh`),
    );
    return parsePullScript(stdout, new Set(paths));
  }

  async #commitFiles(
    changed: readonly { entry: E2bEntry; sha256: string }[],
    known: {
      state: Map<string, ReplicaFile>;
      current: Map<string, CurrentFile>;
      tar: string;
    },
    reports: StateReport[],
  ): Promise<void> {
    if (changed.length === 0) return;
    const { fs, owner, sandboxId, workspaceId } = this.#ctx;
    const outcome = await inSandbox(sandboxId, () =>
      ingestArchive(this.#deps, {
        caller: this.#caller,
        owner,
        workspaceId,
        files: changed.map(({ entry, sha256 }) => ({ path: entry.path, sha256, size: entry.size })),
        open: () => fs.readStream(known.tar),
      }));
    this.#bytes += outcome.bytes;
    const good = changed.filter(({ entry }) => {
      const reason = outcome.refused.get(entry.path);
      if (reason === undefined && outcome.stored.has(entry.path)) return true;
      this.#refuse({ path: entry.path, reason: reason ?? "changed_during_pull" });
      return false;
    });
    if (good.length === 0) return;
    const bases = await this.#bases(good.map((c) => c.entry.path), known);
    const changes: FileChange[] = good.map(({ entry, sha256 }) => ({
      path: entry.path,
      sha256,
      size: entry.size,
      mode: entry.mode,
      mtime: Math.max(0, Math.round(entry.mtimeMs)),
      base: bases.get(entry.path) ?? null,
    }));
    const items = await this.#commit(changes);
    for (const { entry, sha256 } of good) {
      const item = items.get(entry.path);
      if (item?.outcome === "rejected") {
        this.#refuse({ path: entry.path, reason: "invalid_path" });
        continue;
      }
      this.#pulled++;
      reports.push({ path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs, sha256 });
    }
  }

  /**
   * Base vectors: the current vector when the bridge last saw the current content (a
   * fast-forward), else the vector of the version it saw (concurrent: the strategy decides),
   * else none (a path new to the bridge).
   */
  async #bases(
    paths: readonly string[],
    known: { state: Map<string, ReplicaFile>; current: Map<string, CurrentFile> },
  ): Promise<Map<string, Record<string, number>>> {
    const bases = new Map<string, Record<string, number>>();
    const lookup: { path: string; sha256: string }[] = [];
    for (const path of paths) {
      const seen = known.state.get(path)?.sha256;
      const now = known.current.get(path);
      if (!seen || !now) continue;
      if (now.sha256 === seen) bases.set(path, now.vector);
      else lookup.push({ path, sha256: seen });
    }
    const vectors = await this.#deps.store.seenVectors(this.#caller, this.#ctx.workspaceId, lookup);
    for (const [path, vector] of vectors) bases.set(path, vector);
    return bases;
  }

  /** Deletes what the bridge reported before and the sandbox no longer has. */
  async deletes(after: string): Promise<string | undefined> {
    const { store, limits } = this.#deps;
    const { listing, replicaId, workspaceId } = this.#ctx;
    const state = await store.replicaState(this.#caller, { workspaceId, replicaId });
    const gone = [...state.keys()]
      .filter((path) => !listing.present.has(path) && compare(path, after) > 0)
      .sort(compare);
    const window = gone.slice(0, limits.pageDeletes);
    const forget: StateReport[] = window.map((path) => ({ path, deleted: true }));
    // A path the rules now ignore is forgotten, not deleted: it was not removed in the sandbox.
    const deleted = window.filter((path) => !listing.rules.ignores(path));
    const current = await store.currentFiles(this.#caller, workspaceId, deleted);
    const live = deleted.filter((path) => current.get(path) && !current.get(path)!.deleted);
    if (live.length > 0) {
      const bases = await this.#bases(live, { state, current });
      const changes: FileChange[] = live.map((path) => ({
        path,
        sha256: null,
        size: 0,
        mode: current.get(path)!.mode,
        mtime: Date.now(),
        // Not based on what the bridge saw: concurrent, so an edit made since wins (superseded).
        base: bases.get(path) ?? {},
        deleted: true,
      }));
      await this.#commit(changes);
      this.#deleted += live.length;
    }
    await store.report(this.#caller, { workspaceId, replicaId }, forget);
    const last = window.at(-1);
    return window.length < gone.length && last ? last : undefined;
  }

  /** Commits as the bridge replica; the idempotency key follows the items (retries replay). */
  async #commit(changes: FileChange[]): Promise<Map<string, CommitItemAnswer>> {
    const { workspaceId, replicaId } = this.#ctx;
    const idempotencyKey = uuidV5(
      REPLICA_NAMESPACE,
      `bridge-commit:${replicaId}:${sha256Hex(JSON.stringify(changes))}`,
    );
    const result = await this.#deps.sync.commit(this.#caller, {
      workspaceId,
      replicaId,
      idempotencyKey,
      changes,
    });
    const items = result.items;
    const outcomes: Record<string, number> = {};
    for (const item of items) outcomes[item.outcome] = (outcomes[item.outcome] ?? 0) + 1;
    this.#commits.push({
      changeSetId: result.changeSetId,
      journalCursor: result.cursor,
      outcomes,
      conflicts: items.filter((item) => item.outcome === "conflict")
        .map((item) => ({ path: item.path, conflictId: item.conflictId ?? null })),
    });
    return new Map(items.map((item) => [item.path, item]));
  }

  #refuse(path: RefusedPath): void {
    if (this.#refused.length < MAX_REFUSED) this.#refused.push(path);
  }

  /** The answer; refusals of the listing itself are reported on the first page. */
  answer(first: boolean, next: PullCursor | null): PullAnswer {
    const refused = first
      ? [...this.#ctx.listing.refused.slice(0, MAX_REFUSED), ...this.#refused].slice(0, MAX_REFUSED)
      : this.#refused;
    return {
      done: next === null,
      cursor: next === null ? null : encodeCursor(next),
      replicaId: this.#ctx.replicaId,
      pulled: this.#pulled,
      skipped: this.#skipped,
      deleted: this.#deleted,
      bytes: this.#bytes,
      refused,
      commit: mergeCommits(this.#commits),
    };
  }
}

function mergeCommits(commits: readonly PullCommit[]): PullCommit | null {
  if (commits.length === 0) return null;
  if (commits.length === 1) return commits[0]!;
  const outcomes: Record<string, number> = {};
  for (const commit of commits) {
    for (const [key, count] of Object.entries(commit.outcomes)) {
      outcomes[key] = (outcomes[key] ?? 0) + count;
    }
  }
  const last = commits.at(-1)!;
  return {
    changeSetId: last.changeSetId,
    journalCursor: last.journalCursor,
    outcomes,
    conflicts: commits.flatMap((commit) => commit.conflicts),
  };
}
