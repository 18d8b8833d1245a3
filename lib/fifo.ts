/**
 * Named pipes (FIFOs): a pipe with a name in the file system, so that
 * processes that share no parent (and no inherited descriptor) find each
 * other by the name alone. mkfifo() makes the name (type `p` in ls -l; the
 * FIFO keeps no data on disk), openFifo() opens one end, unlink() removes
 * the name.
 *
 * The open is the part that blocks: a reader waits until a writer opens and
 * vice versa. Node's own fs.open does that wait on one of libuv's four pool
 * threads, so a fifth pending open stalls every fs call of the process
 * (nodejs/node#23220). openFifo waits on a thread of its own
 * (lib/blocking.ts), stops on a time-out, an AbortSignal and Jupyter's
 * interrupt, and leaves no thread or descriptor behind when it stops.
 * Reads and writes of the Fifo it returns never block either: they await
 * readiness on Node's loop (lib/poll.ts). The kernel refuses RWF_NOWAIT on
 * FIFOs (EOPNOTSUPP, Linux 6.18; anonymous pipes take it), so a Fifo's
 * descriptor always has O_NONBLOCK once open.
 *
 * openFifoSync and the Fifo's …Sync methods are the plain blocking calls, as
 * C makes them, for programs that are not an event loop (a benchmark, a
 * worker, a C-like server); never a notebook cell.
 */
import { native, type NativePathStat } from "./native";
import { O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, S_IFIFO, S_IFMT } from "./constants";
import {
  checkInteger,
  checkOptions,
  invalidType,
  invalidValue,
  show,
  systemError,
  timedOut,
} from "./errors";
import { adopt, Descriptor } from "./descriptor";
import { blockingWait } from "./blocking";
import { readIntoAwait, writeAwait } from "./fd";
import { formatPermissions } from "./memory";
import { toBytes, type ByteInput } from "./bytes";
import { checkWaitOptions, remaining, type WaitOptions } from "./waiting";

function checkPath(path: unknown): string {
  if (typeof path !== "string") throw invalidType(`path must be a string, got ${show(path)}`);
  if (path.length === 0) throw invalidValue("path must not be empty");
  if (path.includes("\0")) throw invalidValue("path must not contain a NUL byte");
  return path;
}

/** What stat(2) says of a path, with the file's type and `ls -l`'s mode column. */
export interface PathStat extends NativePathStat {
  /** The permission bits only (st_mode & 0o7777). */
  mode: number;
  /** "rw-r--r--" */
  permissions: string;
  /** ls -l's first column: "prw-r--r--" for a FIFO. */
  lsMode: string;
}

const LETTER: Record<NativePathStat["type"], string> = {
  fifo: "p",
  file: "-",
  directory: "d",
  "character device": "c",
  "block device": "b",
  socket: "s",
  symlink: "l",
  unknown: "?",
};

/** stat(2): the type of the file at `path` ("fifo" for a FIFO) and its permissions. */
export function stat(path: string): PathStat {
  const st = native.stat(checkPath(path));
  const mode = st.mode & 0o7777;
  const permissions = formatPermissions(mode);
  return { ...st, mode, permissions, lsMode: LETTER[st.type] + permissions };
}

/**
 * umask(2): sets the process's file-mode creation mask and returns the old
 * one. With no argument it only reads it (set and put back at once).
 */
export function umask(mask?: number): number {
  if (mask === undefined) {
    const old = native.umask(0o022);
    native.umask(old);
    return old;
  }
  return native.umask(checkInteger("mask", mask, 0, 0o777));
}

export interface MkfifoOptions {
  /** Permission bits asked for (default 0o600); the FIFO gets them less the umask. */
  mode?: number;
  /**
   * An existing FIFO at `path` is fine (a server's start-up after a crash
   * left its FIFO behind): mkfifo returns false instead of failing with
   * EEXIST. A path that exists and is not a FIFO still fails.
   */
  reuse?: boolean;
}

/**
 * mkfifo(3): makes a FIFO at `path`. Returns true if it made one, false if
 * `reuse` found one there already.
 */
export function mkfifo(path: string, options?: MkfifoOptions): boolean {
  checkPath(path);
  const { mode = 0o600, reuse = false } = checkOptions(options, "{ mode: 0o620, reuse: true }");
  checkInteger("mode", mode, 0, 0o7777);
  try {
    native.mkfifo(path, mode);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== "EEXIST") throw error;
    let type: string | undefined;
    try {
      type = native.stat(path).type;
    } catch {
      // Gone again: report the EEXIST.
    }
    if (type === "fifo" && reuse) return false;
    if (type !== undefined && type !== "fifo") {
      throw systemError("EEXIST", "mkfifo", { path }, `it exists and is a ${type}, not a FIFO`);
    }
    throw error;
  }
}

