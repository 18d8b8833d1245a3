/**
 * A mapping of shared memory into this process (mmap or shmat), handed to
 * JavaScript with no copy: `bytes` is a Buffer over the mapped pages
 * themselves, so a store through it is a store into the other process's
 * memory too.
 *
 * Safety, the one rule: JavaScript must never touch an address that is not
 * mapped (or store into a read-only page): in C that is a SIGSEGV, and here
 * it would kill the whole kernel. So
 *  - unmapping first detaches the ArrayBuffer: every Buffer, Uint8Array or
 *    DataView over it, even one a caller kept, then has length 0 (reads give
 *    undefined, `set` and DataView calls throw a TypeError), and only then
 *    are the pages released;
 *  - every accessor of this class checks `closed` and throws ERR_SHM_CLOSED;
 *  - a read-only mapping (PROT_READ) never hands out a view at all: JS has
 *    no read-only typed arrays, so `read()` copies and writes throw EACCES.
 */
import { native, type NativeMapping, type Subject } from "./native";
import {
  checkInteger,
  invalidType,
  invalidValue,
  outOfRange,
  systemError,
  type SystemError,
} from "./errors";
import { toBytes, type ByteInput } from "./bytes";

/** How the pages were mapped, and so how they are released. */
export type MappingKind = "mmap" | "shmat";

/**
 * Throws when [offset, offset + length) may not be touched now; returns how
 * many bytes from the mapping's start may be.
 */
export type MappingGuard = (what: string, offset: number, length: number) => number;

/** Thrown by any use of a mapping after munmap/shmdt/close. */
export function unmappedError(what: string, label: string): Error & { code: string } {
  return Object.assign(
    new Error(`${what}: '${label}' is closed: its mapping was removed (munmap/shmdt)`),
    { code: "ERR_SHM_CLOSED" },
  );
}

export class Mapping {
  /** Where the kernel put the pages in this process, e.g. "0x7f3a5c1e2000". */
  readonly address: string;
  /** Bytes mapped. */
  readonly length: number;
  readonly writable: boolean;
  readonly kind: MappingKind;
  /** What error messages call it: the object's name or "shmid 5". */
  readonly label: string;
  #buffer: ArrayBuffer;
  #handle: unknown;
  #bytes: Buffer;
  #closed = false;

  /** What the mapping is of, for errors: { path } of an object, { fd }, { shmid }. */
  readonly subject: Subject;
  /** A check run before each copy in or out (MappedFile: is the file still this long?). */
  #guard: MappingGuard | undefined;

