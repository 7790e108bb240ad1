/**
 * Which paths are not synced, in three layers evaluated in order:
 * 1. the built-in protected set (`.sandsync/`, `.sandsync-tmp-*`, `.git/` unless the workspace
 *    opted in; `shared/paths/protected_paths.ts`), which no ignore file can negate;
 * 2. local patterns no replica can change by syncing a file (the agent's login/config directory
 *    when it lies under the root), also beyond the reach of ignore files;
 * 3. the defaults (`node_modules/`) and the root's `.gitignore` and `.sandsyncignore` in
 *    `.gitignore` syntax (the `ignore` package, as eslint uses).
 * One implementation for the agent (local scans and remote changes, so an ignored path is never
 * written either way) and the E2B bridge (sandbox listings and restores).
 *
 * @module
 */
import ignore, { type Ignore } from "ignore";
import { protectedPathProblem, TEMP_PREFIX } from "./protected_paths.ts";
import type { FsEntry, SandboxFs } from "../sandbox_fs.ts";

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

/** Largest ignore file the agent reads by default (a bigger one is not a list of patterns). */
export const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

/** Options of {@linkcode IgnoreRules}. */
export interface IgnoreRulesOptions {
  /** Local patterns that no ignore file can negate (the agent's own files under the root). */
  readonly local?: readonly string[];
  /** Sync `.git/` (the workspace's `sync_git` setting); default `false`. */
  readonly syncGit?: boolean;
}

/** How {@linkcode IgnoreRules.read} reaches the root's ignore files. */
export interface IgnoreFileReader {
  /** The root entry `name` (symlinks not followed); `null` or `undefined` when absent. */
  stat(name: string): Promise<Pick<FsEntry, "kind" | "size"> | null | undefined>;
  /** The whole text of the regular file `name` (UTF-8). */
  readText(name: string): Promise<string>;
}

/** Options of {@linkcode IgnoreRules.read}. */
export interface IgnoreReadOptions extends IgnoreRulesOptions {
  /** Ignore files larger than this are skipped; default {@linkcode MAX_IGNORE_FILE_BYTES}. */
  readonly maxFileBytes?: number;
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

  /** Rules from the texts of ignore files (one pattern per line). */
  static fromTexts(texts: readonly string[], options: IgnoreRulesOptions = {}): IgnoreRules {
    return new IgnoreRules(texts.flatMap((text) => text.split(/\r?\n/)), options);
  }

  /**
   * Reads the root's `.gitignore` and `.sandsyncignore` (regular files no larger than
   * `maxFileBytes`; anything else is skipped) through `reader` and compiles them over the
   * defaults; `local` patterns are kept apart, where no ignore file can negate them.
   */
  static async read(
    reader: IgnoreFileReader,
    options: IgnoreReadOptions = {},
  ): Promise<IgnoreRules> {
    const max = options.maxFileBytes ?? MAX_IGNORE_FILE_BYTES;
    const texts: string[] = [];
    for (const name of IGNORE_FILES) {
      const entry = await reader.stat(name);
      if (entry?.kind !== "file" || entry.size > max) continue;
      texts.push(await reader.readText(name));
    }
    return IgnoreRules.fromTexts(texts, { local: options.local, syncGit: options.syncGit });
  }

  /**
   * Loads the defaults plus the root's `.gitignore` and `.sandsyncignore` from a
   * {@linkcode SandboxFs}; `local` patterns (the agent's own files that happen to live under the
   * root, such as the login file when the root is the home directory) are kept apart, where no
   * ignore file can negate them.
   */
  static load(
    fs: SandboxFs,
    local: readonly string[] = [],
    options: { syncGit?: boolean } = {},
  ): Promise<IgnoreRules> {
    return IgnoreRules.read({
      stat: (name) => fs.stat(name),
      readText: async (name) => {
        const source = await fs.openRead(name);
        try {
          return new TextDecoder().decode(await source.read(0, source.size));
        } finally {
          await source.close?.();
        }
      },
    }, { local, syncGit: options.syncGit ?? false });
  }

  /** True when `path` (root-relative; a directory when `isDir`) is not synced; never the root. */
  ignores(path: string, isDir = false): boolean {
    if (path === "") return false;
    if (protectedPathProblem(path, { syncGit: this.#syncGit }) !== null) return true;
    const key = isDir ? `${path}/` : path;
    return this.#local.ignores(key) || this.#ignore.ignores(key);
  }

  /** True when `path` or one of its parent directories is ignored (remote paths, paths to write). */
  ignoresPath(path: string): boolean {
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      if (this.ignores(segments.slice(0, i).join("/"), true)) return true;
    }
    return this.ignores(path);
  }
}
