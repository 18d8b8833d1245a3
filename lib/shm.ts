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
import { inspect } from "node:util";
import { native } from "./native";
import { O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC } from "./constants";
import { checkInteger, invalidType, invalidValue, outOfRange, show, systemError } from "./errors";
import { checkPosixName } from "./names";
import { adopt } from "./descriptor";
import { MAX_MAPPING, formatPermissions, mapFd } from "./memory";
import { MappedObject } from "./mapped-object";

/** Where Linux keeps POSIX shared-memory objects. */
export const SHM_DIR = "/dev/shm";

const OPEN_FLAGS = O_RDONLY | O_RDWR | O_CREAT | O_EXCL | O_TRUNC;

function checkMode(mode: unknown): number {
  return checkInteger("mode", mode, 0, 0o777);
}

/**
 * shm_open(3): opens (O_CREAT: creates) the object and returns a descriptor.
 * `flags` are Node's `fs.constants`: O_RDONLY or O_RDWR, with O_CREAT,
 * O_EXCL, O_TRUNC. `mode` is filtered by the umask, as for open(2).
 */
export function shmOpen(name: string, flags: number, mode = 0o666): number {
  checkPosixName(name);
  checkInteger("flags", flags, 0, 2 ** 31 - 1);
  if ((flags & ~OPEN_FLAGS) !== 0) {
    throw invalidValue(
      `flags may combine O_RDONLY or O_RDWR with O_CREAT, O_EXCL and O_TRUNC, got 0o${flags.toString(8)}`,
    );
  }
  return adopt(native.shmOpen(name, flags, checkMode(mode)));
}

/** shm_unlink(3): removes the name; the memory goes when the last mapping does. */
export function shmUnlink(name: string): void {
  native.shmUnlink(checkPosixName(name));
}

/** A size for create(): a positive integer that fits in /dev/shm and in a Buffer. */
function checkCreateSize(name: string, size: unknown): number {
  checkInteger("size", size, 1, Number.MAX_SAFE_INTEGER);
  const value = size as number;
  // The library's check, standing in for the kernel's: fallocate would fail
  // with ENOSPC too, but only after ftruncate. (Without fallocate the kernel
  // accepts any size and a store into a page it cannot find delivers SIGBUS.)
  const { bavail, bsize } = statfsSync(SHM_DIR);
  const free = bavail * bsize;
  if (value > free) {
    throw systemError(
      "ENOSPC",
      "fallocate",
      { path: name },
      `${value} bytes is more than ${SHM_DIR} can hold (${free} bytes free); ` +
        `checked by ipc-lab before any call`,
    );
  }
  if (value > MAX_MAPPING) {
    throw outOfRange(`size must be at most ${MAX_MAPPING} (the largest Buffer), got ${value}`);
  }
  return value;
}

export interface ShmCreateOptions {
  /** Permission bits (default 0o666, less the umask). */
  mode?: number;
  /** O_EXCL: fail with EEXIST if the object exists already. */
  exclusive?: boolean;
}

export interface ShmOpenOptions {
  /** O_RDONLY and PROT_READ: the consumer's way; writes throw EACCES. */
  readonly?: boolean;
}

/** One object in /dev/shm, as `ls -l` would describe it. */
export interface ShmEntry {
  name: string;
  size: number;
  permissions: string;
}

/**
 * A POSIX shared-memory object mapped into this process:
 * `SharedMemory.create("/OS", 4096)` is the producer's shm_open(O_CREAT |
 * O_RDWR) + ftruncate + mmap; `SharedMemory.open("/OS", { readonly: true })`
 * the consumer's. After close() (or leaving a `using` block) every access
 * throws ERR_SHM_CLOSED; views taken before have length 0.
 */
export class SharedMemory extends MappedObject {
  readonly name: string;
  readonly size: number;
  /** True when this create() made the object (false: it existed and was reused). */
  readonly created: boolean;

  private constructor(name: string, fd: number, writable: boolean, size: number, created: boolean) {
    super(fd, name, () => mapFd(fd, size, writable, name, { path: name }));
    this.name = name;
    this.size = this.mapping.length;
    this.created = created;
  }

  /**
   * shm_open(O_CREAT | O_RDWR) + ftruncate(size) + mmap, as the producer does.
   * The pages are reserved at once (fallocate): a full /dev/shm is an ENOSPC
   * error here, not a SIGBUS at some later store. If a step fails, an object
   * this call made is removed again.
   */
  static create(name: string, size: number, options: ShmCreateOptions = {}): SharedMemory {
    checkPosixName(name);
    const mode = checkMode(options.mode ?? 0o666);
    checkCreateSize(name, size);
    // O_EXCL first: knowing whether this call made the object tells us
    // whether to remove it again if a later step fails.
    let fd: number;
    let created = true;
    try {
      fd = native.shmOpen(name, O_CREAT | O_EXCL | O_RDWR, mode);
    } catch (error) {
      if (options.exclusive || (error as { code?: string }).code !== "EEXIST") throw error;
      fd = native.shmOpen(name, O_RDWR, 0);
      created = false;
    }
    try {
      native.ftruncate(fd, size);
      native.fallocate(fd, 0, size);
    } catch (error) {
      native.close(fd);
      if (created) native.shmUnlink(name);
      throw error;
    }
    try {
      return new SharedMemory(name, fd, true, size, created); // owns fd, also when it throws
    } catch (error) {
      if (created) native.shmUnlink(name);
      throw error;
    }
  }

  /** shm_open + fstat (for the size) + mmap of an existing object. */
  static open(name: string, options: ShmOpenOptions = {}): SharedMemory {
    checkPosixName(name);
    const writable = !options.readonly;
    const fd = native.shmOpen(name, writable ? O_RDWR : O_RDONLY, 0);
    let size: number;
    try {
      ({ size } = native.fstat(fd));
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
    } catch (error) {
      native.close(fd);
      throw error;
    }
    return new SharedMemory(name, fd, writable, size, false);
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

  /** The shared bytes themselves, no copy (read-write objects only). */
  get buffer(): Buffer {
    this.check("buffer");
    return this.mapping.bytes;
  }

  dataView(offset?: number, length?: number): DataView {
    this.check("dataView");
    return this.mapping.dataView(offset, length);
  }

  /** shm_unlink of this object's name. */
  unlink(): void {
    shmUnlink(this.name);
  }

  [inspect.custom](): string {
    return `SharedMemory { name: '${this.name}', size: ${this.size}, ${
      this.writable ? "read-write" : "read-only"
    }, ${this.state} }`;
  }
}
