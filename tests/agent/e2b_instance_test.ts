import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanup, cliEnv, newAccount, newRoot, tree, write } from "./support.ts";

const CLI = fileURLToPath(new URL("../../agent/cli.ts", import.meta.url));

Deno.test("E2B_SANDBOX_ID is the instance: a new sandbox missing files is restored, not read as deletions", async () => {
  const { config, workspace } = await newAccount("e2b");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  const sandsync = async (sandbox: string, ...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, ...args],
      env: { ...cliEnv(config), E2B_SANDBOX_ID: sandbox, SANDSYNC_INSTANCE: "" },
      stdin: "null",
    }).output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    assert.equal(out.code, 0, text(out.stderr));
    return JSON.parse(text(out.stdout));
  };
  try {
    for (let i = 0; i < 12; i++) await write(a.dir, `src/f${i}.ts`, `export const n = ${i};\n`);
    assert.equal((await sandsync("sbx-one", "sync", a.dir, "--json")).uploaded, 12);
    assert.equal((await sandsync("sbx-one", "status", a.dir, "--json")).syncedInstance, "sbx-one");
    // A new sandbox comes up from a snapshot of the directory (state included) that lacks
    // four files: under sbx-one that would be four deletions (below --max-delete).
    for (let i = 0; i < 4; i++) await Deno.remove(join(a.dir, `src/f${i}.ts`));
    const first = await sandsync("sbx-two", "sync", a.dir, "--json");
    assert.deepEqual([first.restored, first.deleted, first.downloaded], [true, 0, 4]);
    assert.equal(Object.keys(await tree(a.dir)).length, 12);
    assert.equal((await b.sync()).downloaded, 12);
    // From then on sbx-two is known: a deletion there is a deletion.
    await Deno.remove(join(a.dir, "src/f5.ts"));
    const next = await sandsync("sbx-two", "sync", a.dir, "--json");
    assert.deepEqual([next.restored, next.deleted], [false, 1]);
    assert.equal((await b.sync()).deleted, 1);
    assert.equal(Object.keys(await tree(b.dir)).length, 11);
  } finally {
    await cleanup(a, b);
  }
});