/** unlink(2): removes the name. Processes that have the FIFO open keep using it. */
export function unlink(path: string): void {
  native.unlink(checkPath(path));
}

export type FifoAccess = "r" | "w" | "rw";

export interface FifoOpenOptions extends WaitOptions {
  /**
   * O_NONBLOCK: never wait for the other end. A reader opens at once; a
   * writer with no reader fails with ENXIO. (Once open, every Fifo's
   * descriptor has O_NONBLOCK: the kernel offers FIFOs no RWF_NOWAIT, and
   * Fifo's reads and writes must never block the event loop. readSync and
   * writeSync on `fifo.fd` therefore fail with EAGAIN instead of blocking.)
   */
  nonblock?: boolean;
}

const ACCESS: Record<FifoAccess, number> = { r: O_RDONLY, w: O_WRONLY, rw: O_RDWR };

/**
 * One end of a FIFO, opened by openFifo (awaitable reads and writes) or
 * openFifoSync (blocking ones). Close it (or `using`) when done.
 */
export class Fifo extends Descriptor {
  readonly path: string;
  readonly access: FifoAccess;
  /**
   * Opened by openFifoSync without `nonblock`: the descriptor has no
   * O_NONBLOCK, so only the …Sync methods may use it (an awaitable read
   * would block the event loop: those refuse with ERR_FIFO_BLOCKING).
   */
  readonly blocking: boolean;

  /** @internal: openFifo and openFifoSync make these. */
  constructor(fd: number, path: string, access: FifoAccess, blocking = false) {
    super(fd, path);
    this.path = path;
    this.access = access;
    this.blocking = blocking;
  }

