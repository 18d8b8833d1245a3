/**
 * POSIX shared memory (공유 메모리), as the lecture's producer and consumer
 * use it. Two layers:
 *  - the system calls one by one, for the chapter to show each step:
 *    shmOpen, ftruncate, fstat, mmap, munmap, shmUnlink;
 *  - SharedMemory, the same steps done safely: create / open / read / write,
 *    close (munmap + close), unlink, and `[Symbol.dispose]`.
 * An object is a file in /dev/shm (a tmpfs: memory, not disk); its name is
 * "/" and up to 255 more bytes with no other "/".
 */
import { readdirSync, statSync, statfsSync } from "node:fs";
import { constants as bufferConstants } from "node:buffer";
import { inspect } from "node:util";
import { native, type NativeStat } from "./native";
import { SystemError, checkFd, checkInteger, invalidArgument, outOfRange, show } from "./errors";
import { close, type Bytes } from "./fd";
import { Mapping, checkMapping, closedError } from "./mapping";

export { Mapping, type MappingKind } from "./mapping";

const C = native.shmConstants;
/** mmap's `prot`: the pages may be read / written. */
export const PROT_READ = C.PROT_READ;
export const PROT_WRITE = C.PROT_WRITE;
/** mmap's `flags`: stores reach the object and every other process (MAP_SHARED), or stay private. */
export const MAP_SHARED = C.MAP_SHARED;
export const MAP_PRIVATE = C.MAP_PRIVATE;
/** Where Linux keeps POSIX shared-memory objects. */
export const SHM_DIR = "/dev/shm";
/** The largest mapping the library hands out: the largest Buffer (4 GiB in Node 20). */
export const MAX_MAPPING: number = bufferConstants.MAX_LENGTH;

const OPEN_FLAGS = C.O_RDONLY | C.O_RDWR | C.O_CREAT | C.O_EXCL | C.O_TRUNC;

/** `name` must be a portable POSIX object name: "/", then 1 to 255 bytes, no other "/". */
export function checkShmName(name: unknown): string {
  if (typeof name !== "string") throw invalidArgument(`name must be a string, got ${show(name)}`);
  if (name === "") throw invalidArgument(`name must not be empty: POSIX names look like "/OS"`);
  if (!name.startsWith("/")) {
    throw invalidArgument(`name must start with "/" (like "/OS"), got ${show(name)}`);
  }
  const rest = name.slice(1);
  if (rest === "" || rest === "." || rest === "..") {
    throw invalidArgument(`name needs a file name after the "/", got ${show(name)}`);
  }
  if (rest.includes("/")) {
    throw invalidArgument(`name must have no "/" after the first one, got ${show(name)}`);
  }
  if (rest.includes("\0")) throw invalidArgument(`name must not contain a NUL byte`);
  const bytes = Buffer.byteLength(rest);
  if (bytes > C.NAME_MAX) {
    throw invalidArgument(
      `name must be at most ${C.NAME_MAX} bytes after the "/" (NAME_MAX), got ${bytes}`,
    );
  }
  return name;
}

function checkMode(mode: unknown): number {
  return checkInteger("mode", mode, 0, 0o777);
}

/**
 * shm_open(3): opens (O_CREAT: creates) the object and returns a descriptor.
 * `flags` are Node's `fs.constants`: O_RDONLY or O_RDWR, with O_CREAT,
 * O_EXCL, O_TRUNC. `mode` is filtered by the umask, as for open(2).
 */
export function shmOpen(name: string, flags: number, mode = 0o666): number {
  checkShmName(name);
  checkInteger("flags", flags, 0, 2 ** 31 - 1);
  if ((flags & ~OPEN_FLAGS) !== 0) {
    throw invalidArgument(
      `flags may combine O_RDONLY or O_RDWR with O_CREAT, O_EXCL and O_TRUNC, got 0o${flags.toString(8)}`,
    );
  }
  return native.shmOpen(name, flags, checkMode(mode));
}

/** shm_unlink(3): removes the name; the memory goes when the last mapping does. */
export function shmUnlink(name: string): void {
  native.shmUnlink(checkShmName(name));
}

/** ftruncate(2): sets the object's size; new bytes read as zero. */
export function ftruncate(fd: number, length: number): void {
  native.ftruncate(checkFd(fd), checkInteger("length", length, 0, Number.MAX_SAFE_INTEGER));
}

/** fstat(2)'s answer for an object; `mode` holds the permission bits only. */
export interface ShmStat extends NativeStat {
  /** The permission bits as `ls -l` shows them: "rw-r--r--". */
  permissions: string;
}

export function fstat(fd: number): ShmStat {
  const stat = native.fstat(checkFd(fd));
  const mode = stat.mode & 0o7777;
  return { ...stat, mode, permissions: formatPermissions(mode) };
}

/** 0o644 -> "rw-r--r--". */
export function formatPermissions(mode: number): string {
  const bits = "rwxrwxrwx";
  return [...bits].map((letter, i) => (mode & (1 << (8 - i)) ? letter : "-")).join("");
}

