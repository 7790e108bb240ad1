/**
 * The benchmark corpus (5,000 real source files, 52.2 MB) built by the maintainers' script
 * `make-corpus.sh`, which is not part of this repository (developers and CI keep it in a
 * `shared/bench/` folder beside the checkout; {@linkcode corpusScript} says where it is looked
 * for), cached between runs under a cache directory and keyed by the script and its lock file, so
 * a change to either rebuilds it.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../../shared/hash.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** The content digest of the corpus the reference figures were measured on (docs/benchmarks.md). */
export const CORPUS_DIGEST_PREFIX = "a261f493933a3c1b";

/** A built corpus: where it is and what the script said about it. */
export interface Corpus {
  readonly dir: string;
  /** The script's summary lines (file count, size, content digest). */
  readonly summary: string;
  /** True when the content digest is the one the reference figures were measured on. */
  readonly matchesReference: boolean;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `make-corpus.sh` is: `SANDSYNC_CORPUS_SCRIPT`, else `shared/bench/` in the directory
 * that holds the checkout, else `/work/shared/bench/` (a git worktree sits deeper than the main
 * checkout).
 */
export function corpusScript(env: Record<string, string | undefined> = Deno.env.toObject()) {
  const candidates = [
    env.SANDSYNC_CORPUS_SCRIPT,
    join(ROOT, "..", "shared", "bench", "make-corpus.sh"),
    "/work/shared/bench/make-corpus.sh",
  ].filter((path): path is string => Boolean(path));
  const found = candidates.find(exists);
  if (!found) {
    throw new Error(
      `Cannot find make-corpus.sh: tried ${candidates.map((c) => `"${c}"`).join(", ")}`,
    );
  }
  return found;
}

/** The cache directory: `SANDSYNC_BENCH_CACHE`, else `$TMPDIR/sandsync-bench-cache`. */
export function cacheDir(env: Record<string, string | undefined> = Deno.env.toObject()): string {
  return env.SANDSYNC_BENCH_CACHE ?? join(env.TMPDIR ?? "/tmp", "sandsync-bench-cache");
}

/** Builds the corpus (or reuses the cached build) and returns it. */
export async function ensureCorpus(log: (message: string) => void): Promise<Corpus> {
  const script = corpusScript();
  const lock = join(dirname(script), "corpus.package-lock.json");
  const key = sha256Hex(
    new TextEncoder().encode(
      Deno.readTextFileSync(script) + (exists(lock) ? Deno.readTextFileSync(lock) : ""),
    ),
  ).slice(0, 16);
  const cache = cacheDir();
  const dir = join(cache, `corpus-${key}`);
  const done = `${dir}.summary`;
  if (!exists(done) || !exists(dir)) {
    log(`building the corpus with ${script} (cached in ${cache})`);
    await Deno.mkdir(cache, { recursive: true });
    const building = `${dir}.building`;
    await Deno.remove(building, { recursive: true }).catch(() => {});
    const output = await new Deno.Command("bash", {
      args: [script],
      env: { CORPUS: building, WORK_DIR: join(cache, "work") },
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(output.stdout);
    if (!output.success) {
      throw new Error(
        `make-corpus.sh failed (exit ${output.code}): ${new TextDecoder().decode(output.stderr)}`,
      );
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.rename(building, dir);
    await Deno.writeTextFile(done, text);
  }
  const summary = (await Deno.readTextFile(done)).trim();
  return { dir, summary, matchesReference: summary.includes(CORPUS_DIGEST_PREFIX) };
}

/** Copies `from` to `to` (`cp -a`: mtimes and modes kept, as a checkout would have them). */
export async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  const output = await new Deno.Command("cp", { args: ["-a", `${from}/.`, to] }).output();
  if (!output.success) throw new Error(`cp -a failed: ${new TextDecoder().decode(output.stderr)}`);
}
