import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalFs } from "./local_fs.ts";

async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "sandsync-localfs-" });
  return { dir, fs: new LocalFs(dir) };
}

Deno.test("replaceIfUnchanged() replaces a file still as expected", async () => {
  const { dir, fs } = await setup();
  try {
    await Deno.writeTextFile(join(dir, "a.txt"), "old\n");
    await Deno.writeTextFile(join(dir, ".sandsync-tmp-1"), "new\n");
    const expected = await fs.stat("a.txt");
    const placed = await fs.replaceIfUnchanged(".sandsync-tmp-1", "a.txt", {
      expected,
      keepAs: "a.copy.txt",
    });
    assert.equal(placed, true);
    assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "new\n");
    assert.deepEqual((await fs.list("")).map((e) => e.path), ["a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("replaceIfUnchanged() leaves a file edited since it was looked at", async () => {
  const { dir, fs } = await setup();
  try {
    await Deno.writeTextFile(join(dir, "a.txt"), "old\n");
    const expected = await fs.stat("a.txt");
    await Deno.writeTextFile(join(dir, "a.txt"), "edited here\n");
    await Deno.writeTextFile(join(dir, ".sandsync-tmp-1"), "new\n");
    const placed = await fs.replaceIfUnchanged(".sandsync-tmp-1", "a.txt", {
      expected,
      keepAs: "a.copy.txt",
    });
    assert.equal(placed, false);
    assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "edited here\n");
    assert.deepEqual((await fs.list("")).map((e) => e.path), ["a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("replaceIfUnchanged() never replaces a file created where none was", async () => {
  const { dir, fs } = await setup();
  try {
    await Deno.writeTextFile(join(dir, "a.txt"), "created here\n");
    await Deno.writeTextFile(join(dir, ".sandsync-tmp-1"), "new\n");
    const placed = await fs.replaceIfUnchanged(".sandsync-tmp-1", "a.txt", {
      expected: null,
      keepAs: "a.copy.txt",
    });
    assert.equal(placed, false);
    assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "created here\n");
    assert.deepEqual((await fs.list("")).map((e) => e.path), ["a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeIfUnchanged() removes a file still as expected, and leaves an edited one", async () => {
  const { dir, fs } = await setup();
  try {
    await Deno.writeTextFile(join(dir, "a.txt"), "old\n");
    await Deno.writeTextFile(join(dir, "b.txt"), "old\n");
    const a = (await fs.stat("a.txt"))!;
    const b = (await fs.stat("b.txt"))!;
    await Deno.writeTextFile(join(dir, "b.txt"), "edited here\n");
    assert.equal(await fs.removeIfUnchanged("a.txt", { expected: a, keepAs: "a.copy.txt" }), true);
    assert.equal(await fs.removeIfUnchanged("b.txt", { expected: b, keepAs: "b.copy.txt" }), false);
    assert.equal(await Deno.readTextFile(join(dir, "b.txt")), "edited here\n");
    assert.deepEqual((await fs.list("")).map((e) => e.path), ["b.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