/**
 * mmap(2) of a shared-memory descriptor, as the lecture writes it:
 * `mmap(null, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)`. The kernel
 * chooses the address (addr must be null). Refuses to map past the end of
 * the object: touching such pages raises SIGBUS.
 */
export function mmap(
  addr: null | 0,
  length: number,
  prot: number,
  flags: number,
  fd: number,
  offset = 0,
): Mapping {
  if (addr !== null && addr !== 0) {
    throw invalidArgument(`mmap: addr must be null (let the kernel choose), got ${show(addr)}`);
  }
  if (prot !== PROT_READ && prot !== (PROT_READ | PROT_WRITE)) {
    throw invalidArgument(
      `mmap: prot must be PROT_READ or PROT_READ | PROT_WRITE, got ${show(prot)}`,
    );
  }
  if (flags !== MAP_SHARED && flags !== MAP_PRIVATE) {
    throw invalidArgument(`mmap: flags must be MAP_SHARED or MAP_PRIVATE, got ${show(flags)}`);
  }
  return mapFd(checkFd(fd), length, prot === (PROT_READ | PROT_WRITE), `fd ${fd}`, flags, offset);
}

/** munmap(2): removes the mapping; every view of it becomes empty first. */
export function munmap(mapping: Mapping): void {
  checkMapping(mapping, "munmap");
  if (mapping.kind !== "mmap")
    throw invalidArgument(`munmap: this mapping was made by shmat; use shmdt`);
  mapping.unmap();
}

function mapFd(
  fd: number,
  length: number,
  writable: boolean,
  label: string,
  flags = MAP_SHARED,
  offset = 0,
): Mapping {
  checkInteger("length", length, 1, MAX_MAPPING);
  checkInteger("offset", offset, 0, Number.MAX_SAFE_INTEGER);
  if (offset % C.PAGE_SIZE !== 0) {
    throw outOfRange(
      `mmap: offset must be a multiple of the page size ${C.PAGE_SIZE}, got ${offset}`,
    );
  }
  const { size } = native.fstat(fd);
  if (offset + length > size) {
    throw outOfRange(
      `mmap: offset ${offset} + length ${length} is past the end of ${label} (${size} bytes): ` +
        `touching those pages would raise SIGBUS; size the object first with ftruncate()`,
    );
  }
  const prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  return new Mapping(native.mmap(length, prot, flags, fd, offset), "mmap", writable, label);
}

/** A size for create(): a positive integer that fits in /dev/shm and in a Buffer. */
function checkCreateSize(name: string, size: unknown): number {
  checkInteger("size", size, 1, Number.MAX_SAFE_INTEGER);
  const value = size as number;
  const { bavail, bsize } = statfsSync(SHM_DIR);
  const free = bavail * bsize;
  if (value > free) {
    const error = new SystemError(
      `SharedMemory.create: ENOSPC (No space left on device) '${name}': ${value} bytes is ` +
        `more than ${SHM_DIR} can hold (${free} bytes free)`,
    );
    throw Object.assign(error, {
      code: "ENOSPC",
      errno: -28,
      syscall: "SharedMemory.create",
      path: name,
    });
  }
  if (value > MAX_MAPPING) {
    throw outOfRange(`size must be at most ${MAX_MAPPING} (the largest Buffer), got ${value}`);
  }
  return value;
}

export interface CreateOptions {
  /** Permission bits (default 0o666, less the umask). */
  mode?: number;
  /** O_EXCL: fail with EEXIST if the object exists already. */
  exclusive?: boolean;
}

export interface OpenOptions {
  /** O_RDONLY and PROT_READ: the consumer's way; writes throw EACCES. */
  readonly?: boolean;
}

/** One object in /dev/shm, as `ls -l` would describe it. */
export interface ShmEntry {
  name: string;
  size: number;
  permissions: string;
}

// A SharedMemory dropped without close() gets its descriptor closed when it
// is collected (its mapping is released by the ArrayBuffer's own finalizer).
const forgotten = new FinalizationRegistry<number>((fd) => {
  try {
    native.close(fd);
  } catch {
    // Nothing to report to: the owner is gone.
  }
});

/**
 * A POSIX shared-memory object mapped into this process:
 * `SharedMemory.create("/OS", 4096)` is the producer's shm_open(O_CREAT |
 * O_RDWR) + ftruncate + mmap; `SharedMemory.open("/OS", { readonly: true })`
 * the consumer's. After close() (or leaving a `using` block) every access
 * throws ERR_SHM_CLOSED; views taken before have length 0.
 */
export class SharedMemory {
  readonly name: string;
  readonly size: number;
  readonly writable: boolean;
  /** True when this create() made the object (false: it existed and was reused). */
  readonly created: boolean;
  #fd: number;
  #mapping: Mapping;
  #closed = false;

  private constructor(name: string, fd: number, mapping: Mapping, created: boolean) {
    this.name = name;
    this.#fd = fd;
    this.#mapping = mapping;
    this.size = mapping.length;
    this.writable = mapping.writable;
    this.created = created;
    forgotten.register(this, fd, this);
  }

