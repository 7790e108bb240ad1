import assert from "node:assert/strict";
import { decodeBase64, encodeBase64 } from "./base64.ts";

Deno.test("encodeBase64() and decodeBase64() agree with btoa and round-trip every byte", () => {
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256);
  const head = bytes.subarray(0, 3000);
  assert.equal(encodeBase64(head), btoa(String.fromCharCode(...head)));
  const view = bytes.subarray(5, 8);
  assert.equal(encodeBase64(view), btoa(String.fromCharCode(...view)));
  assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
  assert.equal(encodeBase64(new TextEncoder().encode("ab")), "YWI=");
  assert.equal(encodeBase64(new Uint8Array()), "");
  assert.deepEqual(decodeBase64(""), new Uint8Array());
});

Deno.test("decodeBase64() without the native decoder (an older runtime) gives the same bytes", () => {
  const bytes = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 31) % 256);
  const text = encodeBase64(bytes);
  const native = Object.getOwnPropertyDescriptor(Uint8Array, "fromBase64");
  const nativeTo = Object.getOwnPropertyDescriptor(Uint8Array.prototype, "toBase64");
  try {
    if (native) delete (Uint8Array as unknown as Record<string, unknown>).fromBase64;
    if (nativeTo) delete (Uint8Array.prototype as unknown as Record<string, unknown>).toBase64;
    assert.equal(encodeBase64(bytes), text);
    assert.deepEqual(decodeBase64(text), bytes);
  } finally {
    if (native) Object.defineProperty(Uint8Array, "fromBase64", native);
    if (nativeTo) Object.defineProperty(Uint8Array.prototype, "toBase64", nativeTo);
  }
});
