/**
 * Memory-mapped files (메모리 맵 파일): an open regular file's pages mapped
 * into the address spaces of the processes that open it; the shared medium is
 * file + memory (공유 매개체: 파일 + 메모리). Two layers:
 *  - the system calls one by one, for the chapter to show each step: open,
 *    then memory.ts's ftruncate / fstat / mmap / munmap, and here msync,
 *    madvise, mincore, posix_fadvise, getrusage; plus what the kernel shows of
 *    a mapping (/proc/PID/maps, /proc/PID/smaps);
 *  - MappedFile, the same steps done safely: create / open / read / write /
 *    sync, close (munmap + close), `[Symbol.dispose]`.
 *
 * SIGBUS: a page wholly past the end of the file has nothing behind it, and
 * touching it kills the process with SIGBUS (Linux lets ftruncate shrink a
 * mapped file). mmap here refuses to map past the end, and MappedFile's
 * read/write/readString check the file's size (fstat) before each copy, so a
 * file truncated by another process is an ERR_MAPPING_TRUNCATED error, not a
 * dead kernel. What the library cannot guard: a view taken from `bytes` (or
 * a DataView) is raw memory, and a truncation racing one copy still wins.
 */
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { native } from "./native";
import {
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  PAGE_SIZE,
} from "./constants";
import {
  checkFd,
  checkInteger,
  checkOptions,
  invalidType,
  invalidValue,
  outOfRange,
  show,
} from "./errors";
import { adopt } from "./descriptor";
import { MAX_MAPPING, mapFd } from "./memory";
import { checkMapping, type Mapping, type MappingGuard } from "./mapping";
import { MappedObject } from "./mapped-object";

const OPEN_FLAGS = O_RDONLY | O_RDWR | O_CREAT | O_EXCL | O_TRUNC;

function checkPath(path: unknown): string {
  if (typeof path !== "string") throw invalidType(`path must be a string, got ${show(path)}`);
  if (path === "") throw invalidValue(`path must not be empty`);
  if (path.includes("\0")) throw invalidValue(`path must not contain NUL bytes`);
  return path;
}

/**
 * open(2) of a file to map: `flags` are O_RDONLY or O_RDWR, with O_CREAT,
 * O_EXCL, O_TRUNC (Node's fs.constants have the same values); the
 * descriptor is close-on-exec. A directory opened O_RDWR is EISDIR.
 */
export function open(path: string, flags: number, mode = 0o666): number {
  checkPath(path);
  checkInteger("flags", flags, 0, 2 ** 31 - 1);
  if ((flags & ~OPEN_FLAGS) !== 0) {
    throw invalidValue(
      `flags may combine O_RDONLY or O_RDWR with O_CREAT, O_EXCL and O_TRUNC, got 0o${flags.toString(8)}`,
    );
  }
  return adopt(native.open(path, flags, checkInteger("mode", mode, 0, 0o777)));
}

/** msync(2): MS_SYNC writes the mapping's dirty pages to the file and waits; MS_ASYNC schedules it. */
export function msync(mapping: Mapping, flags: number, offset?: number, length?: number): void {
  checkMapping(mapping, "msync").sync(flags, offset, length);
}

/** madvise(2): tells the kernel how the pages will be used (MADV_SEQUENTIAL, MADV_RANDOM, ...). */
export function madvise(mapping: Mapping, advice: number, offset?: number, length?: number): void {
  checkMapping(mapping, "madvise").advise(advice, offset, length);
}

/** mincore(2): for each page of the mapping, whether it is in memory (the page cache) now. */
export function mincore(mapping: Mapping): boolean[] {
  return checkMapping(mapping, "mincore").residency();
}

/**
 * posix_fadvise(2): POSIX_FADV_DONTNEED drops the file's clean pages from the
 * page cache (no root needed), so the next touch of a mapping is a major fault.
 */
export function posixFadvise(fd: number, advice: number, offset = 0, length = 0): void {
  native.posixFadvise(
    checkFd(fd),
    checkInteger("offset", offset, 0, Number.MAX_SAFE_INTEGER),
    checkInteger("length", length, 0, Number.MAX_SAFE_INTEGER),
    checkInteger("advice", advice, 0, 2 ** 31 - 1),
  );
}

