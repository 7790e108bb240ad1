import assert from "node:assert/strict";
import {
  contentRange,
  entityTag,
  parseByteRange,
  parseEntityTags,
  tagsMatch,
} from "./http_conditional.ts";

const V = "0b6f7d3e-1c2a-4b5d-9e8f-7a6b5c4d3e2f";

Deno.test("parseEntityTags() reads quoted, weak, bare and wildcard tags", () => {
  assert.equal(parseEntityTags(null), undefined);
  assert.equal(parseEntityTags("  "), undefined);
  assert.deepEqual(parseEntityTags("*"), { any: true, tags: [] });
  assert.deepEqual(parseEntityTags(`"a", W/"b" ,c`), {
    any: false,
    tags: [{ tag: "a", weak: false }, { tag: "b", weak: true }, { tag: "c", weak: false }],
  });
});

Deno.test("tagsMatch() compares strongly for If-Match and weakly for If-None-Match", () => {
  const weak = parseEntityTags(`W/${entityTag(V)}`)!;
  assert.equal(tagsMatch(weak, V, { comparison: "weak" }), true);
  assert.equal(tagsMatch(weak, V, { comparison: "strong" }), false);
  assert.equal(tagsMatch(parseEntityTags(entityTag(V))!, V, { comparison: "strong" }), true);
  assert.equal(tagsMatch(parseEntityTags(V.toUpperCase())!, V, { comparison: "strong" }), true);
  assert.equal(tagsMatch(parseEntityTags(`"other", "${V}"`)!, V, { comparison: "strong" }), true);
  assert.equal(tagsMatch(parseEntityTags(`"other"`)!, V, { comparison: "strong" }), false);
  assert.equal(tagsMatch(parseEntityTags("*")!, V, { comparison: "strong" }), true);
  assert.equal(tagsMatch(parseEntityTags("*")!, undefined, { comparison: "strong" }), false);
});

Deno.test("parseByteRange() serves single ranges and refuses ranges past the end", () => {
  assert.equal(parseByteRange(null, 10), undefined);
  assert.deepEqual(parseByteRange("bytes=0-3", 10), { start: 0, end: 3 });
  assert.deepEqual(parseByteRange("bytes=4-", 10), { start: 4, end: 9 });
  assert.deepEqual(parseByteRange("bytes=8-100", 10), { start: 8, end: 9 });
  assert.deepEqual(parseByteRange("bytes=-3", 10), { start: 7, end: 9 });
  assert.deepEqual(parseByteRange("bytes=-30", 10), { start: 0, end: 9 });
  assert.equal(parseByteRange("bytes=10-", 10), "unsatisfiable");
  assert.equal(parseByteRange("bytes=0-0", 0), "unsatisfiable");
  assert.equal(parseByteRange("bytes=-0", 10), "unsatisfiable");
});

Deno.test("parseByteRange() ignores what it does not serve", () => {
  for (const header of ["bytes=0-1,4-5", "items=0-1", "bytes=5-2", "bytes=-", "bytes=a-b"]) {
    assert.equal(parseByteRange(header, 10), undefined, header);
  }
});

Deno.test("contentRange() formats served and unsatisfiable ranges", () => {
  assert.equal(contentRange({ start: 2, end: 5 }, 10), "bytes 2-5/10");
  assert.equal(contentRange(undefined, 10), "bytes */10");
});
