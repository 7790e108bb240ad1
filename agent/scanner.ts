/**
 * Walks the sync root and describes every file that should be synced. A file whose size,
 * mtime and inode match its recorded state is not read again (its known hash is reused), so
 * a no-op rescan costs one lstat per file. Symlinks, special files, invalid paths (non-NFC
 * names, control characters, ...) are skipped and counted, ignored paths left out (the rule the
 * E2B bridge's listing uses too, `shared/paths/syncable.ts`); leftover temp
 * files of an interrupted download are removed, by the process that owns them only
 * (`removeTemps`: the holder of the directory lock, before its run downloads anything): a
 * look from beside a daemon must never delete the daemon's downloads in flight.
 *
 * @module
 */
import { createSha256 } from "../shared/hash.ts";
import { type IgnoreRules, KEEP_PREFIX, TEMP_PREFIX } from "../shared/paths/ignore_rules.ts";
import { type Syncability, syncable } from "../shared/paths/syncable.ts";
import type { FsEntry, SandboxFs } from "../shared/sandbox_fs.ts";
import type { PathState } from "./state_db.ts";
import { testDelay } from "./test_hooks.ts";

/** A file as found by a scan. */
export interface ScannedFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number | null;
  readonly mode: number;
}

/** The result of {@linkcode scan}. */
export interface ScanResult {
  readonly files: Map<string, ScannedFile>;
  /** Files whose bytes were read (changed or new). */
  readonly hashed: number;
  /** Entries not synced, with why. */
  readonly skipped: { path: string; reason: string }[];
}

/** True when `entry` looks exactly as `state` recorded (no need to hash). */
export function unchanged(entry: FsEntry, state: PathState | undefined): boolean {
  return state !== undefined && entry.size === state.size &&
    Math.round(entry.mtimeMs) === state.mtimeMs && entry.ino === state.ino &&
    entry.mode === state.mode;
}

/** SHA-256 of a file, streamed in 1 MiB reads into one buffer (memory stays flat). */
export async function hashFile(
  fs: SandboxFs,
  path: string,
): Promise<{ sha256: string; size: number }> {
  const source = await fs.openRead(path);
  try {
    const hash = createSha256();
    const buffer = new Uint8Array(1024 * 1024);
    let offset = 0;
    for (;;) {
      const chunk = await source.read(offset, buffer.byteLength, buffer);
      if (chunk.byteLength === 0) break;
      hash.update(chunk);
      offset += chunk.byteLength;
    }
    return { sha256: hash.digestHex(), size: offset };
  } finally {
    await source.close?.();
  }
}

/** Describes one file, hashing only when its stat differs from `state`. */
export async function describe(
  fs: SandboxFs,
  entry: FsEntry,
  state: PathState | undefined,
): Promise<{ file: ScannedFile; hashed: boolean } | null> {
  if (unchanged(entry, state)) {
    return { file: { ...pick(entry), sha256: state!.sha256 }, hashed: false };
  }
  // The recorded stat must be the stat of the bytes hashed: a file written (or touched and
  // written) while it was hashed is hashed again until its stat holds still across a hash.
  let before: FsEntry = entry;
  for (let attempt = 0;; attempt++) {
    const { sha256 } = await hashFile(fs, entry.path);
    await testDelay("SANDSYNC_TEST_DELAY_AFTER_HASH_MS", entry.path);
    const after = await fs.stat(entry.path);
    if (!after || after.kind !== "file") return null;
    if (sameFileStat(before, after)) return { file: { ...pick(after), sha256 }, hashed: true };
    // Still changing after a few tries: describe it with a stat no file has (mtime -1), so
    // whatever is recorded from this scan never passes for unchanged and the next scan hashes
    // the file again.
    if (attempt >= MAX_HASH_ATTEMPTS) {
      return { file: { ...pick(after), mtimeMs: -1, sha256 }, hashed: true };
    }
    before = after;
  }
}

/** Hashes of a file that keeps changing before the scan gives up on it for this run. */
const MAX_HASH_ATTEMPTS = 3;

function sameFileStat(a: FsEntry, b: FsEntry): boolean {
  return a.size === b.size && Math.round(a.mtimeMs) === Math.round(b.mtimeMs) && a.ino === b.ino;
}

function pick(entry: FsEntry) {
  return {
    path: entry.path,
    size: entry.size,
    mtimeMs: Math.round(entry.mtimeMs),
    ino: entry.ino,
    mode: entry.mode,
  };
}

/** What a scan collects (a {@linkcode ScanResult} being filled). */
type Collector = { -readonly [K in keyof ScanResult]: ScanResult[K] };

/**
 * Scans the whole root against the recorded state. Without `removeTemps` nothing changes on
 * disk: temp files are skipped (they may be a running daemon's downloads in flight).
 */
