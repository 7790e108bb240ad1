/**
 * `e2b-bridge/restore` (and `push`, the same on a live sandbox), one page per call: write the
 * workspace as it is at a journal position (now, a checkpoint, a version, a time) into the
 * sandbox root, a page in a few envd requests whatever its number of files (`writeFiles`). Files
 * the sandbox already holds with the same content are left alone; every other file travels in
 * one tar streamed from Storage into the sandbox, is unpacked under a temp name (a fresh staging
 * directory in the root), verified by SHA-256 inside the sandbox, given its mode, then renamed
 * into place (`sandbox_scripts.ts`). Nothing outside the root is touched: a directory on the way
 * that is a symlink refuses the files below it (the rule of `shared/paths/protected_paths.ts`,
 * the agent's too, checked by the sandbox script right before the rename), and a path the
 * sandbox's ignore rules or the protected set (`.git/`, `.sandsync/`, temp names) cover is never
 * written. Only permission bits are applied (no setuid, setgid or sticky). The last page leaves
 * `<root>/.sandsync/instance.json` so an agent inside the sandbox recognises the instance.
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
import { TEMP_PREFIX } from "../../../shared/paths/ignore_rules.ts";
import { type BridgeDeps, inSandbox, openRoot } from "./bridge_pull.ts";
import type { StateFile, StateReport } from "./bridge_store.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import type { E2bFs } from "./e2b_fs.ts";
import { listSandbox, sandboxRules } from "./bridge_listing.ts";
import { REPLICA_NAMESPACE, uuidV5 } from "../_shared/commit/replica_ids.ts";
import { sha256Hex } from "../../../shared/hash.ts";
import { errors } from "../../../shared/protocol/errors.ts";
import { archiveSources } from "./restore_archive.ts";
import { tarStream } from "./tar_writer.ts";
import {
  archiveMode,
  inspectScript,
  type InstallFile,
  installScript,
  parseInspection,
  parseInstall,
  removeScript,
} from "./sandbox_scripts.ts";

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
  const listed = await deps.store.stateAt(caller, request.workspaceId, {
    seq: cursor.seq,
    after: cursor.after,
    limit: deps.limits.pageFiles,
  });
  // Cut the page where its bytes would exceed the budget (a first large file goes alone), as a
  // pull does: the page's archive streams through the function.
  const files = withinBytes(listed, deps.limits.pageBytes);
  const refused: RefusedPath[] = [];
  const reports: StateReport[] = [];
  const rules = await inSandbox(
    sandboxId,
    async () => sandboxRules(fs, { top: await fs.list(""), syncGit: false }),
  );
  const allowed = files.filter((file) => {
    if (!rules.ignoresPath(file.path)) return true;
    refused.push({ path: file.path, reason: "ignored" });
    return false;
  });
  const written = await writeFiles(deps, {
    fs,
    owner,
    workspaceId: request.workspaceId,
    sandboxId,
    files: allowed,
  });
  refused.push(...written.refused);
  reports.push(...written.reports);
  const { bytes } = written;
  await deps.store.report(caller, { workspaceId: request.workspaceId, replicaId }, reports);
  const last = files.at(-1);
  const done = (files.length === listed.length && listed.length < deps.limits.pageFiles) || !last;
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
    written: written.written,
    skipped: written.skipped,
    deleted,
    heldDeletes,
    bytes,
    refused: refused.sort((a, b) => (a.path < b.path ? -1 : 1)).slice(0, 100),
    manifest,
  };
}

/** The longest prefix of `files` within `budget` bytes (at least one file). */
function withinBytes(files: readonly StateFile[], budget: number): StateFile[] {
  let bytes = 0;
  const taken: StateFile[] = [];
  for (const file of files) {
    if (taken.length > 0 && bytes + file.size > budget) break;
    taken.push(file);
    bytes += file.size;
  }
  return taken;
}

/** What {@linkcode writeFiles} did. */
interface WriteOutcome {
  readonly written: number;
  readonly skipped: number;
  readonly bytes: number;
  readonly reports: readonly StateReport[];
  readonly refused: readonly RefusedPath[];
}

