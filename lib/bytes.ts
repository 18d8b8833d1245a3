/** Bytes in, for every call that writes: a string (written as UTF-8) or a Uint8Array. */
import { invalidType } from "./errors";

export type ByteInput = string | Uint8Array;

/** UTF-8 bytes of a string; a Uint8Array as it is. */
export function toBytes(data: ByteInput, name = "data"): Uint8Array {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof Uint8Array) return data;
  throw invalidType(`${name} must be a string or a Uint8Array`);
}