  /** The awaitable forms need O_NONBLOCK: refuse a blocking Fifo's. */
  #checkAwaitable(what: string): void {
    this.checkOpen(what);
    if (this.blocking) {
      throw Object.assign(
        new Error(
          `${what}: '${this.path}' was opened by openFifoSync for blocking I/O: ` +
            `use ${what === "read" ? "readSync/readIntoSync" : "writeSync"}, or open it with openFifo`,
        ),
        { code: "ERR_FIFO_BLOCKING", path: this.path },
      );
    }
  }

  /**
   * read(2) once, as C calls it: up to `length` bytes, blocking this process
   * while the FIFO is empty and a writer is open; empty at end of file. On a
   * Fifo from openFifo (O_NONBLOCK) it fails with EAGAIN instead of waiting.
   * For programs that are not an event loop; never a notebook cell.
   */
  readSync(length = 65536): Buffer {
    this.checkOpen("read");
    checkInteger("length", length, 1, 2 ** 30);
    const buffer = Buffer.allocUnsafe(length);
    return buffer.subarray(0, native.read(this.fd, buffer, 0, length));
  }

  /** readSync into `buffer` (from `offset`, at most `length` bytes): the byte count, 0 at end of file. */
  readIntoSync(buffer: Uint8Array, offset = 0, length?: number): number {
    this.checkOpen("read");
    if (!(buffer instanceof Uint8Array)) throw invalidType("buffer must be a Buffer or Uint8Array");
    checkInteger("offset", offset, 0, buffer.length);
    const n = length ?? buffer.length - offset;
    checkInteger("length", n, 1, buffer.length - offset);
    return native.read(this.fd, buffer, offset, n);
  }

  /** Blocking reads until `length` bytes have come or end of file (shorter only then). */
  readExactlySync(length: number): Buffer {
    this.checkOpen("read");
    checkInteger("length", length, 1, 2 ** 30);
    const buffer = Buffer.allocUnsafe(length);
    return buffer.subarray(0, readFullSync(this.fd, buffer));
  }

  /**
   * write(2) of every byte, as C calls it: blocks this process while the
   * FIFO is full. EPIPE when no reader is left; EAGAIN on a Fifo from
   * openFifo where it would wait. Never a notebook cell.
   */
  writeSync(data: ByteInput): number {
    this.checkOpen("write");
    const bytes = toBytes(data);
    let done = 0;
    while (done < bytes.length) done += native.write(this.fd, bytes, done, bytes.length - done);
    return done;
  }

  /** read(2) once, awaiting data: up to `length` bytes; empty at end of file (no writer left). */
  read(length = 65536, options: WaitOptions = {}): Promise<Buffer> {
    this.#checkAwaitable("read");
    checkInteger("length", length, 1, 2 ** 30);
    checkWaitOptions(options);
    const buffer = Buffer.allocUnsafe(length);
    return this.#read(buffer, 0, length, options).then((n) => buffer.subarray(0, n));
  }

  /**
   * read(2) once into `buffer` (from `offset`, at most `length` bytes),
   * awaiting data; the byte count, 0 at end of file. No allocation: the form
   * for a loop that moves a lot of data through one buffer.
   */
  readInto(
    buffer: Uint8Array,
    offset = 0,
    length?: number,
    options: WaitOptions = {},
  ): Promise<number> {
    this.#checkAwaitable("read");
    if (!(buffer instanceof Uint8Array)) throw invalidType("buffer must be a Buffer or Uint8Array");
    checkInteger("offset", offset, 0, buffer.length);
    const n = length ?? buffer.length - offset;
    checkInteger("length", n, 1, buffer.length - offset);
    checkWaitOptions(options);
    return this.#read(buffer, offset, n, options);
  }

  // Every Fifo's descriptor is O_NONBLOCK (openFifo sets it): the attempt is
  // the plain read(2), one system call.
  #read(buffer: Uint8Array, offset: number, length: number, options: WaitOptions) {
    return readIntoAwait(this.fd, buffer, offset, length, options, true);
  }

  /**
   * Reads until `length` bytes have come or end of file: a fixed-size
   * message (a request, a reply). Shorter only at end of file.
   */
  async readExactly(length: number, options: WaitOptions = {}): Promise<Buffer> {
    this.#checkAwaitable("read");
    checkInteger("length", length, 1, 2 ** 30);
    checkWaitOptions(options);
    const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
    const chunks: Buffer[] = [];
    let got = 0;
    while (got < length) {
      const chunk = await this.read(length - got, { ...options, timeout: remaining(deadline) });
      if (chunk.length === 0) break;
      chunks.push(Buffer.from(chunk));
      got += chunk.length;
    }
    return Buffer.concat(chunks);
  }

  /** Reads until end of file (the last writer closed) and returns all bytes. */
  async readAll(options: WaitOptions = {}): Promise<Buffer> {
    this.#checkAwaitable("read");
    checkWaitOptions(options);
    const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = await this.read(65536, { ...options, timeout: remaining(deadline) });
      if (chunk.length === 0) return Buffer.concat(chunks);
      chunks.push(Buffer.from(chunk));
    }
  }

  /**
   * write(2) of every byte, awaiting room. At most PIPE_BUF bytes go in one
   * piece, never mixed with another writer's; EPIPE when no reader is left.
   */
  write(data: ByteInput, options: WaitOptions = {}): Promise<number> {
    this.#checkAwaitable("write");
    const bytes = toBytes(data);
    checkWaitOptions(options);
    return writeAwait(this.fd, bytes, options, true);
  }
}

/**
 * open(2) of the FIFO at `path` for reading ("r"), writing ("w") or both
 * ("rw", Linux only: never blocks, and the process is its own writer, so a
 * reader opened this way never sees end of file). Without `nonblock`, "r"
 * and "w" wait until the other end is open, on a thread of their own:
 * `timeout`, `signal` and Jupyter's interrupt stop the wait (ETIMEDOUT, the
 * signal's reason, EINTR) and nothing is left open. The descriptor has
 * O_CLOEXEC. A path that is not a FIFO is refused (EINVAL).
 */
export async function openFifo(
  path: string,
  access: FifoAccess = "r",
  options: FifoOpenOptions = {},
): Promise<Fifo> {
  const { nonblock = false, timeout, signal } = checkOptions(options, "{ timeout: 5000 }");
  checkWaitOptions({ timeout, signal });
  const flags = openFlags(path, access, nonblock);
  let fd: number;
  let ready: number | undefined;
  if (access === "w" && !nonblock && !signal?.aborted) {
    // A reader is there already (the common case: a server, a client waiting
    // for its reply): the non-blocking open succeeds with no thread to start.
    // The descriptor gets O_NONBLOCK below anyway. ENXIO: nobody reads yet, wait.
    try {
      ready = native.fifoOpen(path, flags | O_NONBLOCK);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENXIO") throw error;
    }
  }
  if (ready !== undefined) {
    fd = ready;
  } else if (nonblock || access === "rw") {
    fd = native.fifoOpen(path, flags);
  } else {
    let stopped = false;
    try {
      fd = await blockingWait<number>(
        "open",
        (callback) =>
          native.fifoOpenWait(path, flags, (error, opened) => {
            // Stopped just as open succeeded: the descriptor is nobody's.
            if (!error && stopped) native.close(opened);
            else callback(error, opened);
          }),
        { timeout, signal },
        { path },
      );
    } catch (error) {
      stopped = true;
      throw error;
    }
  }
  const fifo = new Fifo(fd, path, access);
  // The kernel has no RWF_NOWAIT for FIFOs (EOPNOTSUPP, unlike pipe2's
  // pipes): O_NONBLOCK on this open file description, which no other
  // process shares (O_CLOEXEC), is what keeps reads and writes off the wait.
  // (A writer whose non-blocking open found a reader has it already.)
  if (!nonblock && ready === undefined) native.setNonblocking(fd, true);
  return checkOpened(fifo);
}

