import assert from "node:assert/strict";
import { asService, asUser, connect, createUser } from "./db_support.ts";

const LIMIT = 1_000_000;
const SIZE = 30_000;
const RESERVERS = 50;

function fakeSha(i: number, salt: string): string {
  return (salt + i.toString(16)).padStart(64, "0").slice(-64);
}

function objectKey(owner: string, sha: string): string {
  return `${owner}/${sha.slice(0, 2)}/${sha}`;
}

Deno.test("50 concurrent reservations near the quota never exceed it and counters match a recompute", async () => {
  const sql = connect(RESERVERS + 2);
  try {
    const owner = await createUser(sql, "quota-race");
    await asService(sql, (tx) => tx`select public.service_set_quota_limit(${owner}, ${LIMIT})`);
    const shas = Array.from({ length: RESERVERS }, (_, i) => fakeSha(i, "a"));

    const attempts = await Promise.allSettled(
      shas.map((sha) =>
        asUser(
          sql,
          owner,
          (tx) => tx`select public.reserve_quota(${tx.json([{ sha256: sha, size: SIZE }])}) as r`,
        )
      ),
    );
    const granted = shas.filter((_, i) => attempts[i]?.status === "fulfilled");
    const refused = attempts.filter((a) => a.status === "rejected");
    assert.equal(granted.length, Math.floor(LIMIT / SIZE), "exactly as many as fit are granted");
    for (const failure of refused) {
      assert.equal(
        (failure as PromiseRejectedResult).reason?.code,
        "SSQ01",
        "the rest get quota_exceeded",
      );
    }
    const [mid] = await sql<{ used: string; reserved: string }[]>`
      select used_bytes as used, reserved_bytes as reserved from sandsync.quotas where owner_id = ${owner}`;
    assert.equal(Number(mid?.used) + Number(mid?.reserved), granted.length * SIZE);
    assert.ok(Number(mid?.reserved) <= LIMIT, "reserved never exceeds the limit");

    // The reserved objects land while unreserved "rogue" objects race them: the storage trigger
    // lets every reserved one in and refuses every rogue one (42501).
    const rogue = Array.from({ length: 10 }, (_, i) => fakeSha(i, "b"));
    const landings = await Promise.allSettled(
      [...granted, ...rogue].map((sha) =>
        asService(sql, (tx) =>
          tx`insert into storage.objects (bucket_id, name, metadata)
          values ('sandsync', ${objectKey(owner, sha)}, ${tx.json({ size: SIZE })})`)
      ),
    );
    landings.slice(0, granted.length).forEach((landing) =>
      assert.equal(landing.status, "fulfilled", "a reserved object always lands")
    );
    landings.slice(granted.length).forEach((landing) => {
      assert.equal(landing.status, "rejected", "an unreserved object over the limit is refused");
      assert.equal((landing as PromiseRejectedResult).reason?.code, "42501");
    });

    const check = await asService(
      sql,
      (tx) =>
        tx<
          {
            used_bytes: string;
            actual_used_bytes: string;
            reserved_bytes: string;
            consistent: boolean;
          }[]
        >`
        select * from public.service_recompute_usage(${owner})`,
    );
    assert.equal(check.length, 1);
    assert.equal(check[0]?.consistent, true, "counters equal the recomputed usage");
    assert.equal(Number(check[0]?.used_bytes), granted.length * SIZE);
    assert.equal(Number(check[0]?.reserved_bytes), 0, "every landing settled its reservation");
    assert.ok(Number(check[0]?.used_bytes) + Number(check[0]?.reserved_bytes) <= LIMIT);
  } finally {
    await sql.end();
  }
});
