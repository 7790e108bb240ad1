// One file over the quota holds back only itself (issue 12 §5): the files that fit are
// committed, the big one is reported per path by `sandsync status` (also --json), and pulls go on.
import assert from "node:assert/strict";
import { connect } from "../db/db_support.ts";
import { newUser } from "../support/api.ts";
import { cleanup, newRoot, runCli, tree, write } from "./support.ts";

const sql = connect(1);

Deno.test("a file over the quota is held back; the rest is pushed and pulls continue", async () => {
  const { id, client, env } = await newUser("quota-hold");
  const config = { url: env.apiUrl, anonKey: env.anonKey, token: client.bearer };
  const workspace = `ws-${crypto.randomUUID().slice(0, 8)}`;
  await sql`insert into sandsync.quotas (owner_id, limit_bytes) values (${id}, ${64 * 1024})
    on conflict (owner_id) do update set limit_bytes = excluded.limit_bytes`;
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    await write(a.dir, "src/app.ts", "export const app = 1;\n");
    await write(a.dir, "src/util.ts", "export const util = 2;\n");
    await write(a.dir, "data/big.bin", new Uint8Array(200 * 1024).fill(7));
    const first = await runCli(config, ["sync", a.dir]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout + first.stderr, /data\/big\.bin/);

    const status = await runCli(config, ["status", a.dir, "--json"]);
    const parsed = JSON.parse(status.stdout) as {
      heldOverQuota: { path: string; size: number; code: string }[];
    };
    assert.deepEqual(parsed.heldOverQuota, [{
      path: "data/big.bin",
      size: 200 * 1024,
      code: "quota_exceeded",
    }]);
    const human = await runCli(config, ["status", a.dir]);
    assert.match(human.stdout, /held over quota 1[^\n]*\n\s+data\/big\.bin \(204800 bytes\)/);

    // The files that fit reached the workspace; another replica's change comes down to `a`.
    await b.sync();
    assert.deepEqual(await tree(b.dir), {
      "src/app.ts": "export const app = 1;\n",
      "src/util.ts": "export const util = 2;\n",
    });
    await write(b.dir, "src/remote.ts", "export const remote = 3;\n");
    await b.sync();
    const again = await runCli(config, ["sync", a.dir]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(
      await Deno.readTextFile(`${a.dir}/src/remote.ts`),
      "export const remote = 3;\n",
      "pulls continue while a file is held back",
    );

    // Once it fits (the quota raised), the held file goes up and the list empties.
    await sql`update sandsync.quotas set limit_bytes = ${1024 * 1024} where owner_id = ${id}`;
    const fits = await runCli(config, ["sync", a.dir]);
    assert.equal(fits.code, 0, fits.stdout + fits.stderr);
    const after = JSON.parse((await runCli(config, ["status", a.dir, "--json"])).stdout) as {
      heldOverQuota: unknown[];
    };
    assert.deepEqual(after.heldOverQuota, []);
    await b.sync();
    assert.equal((await Deno.stat(`${b.dir}/data/big.bin`)).size, 200 * 1024);
  } finally {
    await cleanup(a, b);
  }
});

Deno.test({
  name: "close the quota hold test pool",
  fn: () => sql.end(),
  sanitizeResources: false,
  sanitizeOps: false,
});
