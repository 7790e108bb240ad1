import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { isSyncError, type ValidationIssue } from "./errors.ts";
import { sha256Hex } from "../hash.ts";
import {
  changesQuerySchema,
  commitRequestSchema,
  fileChangeSchema,
  MAX_INLINE_FILE_BYTES,
  negotiateRequestSchema,
  parseWire,
} from "./sync.ts";

const WORKSPACE = "6f1c2b1e-3d4a-4b5c-8d6e-7f8091a2b3c4";
const REPLICA = "5a0c7e1e-3b5f-4d2a-9c1b-2f6e8d4a7b10";
const KEY = "0b0e3c9a-1f2d-4e5f-9a6b-7c8d9e0f1a2b";
const HELLO = new TextEncoder().encode("hello\n");
const HELLO_SHA = sha256Hex(HELLO);

function change(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    path: "src/a.ts",
    sha256: HELLO_SHA,
    size: HELLO.length,
    mode: 0o644,
    mtime: 1_764_000_000_000,
    base: { [REPLICA]: 3 },
    ...overrides,
  };
}

/** A vector of `count` distinct replicas. */
function manyKeys(count: number): Record<string, number> {
  return Object.fromEntries(
    Array.from(
      { length: count },
      (_, i) => [`${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`, 1],
    ),
  );
}

/** The issues of a refused input, as "path: message" pairs' paths. */
function issuePaths(schema: Parameters<typeof parseWire>[0], input: unknown): string[] {
  try {
    parseWire(schema, input);
  } catch (error) {
    assert.ok(isSyncError(error, "validation_failed"));
    assert.equal(error.status, 400);
    return (error.details?.issues as ValidationIssue[]).map((i) => i.path);
  }
  assert.fail("input was accepted");
}

Deno.test("parseWire() accepts a well-formed file change and strips unknown keys", () => {
  const parsed = parseWire(
    fileChangeSchema,
    change({ extra: true, diffStats: { added: 1, removed: 0 } }),
  );
  assert.equal(parsed.path, "src/a.ts");
  assert.ok(!("extra" in parsed));
  const deletion = parseWire(
    fileChangeSchema,
    change({ sha256: null, size: 0, deleted: true, base: null }),
  );
  assert.equal(deletion.sha256, null);
});

Deno.test("parseWire() refuses bad file changes with the field's path", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ path: "../etc/passwd" }, "path"],
    [{ path: "/abs" }, "path"],
    [{ path: "a\u0000b" }, "path"],
    [{ path: 42 }, "path"],
    [{ sha256: "ABC" }, "sha256"],
    [{ sha256: HELLO_SHA.toUpperCase() }, "sha256"],
    [{ size: -1 }, "size"],
    [{ size: 1.5 }, "size"],
    [{ mode: 0o10000 }, "mode"],
    [{ mode: -1 }, "mode"],
    [{ mtime: "yesterday" }, "mtime"],
    [{ base: { "": 1 } }, "base"],
    [{ base: { [REPLICA]: -1 } }, `base.${REPLICA}`],
    [{ base: { sandbox: 1 } }, "base.sandbox"],
    [{ base: { [REPLICA]: 2 ** 52 } }, `base.${REPLICA}`],
    [{ base: manyKeys(257) }, "base"],
    [{ mtime: 9e15 }, "mtime"],
    [{ base: undefined }, "base"],
    [{ deleted: true }, "sha256"],
    [{ sha256: null, size: 0, deleted: false }, "deleted"],
    [{ sha256: null, size: 5 }, "size"],
    [{ diffStats: { added: -1, removed: 0 } }, "diffStats.added"],
  ];
  for (const [overrides, path] of cases) {
    assert.ok(
      issuePaths(fileChangeSchema, change(overrides)).some((p) =>
        p === path || p.startsWith(`${path}.`)
      ),
      `${JSON.stringify(overrides)} → ${path}`,
    );
  }
});

Deno.test("parseWire() reports a bad path with the path rules' message", () => {
  try {
    parseWire(fileChangeSchema, change({ path: "a/../b" }));
    assert.fail("accepted");
  } catch (error) {
    assert.ok(isSyncError(error, "validation_failed"));
    assert.match(error.message, /^Invalid request at "path": Invalid path "a\/\.\.\/b"/);
  }
});

