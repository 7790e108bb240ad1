import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../../shared/hash.ts";
import { hashTree, randomBytes, workspaceRows } from "../agent/robust_support.ts";
import { newAccount, newRoot, runCli, spawnCli, write } from "../agent/support.ts";

const TRIALS = 20;
const MiB = 1024 * 1024;

/** A seeded PRNG (mulberry32), so a failing series can be replayed with KILL_SEED. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

type Random = ReturnType<typeof prng>;

/**
 * Random creates, edits and deletes under one side's own folder (the sides never touch the
 * same path, so every outcome is determined and no conflict is expected); `model` is what
 * the workspace must hold afterwards (path → SHA-256).
 */
async function mutate(
  dir: string,
  side: string,
  model: Map<string, string>,
  random: Random,
  trial: number,
) {
  const mine = [...model.keys()].filter((path) => path.startsWith(`${side}/`));
  for (let op = 0, ops = 2 + random.int(6); op < ops; op++) {
    const roll = random.next();
    if (roll < 0.3 && mine.length > 8) {
      const [path] = mine.splice(random.int(mine.length), 1);
      await Deno.remove(join(dir, path!));
      model.delete(path!);
      continue;
    }
    const path = roll < 0.6 && mine.length > 0
      ? mine[random.int(mine.length)]!
      : `${side}/t${trial}/f${op}-${random.int(1e6)}.txt`;
    // Mostly small files (inline); now and then one for a signed PUT or for TUS.
    const big = random.next();
    const bytes = big < 0.06
      ? randomBytes(7 * MiB + random.int(MiB))
      : big < 0.2
      ? randomBytes(300_000 + random.int(MiB))
      : new TextEncoder().encode(`${path} trial ${trial} op ${op} ${random.next()}\n`);
    await write(dir, path, bytes);
    model.set(path, sha256Hex(bytes));
    if (!mine.includes(path)) mine.push(path);
  }
}

function sorted(model: Map<string, string>): Record<string, string> {
  return Object.fromEntries([...model].sort(([a], [b]) => a.localeCompare(b)));
}

Deno.test(`SIGKILL at random points of ${TRIALS} syncs: the agent restarts and converges, nothing lost or doubled`, async () => {
  const seed = Number(Deno.env.get("KILL_SEED") ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`kill trials seed ${seed}`);
  const random = prng(seed);
  const { config, workspace } = await newAccount("kill-trials");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  const workspaceId = a.workspaceId;
  a.close();
  const model = new Map<string, string>();
  const kills: number[] = [];
  let interrupted = 0;
  try {
    for (let i = 0; i < 30; i++) {
      const side = i % 2 === 0 ? "a" : "b";
      const bytes = new TextEncoder().encode(`seed file ${i}\n`);
      await write(side === "a" ? a.dir : b.dir, `${side}/seed/f${i}.txt`, bytes);
      model.set(`${side}/seed/f${i}.txt`, sha256Hex(bytes));
    }
    assert.equal((await runCli(config, ["sync", a.dir, "--quiet"])).code, 0);
    await b.sync();
    // Kill points are drawn over the length of a run as the trials start it, on this machine
    // (start-up included; a trial pushes and pulls, so half as long again as a no-op run).
    const started = Date.now();
    const warm = spawnCli(config, ["sync", a.dir, "--quiet"]);
    assert.equal((await warm.output()).code, 0);
    const span = Math.max(300, Math.round((Date.now() - started) * 1.5));

    for (let trial = 1; trial <= TRIALS; trial++) {
      await mutate(a.dir, "a", model, random, trial);
      await mutate(b.dir, "b", model, random, trial);
      await b.sync(); // so A's killed run has remote changes to pull as well as its own to push
      const delay = 20 + random.int(span);
      kills.push(delay);
      const child = spawnCli(config, ["sync", a.dir, "--quiet"]);
      let exited = false;
      child.status.then(() => exited = true);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (!exited) {
        try {
          child.kill("SIGKILL");
          interrupted++;
        } catch { /* it exited just now */ }
      }
      await child.status;
      await child.stdout.cancel();
      await child.stderr.cancel();

      const restarted = await runCli(config, ["sync", a.dir, "--json"]);
      assert.equal(restarted.code, 0, `trial ${trial} (seed ${seed}): ${restarted.stderr}`);
      await b.sync();
      const expected = sorted(model);
      assert.deepEqual(await hashTree(a.dir), expected, `A after trial ${trial} (seed ${seed})`);
      assert.deepEqual(await hashTree(b.dir), expected, `B after trial ${trial} (seed ${seed})`);
    }

    // Settled: another run finds nothing to do, and the workspace holds each path once.
    const again = JSON.parse((await runCli(config, ["sync", a.dir, "--json"])).stdout);
    assert.deepEqual([again.uploaded, again.downloaded, again.deleted], [0, 0, 0]);
    const rows = await workspaceRows(workspaceId);
    assert.deepEqual(rows.live, sorted(model));
    assert.deepEqual(rows.conflicts, [], "no conflict from a replayed commit");
    assert.deepEqual(rows.versions.filter((v) => v.outcome !== "applied"), []);
    console.log(
      `killed after ${kills.join(", ")} ms (runs take ~${span} ms); ${interrupted} interrupted`,
    );
    assert.ok(interrupted >= TRIALS / 4, `only ${interrupted} kills hit a running agent`);
  } finally {
    b.close();
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
    await Deno.remove(b.dir, { recursive: true }).catch(() => {});
  }
});
