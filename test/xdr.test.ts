// XDR, RFC 4506 (lib/xdr.ts): every type's bytes as the RFC draws them,
// round trips, and every malformed input a typed XdrError (code, offset):
// truncated, lengths beyond the buffer or the maximum, non-zero padding,
// booleans and enums out of range, unknown union arms, invalid UTF-8,
// nesting too deep, trailing bytes. A fuzzer (test/fixtures/xdr-fuzz.ts):
// XDR_FUZZ=1000000 runs the full 10^6, CI a few thousand.
import { expect, test } from "vitest";
import {
  xdr,
  xdrDecode,
  xdrEncode,
  XdrError,
  XdrReader,
  XdrWriter,
  type XdrType,
  type XdrUnionValue,
} from "ipc-lab";
import {
  Colour,
  fuzzXdr,
  NodeType,
  randomSample,
  rng,
  Sample,
  type Node,
} from "./fixtures/xdr-fuzz.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const bytesOf = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ""), "hex"));

function decodeError<T>(type: XdrType<T>, h: string): XdrError {
  try {
    xdrDecode(type, bytesOf(h));
  } catch (e) {
    expect(e).toBeInstanceOf(XdrError);
    return e as XdrError;
  }
  throw new Error(`decoding ${h} did not fail`);
}

test("int 0x01020304 is 01 02 03 04 on the wire (big endian), whatever the machine", () => {
  expect(hex(xdrEncode(xdr.int, 0x01020304))).toBe("01020304");
  expect(hex(xdrEncode(xdr.int, -1))).toBe("ffffffff");
  expect(hex(xdrEncode(xdr.uint, 0xfffffffe))).toBe("fffffffe");
  expect(xdrDecode(xdr.int, bytesOf("ffffffff"))).toBe(-1);
  expect(xdrDecode(xdr.uint, bytesOf("ffffffff"))).toBe(0xffffffff);
});

test("hyper and unsigned hyper are 8 bytes, carried as bigint", () => {
  expect(hex(xdrEncode(xdr.hyper, -2n))).toBe("fffffffffffffffe");
  expect(hex(xdrEncode(xdr.uhyper, 2n ** 64n - 1n))).toBe("ffffffffffffffff");
  expect(xdrDecode(xdr.hyper, bytesOf("8000000000000000"))).toBe(-(2n ** 63n));
  expect(xdrDecode(xdr.uhyper, bytesOf("0000000100000000"))).toBe(2n ** 32n);
});

test("float and double are IEEE 754 big endian", () => {
  expect(hex(xdrEncode(xdr.float, 1.5))).toBe("3fc00000");
  expect(hex(xdrEncode(xdr.double, -2))).toBe("c000000000000000");
  expect(xdrDecode(xdr.float, bytesOf("3fc00000"))).toBe(1.5);
  expect(xdrDecode(xdr.double, bytesOf("7ff0000000000000"))).toBe(Infinity);
  expect(Number.isNaN(xdrDecode(xdr.double, bytesOf("7ff8000000000000")))).toBe(true);
});

test("bool is the enum FALSE=0 TRUE=1; any other value is ERR_XDR_BOOL", () => {
  expect(hex(xdrEncode(xdr.bool, true))).toBe("00000001");
  expect(xdrDecode(xdr.bool, bytesOf("00000000"))).toBe(false);
  expect(decodeError(xdr.bool, "00000002")).toMatchObject({ code: "ERR_XDR_BOOL", offset: 0 });
});

test("an enum refuses a value that is not a member, both ways", () => {
  const colour = xdr.enum("colour", [Colour.RED, Colour.GREEN, Colour.BLUE]);
  expect(xdrDecode(colour, bytesOf("00000007"))).toBe(Colour.BLUE);
  expect(decodeError(colour, "00000003")).toMatchObject({
    code: "ERR_XDR_ENUM",
    message: "enum colour: 3 is not a member (at byte 0)",
  });
  expect(() => xdrEncode(colour, 3 as Colour)).toThrow(
    expect.objectContaining({ code: "ERR_XDR_VALUE" }),
  );
});

test("fixed opaque data is padded to 4 bytes with zeros; non-zero padding is ERR_XDR_PADDING", () => {
  const five = xdr.fixedOpaque(5);
  expect(hex(xdrEncode(five, bytesOf("0102030405")))).toBe("0102030405000000");
  expect(hex(xdrDecode(five, bytesOf("0102030405000000")))).toBe("0102030405");
  expect(decodeError(five, "0102030405000100")).toMatchObject({
    code: "ERR_XDR_PADDING",
    offset: 6,
  });
  expect(() => xdrEncode(five, bytesOf("01"))).toThrow(
    expect.objectContaining({ code: "ERR_XDR_VALUE" }),
  );
});

