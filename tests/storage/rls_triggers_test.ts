import assert from "node:assert/strict";
import {
  filesUnder,
  makeBucket,
  newFiles,
  newUser,
  objectRows,
  service,
  withSql,
} from "./support.ts";

/** Policies giving each user the folder named by its id, in one bucket only. */
async function folderPolicies(bucket: string): Promise<() => Promise<void>> {
  const own =
    `bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid()::text)`;
  const names: string[] = [];
  await withSql(async (sql) => {
    for (const operation of ["insert", "select", "update", "delete"]) {
      const name = `${bucket}: users ${operation} in their own folder`;
      const clause = operation === "insert"
        ? `with check (${own})`
        : operation === "update"
        ? `using (${own}) with check (${own})`
        : `using (${own})`;
      await sql.unsafe(
        `create policy "${name}" on storage.objects for ${operation} to authenticated ${clause}`,
      );
      names.push(name);
    }
  });
  return () =>
    withSql(async (sql) => {
      for (const name of names) await sql.unsafe(`drop policy "${name}" on storage.objects`);
    });
}

Deno.test("RLS: a user uploads into its own folder, and is refused outside it with 403 AccessDenied", async () => {
  const bucket = await makeBucket("rls");
  const dropPolicies = await folderPolicies(bucket);
  try {
    const alice = await newUser("alice");
    const bob = await newUser("bob");
    const files = alice.client.storage.from(bucket);
    const ok = await files.upload(`${alice.id}/notes.txt`, new Blob(["mine"]));
    assert.equal(ok.error, null);
    const [row] = await objectRows(bucket);
    assert.equal(row?.owner_id, alice.id, "owner_id comes from the JWT's sub");
    assert.equal(row?.owner, alice.id);

    const before = await filesUnder();
    for (const path of [`${bob.id}/intruder.txt`, "shared/x.txt", "x.txt"]) {
      const refused = await files.upload(path, new Blob(["nope"]));
      assert.equal(refused.error?.statusCode, "403", path);
      assert.equal((refused.error as { code?: string }).code, "AccessDenied");
      assert.match(refused.error?.message ?? "", /row-level security/);
    }
    assert.deepEqual((await objectRows(bucket)).map((r) => r.name), [`${alice.id}/notes.txt`]);
    assert.deepEqual(await newFiles(before), []);

    // Bob cannot see, overwrite, move or delete Alice's file.
    const bobFiles = bob.client.storage.from(bucket);
    assert.equal((await bobFiles.download(`${alice.id}/notes.txt`)).error?.statusCode, "404");
    const overwrite = await bobFiles.upload(`${alice.id}/notes.txt`, new Blob(["x"]), {
      upsert: true,
    });
    assert.equal(overwrite.error?.statusCode, "403");
    assert.equal((await bobFiles.remove([`${alice.id}/notes.txt`])).data?.length, 0);
    assert.deepEqual((await bobFiles.list(alice.id)).data, []);
    assert.equal((await files.list(alice.id)).data?.length, 1);
    const moved = await bobFiles.move(`${alice.id}/notes.txt`, `${bob.id}/stolen.txt`);
    assert.equal(moved.error?.statusCode, "404");
    const aliceMove = await files.move(`${alice.id}/notes.txt`, `${bob.id}/gift.txt`);
    assert.equal(aliceMove.error?.statusCode, "403", "the new name must satisfy the policy too");
    assert.equal(await (await files.download(`${alice.id}/notes.txt`)).data?.text(), "mine");
  } finally {
    await dropPolicies();
  }
});

