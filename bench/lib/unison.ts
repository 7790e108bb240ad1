/**
 * The local-to-local reference: `unison <a> <b> -batch -auto` (Debian's `unison`, installed by
 * `scripts/bench_setup.sh` when missing), with its archives in a directory of its own
 * (`UNISON`), so runs never see another profile's state.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runTimed } from "./procs.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** Installs unison and curl when missing (apt); throws when that fails. */
export async function ensureReferenceTools(): Promise<string> {
  const setup = await new Deno.Command("bash", {
    args: [join(ROOT, "scripts", "bench_setup.sh")],
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!setup.success) throw new Error("scripts/bench_setup.sh failed");
  const version = await new Deno.Command("unison", { args: ["-version"] }).output();
  return new TextDecoder().decode(version.stdout).trim();
}

/** Runs one `unison a b -batch -auto`; returns the wall time in ms. */
export async function unisonSync(a: string, b: string, home: string): Promise<number> {
  const run = await runTimed("unison", [a, b, "-batch", "-auto"], {
    env: { UNISON: home },
    sampleMs: 1000,
  });
  // 0: all synced; 1: some skipped (would be a setup bug here); 2, 3: failures.
  if (run.code !== 0) throw new Error(`unison: exit ${run.code}: ${run.stderr.slice(-2000)}`);
  return run.ms;
}
