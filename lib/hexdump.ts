/**
 * A hex and ASCII view of bytes, as `hexdump -C` prints it: offset, 16 bytes
 * in hex, the same bytes as text (non-printable ones as "."). Runs of
 * identical lines collapse into "*", so a mostly-empty region stays short.
 */
import { checkInteger, invalidType } from "./errors";

export interface HexdumpOptions {
  /** First byte to show (default 0). */
  start?: number;
  /** How many bytes (default: to the end). */
  length?: number;
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, "0");
}

/** The dump of `bytes[start, start + length)` with offsets counted from 0 of `bytes`. */
export function hexdump(bytes: Uint8Array, options: HexdumpOptions = {}): string {
  if (!(bytes instanceof Uint8Array)) throw invalidType("hexdump: bytes must be a Uint8Array");
  const start = checkInteger("start", options.start ?? 0, 0, bytes.length);
  const length = checkInteger(
    "length",
    options.length ?? bytes.length - start,
    0,
    bytes.length - start,
  );
  const end = start + length;
  const lines: string[] = [];
  let previous = "";
  let collapsed = false;
  for (let at = start; at < end; at += 16) {
    const row = bytes.subarray(at, Math.min(at + 16, end));
    const cells = [...row].map((b) => hex(b, 2));
    const body =
      `${cells.slice(0, 8).join(" ").padEnd(23)}  ${cells.slice(8).join(" ").padEnd(23)}` +
      `  |${[...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("")}|`;
    if (body === previous && row.length === 16) {
      if (!collapsed) lines.push("*");
      collapsed = true;
      continue;
    }
    lines.push(`${hex(at, 8)}  ${body}`);
    previous = body;
    collapsed = false;
  }
  lines.push(hex(end, 8));
  return lines.join("\n");
}
