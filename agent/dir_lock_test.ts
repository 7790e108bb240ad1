import assert from "node:assert/strict";
import { join } from "node:path";
import { flockHolder, holdLock } from "../tests/support/lock_holder.ts";
import { acquireDirLock, LockedError } from "./dir_lock.ts";

Deno.test("acquireDirLock() refuses a second holder, waits for it, and is free once released", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "agent.lock");
    const first = await acquireDirLock(file, { dir });
    await assert.rejects(acquireDirLock(file, { dir }), LockedError);
    let waitedFor: number | undefined;
    const second = acquireDirLock(file, {
      dir,
      waitMs: 5_000,
      onWait: (pid) => waitedFor = pid,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    first.release();
    (await second).release();
    assert.equal(waitedFor, Deno.pid, "the wait names the holder");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("acquireDirLock() takes over at once from a holder killed with SIGKILL (not reaped yet)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "agent.lock");
    const holder = await holdLock(flockHolder(file));
    await assert.rejects(acquireDirLock(file, { dir }), LockedError);
    holder.process.kill("SIGKILL");
    // Not awaited: the child may still be a zombie, its lock is gone with its descriptors.
    const lock = await acquireDirLock(file, { dir, waitMs: 2_000 });
    lock.release();
    await holder.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
