/**
 * Which sandbox paths the bridge does not sync, the same layers as the agent's
 * `agent/ignore_rules.ts`: first the built-in protected set (`.sandsync/`, `.sandsync-tmp-*`,
 * `.git/` unless the workspace opted in; `shared/protected_paths.ts`), which no ignore file can
 * negate; then the defaults (`node_modules/`) and the root's `.gitignore` and `.sandsyncignore`
 * in `.gitignore` syntax (the `ignore` package).
 *
 * @module
 */
import ignore, { type Ignore } from "ignore";
import { protectedPathProblem, TEMP_PREFIX } from "../../../shared/paths/protected_paths.ts";

export { TEMP_PREFIX };

/** Patterns ignored in every directory unless an ignore file negates them. */
export const DEFAULT_IGNORES: readonly string[] = ["node_modules/"];

/** Files at the root whose rules are added to the defaults. */
export const IGNORE_FILES: readonly string[] = [".gitignore", ".sandsyncignore"];

/** Largest ignore file read (a bigger one is not a list of patterns). */
export const MAX_IGNORE_FILE_BYTES = 256 * 1024;

/** Compiled ignore rules of one root. */
export class IgnoreRules {
  readonly #ignore: Ignore;
  readonly #syncGit: boolean;

  constructor(patterns: readonly string[] = [], options: { syncGit?: boolean } = {}) {
    this.#ignore = ignore().add([...DEFAULT_IGNORES, ...patterns]);
    this.#syncGit = options.syncGit ?? false;
  }

  /** Rules from the text of ignore files (one pattern per line). */
  static fromTexts(texts: readonly string[], options: { syncGit?: boolean } = {}): IgnoreRules {
    return new IgnoreRules(texts.flatMap((text) => text.split(/\r?\n/)), options);
  }

  /** True when `path` (root-relative; `dir` for directories) is not synced. */
  ignores(path: string, dir = false): boolean {
    if (protectedPathProblem(path, { syncGit: this.#syncGit }) !== null) return true;
    return this.#ignore.ignores(dir ? `${path}/` : path);
  }

  /** True when `path` or one of its parent directories is ignored (for paths to write). */
  ignoresPath(path: string): boolean {
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      if (this.ignores(segments.slice(0, i).join("/"), true)) return true;
    }
    return this.ignores(path);
  }
}