Deno.test("a user trigger on storage.objects observes insert, update (overwrite and move) and delete", async () => {
  const bucket = await makeBucket("trigger");
  const suffix = bucket.replaceAll("-", "_");
  const log = `public.storage_log_${suffix}`;
  const probes = `public.storage_probe_${suffix}`;
  await withSql((sql) =>
    sql.unsafe(`
      create table ${log} (id bigserial primary key, op text, name text, old_name text,
        version text, size bigint, role text);
      create sequence ${probes};
      create function public.log_${suffix}() returns trigger language plpgsql as $$
      begin
        perform nextval('${probes}');
        if coalesce(new.bucket_id, old.bucket_id) = '${bucket}' then
          insert into ${log} (op, name, old_name, version, size, role)
          values (tg_op, coalesce(new.name, old.name), old.name,
            coalesce(new.version, old.version),
            (coalesce(new.metadata, old.metadata) ->> 'size')::bigint, current_user);
        end if;
        return coalesce(new, old);
      end $$;
      create trigger log_${suffix} after insert or update or delete on storage.objects
        for each row execute function public.log_${suffix}();
    `)
  );
  try {
    const files = service.storage.from(bucket);
    const probesBefore = await withSql((sql) =>
      sql.unsafe(`select nextval('${probes}')::int as n`)
    );
    assert.equal((await files.upload("a.txt", new Blob(["one"]))).error, null);
    const probesAfter = await withSql((sql) => sql.unsafe(`select nextval('${probes}')::int as n`));
    // nextval survives rollbacks: probe insert + committed insert + this read = 3.
    assert.equal(Number(probesAfter[0]?.n) - Number(probesBefore[0]?.n), 3);

    assert.equal((await files.upload("a.txt", new Blob(["two!"]), { upsert: true })).error, null);
    assert.equal((await files.move("a.txt", "b.txt")).error, null);
    assert.equal((await files.remove(["b.txt"])).error, null);

    const rows = await withSql((sql) =>
      sql.unsafe(`select op, name, old_name, size::int, role from ${log} order by id`)
    );
    assert.deepEqual(rows.map((r) => [r.op, r.name, r.old_name, r.size, r.role]), [
      ["INSERT", "a.txt", null, 3, "service_role"],
      ["UPDATE", "a.txt", "a.txt", 4, "service_role"],
      ["UPDATE", "b.txt", "a.txt", 4, "service_role"],
      ["DELETE", "b.txt", "b.txt", 4, "service_role"],
    ]);
  } finally {
    await withSql((sql) =>
      sql.unsafe(`
        drop trigger log_${suffix} on storage.objects;
        drop function public.log_${suffix}();
        drop table ${log};
        drop sequence ${probes};
      `)
    );
  }
});

Deno.test("a trigger refusing with SQLSTATE 42501 gives 403 AccessDenied with its message; nothing stays", async () => {
  const bucket = await makeBucket("quota");
  const suffix = bucket.replaceAll("-", "_");
  await withSql((sql) =>
    sql.unsafe(`
      create function public.quota_${suffix}() returns trigger language plpgsql as $$
      begin
        if new.bucket_id = '${bucket}' and (new.metadata ->> 'size')::bigint > 10 then
          raise exception 'Quota exceeded: % bytes', new.metadata ->> 'size'
            using errcode = '42501';
        end if;
        if new.bucket_id = '${bucket}' and new.name = 'boom.txt' then
          raise exception 'Unexpected failure';
        end if;
        return new;
      end $$;
      create trigger quota_${suffix} before insert or update on storage.objects
        for each row execute function public.quota_${suffix}();
    `)
  );
  try {
    const files = service.storage.from(bucket);
    const before = await filesUnder();
    const refused = await files.upload("big.txt", new Blob(["more than ten bytes"]));
    assert.equal(refused.error?.statusCode, "403");
    assert.equal((refused.error as { code?: string }).code, "AccessDenied");
    assert.equal(refused.error?.message, "Quota exceeded: 19 bytes");
    assert.deepEqual(await objectRows(bucket), []);
    assert.deepEqual(await newFiles(before), []);

    const failed = await files.upload("boom.txt", new Blob(["x"]));
    assert.equal((failed.error as { status?: number }).status, 500);
    assert.equal((failed.error as { code?: string }).code, "DatabaseError");
    assert.deepEqual(await objectRows(bucket), []);
    assert.deepEqual(await newFiles(before), []);

    assert.equal((await files.upload("small.txt", new Blob(["ok"]))).error, null);
    const overwrite = await files.upload("small.txt", new Blob(["now far too big"]), {
      upsert: true,
    });
    assert.equal(overwrite.error?.statusCode, "403");
    assert.equal(await (await files.download("small.txt")).data?.text(), "ok");
  } finally {
    await withSql((sql) =>
      sql.unsafe(`
        drop trigger quota_${suffix} on storage.objects;
        drop function public.quota_${suffix}();
      `)
    );
  }
});