Deno.test("parseWire() accepts a negotiate request and refuses bad ones", () => {
  const good = { workspaceId: WORKSPACE, replicaId: REPLICA, changes: [change()] };
  assert.equal(parseWire(negotiateRequestSchema, good).changes.length, 1);
  assert.deepEqual(issuePaths(negotiateRequestSchema, { ...good, workspaceId: "w1" }), [
    "workspaceId",
  ]);
  assert.deepEqual(issuePaths(negotiateRequestSchema, { ...good, replicaId: "" }), ["replicaId"]);
  assert.deepEqual(issuePaths(negotiateRequestSchema, { ...good, replicaId: "sandbox-1" }), [
    "replicaId",
  ]);
  assert.deepEqual(
    issuePaths(negotiateRequestSchema, {
      ...good,
      changes: [change(), change({ path: "b", size: -1 })],
    }),
    [
      "changes.1.size",
    ],
  );
  assert.deepEqual(issuePaths(negotiateRequestSchema, { ...good, changes: [change(), change()] }), [
    "changes.1.path",
  ]);
  const tooMany = Array.from({ length: 10_001 }, (_, i) => change({ path: `f${i}` }));
  assert.deepEqual(issuePaths(negotiateRequestSchema, { ...good, changes: tooMany }), ["changes"]);
  assert.deepEqual(issuePaths(negotiateRequestSchema, null), [""]);
});

Deno.test("parseWire() accepts a commit with inline bytes matching a change", () => {
  const request = {
    workspaceId: WORKSPACE,
    replicaId: REPLICA,
    idempotencyKey: KEY,
    changes: [change()],
    inline: { [HELLO_SHA]: Buffer.from(HELLO).toString("base64") },
  };
  assert.deepEqual(parseWire(commitRequestSchema, request).inline, request.inline);
  assert.deepEqual(issuePaths(commitRequestSchema, { ...request, idempotencyKey: "x" }), [
    "idempotencyKey",
  ]);
});

Deno.test("parseWire() refuses inline bytes that do not fit the commit", () => {
  const base = {
    workspaceId: WORKSPACE,
    replicaId: REPLICA,
    idempotencyKey: KEY,
    changes: [change()],
  };
  const other = sha256Hex("other");
  const big = new Uint8Array(MAX_INLINE_FILE_BYTES + 3);
  const bigSha = sha256Hex(big);
  const cases: [Record<string, string>, unknown[], string][] = [
    [{ [HELLO_SHA]: "not base64!" }, [change()], `inline.${HELLO_SHA}`],
    [{ [other]: "aGk=" }, [change()], `inline.${other}`],
    [{ [HELLO_SHA]: "aGk=" }, [change()], `inline.${HELLO_SHA}`],
    [{ ["xyz"]: "aGk=" }, [change()], "inline.xyz"],
    [{ [bigSha]: Buffer.from(big).toString("base64") }, [
      change({ sha256: bigSha, size: big.length }),
    ], `inline.${bigSha}`],
  ];
  for (const [inline, changes, path] of cases) {
    assert.ok(issuePaths(commitRequestSchema, { ...base, changes, inline }).includes(path), path);
  }
});

Deno.test("parseWire() reads a changes query from query-string values", () => {
  const query = parseWire(changesQuerySchema, {
    workspaceId: WORKSPACE,
    cursor: "42",
    limit: "500",
    wait: "2.5",
  });
  assert.deepEqual(query, { workspaceId: WORKSPACE, cursor: 42, limit: 500, wait: 2.5 });
  assert.deepEqual(parseWire(changesQuerySchema, { workspaceId: WORKSPACE }), {
    workspaceId: WORKSPACE,
    cursor: 0,
    limit: 100,
    wait: 0,
  });
  const bad: [Record<string, unknown>, string][] = [
    [{ cursor: "-1" }, "cursor"],
    [{ cursor: "" }, "cursor"],
    [{ cursor: "1e3" }, "cursor"],
    [{ cursor: -1 }, "cursor"],
    [{ limit: "0" }, "limit"],
    [{ limit: "1001" }, "limit"],
    [{ wait: "26" }, "wait"],
    [{ wait: "soon" }, "wait"],
    [{ workspaceId: "nope" }, "workspaceId"],
  ];
  for (const [overrides, path] of bad) {
    assert.deepEqual(issuePaths(changesQuerySchema, { workspaceId: WORKSPACE, ...overrides }), [
      path,
    ], path);
  }
});