export async function scan(
  fs: SandboxFs,
  rules: IgnoreRules,
  state: ReadonlyMap<string, PathState>,
  options: { removeTemps?: boolean } = {},
): Promise<ScanResult> {
  const out: Collector = { files: new Map(), hashed: 0, skipped: [] };
  await walk(fs, rules, state, "", out, options.removeTemps === true);
  return out;
}

/**
 * Scans only `paths` (files, or directories with their subtrees; a path that is gone adds
 * nothing): watch mode's run after a batch of events. `state` needs the recorded entries of
 * those paths and subtrees only.
 */
export async function scanPaths(
  fs: SandboxFs,
  rules: IgnoreRules,
  options: {
    paths: readonly string[];
    state: ReadonlyMap<string, PathState>;
    removeTemps?: boolean;
  },
): Promise<ScanResult> {
  const out: Collector = { files: new Map(), hashed: 0, skipped: [] };
  for (const path of new Set(options.paths)) {
    if (path === "" || rules.ignoresPath(path) || out.files.has(path)) continue;
    const entry = await fs.stat(path);
    if (entry === null) continue;
    const verdict = syncable(entry, rules);
    if (verdict.action === "walk") {
      await walk(fs, rules, options.state, path, out, options.removeTemps === true);
    } else await consider(fs, { entry, verdict }, options.state, out);
  }
  return out;
}

async function walk(
  fs: SandboxFs,
  rules: IgnoreRules,
  state: ReadonlyMap<string, PathState>,
  start: string,
  out: Collector,
  removeTemps: boolean,
): Promise<void> {
  const pending: string[] = [start];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of await fs.list(dir)) {
      const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
      if (name.startsWith(TEMP_PREFIX) && entry.kind === "file") {
        // Only the lock owner touches temp files: from beside a daemon they may be its
        // downloads in flight, or a file it moved aside for an instant.
        if (!removeTemps) continue;
        if (name.startsWith(KEEP_PREFIX)) {
          // A local file a killed apply had moved aside: back into place if that is free.
          const original = asideOriginal(entry.path);
          if ((await fs.stat(original)) === null) {
            await fs.rename(entry.path, original);
            // (Listed before it was back: scanned here, or it would read as a local deletion.)
            const restored = await fs.stat(original);
            if (restored) {
              await consider(
                fs,
                { entry: restored, verdict: syncable(restored, rules) },
                state,
                out,
              );
            }
          }
          continue;
        }
        await fs.remove(entry.path); // an interrupted download of ours
        continue;
      }
      const verdict = syncable(entry, rules);
      if (verdict.action === "walk") pending.push(entry.path);
      else await consider(fs, { entry, verdict }, state, out);
    }
  }
}

/**
 * Adds one entry that is not walked to `out` (hashing it if its stat changed), counts it as
 * skipped, or leaves it out when ignored.
 */
async function consider(
  fs: SandboxFs,
  sorted: { readonly entry: FsEntry; readonly verdict: Syncability },
  state: ReadonlyMap<string, PathState>,
  out: Collector,
): Promise<void> {
  const { entry, verdict } = sorted;
  if (out.files.has(entry.path) || verdict.action === "ignore" || verdict.action === "walk") {
    return;
  }
  if (verdict.action === "skip") {
    out.skipped.push({ path: entry.path, reason: verdict.problem ?? verdict.reason });
    return;
  }
  const described = await describe(fs, entry, state.get(entry.path));
  if (!described) return;
  if (described.hashed) out.hashed++;
  out.files.set(entry.path, described.file);
}

/** The path a moved-aside copy (`<dir>/<KEEP_PREFIX><8 chars>-<name>`) was moved from. */
function asideOriginal(aside: string): string {
  const name = aside.slice(aside.lastIndexOf("/") + 1);
  return aside.slice(0, aside.length - name.length) + name.slice(KEEP_PREFIX.length + 9);
}

/**
 * Puts back a copy of `path` that a killed apply had moved aside, when `path` is free: before a
 * run judges what that apply did (the file is not gone, it was only set aside). Lock owner only.
 */
export async function restoreMovedAside(fs: SandboxFs, path: string): Promise<boolean> {
  if ((await fs.stat(path)) !== null) return false;
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "" : path.slice(0, slash);
  let entries;
  try {
    entries = await fs.list(dir);
  } catch {
    return false; // (its directory is gone too)
  }
  const aside = entries.find((entry) =>
    entry.kind === "file" && entry.path.slice(slash + 1).startsWith(KEEP_PREFIX) &&
    asideOriginal(entry.path) === path
  );
  if (!aside) return false;
  await fs.rename(aside.path, path);
  return true;
}
