import assert from "node:assert/strict";
import { isSyncError } from "../../../shared/protocol/errors.ts";
import {
  cursorTarget,
  decodeCursor,
  encodeCursor,
  pullCursorSchema,
  restoreCursorSchema,
} from "./bridge_cursor.ts";

const target = cursorTarget({ workspaceId: "w", sandboxId: "s", root: "/home/user/project" });

Deno.test("a pull cursor round-trips, Unicode paths included", () => {
  const cursor = {
    v: 1 as const,
    op: "pull" as const,
    target,
    phase: "files" as const,
    after: "dir with space/ünï.txt",
  };
  const text = encodeCursor(cursor);
  assert.match(text, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor(pullCursorSchema, text, target), cursor);
});

Deno.test("decodeCursor() refuses garbage, another operation and another target", () => {
  const restore = encodeCursor({ v: 1, op: "restore", target, seq: 3, after: "" });
  const other = cursorTarget({ workspaceId: "w", sandboxId: "s2", root: "/home/user/project" });
  for (
    const [schema, text, bound] of [
      [pullCursorSchema, "%%%", target],
      [pullCursorSchema, restore, target],
      [restoreCursorSchema, restore, other],
    ] as const
  ) {
    assert.throws(
      () => decodeCursor(schema, text, bound),
      (error: unknown) => isSyncError(error, "invalid_cursor"),
    );
  }
});
