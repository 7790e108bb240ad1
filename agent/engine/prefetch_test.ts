import assert from "node:assert/strict";
import { prefetchBatches } from "./prefetch.ts";
import { changeEntry, liveEntry, withEngine } from "./test_context.ts";

const packed = (path: string, text: string, offset: number, vector = { srv: 2 }) =>
  liveEntry(path, text, {
    url: "http://storage/pack",
    range: { offset, length: new TextEncoder().encode(text).byteLength },
    vector,
  });

Deno.test("prefetchBatches() fetches packed blobs only for changes this replica has not applied", async () => {
  await withEngine({}, ({ ctx, state }) => {
    const mine = packed("mine.txt", "my own commit\n", 0);
    state.put({
      path: "mine.txt",
      vector: { srv: 2 },
      versionId: "v-mine.txt",
      sha256: mine.sha256!,
      size: mine.size,
      mtimeMs: 0,
      ino: null,
      mode: 0o644,
    });
    const entries = [
      mine,
      packed("new.txt", "from the other replica\n", 14),
      liveEntry("loose.bin", "a loose object\n"),
      changeEntry("gone.txt", { deleted: true }),
    ];
    const batches = prefetchBatches(ctx, entries);
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0]!.entries, entries, "every entry is still applied");
    assert.deepEqual(batches[0]!.packed.map((blob) => blob.sha256), [entries[1]!.sha256]);
    // A restore (an emptied directory) needs the bytes of every packed file.
    const restoring = prefetchBatches(ctx, entries, { restore: true });
    assert.deepEqual(
      restoring[0]!.packed.map((blob) => blob.sha256),
      [entries[0]!.sha256, entries[1]!.sha256],
    );
  });
});

Deno.test("prefetchBatches() keeps each batch's packed bytes within the limit", async () => {
  await withEngine({}, ({ ctx }) => {
    const entries = Array.from(
      { length: 10 },
      (_, i) => packed(`f${i}`, "x".repeat(100) + i, i * 101),
    );
    const batches = prefetchBatches(ctx, entries, { limit: 350 });
    assert.deepEqual(batches.map((batch) => batch.packed.length), [3, 3, 3, 1]);
    assert.deepEqual(batches.flatMap((batch) => batch.entries), entries);
  });
});
