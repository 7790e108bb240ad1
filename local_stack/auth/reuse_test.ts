import assert from "node:assert/strict";
import { decideRevokedReuse, type ReuseDecision } from "./reuse.ts";

const revokedAt = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(revokedAt.getTime() + seconds * 1000);

Deno.test("decideRevokedReuse() follows GoTrue's rules for a revoked refresh token", () => {
  const cases: [string, string | null | undefined, number, number, ReuseDecision][] = [
    ["parent of the active token, long after", "tok", 3600, 10, "return_active"],
    ["parent of the active token, at once", "tok", 0, 10, "return_active"],
    ["older token inside the interval", "other", 9.999, 10, "swap"],
    ["older token at the interval's end", "other", 10, 10, "swap"],
    ["older token after the interval", "other", 10.001, 10, "already_used"],
    ["no active token, inside", undefined, 5, 10, "swap"],
    ["no active token, after", null, 11, 10, "already_used"],
    ["interval 0, any later use", "other", 0.001, 0, "already_used"],
  ];
  for (const [label, activeParent, seconds, interval, expected] of cases) {
    assert.equal(
      decideRevokedReuse({
        token: "tok",
        revokedAt,
        activeParent,
        now: at(seconds),
        reuseIntervalSeconds: interval,
      }),
      expected,
      label,
    );
  }
});
