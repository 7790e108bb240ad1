import assert from "node:assert/strict";
import { ERROR_STATUS, isErrorCode, isSyncError } from "../../../../shared/protocol/errors.ts";
import { fromDatabaseError } from "./db_errors.ts";

/** A postgres.js-like error: an Error with SQLSTATE, HINT and DETAIL fields. */
function pgError(code: string, hint?: string, detail?: string): Error {
  return Object.assign(new Error('Cannot commit "a": refused'), { code, hint, detail });
}

Deno.test("fromDatabaseError() answers a hint that is an API code with that code", () => {
  for (const code of ["validation_failed", "blob_missing", "precondition_failed"] as const) {
    const error = fromDatabaseError(pgError("SSI01", code, "item=3 rule=dot_segment"));
    assert.ok(isSyncError(error, code), code);
    assert.equal(error.status, ERROR_STATUS[code]);
    assert.deepEqual(error.details, { item: "3", rule: "dot_segment" });
  }
});

Deno.test("fromDatabaseError() lets a hint the API does not know fall through", () => {
  const unknown = pgError("SSI01", "invalid_input");
  assert.equal(fromDatabaseError(unknown), unknown);
  assert.ok(isSyncError(fromDatabaseError(pgError("42501", "no_such_code")), "forbidden"));
  assert.ok(isSyncError(fromDatabaseError(pgError("22P02", "no_such_code")), "validation_failed"));
});

Deno.test("fromDatabaseError() maps SQLSTATEs when there is no hint", () => {
  assert.ok(isSyncError(fromDatabaseError(pgError("42501")), "forbidden"));
  assert.ok(isSyncError(fromDatabaseError(pgError("22003")), "validation_failed"));
  for (const state of ["40001", "40P01", "57014"]) {
    assert.ok(isSyncError(fromDatabaseError(pgError(state)), "service_unavailable"), state);
  }
  const other = pgError("XX000");
  assert.equal(fromDatabaseError(other), other);
});

const MIGRATIONS = new URL("../../../migrations/", import.meta.url);

/**
 * The body of every SQL function as its last `create function` in migration order left it (what
 * the database runs), by qualified name. Names are enough: no function here has overloads, and
 * every `drop function` precedes the definition that replaces it (tests/db/error_codes_test.ts
 * checks the real catalogue).
 */
function liveFunctionBodies(): Map<string, string> {
  const files = [...Deno.readDirSync(MIGRATIONS)].map((entry) => entry.name)
    .filter((name) => name.endsWith(".sql")).sort();
  const statement =
    /\b(create\s+(?:or\s+replace\s+)?function|drop\s+function\s+(?:if\s+exists\s+)?)\s*([\w.]+)\s*\(/gi;
  const live = new Map<string, string>();
  for (const file of files) {
    const text = Deno.readTextFileSync(new URL(file, MIGRATIONS));
    for (const match of text.matchAll(statement)) {
      const name = match[2]!.includes(".") ? match[2]!.toLowerCase() : `public.${match[2]!}`;
      if (/^drop/i.test(match[1]!)) {
        live.delete(name);
        continue;
      }
      const rest = text.slice(match.index);
      const quote = /\$\w*\$/.exec(rest);
      assert.ok(quote, `${file}: no body for ${name}`);
      const start = quote.index + quote[0].length;
      const end = rest.indexOf(quote[0], start);
      assert.ok(end > start, `${file}: unterminated body of ${name}`);
      live.set(name, rest.slice(start, end));
    }
  }
  return live;
}

/** Every `errcode = 'X', hint = 'y'` a live function raises, with the function's name. */
function liveRaises(): { name: string; sqlstate: string; hint: string }[] {
  const raises = [];
  for (const [name, body] of liveFunctionBodies()) {
    for (const match of body.matchAll(/errcode\s*=\s*'(\w{5})'\s*,\s*hint\s*=\s*'([^']*)'/g)) {
      raises.push({ name, sqlstate: match[1]!, hint: match[2]! });
    }
  }
  return raises;
}

Deno.test("every hint a live SQL function raises is an API error code", () => {
  const raises = liveRaises();
  // The live functions raise some fifty coded errors; an empty scan would prove nothing.
  assert.ok(raises.length > 40, `only ${raises.length} raises found`);
  const strangers = raises.filter((raise) => !isErrorCode(raise.hint))
    .map((raise) => `${raise.name}: ${raise.hint}`);
  assert.deepEqual([...new Set(strangers)], []);
});

Deno.test("the hint scan sees every hint: each follows its errcode", () => {
  for (const file of Deno.readDirSync(MIGRATIONS)) {
    const text = Deno.readTextFileSync(new URL(file.name, MIGRATIONS));
    const hints = text.match(/\bhint\s*=\s*'/g)?.length ?? 0;
    const paired = text.match(/errcode\s*=\s*'\w{5}'\s*,\s*hint\s*=\s*'/g)?.length ?? 0;
    assert.equal(paired, hints, `${file.name}: a hint without its errcode`);
  }
});

Deno.test("each Sandsync SQLSTATE a live SQL function raises means one API code", () => {
  const codes = new Map<string, Set<string>>();
  for (const { sqlstate, hint } of liveRaises()) {
    if (!sqlstate.startsWith("SS")) continue; // 42501 is Postgres' own; the hint refines it
    codes.set(sqlstate, (codes.get(sqlstate) ?? new Set()).add(hint));
  }
  const ambiguous = [...codes].filter(([, hints]) => hints.size > 1)
    .map(([sqlstate, hints]) => `${sqlstate}: ${[...hints].join(", ")}`);
  assert.deepEqual(ambiguous, []);
});

Deno.test("fromDatabaseError() answers a version whose blob row was collected meanwhile as blob_missing", () => {
  const collected = Object.assign(pgError("23503"), {
    constraint_name: "versions_owner_id_sha256_fkey",
  });
  assert.ok(isSyncError(fromDatabaseError(collected), "blob_missing"));
  const other = Object.assign(pgError("23503"), { constraint_name: "files_workspace_id_fkey" });
  assert.equal(fromDatabaseError(other), other);
});