test("variable opaque data: a length, the bytes, padding; lengths checked against max and buffer", () => {
  const upTo8 = xdr.opaque(8);
  expect(hex(xdrEncode(upTo8, bytesOf("aabbcc")))).toBe("00000003aabbcc00");
  expect(hex(xdrEncode(upTo8, new Uint8Array()))).toBe("00000000");
  expect(decodeError(upTo8, "00000009" + "00".repeat(12))).toMatchObject({
    code: "ERR_XDR_LENGTH",
    message: "opaque: length 9 exceeds the maximum 8 (at byte 0)",
  });
  expect(decodeError(xdr.opaque(), "ffffffff00")).toMatchObject({ code: "ERR_XDR_LENGTH" });
  expect(decodeError(upTo8, "00000003aabbcc")).toMatchObject({ code: "ERR_XDR_TRUNCATED" });
  expect(decodeError(upTo8, "00000003aabbcc01")).toMatchObject({ code: "ERR_XDR_PADDING" });
});

test("a string is its UTF-8 bytes with a length; invalid UTF-8 is ERR_XDR_STRING", () => {
  const name = xdr.string(8);
  expect(hex(xdrEncode(name, "sum"))).toBe("0000000373756d00");
  expect(hex(xdrEncode(name, "합"))).toBe("00000003ed95a900");
  expect(xdrDecode(name, bytesOf("00000003ed95a900"))).toBe("합");
  expect(xdrDecode(xdr.string(), bytesOf("00000003efbbbf00"))).toBe("\ufeff"); // a BOM is kept
  expect(decodeError(name, "00000002c3280000")).toMatchObject({ code: "ERR_XDR_STRING" });
  expect(() => xdrEncode(name, "123456789")).toThrow(
    expect.objectContaining({ code: "ERR_XDR_VALUE" }),
  );
  expect(() => xdrEncode(xdr.string(4), "합합")).toThrow(
    expect.objectContaining({ code: "ERR_XDR_VALUE" }),
  );
  expect(() => xdrEncode(xdr.string(), "a\ud800")).toThrow(
    expect.objectContaining({ code: "ERR_XDR_VALUE" }),
  );
  const long = "x".repeat(1000) + "é😀";
  expect(xdrDecode(xdr.string(), xdrEncode(xdr.string(), long))).toBe(long);
});

test("fixed arrays have no count, variable arrays do; a count beyond the buffer fails before allocating", () => {
  expect(hex(xdrEncode(xdr.fixedArray(xdr.int, 2), [1, 2]))).toBe("0000000100000002");
  expect(hex(xdrEncode(xdr.array(xdr.int), [7]))).toBe("0000000100000007");
  expect(xdrDecode(xdr.array(xdr.int, 3), bytesOf("00000002 00000001 00000002"))).toEqual([1, 2]);
  expect(decodeError(xdr.array(xdr.int), "7fffffff00000001")).toMatchObject({
    code: "ERR_XDR_LENGTH",
  });
  expect(decodeError(xdr.array(xdr.int, 1), "0000000200000001 00000002")).toMatchObject({
    code: "ERR_XDR_LENGTH",
  });
  expect(decodeError(xdr.fixedArray(xdr.hyper, 3), "00".repeat(16))).toMatchObject({
    code: "ERR_XDR_TRUNCATED",
  });
  expect(() => xdrEncode(xdr.fixedArray(xdr.int, 2), [1])).toThrow(XdrError);
});

test("a struct is its fields in order; a truncated one names the field's type", () => {
  const point = xdr.struct("point", { x: xdr.int, y: xdr.double });
  expect(hex(xdrEncode(point, { x: 1, y: 0.5 }))).toBe("000000013fe0000000000000");
  expect(xdrDecode(point, bytesOf("000000013fe0000000000000"))).toEqual({ x: 1, y: 0.5 });
  expect(decodeError(point, "000000013fe00000")).toMatchObject({
    code: "ERR_XDR_TRUNCATED",
    message: "double: needs 8 bytes, 4 left (at byte 4)",
  });
});

test("a discriminated union: the tag picks the arm; an unknown tag is ERR_XDR_UNION unless there is a default", () => {
  type Result = XdrUnionValue<number, number | string | undefined>;
  const arms: [number, { type: XdrType<any> }][] = [
    [0, { type: xdr.int }],
    [1, { type: xdr.string() }],
  ];
  const result = xdr.union<number, Result["value"]>("result", xdr.int, arms);
  expect(hex(xdrEncode(result, { tag: 0, value: 5 }))).toBe("0000000000000005");
  expect(xdrDecode(result, bytesOf("00000001 00000001 41000000"))).toEqual({ tag: 1, value: "A" });
  expect(decodeError(result, "0000000200000000")).toMatchObject({
    code: "ERR_XDR_UNION",
    message: "union result: no arm for 2 (at byte 0)",
  });
  const withDefault = xdr.union("result", xdr.int, arms, { type: xdr.void });
  expect(xdrDecode(withDefault, bytesOf("00000009"))).toEqual({ tag: 9, value: undefined });
  expect(() => xdrEncode(result, { tag: 3, value: 1 })).toThrow(
    expect.objectContaining({ code: "ERR_XDR_VALUE" }),
  );
  const flag = xdr.union<boolean>("flag", xdr.bool, [[true, { type: xdr.int }]], {
    type: xdr.void,
  });
  expect(xdrDecode(flag, bytesOf("00000001 0000002a"))).toEqual({ tag: true, value: 42 });
});

