/**
 * Which paths are not synced, in three layers evaluated in order:
 * 1. the built-in protected set (`.sandsync/`, `.sandsync-tmp-*`, `.git/` unless the workspace
 *    opted in; `shared/protected_paths.ts`), which no ignore file can negate;
 * 2. local patterns no replica can change by syncing a file (the login/config directory when it
 *    lies under the root), also beyond the reach of ignore files;
 * 3. the defaults (`node_modules/`) and the root's `.gitignore` and `.sandsyncignore` in
 *    `.gitignore` syntax (the `ignore` package, as eslint uses).
 * The same rules are applied to local scans and to remote changes, so an ignored path is never
 * written either way.
 *
 * @module
 */
import ignore, { type Ignore } from "ignore";
import { protectedPathProblem, TEMP_PREFIX } from "./protected_paths.ts";
import type { SandboxFs } from "../../agent/sandbox_fs.ts";

export { TEMP_PREFIX };
/**
 * Prefix (under {@linkcode TEMP_PREFIX}, so ignored) of a local file moved aside for an
 * instant while a remote change replaces it (`LocalFs.replaceIfUnchanged`); the scan puts back
 * one that a kill left behind.
 */
export const KEEP_PREFIX = `${TEMP_PREFIX}keep-`;

/** Patterns ignored in every directory unless an ignore file negates them. */
export const DEFAULT_IGNORES: readonly string[] = ["node_modules/"];

/** Files whose rules are read from the root. */
export const IGNORE_FILES: readonly string[] = [".gitignore", ".sandsyncignore"];

/** Options of {@linkcode IgnoreRules}. */
export interface IgnoreRulesOptions {
  /** Local patterns that no ignore file can negate (the agent's own files under the root). */
  readonly local?: readonly string[];
  /** Sync `.git/` (the workspace's `sync_git` setting); default `false`. */
  readonly syncGit?: boolean;
}

/** Compiled ignore rules of one root. */
export class IgnoreRules {
  readonly #ignore: Ignore;
  readonly #local: Ignore;
  readonly #syncGit: boolean;

  constructor(patterns: readonly string[] = [], options: IgnoreRulesOptions = {}) {
    this.#ignore = ignore().add([...DEFAULT_IGNORES, ...patterns]);
    this.#local = ignore().add([...(options.local ?? [])]);
    this.#syncGit = options.syncGit ?? false;
  }

  /**
   * Loads the defaults plus the root's `.gitignore` and `.sandsyncignore`; `local` patterns
   * (the agent's own files that happen to live under the root, such as the login file when the
   * root is the home directory) are kept apart, where no ignore file can negate them.
   */
  static async load(
    fs: SandboxFs,
    local: readonly string[] = [],
    options: { syncGit?: boolean } = {},
  ): Promise<IgnoreRules> {
    const patterns: string[] = [];
    for (const name of IGNORE_FILES) {
      const entry = await fs.stat(name);
      if (entry?.kind !== "file" || entry.size > 1024 * 1024) continue;
      const source = await fs.openRead(name);
      try {
        const text = new TextDecoder().decode(await source.read(0, source.size));
        patterns.push(...text.split(/\r?\n/));
      } finally {
        await source.close?.();
      }
    }
    return new IgnoreRules(patterns, { local, syncGit: options.syncGit ?? false });
  }

  /** True when `path` (a directory when `isDir`) is not synced. */
  ignores(path: string, isDir = false): boolean {
    if (path === "") return false;
    if (protectedPathProblem(path, { syncGit: this.#syncGit }) !== null) return true;
    const key = isDir ? `${path}/` : path;
    return this.#local.ignores(key) || this.#ignore.ignores(key);
  }

  /** True when `path` or one of its parent directories is ignored (for remote paths). */
  ignoresPath(path: string): boolean {
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      if (this.ignores(segments.slice(0, i).join("/"), true)) return true;
    }
    return this.ignores(path);
  }
}
