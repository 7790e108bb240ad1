/**
 * The real `e2b` SDK's `files.watchDir` against the stand-in's WatchDir (Connect server
 * streaming over `Deno.watchFs`).
 */
import assert from "node:assert/strict";
import { FileNotFoundError, type FilesystemEvent, FilesystemEventType } from "e2b";
import { withSandbox } from "./standin_support.ts";

const PROJECT = "/home/user/project";

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("files.watchDir() sees a write made through the SDK, with its entry", () =>
  withSandbox(async ({ sandbox }) => {
    await sandbox.files.makeDir(PROJECT);
    const events: FilesystemEvent[] = [];
    const handle = await sandbox.files.watchDir(PROJECT, (event) => void events.push(event), {
      includeEntry: true,
    });
    try {
      await sandbox.files.write(`${PROJECT}/seen.txt`, "hello");
      await until(
        () =>
          events.some((event) =>
            event.name === "seen.txt" && event.type === FilesystemEventType.WRITE
          ),
        "a write event for seen.txt",
      );
      const withEntry = events.find((event) => event.name === "seen.txt" && event.entry);
      assert.equal(withEntry?.entry?.path, `${PROJECT}/seen.txt`);
      await sandbox.files.remove(`${PROJECT}/seen.txt`);
      await until(
        () =>
          events.some((event) =>
            event.name === "seen.txt" && event.type === FilesystemEventType.REMOVE
          ),
        "a remove event for seen.txt",
      );
    } finally {
      await handle.stop();
    }
  }));

Deno.test("files.watchDir() recursive reports nested names relative to the watched dir", () =>
  withSandbox(async ({ sandbox }) => {
    await sandbox.files.makeDir(`${PROJECT}/src/lib`);
    const events: FilesystemEvent[] = [];
    const shallow: FilesystemEvent[] = [];
    const deep = await sandbox.files.watchDir(PROJECT, (event) => void events.push(event), {
      recursive: true,
    });
    const flat = await sandbox.files.watchDir(PROJECT, (event) => void shallow.push(event));
    try {
      await sandbox.files.write(`${PROJECT}/src/lib/deep.ts`, "x");
      await until(() => events.some((event) => event.name === "src/lib/deep.ts"), "a nested event");
      await sandbox.files.write(`${PROJECT}/top.txt`, "y");
      await until(() => shallow.some((event) => event.name === "top.txt"), "a top-level event");
      assert.ok(shallow.every((event) => !event.name.includes("/")), "non-recursive stays flat");
    } finally {
      await deep.stop();
      await flat.stop();
    }
  }));

Deno.test("files.watchDir() on a missing directory fails with FileNotFoundError", () =>
  withSandbox(async ({ sandbox }) => {
    await assert.rejects(sandbox.files.watchDir(`${PROJECT}/none`, () => {}), FileNotFoundError);
  }));
