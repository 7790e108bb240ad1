import assert from "node:assert/strict";
import { mapPool } from "./pool.ts";

Deno.test("mapPool() keeps input order and never runs more than the limit at once", async () => {
  let running = 0;
  let peak = 0;
  const out = await mapPool([5, 1, 4, 2, 3, 0], 2, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setTimeout(resolve, n * 3));
    running--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
  assert.equal(peak, 2);
});

Deno.test("mapPool() rethrows the first failure and starts no new work after it", async () => {
  const started: number[] = [];
  await assert.rejects(
    mapPool([1, 2, 3, 4, 5], 1, (n) => {
      started.push(n);
      return n === 2 ? Promise.reject(new Error("boom")) : Promise.resolve(n);
    }),
    /boom/,
  );
  assert.deepEqual(started, [1, 2]);
  await assert.rejects(mapPool([1], 0, () => Promise.resolve(1)), RangeError);
});
