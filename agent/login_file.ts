/**
 * The credentials `sandsync login` stores for hosted use: the project URL, the token (a
 * user's access token or an `sst_` agent token) and the anon key, in
 * `$SANDSYNC_CONFIG_DIR/login.json`, else `$XDG_CONFIG_HOME/sandsync/login.json`, else
 * `~/.config/sandsync/login.json`. Written atomically with mode 0600. Never in a synced
 * tree: when a synced root contains the config directory (a sandbox syncing its home), the
 * agent ignores that directory (see {@linkcode loginIgnorePattern}).
 *
 * @module
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

/** What `login` stores. */
export interface StoredLogin {
  readonly url: string;
  readonly token: string;
  readonly anonKey?: string;
  readonly savedAt: string;
}

/** The directory of the login file, from the environment. */
export function configDir(env: (name: string) => string | undefined = Deno.env.get): string {
  const own = env("SANDSYNC_CONFIG_DIR");
  if (own) return resolve(own);
  const xdg = env("XDG_CONFIG_HOME");
  if (xdg) return join(resolve(xdg), "sandsync");
  const home = env("HOME") ?? env("USERPROFILE");
  if (!home) throw new Error("Cannot find a config directory: set HOME or SANDSYNC_CONFIG_DIR");
  return join(home, ".config", "sandsync");
}

/** The login file's path. */
export function loginFile(dir: string = configDir()): string {
  return join(dir, "login.json");
}

/** Reads the stored login, or `undefined` when there is none (or it is unreadable). */
export function readLogin(file: string = loginFile()): StoredLogin | undefined {
  try {
    const parsed = JSON.parse(Deno.readTextFileSync(file));
    if (typeof parsed?.url !== "string" || typeof parsed?.token !== "string") return undefined;
    return parsed as StoredLogin;
  } catch {
    return undefined;
  }
}

/** Writes the login (temp file, mode 0600, rename): readers see the old or the new one. */
export async function writeLogin(login: StoredLogin, file: string = loginFile()): Promise<void> {
  await Deno.mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeTextFile(temp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
    await Deno.chmod(temp, 0o600);
    await Deno.rename(temp, file);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** Removes the stored login; true when there was one. */
export async function removeLogin(file: string = loginFile()): Promise<boolean> {
  try {
    await Deno.remove(file);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * An ignore pattern (anchored at `root`) for the config directory when it lies inside `root`,
 * else `undefined`: the token must never be uploaded.
 */
export function loginIgnorePattern(root: string, dir: string = configDir()): string | undefined {
  const rel = relative(resolve(root), resolve(dir));
  if (rel === "") return "/login.json*"; // the root is the config directory itself
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return `/${rel.split("\\").join("/")}/`;
}
