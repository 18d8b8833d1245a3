/**
 * XDR, the External Data Representation of RFC 4506: how ONC RPC (and NFS)
 * puts values on the wire so that a 32-bit little-endian machine and a 64-bit
 * big-endian one read the same bytes the same way. Every item is a multiple
 * of four bytes, big endian ("network order"), padded with zero bytes.
 *
 * Two levels:
 *  - `XdrWriter` / `XdrReader`: the primitive items, written into one growing
 *    buffer through a DataView (no allocation per field) and read back with
 *    every check of the RFC (truncation, lengths beyond the buffer or the
 *    declared maximum, non-zero padding, booleans other than 0/1);
 *  - `XdrType<T>` codecs built from combinators (`xdr.int`, `xdr.struct`,
 *    `xdr.union`, `xdr.optional`, ...), which the IDL compiler (rpcgen.ts)
 *    also writes out as straight-line code.
 *
 * Every malformed input is an `XdrError` with a `code` (ERR_XDR_TRUNCATED,
 * ERR_XDR_LENGTH, ERR_XDR_PADDING, ERR_XDR_BOOL, ERR_XDR_ENUM, ERR_XDR_UNION,
 * ERR_XDR_STRING, ERR_XDR_DEPTH, ERR_XDR_TRAILING) and the byte `offset` where
 * it was found; a value that cannot be encoded (300 for an int... 2**31) is
 * ERR_XDR_VALUE. Nothing else is thrown, for any input.
 *
 * Strings: RFC 4506 says ASCII; this codec carries UTF-8 (what rpcgen's C
 * `xdr_string` passes through unchanged) and refuses bytes that are not valid
 * UTF-8 (ERR_XDR_STRING). The length on the wire is the byte count.
 */

export type XdrErrorCode =
  | "ERR_XDR_TRUNCATED"
  | "ERR_XDR_LENGTH"
  | "ERR_XDR_PADDING"
  | "ERR_XDR_BOOL"
  | "ERR_XDR_ENUM"
  | "ERR_XDR_UNION"
  | "ERR_XDR_STRING"
  | "ERR_XDR_DEPTH"
  | "ERR_XDR_TRAILING"
  | "ERR_XDR_VALUE";

/** A malformed XDR input (or a value XDR cannot carry): `code`, `offset`. */
export class XdrError extends Error {
  readonly code: XdrErrorCode;
  /** Byte offset in the input (decoding) or in the output (encoding). */
  readonly offset: number;
  constructor(code: XdrErrorCode, message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = "XdrError";
    this.code = code;
    this.offset = offset;
  }
}

const pad = (n: number) => (4 - (n & 3)) & 3;
const UINT_MAX = 0xffffffff;
const HYPER_MIN = -(2n ** 63n);
const HYPER_MAX = 2n ** 63n - 1n;
const UHYPER_MAX = 2n ** 64n - 1n;
/** The largest length a variable-length item can declare: 2**32 - 1. */
export const XDR_MAX_LENGTH = UINT_MAX;
const utf8 = new TextEncoder();
const LONE_SURROGATE = /\p{Cs}/u;
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A copy of bytes [start, end) of `src`. Small copies are cut from a shared
 * 8 KiB slab, as Node's Buffer pool does: one ArrayBuffer allocation per
 * slab instead of one per copy (the copy keeps its slab alive).
 */
const SLAB_SIZE = 8192;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;
/** A Buffer over each ArrayBuffer strings are read from, made once (Buffer.from is not free). */
const latin1Views = new WeakMap<ArrayBufferLike, Buffer>();

const NO_BYTES = Object.freeze(new Uint8Array(0)) as Uint8Array;
function copyOf(src: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 0) return NO_BYTES;
  if (n > SLAB_SIZE >>> 2) return src.slice(start, end);
  if (slabUsed + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, n);
  slabUsed = (slabUsed + n + 7) & ~7;
  out.set(src.subarray(start, end));
  return out;
}

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Uint8Array) return `${value.constructor.name}(${value.length})`;
  return String(value);
}

