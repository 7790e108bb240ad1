import assert from "node:assert/strict";
import { isSyncError } from "../../../../shared/protocol/errors.ts";
import { checkObject, keepIfValid, sameBlob } from "./blob_check.ts";
import type { BlobDigest, BlobStore } from "./blob_store.ts";

/** The two Storage calls a check makes, over a map of key → digest. */
function fakeStore(objects: Map<string, BlobDigest>): BlobStore {
  const unused = () => Promise.reject(new Error("not used by the check"));
  return {
    digest: (key) => Promise.resolve(objects.get(key)),
    remove: (keys) => {
      for (const key of keys) objects.delete(key);
      return Promise.resolve();
    },
    signUpload: unused,
    signDownloads: unused,
    open: unused,
    put: unused,
    putStream: unused,
    move: unused,
  };
}

const BLOB = { sha256: "a".repeat(64), size: 3 };

Deno.test("sameBlob() needs both the hash and the size", () => {
  assert.equal(sameBlob(BLOB, BLOB), true);
  assert.equal(sameBlob({ ...BLOB, size: 4 }, BLOB), false);
  assert.equal(sameBlob({ ...BLOB, sha256: "b".repeat(64) }, BLOB), false);
  assert.equal(sameBlob(undefined, BLOB), false);
});

Deno.test("keepIfValid() keeps right bytes and removes wrong ones", async () => {
  const objects = new Map([["good", BLOB], ["bad", { ...BLOB, size: 4 }]]);
  const store = fakeStore(objects);
  assert.equal((await keepIfValid(store, "good", BLOB)).valid, true);
  assert.equal(objects.has("good"), true);
  const bad = await keepIfValid(store, "bad", BLOB);
  assert.deepEqual(bad, { valid: false, found: { ...BLOB, size: 4 } });
  assert.equal(objects.has("bad"), false, "bad bytes never stay");
  assert.deepEqual(await keepIfValid(store, "none", BLOB), { valid: false, found: undefined });
});

Deno.test("checkObject() is blob_missing without an object, hash_mismatch on wrong bytes", async () => {
  const objects = new Map([["bad", { ...BLOB, sha256: "b".repeat(64) }]]);
  const store = fakeStore(objects);
  await assert.rejects(checkObject(store, "none", BLOB), (e) => isSyncError(e, "blob_missing"));
  await assert.rejects(checkObject(store, "bad", BLOB), (e) => isSyncError(e, "hash_mismatch"));
  assert.equal(objects.has("bad"), false);
  objects.set("good", BLOB);
  await checkObject(store, "good", BLOB);
});
