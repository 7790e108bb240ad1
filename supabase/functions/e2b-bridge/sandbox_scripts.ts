/**
 * The bash scripts the bridge runs inside a sandbox to touch many files in one envd request, and
 * the parsers of what they print. Each script runs with its working directory at the sync root
 * and names files relative to it; every path is single-quoted (`shellQuote`) and globbing is off,
 * so no name is ever interpreted. Synced paths hold no control characters and no backslash
 * (`shared/paths/path_rules.ts`), so one line of output per file is unambiguous, and tools print
 * such names unescaped (`sha256sum`, `find -printf`).
 *
 * - {@linkcode pullScript}: hashes the candidates (`sha256sum`), tells the ones whose hash the
 *   bridge already knows, and archives the others into one tar file for one streamed download.
 * - {@linkcode inspectScript}: before a restore writes, which paths lie below a symlinked
 *   directory, and the size, mtime and hash of the regular files already there.
 * - {@linkcode installScript}: after a tar was uploaded, extracts it into a fresh staging
 *   directory, verifies every file by SHA-256 there, and renames the good ones into place, one
 *   `mv` per target directory, each directory checked for symlinks just before.
 * - {@linkcode removeScript}: removes regular files (never directories).
 *
 * GNU tar, find, xargs and coreutils are assumed (E2B's templates are Debian based).
 *
 * @module
 */
import { shellQuote as q } from "./e2b_fs.ts";

/** The script preamble: no globbing, unset variables are errors, the root remembered. */
const PREAMBLE = "set -f -u\nR=$PWD\n";

/**
 * `linked <dir>`: true when `dir` (root-relative) or one of its ancestors is a symlink, judged
 * on the spot (memoised per script run).
 */
const LINKED = `declare -A D=()
linked() {
  local IFS=/ p='' s
  for s in $1; do
    p=\${p:+$p/}$s
    case \${D[$p]-} in 1) return 0 ;; 0) continue ;; esac
    if [[ -L $R/$p ]]; then D[$p]=1; return 0; fi
    D[$p]=0
  done
  return 1
}
`;

/** A bash array literal of quoted words. */
function array(name: string, words: readonly string[]): string {
  return `${name}=(${words.map(q).join(" ")})\n`;
}

/** Milliseconds of a `find -printf %T@` timestamp (`seconds.fraction`), truncated like envd's. */
export function parseFindTime(text: string): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return 0;
  return Number(match[1]) * 1000 + Number((match[2] ?? "").slice(0, 3).padEnd(3, "0"));
}

/** What a pull page asks the sandbox. */
export interface PullScriptInput {
  /** Candidate files (root-relative). */
  readonly paths: readonly string[];
  /** Hashes the bridge already knows per path: those files are reported, not archived. */
  readonly known: ReadonlyMap<string, readonly string[]>;
  /** Root-relative name of the tar file to write. */
  readonly tar: string;
}

/** The hashes a pull script printed, and whether it wrote the tar file. */
export interface PullScriptOutput {
  /** SHA-256 of every candidate that could be read; `changed` ones are in the tar. */
  readonly hashes: ReadonlyMap<string, { readonly sha256: string; readonly changed: boolean }>;
  readonly archived: boolean;
}

/** Hashes `paths`, prints `K|C <sha256> <path>` for each, archives the `C` ones into `tar`. */
export function pullScript(input: PullScriptInput): string {
  const known = [...input.known].filter(([, hashes]) => hashes.length > 0)
    .map(([path, hashes]) => `[${q(`./${path}`)}]=${q(` ${hashes.join(" ")} `)}`);
  return PREAMBLE + `T=${q(input.tar)}\n` +
    `declare -A K=(${known.join(" ")})\n` +
    array("P", input.paths.map((path) => `./${path}`)) +
    // The sums go through a file: bash reads a pipe one byte at a time, a file by blocks.
    `L=()
printf '%s\\0' "\${P[@]}" | xargs -0 -r sha256sum -- > "$T.sums" 2>/dev/null
while IFS= read -r line; do
  h=\${line:0:64} p=\${line:66}
  if [[ \${K[$p]-} == *" $h "* ]]; then printf 'K %s %s\\n' "$h" "\${p:2}"
  else printf 'C %s %s\\n' "$h" "\${p:2}"; L+=("$p"); fi
done < "$T.sums"
rm -f -- "$T.sums"
if ((\${#L[@]})); then
  rm -f -- "$T"
  printf '%s\\n' "\${L[@]}" | tar -c -f "$T" --no-recursion --hard-dereference -T - 2>/dev/null
  printf 'T %s\\n' "$?"
fi
`;
}