  /**
   * shm_open(O_CREAT | O_RDWR) + ftruncate(size) + mmap, as the producer does.
   * The pages are reserved at once (fallocate): a full /dev/shm is an ENOSPC
   * error here, not a SIGBUS at some later store. If a step fails, an object
   * this call made is removed again.
   */
  static create(name: string, size: number, options: CreateOptions = {}): SharedMemory {
    checkShmName(name);
    const mode = checkMode(options.mode ?? 0o666);
    checkCreateSize(name, size);
    // O_EXCL first: knowing whether this call made the object tells us
    // whether to remove it again if a later step fails.
    let fd: number;
    let created = true;
    try {
      fd = native.shmOpen(name, C.O_CREAT | C.O_EXCL | C.O_RDWR, mode);
    } catch (error) {
      if (options.exclusive || (error as SystemError).code !== "EEXIST") throw error;
      fd = native.shmOpen(name, C.O_RDWR, 0);
      created = false;
    }
    try {
      native.ftruncate(fd, size);
      native.fallocate(fd, 0, size);
      return new SharedMemory(name, fd, mapFd(fd, size, true, name), created);
    } catch (error) {
      native.close(fd);
      if (created) native.shmUnlink(name);
      throw error;
    }
  }

  /** shm_open + fstat (for the size) + mmap of an existing object. */
  static open(name: string, options: OpenOptions = {}): SharedMemory {
    checkShmName(name);
    const writable = !options.readonly;
    const fd = native.shmOpen(name, writable ? C.O_RDWR : C.O_RDONLY, 0);
    try {
      const { size } = native.fstat(fd);
      if (size === 0) {
        throw Object.assign(
          new Error(
            `SharedMemory.open: '${name}' has size 0, so there is nothing to map yet ` +
              `(its creator sizes it with ftruncate)`,
          ),
          { code: "ERR_SHM_EMPTY" },
        );
      }
      if (size > MAX_MAPPING) {
        throw outOfRange(
          `SharedMemory.open: '${name}' is ${size} bytes, more than a Buffer can map`,
        );
      }
      return new SharedMemory(name, fd, mapFd(fd, size, writable, name), false);
    } catch (error) {
      native.close(fd);
      throw error;
    }
  }

  /** shm_unlink: removes the name (ENOENT if it is not there). */
  static unlink(name: string): void {
    shmUnlink(name);
  }

  /** The objects in /dev/shm whose names start with `prefix` (default: all), sorted. */
  static list(prefix = "/"): ShmEntry[] {
    const entries: ShmEntry[] = [];
    for (const file of readdirSync(SHM_DIR).sort()) {
      const name = `/${file}`;
      if (!name.startsWith(prefix)) continue;
      try {
        const stat = statSync(`${SHM_DIR}/${file}`);
        entries.push({ name, size: stat.size, permissions: formatPermissions(stat.mode & 0o777) });
      } catch {
        // Removed between readdir and stat by another process: not there any more.
      }
    }
    return entries;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The descriptor shm_open returned (kept for stat(); closed by close()). */
  get fd(): number {
    this.#check("fd");
    return this.#fd;
  }

  /** The mapping: its address, length, and the raw calls' view. */
  get mapping(): Mapping {
    this.#check("mapping");
    return this.#mapping;
  }

  /** Where the object is mapped in this process. */
  get address(): string {
    return this.#mapping.address;
  }

  /** The shared bytes themselves, no copy (read-write objects only). */
  get buffer(): Buffer {
    this.#check("buffer");
    return this.#mapping.bytes;
  }

  dataView(offset?: number, length?: number): DataView {
    this.#check("dataView");
    return this.#mapping.dataView(offset, length);
  }

  /** A copy of `length` bytes at `offset`. */
  read(offset?: number, length?: number): Buffer {
    this.#check("read");
    return this.#mapping.read(offset, length);
  }

  /** The C string at `offset` (up to the first NUL byte). */
  readString(offset?: number): string {
    this.#check("readString");
    return this.#mapping.readString(offset);
  }

  /** Copies `data` to `offset`; returns the bytes written (advance your offset by it). */
  write(offset: number, data: Bytes): number {
    this.#check("write");
    return this.#mapping.write(offset, data);
  }

  /** fstat of the object: size, permissions, owner. */
  stat(): ShmStat {
    this.#check("stat");
    return fstat(this.#fd);
  }

  /** munmap + close(fd). The object stays in /dev/shm until unlinked. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    forgotten.unregister(this);
    try {
      this.#mapping.unmap();
    } finally {
      close(this.#fd);
    }
  }

  /** shm_unlink of this object's name. */
  unlink(): void {
    shmUnlink(this.name);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [inspect.custom](): string {
    const state = this.#closed ? "closed" : `at ${this.address}`;
    return `SharedMemory { name: '${this.name}', size: ${this.size}, ${
      this.writable ? "read-write" : "read-only"
    }, ${state} }`;
  }

  #check(what: string): void {
    if (this.#closed) throw closedError(what, this.name);
  }
}