  /** @internal Made by mmap() and shmat(), not by users. */
  constructor(
    source: NativeMapping,
    kind: MappingKind,
    writable: boolean,
    label: string,
    subject: Subject,
    guard?: MappingGuard,
  ) {
    this.subject = subject;
    this.#guard = guard;
    this.#buffer = source.buffer;
    this.#handle = source.handle;
    this.#bytes = Buffer.from(source.buffer); // a view, not a copy
    this.address = source.address;
    this.length = source.buffer.byteLength;
    this.kind = kind;
    this.writable = writable;
    this.label = label;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The mapped bytes themselves (no copy). Stores go straight into shared
   * memory. Throws for a read-only mapping, and after unmap; a Buffer taken
   * earlier has length 0 after unmap.
   */
  get bytes(): Buffer {
    this.#check("bytes", true);
    return this.#bytes;
  }

  /** A DataView over the mapped bytes (no copy), for numbers laid out in memory. */
  dataView(offset = 0, length = this.length - offset): DataView {
    this.#check("dataView", true);
    this.#range("dataView", offset, length);
    return new DataView(this.#buffer, offset, length);
  }

  /** A copy of `length` bytes from `offset` (works on read-only mappings). */
  read(offset = 0, length = this.length - offset): Buffer {
    this.#check("read", false);
    this.#range("read", offset, length);
    this.#guard?.("read", offset, length);
    return Buffer.from(this.#bytes.subarray(offset, offset + length));
  }

  /** The text from `offset` up to the first NUL byte, as C's printf("%s") reads it. */
  readString(offset = 0): string {
    this.#check("readString", false);
    this.#range("readString", offset, 0);
    // Search only the bytes that may be touched now (a shrunken file's end).
    const limit =
      this.#guard?.("readString", offset, Math.min(1, this.length - offset)) ?? this.length;
    let end = this.#bytes.subarray(0, limit).indexOf(0, offset);
    if (end < 0) end = limit;
    return this.#bytes.toString("utf8", offset, end);
  }

  /**
   * Copies `data` (a string is written as UTF-8, without a NUL) to `offset`;
   * returns the number of bytes written, so `offset += shm.write(offset, s)`
   * advances like the lecture's `ptr += strlen(s)`.
   */
  write(offset: number, data: ByteInput): number {
    this.#check("write", true);
    const bytes = toBytes(data);
    this.#range("write", offset, bytes.length);
    this.#guard?.("write", offset, bytes.length);
    this.#bytes.set(bytes, offset);
    return bytes.length;
  }

  /**
   * msync(2) of `length` bytes from `offset` (default: all): MS_SYNC writes
   * the dirty pages of a file mapping back and waits; MS_ASYNC only
   * schedules it. `offset` must be a multiple of the page size (EINVAL).
   */
  sync(flags: number, offset = 0, length = this.length - offset): void {
    this.#check("msync", false);
    this.#range("msync", offset, length);
    this.#mmapOnly("msync");
    native.msync(this.#handle, offset, length, checkInteger("flags", flags, 0, 2 ** 31 - 1));
  }

  /** madvise(2): MADV_SEQUENTIAL, MADV_RANDOM, MADV_WILLNEED, MADV_DONTNEED, MADV_NORMAL. */
  advise(advice: number, offset = 0, length = this.length - offset): void {
    this.#check("madvise", false);
    this.#range("madvise", offset, length);
    this.#mmapOnly("madvise");
    native.madvise(this.#handle, offset, length, checkInteger("advice", advice, 0, 2 ** 31 - 1));
  }

  /** mincore(2): for each page, whether it is in memory now. */
  residency(): boolean[] {
    this.#check("mincore", false);
    this.#mmapOnly("mincore");
    return [...native.mincore(this.#handle)].map((flag) => (flag & 1) === 1);
  }

  /** munmap or shmdt: detaches every view, then releases the pages. */
  unmap(): void {
    this.#check(this.kind === "mmap" ? "munmap" : "shmdt", false);
    this.#closed = true;
    if (this.kind === "mmap") native.munmap(this.#handle, this.#buffer);
    else native.shmdt(this.#handle, this.#buffer);
  }

  /** `using m = mmap(...)`: unmaps at the end of the block, unless already unmapped. */
  [Symbol.dispose](): void {
    if (!this.#closed) this.unmap();
  }

  #check(what: string, write: boolean): void {
    if (this.#closed) throw unmappedError(what, this.label);
    if (write && !this.writable) throw readOnlyError(what, this.kind, this.subject);
  }

  #mmapOnly(what: string): void {
    if (this.kind !== "mmap")
      throw invalidValue(`${what}: this mapping was made by shmat, not mmap`);
  }

  #range(what: string, offset: number, length: number): void {
    checkInteger("offset", offset, 0, this.length);
    checkInteger("length", length, 0, this.length);
    if (offset + length > this.length) {
      throw outOfRange(
        `${what}: offset ${offset} + length ${length} is past the end of ${this.label} ` +
          `(${this.length} bytes)`,
      );
    }
  }
}

/**
 * Storing into a PROT_READ page is a SIGSEGV in C; no call fails. Here it is
 * EACCES, reported as the mapping call's: the errno the kernel gives when one
 * asks mmap (or shmat) for a writable mapping of an object opened read-only.
 */
export function readOnlyError(what: string, kind: MappingKind, subject: Subject): SystemError {
  return systemError(
    "EACCES",
    kind,
    subject,
    `${what}: the mapping is read-only (PROT_READ); in C this store would die of SIGSEGV`,
  );
}

/** `value` must be a Mapping made by this library. */
export function checkMapping(value: unknown, what: string): Mapping {
  if (!(value instanceof Mapping)) {
    throw invalidType(`${what}: expected a Mapping from mmap() or shmat()`);
  }
  return value;
}