/** Writes XDR items into a buffer that doubles as it fills. */
export class XdrWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
    this.view = new DataView(this.buf.buffer);
  }

  /** Forgets what was written, keeping the buffer (for the next message). */
  reset(): this {
    this.length = 0;
    return this;
  }

  /** The bytes written, as a view of the writer's buffer (valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the bytes written. */
  bytes(): Uint8Array {
    return copyOf(this.buf, 0, this.length);
  }

  /** Overwrites the unsigned int written at byte `at` (a length or a record mark known later). */
  patchUint(at: number, v: number): void {
    this.view.setUint32(at, v);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private bad(what: string, value: unknown): XdrError {
    return new XdrError("ERR_XDR_VALUE", `${what}: cannot encode ${describe(value)}`, this.length);
  }

  /** Throws ERR_XDR_VALUE: `value` cannot be encoded as `what` (generated codecs use it). */
  refuse(what: string, value: unknown): never {
    throw this.bad(what, value);
  }

  /** Checks an array before its elements are written: an array of min..max elements. */
  checkLength(value: unknown, min: number, max: number, what: string): void {
    if (!Array.isArray(value) || value.length < min || value.length > max) {
      const bounds = min === max ? `[${min}]` : `<${max === XDR_MAX_LENGTH ? "" : max}>`;
      throw this.bad(
        `${what}${bounds}`,
        Array.isArray(value) ? `an array of ${value.length}` : value,
      );
    }
  }

  /** A signed 32-bit integer (`int`). */
  int(v: number): void {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw this.bad("int", v);
    this.ensure(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
  }

  /** An unsigned 32-bit integer (`unsigned int`). */
  uint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > UINT_MAX) throw this.bad("unsigned int", v);
    this.ensure(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
  }

  /** A signed 64-bit integer (`hyper`), as a bigint. */
  hyper(v: bigint): void {
    if (typeof v !== "bigint" || v < HYPER_MIN || v > HYPER_MAX) throw this.bad("hyper", v);
    this.ensure(8);
    this.view.setBigInt64(this.length, v);
    this.length += 8;
  }

  /** An unsigned 64-bit integer (`unsigned hyper`), as a bigint. */
  uhyper(v: bigint): void {
    if (typeof v !== "bigint" || v < 0n || v > UHYPER_MAX) throw this.bad("unsigned hyper", v);
    this.ensure(8);
    this.view.setBigUint64(this.length, v);
    this.length += 8;
  }

  /** An IEEE single-precision number (`float`): rounded to 32 bits. */
  float(v: number): void {
    if (typeof v !== "number") throw this.bad("float", v);
    this.ensure(4);
    this.view.setFloat32(this.length, v);
    this.length += 4;
  }

  /** An IEEE double-precision number (`double`). */
  double(v: number): void {
    if (typeof v !== "number") throw this.bad("double", v);
    this.ensure(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }

  /** A boolean: the enum FALSE = 0, TRUE = 1. */
  bool(v: boolean): void {
    if (typeof v !== "boolean") throw this.bad("bool", v);
    this.ensure(4);
    this.view.setInt32(this.length, v ? 1 : 0);
    this.length += 4;
  }

  private raw(bytes: Uint8Array): void {
    const n = bytes.length;
    const p = pad(n);
    this.ensure(n + p);
    this.buf.set(bytes, this.length);
    this.length += n;
    for (let i = 0; i < p; i++) this.buf[this.length++] = 0;
  }

  /** Fixed-length opaque data (`opaque x[n]`): exactly n bytes, then padding. */
  fixedOpaque(bytes: Uint8Array, n: number): void {
    if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
      throw this.bad(`opaque[${n}]`, bytes);
    }
    this.raw(bytes);
  }

  /** Variable-length opaque data (`opaque x<max>`): a length, the bytes, padding. */
  opaque(bytes: Uint8Array, max = XDR_MAX_LENGTH): void {
    if (!(bytes instanceof Uint8Array) || bytes.length > max) {
      throw this.bad(`opaque<${max === XDR_MAX_LENGTH ? "" : max}>`, bytes);
    }
    this.uint(bytes.length);
    this.raw(bytes);
  }

  /** A string (`string x<max>`): its UTF-8 byte count, the bytes, padding. */
  string(s: string, max = XDR_MAX_LENGTH): void {
    if (typeof s !== "string") throw this.bad("string", s);
    const n = s.length;
    // ASCII, the common case, without an encoder call; otherwise encodeInto
    // writes straight into the buffer (at most 3 bytes per UTF-16 unit).
    this.ensure(4 + 3 * n + 3);
    const start = this.length + 4;
    let bytes = 0;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      this.buf[start + i] = c;
    }
    if (i === n) bytes = n;
    else if (LONE_SURROGATE.test(s)) throw this.bad("string (a lone surrogate is not UTF-8)", s);
    else bytes = utf8.encodeInto(s, this.buf.subarray(start)).written;
    if (bytes > max) throw this.bad(`string<${max}>`, s);
    this.view.setUint32(this.length, bytes);
    this.length = start + bytes;
    for (let p = pad(bytes); p > 0; p--) this.buf[this.length++] = 0;
  }
}

