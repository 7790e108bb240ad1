/**
 * The e2b-bridge's paging cursors: opaque to clients (base64url JSON), bound to the operation
 * and its target (workspace, sandbox, root) so a cursor cannot resume another pull, and
 * validated with zod on the way back in (`invalid_cursor`).
 *
 * @module
 */
import { z } from "zod";
import { errors } from "../../../shared/protocol/errors.ts";
import { sha256Hex } from "../../../shared/hash.ts";

/** What a pull (or snapshot) resumes from. */
export const pullCursorSchema = z.object({
  v: z.literal(1),
  op: z.literal("pull"),
  target: z.string(),
  /** `files`: changed files after `after`; `deletes`: deletions after `after`. */
  phase: z.enum(["files", "deletes"]),
  after: z.string(),
});
/** A decoded pull cursor. */
export type PullCursor = z.infer<typeof pullCursorSchema>;

/** What a restore resumes from. */
export const restoreCursorSchema = z.object({
  v: z.literal(1),
  op: z.literal("restore"),
  target: z.string(),
  /** The journal position being written (fixed on the first page). */
  seq: z.int().min(0),
  after: z.string(),
});
/** A decoded restore cursor. */
export type RestoreCursor = z.infer<typeof restoreCursorSchema>;

/** Identifies the target of an operation (what a cursor is bound to). */
export function cursorTarget(
  parts: { workspaceId: string; sandboxId: string; root: string; at?: string },
): string {
  return sha256Hex(
    JSON.stringify([parts.workspaceId, parts.sandboxId, parts.root, parts.at ?? null]),
  )
    .slice(0, 16);
}

/** Encodes a cursor for the answer. */
export function encodeCursor(cursor: PullCursor | RestoreCursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify(cursor));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes and checks a cursor from a request; throws `invalid_cursor`. */
export function decodeCursor<S extends z.ZodType<{ target: string }>>(
  schema: S,
  text: string,
  target: string,
): z.infer<S> {
  let value: unknown;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    value = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    throw errors.invalidCursor("not a cursor this function issued");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw errors.invalidCursor("not a cursor of this operation");
  if (parsed.data.target !== target) {
    throw errors.invalidCursor("it belongs to another workspace, sandbox or root");
  }
  return parsed.data;
}
