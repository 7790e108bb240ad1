/**
 * Which sandbox paths the bridge does not sync: the defaults every Sandsync replica applies
 * (`.git/`, `node_modules/`, the agent's `.sandsync/` and its temp files), then the root's
 * `.gitignore` and `.sandsyncignore` in `.gitignore` syntax (the `ignore` package, the same
 * rules as the agent's `agent/ignore_rules.ts`).
 *
 * @module
 */
import ignore, { type Ignore } from "ignore";

/** Prefix of temp files (downloads in progress), ignored everywhere. */
export const TEMP_PREFIX = ".sandsync-tmp-";

/** Patterns ignored in every directory. */
export const DEFAULT_IGNORES: readonly string[] = [
  ".git/",
  "node_modules/",
  ".sandsync/",
  `${TEMP_PREFIX}*`,
];

/** Files at the root whose rules are added to the defaults. */
export const IGNORE_FILES: readonly string[] = [".gitignore", ".sandsyncignore"];

/** Largest ignore file read (a bigger one is not a list of patterns). */
export const MAX_IGNORE_FILE_BYTES = 256 * 1024;

/** Compiled ignore rules of one root. */
export class IgnoreRules {
  readonly #ignore: Ignore;

  constructor(patterns: readonly string[] = []) {
    this.#ignore = ignore().add([...DEFAULT_IGNORES, ...patterns]);
  }

  /** Rules from the text of ignore files (one pattern per line). */
  static fromTexts(texts: readonly string[]): IgnoreRules {
    return new IgnoreRules(texts.flatMap((text) => text.split(/\r?\n/)));
  }

  /** True when `path` (root-relative; `dir` for directories) is not synced. */
  ignores(path: string, dir = false): boolean {
    return this.#ignore.ignores(dir ? `${path}/` : path);
  }
}
