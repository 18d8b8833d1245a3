/**
 * Descriptor calls every mechanism with descriptors shares (pipes now;
 * FIFOs, queues and sockets later): read, write, close, dup, dup2 and the
 * descriptor's flags. Each blocking call comes twice: `readSync` blocks the
 * whole process (as C's read does; never in a notebook cell that might
 * wait), `read` returns a Promise that waits on the event loop and takes a
 * time-out, an AbortSignal, and Jupyter's interrupt.
 */
import { readdirSync, readlinkSync } from "node:fs";
import { native } from "./native";
import { checkFd, checkInteger, invalidType } from "./errors";
import { toBytes, type ByteInput } from "./bytes";
import { adopt, checkOwn, closeFd, disown } from "./descriptor";
import { forget, whenReady } from "./poll";
import { checkWaitOptions, remaining, type WaitOptions } from "./waiting";

function checkLength(length: number): number {
  return checkInteger("length", length, 1, 2 ** 30);
}

/** read(2) once: up to `length` bytes; an empty Buffer means end of file. Blocks. */
export function readSync(fd: number, length = 65536): Buffer {
  checkFd(fd);
  const buffer = Buffer.allocUnsafe(checkLength(length));
  const n = native.read(fd, buffer, 0, buffer.length);
  return buffer.subarray(0, n);
}

/**
 * read(2) once into `buffer` (from `offset`, at most `length` bytes); returns
 * the byte count, 0 at end of file. Blocks. No allocation: for hot loops.
 */
export function readIntoSync(
  fd: number,
  buffer: Uint8Array,
  offset = 0,
  length = buffer.length - offset,
): number {
  checkFd(fd);
  if (!(buffer instanceof Uint8Array)) throw invalidType("buffer must be a Buffer or Uint8Array");
  return native.read(fd, buffer, offset, length);
}

/** write(2) until every byte is written; returns the byte count. Blocks while full. */
export function writeSync(fd: number, data: ByteInput): number {
  checkFd(fd);
  const bytes = toBytes(data);
  let done = 0;
  while (done < bytes.length) done += native.write(fd, bytes, done, bytes.length - done);
  return done;
}

/** Like readSync, but awaits data instead of blocking the process. */
export function read(fd: number, length = 65536, options: WaitOptions = {}): Promise<Buffer> {
  checkFd(fd);
  checkWaitOptions(options); // bad arguments throw here; only the wait itself is a Promise
  const buffer = Buffer.allocUnsafe(checkLength(length));
  return readIntoAwait(fd, buffer, 0, buffer.length, options).then((n) => buffer.subarray(0, n));
}

/**
 * @internal: one awaited read(2) into `buffer[offset, offset + length)`;
 * the byte count, 0 at end of file. `nonblocking`: the caller knows the
 * descriptor is O_NONBLOCK (a Fifo's), so the attempt is the plain call.
 */
export function readIntoAwait(
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  options: WaitOptions = {},
  nonblocking = false,
): Promise<number> {
  const attempt = nonblocking ? native.readNonblock : native.readNowait;
  return whenReady(
    fd,
    "readable",
    "read",
    () => {
      const n = attempt(fd, buffer, offset, length);
      return n < 0 ? undefined : n;
    },
    options,
  );
}

/** Like writeSync, but awaits room in the pipe instead of blocking. */
export function write(fd: number, data: ByteInput, options: WaitOptions = {}): Promise<number> {
  checkFd(fd);
  checkWaitOptions(options);
  return writeAwait(fd, toBytes(data), options);
}

/** @internal: write(2) of every byte of `bytes`, awaited; `nonblocking` as for readIntoAwait. */
export function writeAwait(
  fd: number,
  bytes: Uint8Array,
  options: WaitOptions = {},
  nonblocking = false,
): Promise<number> {
  const attempt = nonblocking ? native.writeNonblock : native.writeNowait;
  let done = 0;
  return whenReady(
    fd,
    "writable",
    "write",
    () => {
      while (done < bytes.length) {
        const n = attempt(fd, bytes, done, bytes.length - done);
        if (n < 0) return undefined;
        done += n;
      }
      return done;
    },
    options,
  );
}

/** Reads until end of file (every write end closed) and returns all bytes. */
export async function readAll(fd: number, options: WaitOptions = {}): Promise<Buffer> {
  checkWaitOptions(options);
  const chunks: Buffer[] = [];
  const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
  for (;;) {
    const chunk = await read(fd, 65536, { ...options, timeout: remaining(deadline) });
    if (chunk.length === 0) return Buffer.concat(chunks);
    chunks.push(Buffer.from(chunk));
  }
}

/**
 * close(2). Pending awaits on `fd` reject with EBADF first; an object that
 * owned the number is closed with it. Node's and Jupyter's own descriptors
 * are refused (EPERM).
 */
export function close(fd: number): void {
  closeFd(checkFd(fd));
}

/**
 * dup2(2): makes `newfd` refer to what `oldfd` refers to; returns newfd.
 * What `newfd` was is closed by the kernel: its pending awaits reject first,
 * as for close(). Replacing Node's or Jupyter's descriptors is refused (EPERM).
 */
export function dup2(oldfd: number, newfd: number): number {
  checkFd(oldfd, "oldfd");
  checkOwn(checkFd(newfd, "newfd"), "dup2");
  if (oldfd !== newfd) {
    forget(newfd, "replaced by dup2");
    disown(newfd);
  }
  return adopt(native.dup2(oldfd, newfd));
}

/** dup(2), with close-on-exec set: a new descriptor for the same open file. */
export function dup(fd: number): number {
  return adopt(native.dup(checkFd(fd)));
}

/** The flags of a descriptor: access mode, O_NONBLOCK, FD_CLOEXEC. */
export function fdFlags(fd: number): {
  mode: "r" | "w" | "rw";
  nonblock: boolean;
  cloexec: boolean;
} {
  return native.fdFlags(checkFd(fd));
}

/**
 * Sets or clears O_NONBLOCK. It belongs to the open file description, so a
 * forked child holding the same pipe end sees the change too. With it set,
 * readSync/writeSync that would block throw EAGAIN instead of waiting.
 */
export function setNonblocking(fd: number, on = true): void {
  native.setNonblocking(checkFd(fd), on);
}

/** Sets or clears FD_CLOEXEC (close this descriptor in a program started by exec). */
export function setCloexec(fd: number, on = true): void {
  native.setCloexec(checkFd(fd), on);
}

/** One entry of /proc/PID/fd: the descriptor and what it refers to (readlink). */
export interface OpenFd {
  fd: number;
  /** "pipe:[123456]", "/dev/null", "socket:[…]", "anon_inode:[eventpoll]"… */
  target: string;
}

/**
 * The open descriptors of a process as the kernel lists them in /proc/PID/fd
 * (this process by default), in order. A descriptor closed while the folder
 * is read is left out.
 */
export function openFds(pid: number | "self" = "self"): OpenFd[] {
  if (pid !== "self") checkInteger("pid", pid, 1, 2 ** 31 - 1);
  const dir = `/proc/${pid}/fd`;
  const out: OpenFd[] = [];
  for (const name of readdirSync(dir)) {
    try {
      out.push({ fd: Number(name), target: readlinkSync(`${dir}/${name}`) });
    } catch {
      // Closed between readdir and readlink (the readdir's own descriptor is one).
    }
  }
  return out.sort((a, b) => a.fd - b.fd);
}
