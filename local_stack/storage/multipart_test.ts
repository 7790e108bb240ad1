import assert from "node:assert/strict";
import { boundaryOf, readMultipart } from "./multipart.ts";

async function parse(form: FormData, chunkSize: number) {
  const request = new Request("http://x/", { method: "POST", body: form });
  const bytes = new Uint8Array(await request.arrayBuffer());
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += chunkSize) {
        controller.enqueue(bytes.slice(i, i + chunkSize));
      }
      controller.close();
    },
  });
  return await readMultipart(body, boundaryOf(request.headers.get("content-type") ?? ""));
}

Deno.test("readMultipart() streams a file with an empty field name, whatever the chunking", async () => {
  const payload = crypto.getRandomValues(new Uint8Array(60_000));
  for (const chunkSize of [3, 7, 64, 4096, 1_000_000]) {
    const form = new FormData();
    form.append("cacheControl", "3600");
    form.append("metadata", '{"a":1}');
    form.append("", new Blob([payload], { type: "image/png" }));
    const upload = await parse(form, chunkSize);
    assert.equal(upload.fields.get("cacheControl"), "3600");
    assert.equal(upload.fields.get("metadata"), '{"a":1}');
    assert.equal(upload.file?.type, "image/png");
    const received = new Uint8Array(await new Response(upload.file?.body).arrayBuffer());
    assert.deepEqual(received, payload);
  }
});

Deno.test("readMultipart() reports a body without a file part", async () => {
  const form = new FormData();
  form.append("cacheControl", "60");
  const upload = await parse(form, 10);
  assert.equal(upload.file, undefined);
  assert.equal(upload.fields.get("cacheControl"), "60");
});

Deno.test("readMultipart() refuses a truncated body", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(
        new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nabc'),
      );
      c.close();
    },
  });
  await assert.rejects(readMultipart(body, "b"), { code: "InvalidRequest" });
});