/** Parses a pull script's output; lines naming paths it was not asked about are dropped. */
export function parsePullScript(stdout: string, asked: ReadonlySet<string>): PullScriptOutput {
  const hashes = new Map<string, { sha256: string; changed: boolean }>();
  let archived = false;
  for (const line of stdout.split("\n")) {
    const match = /^([KC]) ([0-9a-f]{64}) (.+)$/.exec(line);
    if (match && asked.has(match[3]!) && !hashes.has(match[3]!)) {
      hashes.set(match[3]!, { sha256: match[2]!, changed: match[1] === "C" });
    } else if (/^T \d+$/.test(line)) archived = true;
  }
  return { hashes, archived };
}

/** What a file in the sandbox is: size and mtime as a listing reports them. */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
}

/** What {@linkcode inspectScript} found. */
export interface Inspection {
  /** Paths below a symlinked directory (never written). */
  readonly linked: ReadonlySet<string>;
  /** Regular files already there (not symlinks): their SHA-256 and stat. */
  readonly files: ReadonlyMap<string, FileStat & { readonly sha256: string }>;
}

/** Prints `L <path>` for paths below a symlinked directory, `S`/hash lines for regular files. */
export function inspectScript(paths: readonly string[]): string {
  return PREAMBLE + LINKED + array("P", paths) + `Q=()
for p in "\${P[@]}"; do
  d=\${p%/*}
  if [[ $d != "$p" ]] && linked "$d"; then printf 'L %s\\n' "$p"; else Q+=("./$p"); fi
done
if ((\${#Q[@]})); then
  printf '%s\\0' "\${Q[@]}" | xargs -0 -r sh -c \\
    'exec find "$@" -maxdepth 0 -type f -printf "S %s %T@ %p\\n" -exec sha256sum -- {} +' sh \\
    2>/dev/null
fi
`;
}

/** Parses an inspection; lines naming paths it was not asked about are dropped. */
export function parseInspection(stdout: string, asked: ReadonlySet<string>): Inspection {
  const linked = new Set<string>();
  const stats = new Map<string, FileStat>();
  const sums = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    let match = /^L (.+)$/.exec(line);
    if (match && asked.has(match[1]!)) {
      linked.add(match[1]!);
      continue;
    }
    match = /^S (\d+) ([\d.]+) \.\/(.+)$/.exec(line);
    if (match && asked.has(match[3]!)) {
      stats.set(match[3]!, { size: Number(match[1]), mtimeMs: parseFindTime(match[2]!) });
      continue;
    }
    match = /^([0-9a-f]{64}) {2}\.\/(.+)$/.exec(line);
    if (match && asked.has(match[2]!)) sums.set(match[2]!, match[1]!);
  }
  const files = new Map<string, FileStat & { sha256: string }>();
  for (const [path, stat] of stats) {
    const sha256 = sums.get(path);
    if (sha256 && !linked.has(path)) files.set(path, { ...stat, sha256 });
  }
  return { linked, files };
}

/** One file an install puts in place. */
export interface InstallFile {
  /** Root-relative target path. */
  readonly path: string;
  /** Its name in the archive (`<directory index>/<base name>`). */
  readonly member: string;
  readonly sha256: string;
  /** Permission bits to leave it with. */
  readonly mode: number;
}

/** What {@linkcode installScript} did. */
export interface InstallOutput {
  /** Files renamed into place, with their stat. */
  readonly written: ReadonlyMap<string, FileStat>;
  readonly refused: readonly {
    readonly path: string;
    readonly reason: "symlinked_parent" | "hash_mismatch" | "not_a_file";
  }[];
  /** Why the archive could not be unpacked at all (nothing was written then). */
  readonly failed: string | null;
}

/** The mode bits the archive gives a member: owner read-write, so it can be hashed and moved. */
export function archiveMode(mode: number): number {
  return (mode & 0o777) | 0o600;
}

/**
 * Extracts `tar` into `staging` (created fresh), verifies each member by SHA-256, fixes modes
 * the archive could not carry, checks each target directory for symlinks, renames the good
 * members into place, and removes the staging directory and the tar. Prints `W <size> <mtime>
 * ./<path>` per file written and `L|M|F <path>` per file refused.
 */
