/**
 * `e2b-bridge/restore` (and `push`, the same on a live sandbox), one page per call: write the
 * workspace as it is at a journal position (now, a checkpoint, a version, a time) into the
 * sandbox root. Files the sandbox already holds with the same content are left alone; every
 * other file is streamed from Storage into a temp name in its directory, verified by hash
 * inside the sandbox, given its mode, then renamed into place (E2B writes truncate in place
 * otherwise). Nothing outside the root is touched: a directory on the way that is a symlink
 * refuses the files below it (the one rule of `shared/paths/protected_paths.ts`, the agent's too), and
 * a path the sandbox's ignore rules or the protected set (`.git/`, `.sandsync/`, temp names)
 * cover is never written. Only permission bits are applied (no setuid, setgid or sticky). The
 * last page leaves `<root>/.sandsync/instance.json` so an agent inside the sandbox recognises
 * the instance.
 *
 * The sandbox ends equal to the target exactly: on the last page, synced files the target lacks
 * are removed (ignored and protected paths, and paths the bridge refuses, are never touched),
 * unless that would remove more than half of at least 10 synced files without `confirmDeletes`
 * (then they are listed as `held_delete`). A restore at a point (`at`) is first committed to the
 * workspace as one change set that makes the state at that point current (everything later stays
 * in history), so the sandbox, its recorded state and the workspace agree.
 *
 * @module
 */
import type {
  RefusedPath,
  RestoreAnswer,
  RestoreRequest,
} from "../../../shared/protocol/bridge.ts";
import { assertWorkspaceScope } from "../_shared/edge/auth.ts";
import {
  cursorTarget,
  decodeCursor,
  encodeCursor,
  type RestoreCursor,
  restoreCursorSchema,
} from "./bridge_cursor.ts";
import {
  ancestorDirs,
  linkedAncestor,
  permissionBits,
} from "../../../shared/paths/protected_paths.ts";
import { TEMP_PREFIX } from "../../../shared/paths/ignore_rules.ts";
import { type BridgeDeps, inSandbox, openRoot } from "./bridge_pull.ts";
import type { StateFile, StateReport } from "./bridge_store.ts";
import { openBlob } from "../_shared/blobs/blob_read.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import type { E2bFs } from "./e2b_fs.ts";
import { mapPool } from "../../../shared/pool.ts";
import { listSandbox, sandboxRules } from "./bridge_listing.ts";
import { REPLICA_NAMESPACE, uuidV5 } from "../_shared/commit/replica_ids.ts";
import { sha256Hex } from "../../../shared/hash.ts";

/** Where the instance manifest lives, relative to the root. */
export const MANIFEST_PATH = ".sandsync/instance.json";

/** What `instance.json` says. */
export interface InstanceManifest {
  readonly source: "e2b-bridge";
  readonly workspaceId: string;
  readonly sandboxId: string;
  readonly replicaId: string;
  readonly root: string;
  /** The journal position written: an agent follows the changes feed from here. */
  readonly cursor: number;
  readonly at: string | null;
  readonly restoredAt: string;
}

const DEFAULT_MODE = 0o644;

