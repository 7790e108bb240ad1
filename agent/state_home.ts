/**
 * Where the agent keeps the state of a synced root: outside the root, in
 * `<state home>/<first 24 hex of SHA-256 of the root's real path>/` (`state.db`, the lock
 * file, the daemon's control socket), where no watcher of the agent's looks. The state home is
 * `$SANDSYNC_STATE_HOME`, else `$XDG_STATE_HOME/sandsync`, else `~/.local/state/sandsync`.
 *
 * A root synced by an older agent kept its state in `<root>/.sandsync/state.db`, inside the
 * watched tree (where the watcher's own opens and closes dropped the daemon's SQLite locks):
 * {@linkcode migrateLegacyState} copies it out once (`VACUUM INTO`, which reads the WAL too)
 * and removes the old files.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";

/** The old state directory inside a synced root (read only to migrate it). */
export const LEGACY_STATE_DIR = ".sandsync";

/** The directory holding every root's state. */
export function stateHome(): string {
  const env = (name: string) => Deno.env.get(name) || undefined;
  const explicit = env("SANDSYNC_STATE_HOME");
  if (explicit) return explicit;
  const xdg = env("XDG_STATE_HOME");
  if (xdg) return join(xdg, "sandsync");
  const home = env("HOME") ?? env("USERPROFILE");
  if (!home) throw new Error("no state directory: set SANDSYNC_STATE_HOME or HOME");
  return join(home, ".local", "state", "sandsync");
}

/** The files of one root's state. */
export interface StatePaths {
  readonly dir: string;
  readonly db: string;
  readonly lock: string;
  /** The daemon's control socket (kept under the 108-byte limit of a socket path). */
  readonly socket: string;
}

/** The state paths of `root` (an absolute path; its real path is used when it exists). */
export function statePaths(root: string): StatePaths {
  let real = root;
  try {
    real = Deno.realPathSync(root);
  } catch { /* not created yet: the path as given */ }
  const key = createHash("sha256").update(real).digest("hex").slice(0, 24);
  const dir = join(stateHome(), key);
  let socket = join(dir, "control.sock");
  if (new TextEncoder().encode(socket).length > 100) {
    socket = join(Deno.env.get("TMPDIR") || "/tmp", `sandsync-${key}.sock`);
  }
  return { dir, db: join(dir, "state.db"), lock: join(dir, "agent.lock"), socket };
}

/** True when `file` exists. */
export function exists(file: string): boolean {
  try {
    Deno.statSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves the state of an older agent (`<root>/.sandsync/state.db`) to `paths.db`, once:
 * returns true when it did. The caller holds the directory lock.
 */
export function migrateLegacyState(root: string, paths: StatePaths): boolean {
  const legacy = join(root, LEGACY_STATE_DIR, "state.db");
  if (exists(paths.db) || !exists(legacy)) return false;
  Deno.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const temp = `${paths.db}.migrating`;
  try {
    Deno.removeSync(temp);
  } catch { /* none */ }
  const db = new DatabaseSync(legacy);
  try {
    db.exec("pragma busy_timeout = 5000;"); // (an older agent may still be writing it)
    db.prepare("vacuum into ?").run(temp);
  } finally {
    db.close();
  }
  Deno.renameSync(temp, paths.db);
  for (const name of ["state.db", "state.db-wal", "state.db-shm", "agent.pid", "agent.lock"]) {
    try {
      Deno.removeSync(join(root, LEGACY_STATE_DIR, name));
    } catch { /* not there */ }
  }
  try {
    Deno.removeSync(join(root, LEGACY_STATE_DIR)); // only when empty (the bridge keeps files)
  } catch { /* not empty */ }
  return true;
}