/**
 * Writes a page's files into the sandbox in four envd requests whatever their number: one
 * command inspects the targets (symlinked directories on the way, the content already there),
 * one streamed upload carries every file that differs as a tar, one command unpacks it into a
 * fresh staging directory, verifies each file by SHA-256 and renames it into place (see
 * `sandbox_scripts.ts`), and the recorded state follows what the sandbox reports.
 */
async function writeFiles(
  deps: BridgeDeps,
  input: {
    readonly fs: E2bFs;
    readonly owner: string;
    readonly workspaceId: string;
    readonly sandboxId: string;
    readonly files: readonly StateFile[];
  },
): Promise<WriteOutcome> {
  const { fs, sandboxId } = input;
  const refused: RefusedPath[] = [];
  const reports: StateReport[] = [];
  if (input.files.length === 0) return { written: 0, skipped: 0, bytes: 0, reports, refused };
  const asked = new Set(input.files.map((file) => file.path));
  const id = crypto.randomUUID();
  const found = await inSandbox(sandboxId, async () =>
    parseInspection(
      await fs.runScript(inspectScript([...asked]), `${TEMP_PREFIX}${id}.sh`),
      asked,
    ));
  const wanted: StateFile[] = [];
  let skipped = 0;
  for (const file of input.files) {
    const there = found.files.get(file.path);
    if (found.linked.has(file.path)) refused.push({ path: file.path, reason: "symlinked_parent" });
    else if (there?.sha256 === file.sha256) {
      // Unchanged: record what the sandbox holds so the next pull skips it.
      skipped++;
      reports.push({ ...file, size: there.size, mtimeMs: there.mtimeMs });
    } else wanted.push(file);
  }
  if (wanted.length === 0) return { written: 0, skipped, bytes: 0, reports, refused };

  // Members are `<directory index>/<name>`: the install renames each directory's files at once.
  const dirs = new Map<string, number>();
  const members = wanted.map((file) => {
    const dir = parent(file.path);
    if (!dirs.has(dir)) dirs.set(dir, dirs.size);
    return { file, member: `${dirs.get(dir)}/${file.path.slice(dir === "" ? 0 : dir.length + 1)}` };
  });
  const byMember = new Map(members.map((m) => [m.member, m.file]));
  const tar = `${TEMP_PREFIX}${id}.tar`;
  const archived: InstallFile[] = [];
  let bytes = 0;
  const sources = archiveSources(deps, {
    owner: input.owner,
    workspaceId: input.workspaceId,
    members: members.map(({ file, member }) => ({
      member,
      sha256: file.sha256,
      size: file.size,
      mode: archiveMode(file.mode),
    })),
  });
  const body = tarStream(sources, {
    onEntry(source) {
      const file = byMember.get(source.name)!;
      archived.push({ path: file.path, member: source.name, sha256: file.sha256, mode: file.mode });
      bytes += file.size;
    },
    onSkip(source) {
      refused.push({ path: byMember.get(source.name)!.path, reason: "vanished" });
    },
  });
  await inSandbox(sandboxId, () => fs.writeStream(tar, body));
  const installed = await inSandbox(sandboxId, async () =>
    parseInstall(
      await fs.runScript(
        installScript({ tar, staging: `${TEMP_PREFIX}${id}`, files: archived }),
        `${TEMP_PREFIX}${id}.install.sh`,
      ),
      new Set(archived.map((file) => file.path)),
    ));
  if (installed.failed) {
    throw errors.sandboxUnavailable(sandboxId, new Error(`unpacking failed: ${installed.failed}`));
  }
  refused.push(...installed.refused);
  for (const { member } of archived) {
    const file = byMember.get(member)!;
    const stat = installed.written.get(file.path);
    if (stat) reports.push({ ...file, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return { written: installed.written.size, skipped, bytes, reports, refused };
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
  // One command removes them all (regular files only, never a directory).
  await inSandbox(
    target.sandboxId,
    () => fs.runScript(removeScript(extras.paths), `${TEMP_PREFIX}${crypto.randomUUID()}.sh`),
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