export function installScript(
  input: { readonly tar: string; readonly staging: string; readonly files: readonly InstallFile[] },
): string {
  const byDir = Map.groupBy(input.files, (file) => file.member.slice(0, file.member.indexOf("/")));
  const chmods = Map.groupBy(
    input.files.filter((file) => archiveMode(file.mode) !== (file.mode & 0o777)),
    (file) => file.mode & 0o777,
  );
  let calls = "";
  for (const [mode, files] of chmods) {
    calls += `chmod ${mode.toString(8)} -- ${
      files.map((f) => q(f.member)).join(" ")
    } 2>/dev/null\n`;
  }
  for (const [index, files] of byDir) {
    const dir = parentOf(files[0]!.path);
    const words = files.flatMap((file) => [baseOf(file.path), file.sha256]);
    calls += `put ${q(index)} ${q(dir)} ${words.map(q).join(" ")}\n`;
  }
  return PREAMBLE + LINKED + `S=${q(input.staging)} T=${q(input.tar)}
fail() { cd -- "$R"; rm -rf -- "$S" "$T" "$S.sums"; printf 'E %s\\n' "$1"; exit 0; }
mkdir -m 700 -- "$S" 2>/dev/null || fail mkdir
cd -- "$S" || fail cd
tar -x -m -p --no-same-owner -f "$R/$T" 2>/dev/null || fail tar
rm -f -- "$R/$T"
declare -A H=()
find . -type f -exec sha256sum -- {} + > "$R/$S.sums" 2>/dev/null
while IFS= read -r line; do H[\${line:66}]=\${line:0:64}; done < "$R/$S.sums"
rm -f -- "$R/$S.sums"
W=()
put() {
  local k=$1 d=$2 n h ok=()
  shift 2
  local t=$R\${d:+/$d}
  if [[ -n $d ]] && linked "$d"; then
    while (($#)); do printf 'L %s\\n' "$d/$1"; shift 2; done
    return 0
  fi
  [[ -d $t ]] || mkdir -p -- "$t" 2>/dev/null
  while (($#)); do
    n=$1 h=$2
    shift 2
    if [[ \${H[./$k/$n]-} == "$h" ]]; then ok+=("$k/$n"); else printf 'M %s\\n' "\${d:+$d/}$n"; fi
  done
  ((\${#ok[@]})) || return 0
  mv -f -t "$t" -- "\${ok[@]}" 2>/dev/null
  for n in "\${ok[@]}"; do
    if [[ -e $n || -L $n ]]; then printf 'F %s\\n' "\${d:+$d/}\${n#*/}"
    else W+=("./\${d:+$d/}\${n#*/}"); fi
  done
}
` + calls + `cd -- "$R" && rm -rf -- "$S"
if ((\${#W[@]})); then
  printf '%s\\0' "\${W[@]}" | xargs -0 -r sh -c \\
    'exec find "$@" -maxdepth 0 -printf "W %s %T@ %p\\n"' sh 2>/dev/null
fi
`;
}

/** Parses an install's output; lines naming paths it was not asked about are dropped. */
export function parseInstall(stdout: string, asked: ReadonlySet<string>): InstallOutput {
  const written = new Map<string, FileStat>();
  const refused: { path: string; reason: "symlinked_parent" | "hash_mismatch" | "not_a_file" }[] =
    [];
  const reasons = { L: "symlinked_parent", M: "hash_mismatch", F: "not_a_file" } as const;
  let failed: string | null = null;
  for (const line of stdout.split("\n")) {
    let match = /^W (\d+) ([\d.]+) \.\/(.+)$/.exec(line);
    if (match && asked.has(match[3]!)) {
      written.set(match[3]!, { size: Number(match[1]), mtimeMs: parseFindTime(match[2]!) });
      continue;
    }
    match = /^([LMF]) (.+)$/.exec(line);
    if (match && asked.has(match[2]!)) {
      refused.push({ path: match[2]!, reason: reasons[match[1] as keyof typeof reasons] });
      continue;
    }
    match = /^E (\w+)$/.exec(line);
    if (match) failed = match[1]!;
  }
  return { written, refused, failed };
}

/** Removes regular files and symlinks (`rm -f`, never a directory). */
export function removeScript(paths: readonly string[]): string {
  return PREAMBLE + array("P", paths.map((path) => `./${path}`)) +
    `printf '%s\\0' "\${P[@]}" | xargs -0 -r rm -f -- 2>/dev/null\n`;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
