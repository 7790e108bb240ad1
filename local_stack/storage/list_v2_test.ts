import assert from "node:assert/strict";
import { decodeCursor, encodeCursor, listV2Page, listV2Query, parseListV2Body } from "./list_v2.ts";
import type { ListV2Row } from "./rows.ts";

const at = new Date("2026-01-02T03:04:05.678Z");
const file = (name: string): ListV2Row => ({
  name,
  id: crypto.randomUUID(),
  updated_at: at,
  created_at: at,
  last_accessed_at: at,
  metadata: {},
});
const folder = (name: string): ListV2Row => ({
  name,
  id: null,
  updated_at: null,
  created_at: null,
  last_accessed_at: null,
  metadata: null,
});

Deno.test("encodeCursor() writes the real server's l:/o:/c:/a: lines, decodeCursor() reads them", () => {
  const token = encodeCursor({ startAfter: "p/b.txt", sortOrder: "asc" });
  assert.equal(atob(token), "l:p/b.txt\no:asc");
  assert.deepEqual(decodeCursor(token), { startAfter: "p/b.txt", sortOrder: "asc" });
  assert.throws(() => decodeCursor(btoa("nonsense")), {
    code: "InvalidParameter",
    message: "Invalid Parameter continuation token",
  });
});

Deno.test("parseListV2Body() refuses what the route's schema refuses", () => {
  for (
    const body of [
      { limit: 0 },
      { limit: "x" },
      { sortBy: { column: "size" } },
      {
        sortBy: { order: "asc" },
      },
      { with_delimiter: "yes" },
      { prefix: 3 },
    ]
  ) {
    assert.throws(() => parseListV2Body(body), { code: "InvalidRequest", error: "Error" });
  }
  assert.equal(parseListV2Body({}).limit, 1000);
  assert.equal(parseListV2Body({ limit: 5000 }).limit, 1000);
});

Deno.test("listV2Page() splits folders from objects and pages with a cursor", () => {
  const request = parseListV2Body({ prefix: "p/", limit: 2, with_delimiter: true });
  assert.equal(listV2Query(request).limit, 3, "one row more than a page");
  const page = listV2Page(request, [file("p/a.txt"), folder("p/nested"), file("p/z.txt")]);
  assert.equal(page.hasNext, true);
  assert.deepEqual(page.objects.map((entry) => [entry.key, entry.name]), [["a.txt", "p/a.txt"]]);
  assert.deepEqual(page.folders, [{
    key: "nested",
    name: "p/nested/",
    id: null,
    updated_at: null,
    created_at: null,
    last_accessed_at: null,
    metadata: null,
  }]);
  assert.equal(page.nextCursorKey, "p/nested");
  const next = listV2Query({ ...request, cursor: page.nextCursor });
  assert.equal(next.after, "p/nested");
  const last = listV2Page(request, [file("p/z.txt")]);
  assert.deepEqual(Object.keys(last).sort(), ["folders", "hasNext", "objects"]);
});

Deno.test("listV2Page() puts a timestamp sort's value in the cursor", () => {
  const request = parseListV2Body({ limit: 1, sortBy: { column: "created_at", order: "desc" } });
  const page = listV2Page(request, [file("a"), file("b")]);
  assert.deepEqual(decodeCursor(page.nextCursor ?? ""), {
    startAfter: "a",
    sortOrder: "desc",
    sortColumn: "created_at",
    sortColumnAfter: at.toISOString(),
  });
  assert.equal(page.objects[0]?.key, undefined, "no key without a delimiter");
});
