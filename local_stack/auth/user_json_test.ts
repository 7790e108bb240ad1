import assert from "node:assert/strict";
import type { UserRow } from "./store.ts";
import { userJson } from "./user_json.ts";

const user: UserRow = {
  id: "u",
  aud: "authenticated",
  role: "authenticated",
  email: "a@b.test",
  encrypted_password: "$2a$10$secret",
  email_confirmed_at: new Date("2026-01-02T00:00:00Z"),
  phone: null,
  phone_confirmed_at: null,
  confirmation_sent_at: null,
  last_sign_in_at: null,
  raw_app_meta_data: { provider: "email", providers: ["email"] },
  raw_user_meta_data: {},
  created_at: new Date("2026-01-01T00:00:00Z"),
  updated_at: new Date("2026-01-01T00:00:00Z"),
  banned_until: null,
  is_anonymous: false,
};

Deno.test("userJson() renders GoTrue's user: omitted empty fields, phone as empty string, no password", () => {
  const json = userJson(user, []);
  assert.deepEqual(Object.keys(json), [
    "id",
    "aud",
    "role",
    "email",
    "email_confirmed_at",
    "phone",
    "confirmed_at",
    "app_metadata",
    "user_metadata",
    "identities",
    "created_at",
    "updated_at",
    "is_anonymous",
  ]);
  assert.equal(json.phone, "");
  assert.equal(json.confirmed_at, "2026-01-02T00:00:00.000Z");
  assert.equal(JSON.stringify(json).includes("2a$10"), false, "the hash never leaves");
});
