/**
 * Reading fields of a decoded proto3 JSON message: a Connect server must accept both the
 * JSON name (`includeEntry`) and the proto name (`include_entry`), numbers as numbers or
 * strings, and enums by name or number.
 *
 * @module
 */
import { ConnectError, type JsonObject } from "./connect_protocol.ts";

function raw(message: JsonObject, name: string): unknown {
  if (name in message) return message[name];
  const protoName = name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  return message[protoName];
}

/** A string field (`""` when absent). */
export function stringField(message: JsonObject, name: string): string {
  const value = raw(message, name);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new ConnectError("invalid_argument", `Field "${name}" is not a string`);
  }
  return value;
}

/** A string field that may be absent (proto3 `optional`). */
export function optionalStringField(message: JsonObject, name: string): string | undefined {
  const value = raw(message, name);
  return value === undefined || value === null ? undefined : stringField(message, name);
}

/** An integer field (`0` when absent). */
export function numberField(message: JsonObject, name: string): number {
  const value = raw(message, name);
  if (value === undefined || value === null) return 0;
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number)) {
    throw new ConnectError("invalid_argument", `Field "${name}" is not an integer`);
  }
  return number;
}

/** A boolean field (`false` when absent). */
export function booleanField(message: JsonObject, name: string): boolean {
  const value = raw(message, name);
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") {
    throw new ConnectError("invalid_argument", `Field "${name}" is not a boolean`);
  }
  return value;
}

/** A message field (`{}` when absent). */
export function messageField(message: JsonObject, name: string): JsonObject {
  const value = raw(message, name);
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConnectError("invalid_argument", `Field "${name}" is not a message`);
  }
  return value as JsonObject;
}

/** A repeated string field. */
export function stringListField(message: JsonObject, name: string): string[] {
  const value = raw(message, name);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new ConnectError("invalid_argument", `Field "${name}" is not a list of strings`);
  }
  return value as string[];
}

/** A `map<string, string>` field. */
export function stringMapField(message: JsonObject, name: string): Record<string, string> {
  const value = messageField(message, name);
  for (const item of Object.values(value)) {
    if (typeof item !== "string") {
      throw new ConnectError("invalid_argument", `Field "${name}" is not a map of strings`);
    }
  }
  return value as Record<string, string>;
}