export interface FifoOpenSyncOptions {
  /** O_NONBLOCK, as for openFifo; the descriptor keeps it (reads fail with EAGAIN instead of waiting). */
  nonblock?: boolean;
  /**
   * Give up waiting for the other end after this many ms with ETIMEDOUT, as
   * C does with alarm(2) (a timer's signal interrupts the open). Default: wait.
   */
  timeout?: number;
}

/**
 * open(2) as C calls it: "r" and "w" block this whole process until the
 * other end is open (no time-out, no interrupt), and the descriptor stays
 * blocking, for the Fifo's readSync/readIntoSync/readExactlySync/writeSync.
 * For programs that are not an event loop (a benchmark, a worker, a C-like
 * server); never a notebook cell: use openFifo there. The same checks as
 * openFifo (a path that is not a FIFO is EINVAL); the descriptor has O_CLOEXEC.
 */
export function openFifoSync(
  path: string,
  access: FifoAccess = "r",
  options: FifoOpenSyncOptions = {},
): Fifo {
  const { nonblock = false, timeout } = checkOptions(options, "{ timeout: 2000 }");
  return new Fifo(openFifoFdSync(path, access, timeout, nonblock), path, access, !nonblock);
}

/**
 * @internal openFifoSync's open without the Fifo: the bare descriptor, for
 * the library's own blocking loops (serveSeqnumSync, seqnumRequestSync),
 * which close it with `native.close` before they return or throw. A Fifo
 * per request (its registration for the garbage collector, its checks on
 * each call) cost the blocking seqnum server about 5 µs a request.
 */
export function openFifoFdSync(
  path: string,
  access: FifoAccess,
  timeout?: number,
  nonblock = false,
): number {
  if (timeout !== undefined) checkInteger("timeout", timeout, 0, 2 ** 31 - 1);
  checkAccess(path, access, nonblock);
  const flags = ACCESS[access] | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0);
  // One native call: openFifo's checks (not a FIFO: EINVAL) and the open,
  // limited only where it can wait (-1: no limit).
  const limit = timeout === undefined || nonblock || access === "rw" ? -1 : timeout;
  const fd = native.fifoOpenTimed(path, flags, limit);
  if (fd < 0) throw timedOut("open", limit, { path });
  return adopt(fd);
}

/** @internal Blocking reads into `buffer` until it is full or end of file; the bytes read. */
export function readFullSync(fd: number, buffer: Buffer): number {
  let got = 0;
  for (let n = -1; got < buffer.length && n !== 0; got += n) {
    n = native.read(fd, buffer, got, buffer.length - got);
  }
  return got;
}

function checkAccess(path: string, access: FifoAccess, nonblock: boolean): void {
  checkPath(path);
  if (!(access in ACCESS)) {
    throw invalidValue(`access must be "r", "w" or "rw", got ${show(access)}`);
  }
  if (typeof nonblock !== "boolean") {
    throw invalidType(`nonblock must be a boolean, got ${show(nonblock)}`);
  }
}

/** The checks before either open and its flags. */
function openFlags(path: string, access: FifoAccess, nonblock: boolean): number {
  checkAccess(path, access, nonblock);
  // Not a FIFO: refuse before open (opening a device or a directory is not what was meant).
  const type = native.stat(path).type;
  if (type !== "fifo") throw notFifo(path, type);
  return ACCESS[access] | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0);
}

/** The name may refer to something else by now (replaced between stat and open). */
function checkOpened(fifo: Fifo): Fifo {
  if ((native.fstat(fifo.fd).mode & S_IFMT) !== S_IFIFO) {
    fifo.close();
    throw notFifo(fifo.path, "file that replaced the FIFO");
  }
  return fifo;
}

function notFifo(path: string, type: string) {
  return systemError("EINVAL", "open", { path }, `it is a ${type}, not a FIFO`);
}
