/**
 * Which paths are not synced: defaults (`.git/`, `node_modules/`, the agent's own `.sandsync/`
 * and its temp files), then the root's `.gitignore` and `.sandsyncignore` in `.gitignore`
 * syntax (the `ignore` package, as eslint uses). The same rules are applied to local scans
 * and to remote changes, so an ignored path is never written either way.
 *
 * @module
 */
import ignore, { type Ignore } from "ignore";
import type { SandboxFs } from "./sandbox_fs.ts";

/** Prefix of the agent's temp files (downloads in progress), ignored everywhere. */
export const TEMP_PREFIX = ".sandsync-tmp-";
/**
 * Prefix (under {@linkcode TEMP_PREFIX}, so ignored) of a local file moved aside for an
 * instant while a remote change replaces it (`LocalFs.replaceIfUnchanged`); the scan puts back
 * one that a kill left behind.
 */
export const KEEP_PREFIX = `${TEMP_PREFIX}keep-`;

/** Patterns ignored in every directory. */
export const DEFAULT_IGNORES: readonly string[] = [
  ".git/",
  "node_modules/",
  ".sandsync/",
  `${TEMP_PREFIX}*`,
];

/** Files whose rules are read from the root. */
export const IGNORE_FILES: readonly string[] = [".gitignore", ".sandsyncignore"];

/** Compiled ignore rules of one root. */
export class IgnoreRules {
  readonly #ignore: Ignore;

  constructor(patterns: readonly string[] = []) {
    this.#ignore = ignore().add([...DEFAULT_IGNORES, ...patterns]);
  }

  /**
   * Loads the defaults plus the root's `.gitignore` and `.sandsyncignore`; `extra` patterns
   * come first (the agent's own files that happen to live under the root, such as the login
   * file when the root is the home directory).
   */
  static async load(fs: SandboxFs, extra: readonly string[] = []): Promise<IgnoreRules> {
    const patterns: string[] = [...extra];
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
    return new IgnoreRules(patterns);
  }

  /** True when `path` (a directory when `isDir`) is not synced. */
  ignores(path: string, isDir = false): boolean {
    if (path === "") return false;
    return this.#ignore.ignores(isDir ? `${path}/` : path);
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