function parent(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function tempName(path: string): string {
  const dir = parent(path);
  const name = `${TEMP_PREFIX}${crypto.randomUUID().slice(0, 12)}`;
  return dir === "" ? name : `${dir}/${name}`;
}

/** One page of a restore. */
export async function restorePage(
  deps: BridgeDeps,
  caller: Caller,
  request: RestoreRequest,
): Promise<RestoreAnswer> {
  assertWorkspaceScope(caller, request.workspaceId);
  const target = cursorTarget(request);
  const resumed = request.cursor
    ? decodeCursor(restoreCursorSchema, request.cursor, target)
    : undefined;
  const owner = await deps.store.owner(caller, request.workspaceId);
  const point = resumed
    ? undefined
    : await deps.store.restorePoint(caller, request.workspaceId, request.at);
  const { fs, exists } = await openRoot(deps, request);
  const { sandboxId } = request;
  if (!exists) await inSandbox(sandboxId, () => fs.mkdir(""));
  const replicaId = await deps.store.register(caller, request);
  if (!resumed && request.at !== undefined && !request.confirmDeletes) {
    // Held removals hold the whole restore: nothing committed, nothing written, so the
    // workspace and the sandbox still agree.
    const extras = await listExtras(deps, caller, fs, { ...request, seq: point! });
    if (extras.held) return heldAnswer(replicaId, point!, extras.paths);
  }
  const cursor: RestoreCursor = resumed ?? {
    v: 1,
    op: "restore",
    target,
    seq: request.at === undefined
      ? point!
      : await commitRestore(deps, caller, { ...request, replicaId, seq: point! }),
    after: "",
  };
  const files = await deps.store.stateAt(caller, request.workspaceId, {
    seq: cursor.seq,
    after: cursor.after,
    limit: deps.limits.pageFiles,
  });
  const refused: RefusedPath[] = [];
  const reports: StateReport[] = [];
  const rules = await inSandbox(sandboxId, () => sandboxRules(fs, { syncGit: false }));
  const allowed = files.filter((file) => {
    if (!rules.ignoresPath(file.path)) return true;
    refused.push({ path: file.path, reason: "ignored" });
    return false;
  });
  const dirs = [...new Set(allowed.flatMap((file) => ancestorDirs(file.path)))];
  const linked = await inSandbox(sandboxId, () => fs.symlinks(dirs));
  const safe: StateFile[] = [];
  for (const file of allowed) {
    const link = await linkedAncestor(file.path, (dir) => linked.has(dir) ? "symlink" : "dir");
    if (link === null) safe.push(file);
    else refused.push({ path: file.path, reason: "symlinked_parent" });
  }
  const held = await inSandbox(sandboxId, () => fs.hash(safe.map((file) => file.path)));
  const same = safe.filter((file) => held.get(file.path) === file.sha256);
  const wanted = safe.filter((file) => held.get(file.path) !== file.sha256);
  let bytes = 0;
  let written = 0;
  await inSandbox(sandboxId, async () => {
    // Unchanged files: record what the sandbox holds so the next pull skips them.
    await mapPool(same, deps.limits.concurrency, async (file) => {
      const entry = await fs.stat(file.path);
      if (entry) reports.push({ ...file, mtimeMs: entry.mtimeMs, size: entry.size });
    });
    const temps = new Map<StateFile, string>();
    await mapPool(wanted, deps.limits.concurrency, async (file) => {
      const blob = await openBlob(deps, {
        owner,
        workspaceId: request.workspaceId,
        sha256: file.sha256,
      });
      if (!blob?.body) {
        refused.push({ path: file.path, reason: "vanished" });
        return;
      }
      const temp = tempName(file.path);
      await fs.writeStream(temp, blob.body);
      temps.set(file, temp);
      bytes += file.size;
    });
    const hashes = await fs.hash([...temps.values()]);
    const modes: { path: string; mode: number }[] = [];
    for (const [file, temp] of temps) {
      if (hashes.get(temp) !== file.sha256) {
        refused.push({ path: file.path, reason: "hash_mismatch" });
        await fs.remove(temp);
        temps.delete(file);
      } else if (permissionBits(file.mode) !== DEFAULT_MODE) {
        modes.push({ path: temp, mode: permissionBits(file.mode) });
      }
    }
    await fs.chmodMany(modes);
    await mapPool([...temps], deps.limits.concurrency, async ([file, temp]) => {
      const entry = await fs.move(temp, file.path);
      written++;
      reports.push({
        path: file.path,
        sha256: file.sha256,
        size: entry?.size ?? file.size,
        mtimeMs: entry?.mtimeMs ?? Date.now(),
      });
    });
  });
  await deps.store.report(caller, { workspaceId: request.workspaceId, replicaId }, reports);
  const last = files.at(-1);
  const done = files.length < deps.limits.pageFiles || !last;
  let manifest: string | null = null;
  let deleted = 0;
  let heldDeletes = 0;
  if (done) {
    const extras = await removeExtras(deps, caller, fs, { ...request, replicaId, seq: cursor.seq });
    deleted = extras.deleted;
    heldDeletes = extras.held.length;
    refused.push(...extras.held.map((path) => ({ path, reason: "held_delete" as const })));
    manifest = await writeManifest(fs, {
      source: "e2b-bridge",
      workspaceId: request.workspaceId,
      sandboxId,
      replicaId,
      root: request.root,
      cursor: cursor.seq,
      at: request.at ?? null,
      restoredAt: new Date().toISOString(),
    });
    await deps.store.heartbeat(
      caller,
      { workspaceId: request.workspaceId, replicaId },
      cursor.seq,
      sandboxId,
    );
  }
  return {
    done,
    cursor: done ? null : encodeCursor({ ...cursor, after: last.path }),
    replicaId,
    seq: cursor.seq,
    written,
    skipped: same.length,
    deleted,
    heldDeletes,
    bytes,
    refused: refused.sort((a, b) => (a.path < b.path ? -1 : 1)).slice(0, 100),
    manifest,
  };
}

/** Writes the manifest the same way as every file: temp name, then rename. */
async function writeManifest(fs: E2bFs, manifest: InstanceManifest): Promise<string | null> {
  const body = new Blob([JSON.stringify(manifest, null, 2) + "\n"]).stream();
  const temp = tempName(MANIFEST_PATH);
  return await inSandbox(manifest.sandboxId, async () => {
    // A `.sandsync` that is a symlink could lead out of the root: leave it alone.
    if ((await fs.symlinks([parent(MANIFEST_PATH)])).size > 0) return null;
    await fs.writeStream(temp, body);
    await fs.move(temp, MANIFEST_PATH);
    return fs.absolute(MANIFEST_PATH);
  });
}

/**
 * Commits the workspace's state at `seq` as one new change set (as the bridge replica) and
 * answers the journal position to write; nothing to commit answers the current head. The
 * idempotency key follows the items, so a retried first page replays the same commit.
 */
async function commitRestore(
  deps: BridgeDeps,
  caller: Caller,
  target: { workspaceId: string; replicaId: string; seq: number },
): Promise<number> {
  const changes = await deps.store.restoreChanges(caller, target.workspaceId, target.seq);
  if (changes.length === 0) {
    return await deps.store.restorePoint(caller, target.workspaceId, undefined);
  }
  const idempotencyKey = uuidV5(
    REPLICA_NAMESPACE,
    `bridge-restore:${target.replicaId}:${target.seq}:${sha256Hex(JSON.stringify(changes))}`,
  );
  const result = await deps.sync.commit(caller, {
    workspaceId: target.workspaceId,
    replicaId: target.replicaId,
    idempotencyKey,
    changes,
  });
  return result.cursor;
}

/** Most synced files a restore removes without `confirmDeletes`: half of them (from 10 up). */
const MAX_DELETE_SHARE = 0.5;
const MIN_GUARDED_FILES = 10;

/**
 * Removes the synced files of the sandbox that the state at `seq` lacks, and forgets them in the
 * replica's recorded state. Only what a pull would sync is looked at (ignored and protected
 * paths, symlinks and refused paths are never touched).
 */
async function removeExtras(
  deps: BridgeDeps,
  caller: Caller,
  fs: E2bFs,
  target: {
    workspaceId: string;
    sandboxId: string;
    replicaId: string;
    seq: number;
    confirmDeletes?: boolean | undefined;
  },
): Promise<{ deleted: number; held: string[] }> {
  const extras = await listExtras(deps, caller, fs, target);
  if (extras.paths.length === 0) return { deleted: 0, held: [] };
  if (extras.held) return { deleted: 0, held: extras.paths };
  await inSandbox(
    target.sandboxId,
    () => mapPool(extras.paths, deps.limits.concurrency, (path) => fs.remove(path)),
  );
  await deps.store.report(
    caller,
    { workspaceId: target.workspaceId, replicaId: target.replicaId },
    extras.paths.map((path) => ({ path, deleted: true })),
  );
  return { deleted: extras.paths.length, held: [] };
}

/** The synced sandbox files the state at `seq` lacks, and whether the guard holds them. */
async function listExtras(
  deps: BridgeDeps,
  caller: Caller,
  fs: E2bFs,
  target: {
    workspaceId: string;
    sandboxId: string;
    seq: number;
    confirmDeletes?: boolean | undefined;
  },
): Promise<{ paths: string[]; held: boolean }> {
  const listing = await inSandbox(target.sandboxId, () => listSandbox(fs));
  if (!listing) return { paths: [], held: false };
  const keep = await deps.store.pathsAt(caller, target.workspaceId, target.seq);
  const paths = listing.files.map((file) => file.path).filter((path) => !keep.has(path));
  const synced = listing.files.length;
  const held = !target.confirmDeletes && paths.length > 0 && synced >= MIN_GUARDED_FILES &&
    paths.length / synced > MAX_DELETE_SHARE;
  return { paths, held };
}

/** The answer of a restore the mass-delete guard held: nothing done, the removals listed. */
function heldAnswer(replicaId: string, seq: number, held: readonly string[]): RestoreAnswer {
  return {
    done: true,
    cursor: null,
    replicaId,
    seq,
    written: 0,
    skipped: 0,
    deleted: 0,
    heldDeletes: held.length,
    bytes: 0,
    refused: held.slice(0, 100).map((path) => ({ path, reason: "held_delete" as const })),
    manifest: null,
  };
}