export interface XdrReaderOptions {
  /** How deep optional data (`*`, linked lists) may nest: ERR_XDR_DEPTH beyond. Default 1000. */
  maxDepth?: number;
}

/** Reads XDR items from bytes, checking each against what is left. */
export class XdrReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** The next byte to read. */
  offset: number;
  /** One past the last byte this reader may read. */
  readonly end: number;
  /** Current nesting of optional data, and its limit. */
  depth = 0;
  readonly maxDepth: number;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length, options?: XdrReaderOptions) {
    // A Buffer's slice() is a view, not a copy: read through a plain Uint8Array.
    this.bytes =
      bytes.constructor === Uint8Array
        ? bytes
        : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
    this.end = end;
    this.maxDepth = options?.maxDepth ?? 1000;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** One level deeper into optional data: ERR_XDR_DEPTH beyond maxDepth. */
  enter(): void {
    if (++this.depth > this.maxDepth) {
      this.fail("ERR_XDR_DEPTH", `optional data nested deeper than ${this.maxDepth}`);
    }
  }

  /** Back out of one level of optional data. */
  leave(): void {
    this.depth--;
  }

  fail(code: XdrErrorCode, message: string, at = this.offset): never {
    throw new XdrError(code, message, at);
  }

  private need(n: number, what: string): void {
    if (this.end - this.offset < n) {
      this.fail(
        "ERR_XDR_TRUNCATED",
        `${what}: needs ${n} bytes, ${Math.max(0, this.end - this.offset)} left`,
      );
    }
  }

  /** Throws ERR_XDR_TRAILING unless every byte was read. */
  done(): void {
    if (this.offset !== this.end) {
      this.fail("ERR_XDR_TRAILING", `${this.end - this.offset} bytes left over after the value`);
    }
  }

  int(): number {
    this.need(4, "int");
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  uint(): number {
    this.need(4, "unsigned int");
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  hyper(): bigint {
    this.need(8, "hyper");
    const v = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  uhyper(): bigint {
    this.need(8, "unsigned hyper");
    const v = this.view.getBigUint64(this.offset);
    this.offset += 8;
    return v;
  }

  float(): number {
    this.need(4, "float");
    const v = this.view.getFloat32(this.offset);
    this.offset += 4;
    return v;
  }

  double(): number {
    this.need(8, "double");
    const v = this.view.getFloat64(this.offset);
    this.offset += 8;
    return v;
  }

  bool(): boolean {
    this.need(4, "bool");
    const v = this.view.getInt32(this.offset);
    if (v !== 0 && v !== 1) this.fail("ERR_XDR_BOOL", `bool must be 0 or 1, got ${v}`);
    this.offset += 4;
    return v === 1;
  }

  /** A length prefix, checked against `max` and against what is left. */
  length(max: number, what: string, unit = 1): number {
    const at = this.offset;
    const n = this.uint();
    if (n > max) this.fail("ERR_XDR_LENGTH", `${what}: length ${n} exceeds the maximum ${max}`, at);
    if (n * unit > this.end - this.offset) {
      this.fail(
        "ERR_XDR_LENGTH",
        `${what}: length ${n} goes beyond the ${this.end - this.offset} bytes left`,
        at,
      );
    }
    return n;
  }

  /** A fixed count of elements of at least `unit` bytes each, checked against what is left. */
  fixedCount(n: number, unit: number, what: string): number {
    if (n * unit > this.end - this.offset) {
      this.fail(
        "ERR_XDR_TRUNCATED",
        `${what}[${n}]: needs ${n * unit} bytes at least, ${this.end - this.offset} left`,
      );
    }
    return n;
  }

  /** `n` bytes and their padding (which must be zero), returning where they start. */
  private span(n: number, what: string): number {
    const p = pad(n);
    this.need(n + p, what);
    const start = this.offset;
    for (let i = start + n; i < start + n + p; i++) {
      if (this.bytes[i] !== 0) this.fail("ERR_XDR_PADDING", `${what}: non-zero padding byte`, i);
    }
    this.offset += n + p;
    return start;
  }

  fixedOpaque(n: number): Uint8Array {
    const start = this.span(n, `opaque[${n}]`);
    return copyOf(this.bytes, start, start + n);
  }

  opaque(max = XDR_MAX_LENGTH): Uint8Array {
    const n = this.length(max, "opaque");
    const start = this.span(n, "opaque");
    return copyOf(this.bytes, start, start + n);
  }

  string(max = XDR_MAX_LENGTH): string {
    const at = this.offset;
    const n = this.length(max, "string");
    const start = this.span(n, "string");
    const b = this.bytes;
    let ascii = true;
    for (let i = start; i < start + n; i++) {
      if (b[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      // ASCII, the common case: short ones char by char, longer ones by Buffer's
      // latin1 decoding (native; no validation needed for bytes below 0x80).
      if (n <= 16) {
        let out = "";
        for (let i = start; i < start + n; i++) out += String.fromCharCode(b[i]!);
        return out;
      }
      let whole = latin1Views.get(b.buffer);
      if (!whole) latin1Views.set(b.buffer, (whole = Buffer.from(b.buffer)));
      return whole.toString("latin1", b.byteOffset + start, b.byteOffset + start + n);
    }
    try {
      return utf8Strict.decode(b.subarray(start, start + n));
    } catch {
      return this.fail("ERR_XDR_STRING", "string: bytes that are not valid UTF-8", at);
    }
  }
}

/** A codec for values of type T. `minSize`: the fewest bytes any value takes. */
export interface XdrType<T> {
  readonly name: string;
  readonly minSize: number;
  encode(w: XdrWriter, value: T): void;
  decode(r: XdrReader): T;
}

/** The TypeScript type a codec carries. */
export type XdrValue<C> = C extends XdrType<infer T> ? T : never;

/** Encodes one value into a fresh byte array. */
export function xdrEncode<T>(type: XdrType<T>, value: T, writer = new XdrWriter()): Uint8Array {
  writer.reset();
  type.encode(writer, value);
  return writer.bytes();
}

/**
 * Decodes one value that must fill `bytes` exactly. Throws XdrError only:
 * a nesting too deep for the stack is ERR_XDR_DEPTH, too.
 */
export function xdrDecode<T>(type: XdrType<T>, bytes: Uint8Array, options?: XdrReaderOptions): T {
  const r = new XdrReader(bytes, 0, bytes.length, options);
  try {
    const value = type.decode(r);
    r.done();
    return value;
  } catch (e) {
    throw asXdrError(e, r.offset);
  }
}

/** Stack exhaustion (deep recursive data) as ERR_XDR_DEPTH; an XdrError as it is. */
export function asXdrError(e: unknown, offset: number): unknown {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new XdrError("ERR_XDR_DEPTH", "data nested too deeply for the stack", offset);
  }
  return e;
}

function primitive<T>(
  name: string,
  minSize: number,
  encode: (w: XdrWriter, v: T) => void,
  decode: (r: XdrReader) => T,
): XdrType<T> {
  return { name, minSize, encode, decode };
}

/** A struct's fields, in wire order. */
export type XdrFields<T> = { [K in keyof T]: XdrType<T[K]> };

/** A union value: the discriminant and the arm's value (undefined for a void arm). */
export interface XdrUnionValue<D, V = unknown> {
  tag: D;
  value: V;
}

export interface XdrUnionArm {
  /** The arm's field name, for messages (RFC 4506's `case 0: int x;`). */
  name?: string;
  type: XdrType<any>;
}

function checkMax(what: string, max: number): void {
  if (!Number.isInteger(max) || max < 0 || max > XDR_MAX_LENGTH) {
    throw new XdrError("ERR_XDR_VALUE", `${what}: bad maximum ${max}`, 0);
  }
}

/** The codecs of RFC 4506's types, and the combinators that build the rest. */
export const xdr = {
  void: primitive<void>(
    "void",
    0,
    () => {},
    () => undefined,
  ),
  int: primitive<number>(
    "int",
    4,
    (w, v) => w.int(v),
    (r) => r.int(),
  ),
  uint: primitive<number>(
    "unsigned int",
    4,
    (w, v) => w.uint(v),
    (r) => r.uint(),
  ),
  hyper: primitive<bigint>(
    "hyper",
    8,
    (w, v) => w.hyper(v),
    (r) => r.hyper(),
  ),
  uhyper: primitive<bigint>(
    "unsigned hyper",
    8,
    (w, v) => w.uhyper(v),
    (r) => r.uhyper(),
  ),
  float: primitive<number>(
    "float",
    4,
    (w, v) => w.float(v),
    (r) => r.float(),
  ),
  double: primitive<number>(
    "double",
    8,
    (w, v) => w.double(v),
    (r) => r.double(),
  ),
  bool: primitive<boolean>(
    "bool",
    4,
    (w, v) => w.bool(v),
    (r) => r.bool(),
  ),

  /** An enum: the values it may take; anything else is ERR_XDR_ENUM either way. */
  enum<E extends number>(name: string, values: Record<string, E> | readonly E[]): XdrType<E> {
    const allowed = new Set<number>(Array.isArray(values) ? values : Object.values(values));
    return {
      name,
      minSize: 4,
      encode(w, v) {
        if (!allowed.has(v)) {
          throw new XdrError(
            "ERR_XDR_VALUE",
            `enum ${name}: ${describe(v)} is not a member`,
            w.length,
          );
        }
        w.int(v);
      },
      decode(r) {
        const at = r.offset;
        const v = r.int();
        if (!allowed.has(v)) r.fail("ERR_XDR_ENUM", `enum ${name}: ${v} is not a member`, at);
        return v as E;
      },
    };
  },

  /** `opaque x[n]`. */
  fixedOpaque(n: number): XdrType<Uint8Array> {
    checkMax("opaque[n]", n);
    return primitive(
      `opaque[${n}]`,
      n + pad(n),
      (w, v) => w.fixedOpaque(v, n),
      (r) => r.fixedOpaque(n),
    );
  },

  /** `opaque x<max>`. */
  opaque(max = XDR_MAX_LENGTH): XdrType<Uint8Array> {
    checkMax("opaque<max>", max);
    return primitive(
      `opaque<${max === XDR_MAX_LENGTH ? "" : max}>`,
      4,
      (w, v) => w.opaque(v, max),
      (r) => r.opaque(max),
    );
  },

  /** `string x<max>`. */
  string(max = XDR_MAX_LENGTH): XdrType<string> {
    checkMax("string<max>", max);
    return primitive(
      `string<${max === XDR_MAX_LENGTH ? "" : max}>`,
      4,
      (w, v) => w.string(v, max),
      (r) => r.string(max),
    );
  },

  /** `T x[n]`: exactly n elements, no count on the wire. */
  fixedArray<T>(type: XdrType<T>, n: number): XdrType<T[]> {
    checkMax("array[n]", n);
    const name = `${type.name}[${n}]`;
    return {
      name,
      minSize: type.minSize * n,
      encode(w, v) {
        if (!Array.isArray(v) || v.length !== n) {
          throw new XdrError("ERR_XDR_VALUE", `${name}: cannot encode ${describe(v)}`, w.length);
        }
        for (let i = 0; i < n; i++) type.encode(w, v[i]!);
      },
      decode(r) {
        if (type.minSize * n > r.remaining) {
          r.fail("ERR_XDR_TRUNCATED", `${name}: needs ${type.minSize * n} bytes at least`);
        }
        const out = new Array<T>(n);
        for (let i = 0; i < n; i++) out[i] = type.decode(r);
        return out;
      },
    };
  },

  /** `T x<max>`: a count, then the elements. */
  array<T>(type: XdrType<T>, max = XDR_MAX_LENGTH): XdrType<T[]> {
    checkMax("array<max>", max);
    const name = `${type.name}<${max === XDR_MAX_LENGTH ? "" : max}>`;
    return {
      name,
      minSize: 4,
      encode(w, v) {
        if (!Array.isArray(v) || v.length > max) {
          throw new XdrError("ERR_XDR_VALUE", `${name}: cannot encode ${describe(v)}`, w.length);
        }
        w.uint(v.length);
        for (let i = 0; i < v.length; i++) type.encode(w, v[i]!);
      },
      decode(r) {
        const n = r.length(max, name, type.minSize);
        const out = new Array<T>(n);
        for (let i = 0; i < n; i++) out[i] = type.decode(r);
        return out;
      },
    };
  },

  /** A struct: its fields in order, as an object. */
  struct<T extends object>(name: string, fields: XdrFields<T>): XdrType<T> {
    const entries = Object.entries(fields) as [keyof T & string, XdrType<unknown>][];
    let min = 0;
    for (const [, t] of entries) min += t.minSize;
    return {
      name,
      minSize: min,
      encode(w, v) {
        if (typeof v !== "object" || v === null) {
          throw new XdrError(
            "ERR_XDR_VALUE",
            `struct ${name}: cannot encode ${describe(v)}`,
            w.length,
          );
        }
        for (const [key, t] of entries) t.encode(w, v[key]);
      },
      decode(r) {
        const out = {} as T;
        for (const [key, t] of entries) (out as Record<string, unknown>)[key] = t.decode(r);
        return out;
      },
    };
  },

  /**
   * A discriminated union: the discriminant (int, unsigned, bool or an
   * enum), then the arm its value selects; `fallback` is the `default:` arm.
   * A discriminant with no arm and no default is ERR_XDR_UNION.
   */
  union<D extends number | boolean, V = unknown>(
    name: string,
    discriminant: XdrType<D>,
    arms: Map<D, XdrUnionArm> | [D, XdrUnionArm][],
    fallback?: XdrUnionArm,
  ): XdrType<XdrUnionValue<D, V>> {
    const table = arms instanceof Map ? arms : new Map(arms);
    return {
      name,
      minSize: discriminant.minSize,
      encode(w, v) {
        if (typeof v !== "object" || v === null) {
          throw new XdrError(
            "ERR_XDR_VALUE",
            `union ${name}: cannot encode ${describe(v)}`,
            w.length,
          );
        }
        const arm = table.get(v.tag) ?? fallback;
        if (!arm) {
          throw new XdrError(
            "ERR_XDR_VALUE",
            `union ${name}: no arm for ${describe(v.tag)}`,
            w.length,
          );
        }
        discriminant.encode(w, v.tag);
        arm.type.encode(w, v.value);
      },
      decode(r) {
        const at = r.offset;
        const tag = discriminant.decode(r);
        const arm = table.get(tag) ?? fallback;
        if (!arm) return r.fail("ERR_XDR_UNION", `union ${name}: no arm for ${String(tag)}`, at);
        return { tag, value: arm.type.decode(r) as V };
      },
    };
  },

  /**
   * Optional data (`T *x`): a bool, then the value if TRUE; null when absent.
   * The way linked lists and trees travel; nesting beyond the reader's
   * maxDepth is ERR_XDR_DEPTH.
   */
  optional<T>(type: XdrType<T>): XdrType<T | null> {
    return {
      name: `${type.name} *`,
      minSize: 4,
      encode(w, v) {
        if (v === null || v === undefined) return w.bool(false);
        w.bool(true);
        type.encode(w, v);
      },
      decode(r) {
        if (!r.bool()) return null;
        r.enter();
        const v = type.decode(r);
        r.leave();
        return v;
      },
    };
  },

  /** Several values in a row (a procedure's arguments, rpcgen -N), as a tuple. */
  tuple<T extends unknown[]>(types: { [K in keyof T]: XdrType<T[K]> }): XdrType<T> {
    const list = types as unknown as XdrType<unknown>[];
    return {
      name: `(${list.map((t) => t.name).join(", ")})`,
      minSize: list.reduce((n, t) => n + t.minSize, 0),
      encode(w, v) {
        w.checkLength(v, list.length, list.length, "arguments");
        for (let i = 0; i < list.length; i++) list[i]!.encode(w, v[i]);
      },
      decode(r) {
        return list.map((t) => t.decode(r)) as T;
      },
    };
  },

  /** A type defined later (a recursive struct): the codec is looked up on first use. */
  lazy<T>(name: string, get: () => XdrType<T>, minSize = 0): XdrType<T> {
    let t: XdrType<T> | undefined;
    return {
      name,
      minSize,
      encode: (w, v) => (t ??= get()).encode(w, v),
      decode: (r) => (t ??= get()).decode(r),
    };
  },
};
