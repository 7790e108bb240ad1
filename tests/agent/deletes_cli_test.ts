import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cleanup,
  eventually,
  newAccount,
  newRoot,
  runCli,
  spawnCli,
  tree,
  write,
} from "./support.ts";

async function stop(child: Deno.ChildProcess) {
  try {
    child.kill("SIGTERM");
  } catch { /* exited */ }
  await child.status;
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
}

Deno.test("watch mode: held deletions are rejected (files come back) or confirmed from the CLI", async () => {
  const { config, workspace } = await newAccount("held");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  const names = Array.from({ length: 12 }, (_, i) => `d/f${i}.txt`);
  for (const name of names) await write(a.dir, name, `${name}\n`);
  await a.sync();
  await b.sync();
  a.close(); // the test holds no handle on the daemon's state: it asks through the CLI
  const daemon = spawnCli(config, ["watch", a.dir, "--quiet"]);
  const held = async () => {
    const status = await runCli(config, ["status", a.dir, "--json"]);
    return Number(JSON.parse(status.stdout || "{}").heldDeletes ?? 0);
  };
  const removeTen = async () => {
    for (const name of names.slice(0, 10)) await Deno.remove(join(a.dir, name));
    await eventually(async () => await held() === 10, 15_000, "the daemon to hold 10 deletions");
  };
  try {
    await eventually(
      async () => {
        const status = await runCli(config, ["status", a.dir, "--json"]);
        return JSON.parse(status.stdout || "{}").watching === true;
      },
      15_000,
      "the daemon to start",
    );
    assert.equal(
      (await runCli(config, ["confirm-deletes", a.dir])).stdout.trim(),
      "no deletions are held",
    );
    await removeTen();
    const status = await runCli(config, ["status", a.dir, "--json"]);
    assert.equal(status.code, 4, status.stderr);
    assert.equal(JSON.parse(status.stdout).heldDeletes, 10);

    // Rejected: the daemon brings the files back from the workspace; nothing is deleted.
    const rejected = await runCli(config, ["reject-deletes", a.dir, "--json"]);
    assert.equal(rejected.code, 0, rejected.stderr);
    const answer = JSON.parse(rejected.stdout);
    assert.deepEqual(
      [answer.decision, answer.decided, answer.heldDeletes, answer.rejectedDeletes],
      ["reject", 10, 0, 10],
    );
    assert.equal(Object.keys(await tree(a.dir)).length, 12);
    assert.equal(await Deno.readTextFile(join(a.dir, "d/f3.txt")), "d/f3.txt\n");
    assert.equal((await b.sync()).deleted, 0);

    // Confirmed: the daemon commits them.
    const beforeDeletes = new Date().toISOString();
    await removeTen();
    const confirmed = await runCli(config, ["confirm-deletes", a.dir]);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.match(confirmed.stdout, /confirmed 10 held deletions/);
    assert.equal((await b.sync()).deleted, 10);
    assert.deepEqual(Object.keys(await tree(b.dir)).sort(), ["d/f10.txt", "d/f11.txt"]);

    // A restore beside the daemon: committed by the CLI, written here by the daemon.
    const restored = await runCli(config, [
      "restore",
      "d/f0.txt",
      a.dir,
      "--at",
      beforeDeletes,
      "--json",
    ]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(JSON.parse(restored.stdout).restored[0].localMatches, true);
    assert.equal(await Deno.readTextFile(join(a.dir, "d/f0.txt")), "d/f0.txt\n");
  } finally {
    await stop(daemon);
    await cleanup(a, b);
  }
});

Deno.test("reject-deletes without a daemon restores the held files in this process", async () => {
  const { config, workspace } = await newAccount("held-once");
  const a = await newRoot(config, workspace);
  try {
    for (let i = 0; i < 10; i++) await write(a.dir, `f${i}.txt`, `${i}\n`);
    await a.sync();
    for (let i = 0; i < 8; i++) await Deno.remove(join(a.dir, `f${i}.txt`));
    assert.equal((await a.sync()).heldDeletes, 8);
    const rejected = await runCli(config, ["reject-deletes", a.dir, "--json"]);
    assert.equal(rejected.code, 0, rejected.stderr);
    const outcome = JSON.parse(rejected.stdout);
    assert.deepEqual([outcome.rejectedDeletes, outcome.deleted, outcome.heldDeletes], [8, 0, 0]);
    assert.equal(Object.keys(await tree(a.dir)).length, 10);
  } finally {
    await cleanup(a);
  }
});
