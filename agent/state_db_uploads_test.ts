import assert from "node:assert/strict";
import { join } from "node:path";
import { StateDb, UPLOAD_TTL_MS } from "./state_db.ts";

async function withState(work: (file: string) => void | Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "state-db-" });
  try {
    await work(join(dir, "state.db"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("StateDb.uploads keeps a TUS upload URL across reopening until it is deleted", () =>
  withState((file) => {
    const first = new StateDb(file);
    first.uploads.set("a".repeat(64), "http://h/storage/v1/upload/resumable/sign/1");
    first.close();
    const second = new StateDb(file);
    try {
      assert.equal(
        second.uploads.get("a".repeat(64)),
        "http://h/storage/v1/upload/resumable/sign/1",
      );
      assert.equal(second.uploads.get("b".repeat(64)), undefined);
      second.uploads.delete("a".repeat(64));
      assert.deepEqual(second.uploadRows(), []);
    } finally {
      second.close();
    }
  }));

Deno.test("StateDb.uploads does not hand out or keep URLs older than the TTL", () =>
  withState((file) => {
    const state = new StateDb(file);
    try {
      state.uploads.set("c".repeat(64), "http://h/u/1");
      const created = state.uploadRows()[0]!.createdMs;
      // The same URL again keeps its age; a new URL starts a new one.
      state.uploads.set("c".repeat(64), "http://h/u/1");
      assert.equal(state.uploadRows()[0]!.createdMs, created);
      assert.equal(state.pruneUploads(created + UPLOAD_TTL_MS - 1), 0);
      assert.equal(state.pruneUploads(created + UPLOAD_TTL_MS + 1), 1);
      assert.equal(state.uploads.get("c".repeat(64)), undefined);
    } finally {
      state.close();
    }
  }));