/** getrusage(RUSAGE_SELF)'s page faults: minor (page was in memory) and major (needed I/O). */
export interface PageFaults {
  minflt: number;
  majflt: number;
  /** Largest resident set so far, in KiB. */
  maxrss: number;
}

export function getrusage(): PageFaults {
  return native.getrusage();
}

/** One line of /proc/PID/maps: a region of the address space and what backs it. */
export interface MapsEntry {
  /** "0x7f3a5c1e2000", as Mapping.address prints it. */
  start: string;
  end: string;
  size: number;
  /** "rw-s": read, write, execute, s(hared) or p(rivate). */
  perms: string;
  /** Offset in the file of the region's first byte. */
  offset: number;
  inode: number;
  /** The file, "[heap]", "[stack]", "/dev/zero (deleted)", or "" (anonymous). */
  path: string;
}

function pidDir(pid: number | "self"): string {
  if (pid !== "self") checkInteger("pid", pid, 1, 2 ** 31 - 1);
  return `/proc/${pid}`;
}

/** /proc/PID/maps, parsed: every region of the process's address space. */
export function procMaps(pid: number | "self" = "self"): MapsEntry[] {
  return readFileSync(`${pidDir(pid)}/maps`, "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const [range = "", perms = "", offset = "0", , inode = "0", ...rest] = line.split(/\s+/);
      const [start = "0", end = "0"] = range.split("-");
      return {
        start: `0x${start}`,
        end: `0x${end}`,
        size: parseInt(end, 16) - parseInt(start, 16),
        perms,
        offset: parseInt(offset, 16),
        inode: Number(inode),
        path: rest.join(" "),
      };
    });
}

/**
 * The /proc/PID/smaps block of the region that starts at `address` (a
 * Mapping's): its `Rss`, `Shared_Clean`, `Shared_Dirty`, `Private_Clean`,
 * `Private_Dirty`, ... in KiB, as the kernel counts them.
 */
export function smaps(address: string, pid: number | "self" = "self"): Record<string, number> {
  if (typeof address !== "string" || !/^0x[0-9a-f]+$/i.test(address)) {
    throw invalidValue(`smaps: address must look like "0x7f3a5c1e2000", got ${show(address)}`);
  }
  const start = BigInt(address).toString(16);
  const lines = readFileSync(`${pidDir(pid)}/smaps`, "utf8").split("\n");
  const first = lines.findIndex((line) => line.startsWith(`${start}-`));
  if (first < 0) throw invalidValue(`smaps: no mapping starts at ${address} in process ${pid}`);
  const fields: Record<string, number> = {};
  for (const line of lines.slice(first + 1)) {
    const match = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (match) fields[match[1] as string] = Number(match[2]);
    else if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) break;
  }
  return fields;
}

export interface MappedFileOptions {
  /** O_RDONLY and PROT_READ: writes throw EACCES. */
  readonly?: boolean;
  /** MAP_PRIVATE: stores are copied on write, seen by nobody else and never reach the file. */
  private?: boolean;
  /** Where the mapping starts in the file: a multiple of PAGE_SIZE (default 0). */
  offset?: number;
  /** Bytes to map (default: from offset to the end of the file). */
  length?: number;
}

export interface MappedFileCreateOptions {
  /** Permission bits (default 0o644, less the umask). */
  mode?: number;
  /** O_EXCL: fail with EEXIST if the file exists already. */
  exclusive?: boolean;
}

/** Error for a copy past the end of a file that shrank under its mapping. */
function truncatedError(what: string, path: string, size: number, end: number) {
  return Object.assign(
    new Error(
      `${what}: '${path}' is now ${size} bytes (truncated while mapped); byte ${end - 1} of the ` +
        `file is on a page past its end: in C touching it would die of SIGBUS`,
    ),
    { code: "ERR_MAPPING_TRUNCATED", path, size },
  );
}

/**
 * A regular file mapped into this process: `MappedFile.create(path, size)` is
 * open(O_CREAT | O_RDWR) + ftruncate + mmap(MAP_SHARED); `MappedFile.open(path)`
 * maps an existing file (readonly, private, offset, length as options).
 * After close() every access throws ERR_SHM_CLOSED; views taken before have
 * length 0.
 */