test("optional data makes a linked list; too deep a list is ERR_XDR_DEPTH, not a stack overflow", () => {
  const list: Node = { value: 1, next: { value: 2, next: null } };
  const bytes = xdrEncode(NodeType, list);
  expect(hex(bytes)).toBe("00000001" + "00000001" + "00000002" + "00000000");
  expect(xdrDecode(NodeType, bytes)).toEqual(list);
  expect(xdrDecode(xdr.optional(xdr.int), bytesOf("00000000"))).toBeNull();

  let long: Node = { value: 0, next: null };
  for (let i = 1; i < 200; i++) long = { value: i, next: long };
  const deep = xdrEncode(NodeType, long);
  expect(() => xdrDecode(NodeType, deep, { maxDepth: 100 })).toThrow(
    expect.objectContaining({ code: "ERR_XDR_DEPTH" }),
  );
  // A million links (8 MB of "TRUE, value"): refused by depth, never by the stack.
  const huge = new Uint8Array(8 * 1_000_000 + 8);
  const view = new DataView(huge.buffer);
  for (let i = 0; i < 1_000_000; i++) view.setUint32(8 * i + 4, 1);
  expect(() => xdrDecode(NodeType, huge)).toThrow(
    expect.objectContaining({ code: "ERR_XDR_DEPTH" }),
  );
});

test("trailing bytes after a value are ERR_XDR_TRAILING; the reader alone reads on", () => {
  expect(decodeError(xdr.int, "0000000100")).toMatchObject({ code: "ERR_XDR_TRAILING", offset: 4 });
  const r = new XdrReader(bytesOf("00000001 00000002"));
  expect([r.int(), r.int()]).toEqual([1, 2]);
  expect(() => r.int()).toThrow(expect.objectContaining({ code: "ERR_XDR_TRUNCATED", offset: 8 }));
});

test("values XDR cannot carry are ERR_XDR_VALUE at encoding time", () => {
  const w = new XdrWriter();
  for (const bad of [2 ** 31, -(2 ** 31) - 1, 1.5, NaN]) {
    expect(() => w.int(bad)).toThrow(expect.objectContaining({ code: "ERR_XDR_VALUE" }));
  }
  expect(() => w.uint(-1)).toThrow(expect.objectContaining({ code: "ERR_XDR_VALUE" }));
  expect(() => w.hyper(2n ** 63n)).toThrow(expect.objectContaining({ code: "ERR_XDR_VALUE" }));
  expect(() => w.uhyper(-1n)).toThrow(expect.objectContaining({ code: "ERR_XDR_VALUE" }));
  expect(() => w.bool(1 as unknown as boolean)).toThrow(
    expect.objectContaining({ code: "ERR_XDR_VALUE" }),
  );
  expect(w.length).toBe(0);
});

test("the writer grows its one buffer and can be reused", () => {
  const w = new XdrWriter(16);
  for (let i = 0; i < 1000; i++) w.int(i);
  expect(w.length).toBe(4000);
  expect(new XdrReader(w.written()).int()).toBe(0);
  w.reset().int(9);
  expect(hex(w.bytes())).toBe("00000009");
});

test("random values of a schema with every type round-trip", () => {
  const r = rng(7);
  for (let i = 0; i < 500; i++) {
    const value = randomSample(r);
    expect(xdrDecode(Sample, xdrEncode(Sample, value))).toEqual(value);
  }
});

test("fuzz: decoding generated and damaged inputs throws only XdrError, and what decodes round-trips", () => {
  const count = Number(process.env.XDR_FUZZ ?? 20_000);
  const result = fuzzXdr(count, 42);
  expect(result.failures).toEqual([]);
  expect(result.runs).toBe(count);
  // The damage reached every check, and some inputs still decoded.
  expect(result.decoded).toBeGreaterThan(count / 10);
  for (const code of ["ERR_XDR_TRUNCATED", "ERR_XDR_LENGTH", "ERR_XDR_BOOL", "ERR_XDR_UNION"]) {
    expect(result.rejected[code]).toBeGreaterThan(0);
  }
});
