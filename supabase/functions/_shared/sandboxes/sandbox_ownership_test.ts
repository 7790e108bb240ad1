import assert from "node:assert/strict";
import { isSyncError } from "../../../../shared/protocol/errors.ts";
import { assertOwnedMetadata, ownershipMetadata } from "./sandbox_ownership.ts";

const owner = "11111111-1111-4111-8111-111111111111";
const workspace = "22222222-2222-4222-8222-222222222222";

const refused = (metadata: Record<string, string>, workspaceId: string | undefined) => {
  try {
    assertOwnedMetadata("sbx", metadata, { ownerId: owner, workspaceId });
    return false;
  } catch (error) {
    assert.ok(isSyncError(error, "sandbox_not_owned"), String(error));
    return true;
  }
};

Deno.test("assertOwnedMetadata() admits the owner, with this workspace or none named", () => {
  assert.equal(refused(ownershipMetadata(owner, workspace), workspace), false);
  assert.equal(refused({ sandsync_owner: owner }, workspace), false);
  assert.equal(refused({ sandsync_owner: owner }, undefined), false);
});

Deno.test("assertOwnedMetadata() refuses another owner, no owner, or another workspace", () => {
  assert.equal(refused({}, workspace), true);
  assert.equal(refused({ sandsync_owner: "someone" }, workspace), true);
  assert.equal(refused(ownershipMetadata(owner, crypto.randomUUID()), workspace), true);
  assert.equal(refused(ownershipMetadata(owner, workspace), undefined), true);
});