export class MappedFile extends MappedObject {
  readonly path: string;
  /** Where the mapping starts in the file. */
  readonly offset: number;
  /** Bytes mapped. */
  readonly length: number;
  /** MAP_PRIVATE (copy-on-write) rather than MAP_SHARED. */
  readonly private: boolean;

  private constructor(path: string, fd: number, options: Required<MappedFileOptions>) {
    super(fd, path, () =>
      mapFd(
        fd,
        options.length,
        !options.readonly,
        path,
        { path },
        options.private ? MAP_PRIVATE : MAP_SHARED,
        options.offset,
        truncationGuard(fd, path, options.offset, options.length),
      ),
    );
    this.path = path;
    this.offset = options.offset;
    this.length = this.mapping.length;
    this.private = options.private;
  }

  /** open(O_CREAT | O_RDWR) + ftruncate(size) + mmap(MAP_SHARED): a new (or reused) file of `size` bytes. */
  static create(path: string, size: number, options: MappedFileCreateOptions = {}): MappedFile {
    checkPath(path);
    checkInteger("size", size, 1, MAX_MAPPING);
    options = checkOptions(options, "{ mode: 0o600, exclusive: true }");
    const mode = checkInteger("mode", options.mode ?? 0o644, 0, 0o777);
    const fd = open(path, O_CREAT | O_RDWR | (options.exclusive ? O_EXCL : 0), mode);
    try {
      native.ftruncate(fd, size);
    } catch (error) {
      native.close(fd);
      throw error;
    }
    return new MappedFile(path, fd, { readonly: false, private: false, offset: 0, length: size });
  }

  /** open + fstat (for the size) + mmap of an existing file. */
  static open(path: string, options: MappedFileOptions = {}): MappedFile {
    checkPath(path);
    options = checkOptions(options, "{ readonly: true, private: true, offset: 4096, length: 100 }");
    const offset = checkInteger("offset", options.offset ?? 0, 0, Number.MAX_SAFE_INTEGER);
    const readonly = options.readonly ?? false;
    const fd = open(path, readonly ? O_RDONLY : O_RDWR);
    let length: number;
    try {
      length = options.length ?? native.fstat(fd).size - offset;
      if (options.length === undefined && length <= 0) {
        throw outOfRange(
          `MappedFile.open: '${path}' has ${length + offset} bytes, nothing to map from offset ${offset}` +
            ` (mmap of length 0 is EINVAL; size the file first with ftruncate)`,
        );
      }
    } catch (error) {
      native.close(fd);
      throw error;
    }
    return new MappedFile(path, fd, {
      readonly,
      private: options.private ?? false,
      offset,
      length,
    });
  }

  /**
   * The mapped bytes themselves, no copy (read-write mappings only). Raw
   * memory: if another process truncates the file, touching a page past its
   * new end through this Buffer kills the process with SIGBUS. Use
   * read()/write() where another process may shrink the file.
   */
  get bytes(): Buffer {
    this.check("bytes");
    return this.mapping.bytes;
  }

  /** msync: MS_SYNC (default) waits until the dirty pages are in the file. */
  sync(flags?: number, offset?: number, length?: number): void {
    this.check("sync");
    this.mapping.sync(flags ?? native.constants.MS_SYNC, offset, length);
  }

  /** madvise of the whole mapping (or a range). */
  advise(advice: number, offset?: number, length?: number): void {
    this.check("advise");
    this.mapping.advise(advice, offset, length);
  }

  /** mincore: which pages are in memory now. */
  residency(): boolean[] {
    this.check("residency");
    return this.mapping.residency();
  }

  [inspect.custom](): string {
    const how = `${this.writable ? "read-write" : "read-only"}, ${this.private ? "MAP_PRIVATE" : "MAP_SHARED"}`;
    return `MappedFile { path: '${this.path}', offset: ${this.offset}, length: ${this.length}, ${how}, ${this.state} }`;
  }
}

/**
 * The library's check standing in for SIGBUS: a page of the mapping that
 * lies wholly past the file's current end may not be touched.
 */
function truncationGuard(fd: number, path: string, offset: number, length: number): MappingGuard {
  return (what, from, count) => {
    const { size } = native.fstat(fd);
    const backed = Math.max(0, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE - offset);
    if (count > 0 && from + count > backed) {
      throw truncatedError(what, path, size, offset + from + count);
    }
    return Math.min(backed, length);
  };
}
