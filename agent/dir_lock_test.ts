import assert from "node:assert/strict";
import { join } from "node:path";
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
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const f = await Deno.open(${
          JSON.stringify(file)
        }, {read: true, write: true, create: true});
         await f.lock(true); console.log("locked"); setInterval(() => {}, 1000);`,
      ],
      stdout: "piped",
    }).spawn();
    const reader = holder.stdout.getReader();
    let said = "";
    while (!said.includes("locked")) {
      const { value, done } = await reader.read();
      assert.equal(done, false, `the holder exited before locking: ${said}`);
      said += new TextDecoder().decode(value);
    }
    await assert.rejects(acquireDirLock(file, { dir }), LockedError);
    holder.kill("SIGKILL");
    // Not awaited: the child may still be a zombie, its lock is gone with its descriptors.
    const lock = await acquireDirLock(file, { dir, waitMs: 2_000 });
    lock.release();
    reader.releaseLock();
    await holder.stdout.cancel();
    await holder.status;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
