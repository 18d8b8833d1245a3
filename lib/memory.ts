/**
 * Memory mapping and the file calls it needs, for every mechanism that maps
 * (POSIX shared memory now, memory-mapped files later): ftruncate, fstat,
 * mmap and munmap, one by one as a chapter shows them. What a mapping is,
 * and why JavaScript can never touch a released page, is lib/mapping.ts.
 */
import { constants as bufferConstants } from "node:buffer";
import { native, type NativeStat, type Subject } from "./native";
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  PAGE_SIZE,
  PROT_READ,
  PROT_WRITE,
} from "./constants";
import { checkFd, checkInteger, invalidValue, outOfRange, show } from "./errors";
import { Mapping, checkMapping, type MappingGuard } from "./mapping";

/** The largest mapping the library hands out: the largest Buffer (4 GiB in Node 20). */
export const MAX_MAPPING: number = bufferConstants.MAX_LENGTH;

/** ftruncate(2): sets the file's size; new bytes read as zero. */
export function ftruncate(fd: number, length: number): void {
  native.ftruncate(checkFd(fd), checkInteger("length", length, 0, Number.MAX_SAFE_INTEGER));
}

/** fstat(2)'s answer; `mode` holds the permission bits only. */
export interface FileStat extends NativeStat {
  /** The permission bits as `ls -l` shows them: "rw-r--r--". */
  permissions: string;
}

export function fstat(fd: number): FileStat {
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
 * mmap(2) of a descriptor, as the lecture writes it:
 * `mmap(null, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)`. The kernel
 * chooses the address (addr must be null). Refuses to map past the end of
 * the object: touching such pages raises SIGBUS.
 *
 * `flags | MAP_ANONYMOUS` with fd -1 maps memory backed by no file
 * (zero-filled): MAP_SHARED | MAP_ANONYMOUS is shared with the children
 * forked afterwards, MAP_PRIVATE | MAP_ANONYMOUS is copied on write.
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
    throw invalidValue(`mmap: addr must be null (let the kernel choose), got ${show(addr)}`);
  }
  if (prot !== PROT_READ && prot !== (PROT_READ | PROT_WRITE)) {
    throw invalidValue(`mmap: prot must be PROT_READ or PROT_READ | PROT_WRITE, got ${show(prot)}`);
  }
  const kind = typeof flags === "number" ? flags & ~MAP_ANONYMOUS : flags;
  if (kind !== MAP_SHARED && kind !== MAP_PRIVATE) {
    throw invalidValue(
      `mmap: flags must be MAP_SHARED or MAP_PRIVATE (optionally | MAP_ANONYMOUS), got ${show(flags)}`,
    );
  }
  if ((flags & MAP_ANONYMOUS) !== 0) {
    if (fd !== -1)
      throw invalidValue(`mmap: MAP_ANONYMOUS maps no file: fd must be -1, got ${show(fd)}`);
    if (offset !== 0) throw invalidValue(`mmap: MAP_ANONYMOUS needs offset 0, got ${show(offset)}`);
    checkInteger("length", length, 1, MAX_MAPPING);
    const writable = prot === (PROT_READ | PROT_WRITE);
    return new Mapping(
      native.mmapAnonymous(length, prot, kind),
      "mmap",
      writable,
      "anonymous memory",
      {
        fd: -1,
      },
    );
  }
  return mapFd(
    checkFd(fd),
    length,
    prot === (PROT_READ | PROT_WRITE),
    `fd ${fd}`,
    { fd },
    flags,
    offset,
  );
}

/** munmap(2): removes the mapping; every view of it becomes empty first. */
export function munmap(mapping: Mapping): void {
  checkMapping(mapping, "munmap");
  if (mapping.kind !== "mmap")
    throw invalidValue(`munmap: this mapping was made by shmat; use shmdt`);
  mapping.unmap();
}

/** mmap of `length` bytes of `fd` from `offset`, checked against the file's size first. */
export function mapFd(
  fd: number,
  length: number,
  writable: boolean,
  label: string,
  subject: Subject,
  flags = MAP_SHARED,
  offset = 0,
  guard?: MappingGuard,
): Mapping {
  checkInteger("length", length, 1, MAX_MAPPING);
  checkInteger("offset", offset, 0, Number.MAX_SAFE_INTEGER);
  if (offset % PAGE_SIZE !== 0) {
    throw outOfRange(
      `mmap: offset must be a multiple of the page size ${PAGE_SIZE}, got ${offset}`,
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
  return new Mapping(
    native.mmap(length, prot, flags, fd, offset),
    "mmap",
    writable,
    label,
    subject,
    guard,
  );
}
