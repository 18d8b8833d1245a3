/**
 * The classic client–server design over FIFOs (TLPI 44.8): the sequence-number
 * server. The server reads requests from one well-known FIFO; each client
 * makes its own reply FIFO, named from its pid, before it asks. A request is
 * {pid, seqLen} (two native ints), a reply {seqNum} (one): the server hands
 * out seqNum and advances it by seqLen. The messages are far below PIPE_BUF,
 * so requests of many clients at once never mix. The same protocol as
 * native/c/seqnum_server.c and seqnum_client.c: either server serves either
 * client.
 */
import { endianness } from "node:os";
import { checkInteger, checkOptions, invalidValue, show, systemError } from "./errors";
import {
  mkfifo,
  openFifo,
  openFifoFdSync,
  openFifoSync,
  readFullSync,
  unlink,
  type Fifo,
} from "./fifo";
import { native } from "./native";
import { waitFor } from "./poll";
import { checkWaitOptions, type WaitOptions } from "./waiting";

/** The server's well-known FIFO, as TLPI names it. */
export const SEQNUM_SERVER_FIFO = "/tmp/seqnum_sv";
/** A client's FIFO: "%ld" is the client's pid (printf's template, as C's client takes it). */
export const SEQNUM_CLIENT_TEMPLATE = "/tmp/seqnum_cl.%ld";

const INT = 4;
const REQUEST = 2 * INT;
const little = endianness() === "LE";

export interface SeqnumPaths {
  /** The server's FIFO (default /tmp/seqnum_sv). */
  serverPath?: string;
  /** The clients' FIFOs, "%ld" standing for the pid (default /tmp/seqnum_cl.%ld). */
  clientTemplate?: string;
}

function checkTemplate(template: unknown): string {
  if (
    typeof template !== "string" ||
    template.split("%").length !== 2 ||
    !template.includes("%ld")
  ) {
    throw invalidValue(`clientTemplate must hold one "%ld" (the pid), got ${show(template)}`);
  }
  return template;
}

/** The reply FIFO of the client with this pid. */
export function seqnumClientPath(pid: number, template = SEQNUM_CLIENT_TEMPLATE): string {
  checkInteger("pid", pid, 1, 2 ** 31 - 1);
  return checkTemplate(template).replace("%ld", String(pid));
}

function putInt32(out: Buffer, index: number, value: number): void {
  if (little) out.writeInt32LE(value, index * INT);
  else out.writeInt32BE(value, index * INT);
}

function int32s(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * INT);
  values.forEach((v, i) => putInt32(out, i, v));
  return out;
}

function int32At(bytes: Buffer, index: number): number {
  return little ? bytes.readInt32LE(index * INT) : bytes.readInt32BE(index * INT);
}

export interface SeqnumRequestOptions extends SeqnumPaths, WaitOptions {
  /** The pid the request names (default this process's): several clients in one process need their own. */
  pid?: number;
  /** Send the request and leave without reading the reply (and leave the FIFO behind): a crashed client. */
  vanish?: boolean;
}

/**
 * One client's request: makes its reply FIFO, sends {pid, seqLen} to the
 * server (waiting while no server reads its FIFO), reads {seqNum}, removes
 * its FIFO and returns the number. `timeout` covers the whole exchange.
 */
export async function seqnumRequest(
  seqLen = 1,
  options: SeqnumRequestOptions = {},
): Promise<number | undefined> {
  checkInteger("seqLen", seqLen, 0, 2 ** 31 - 1);
  const {
    serverPath = SEQNUM_SERVER_FIFO,
    clientTemplate = SEQNUM_CLIENT_TEMPLATE,
    pid = process.pid,
    vanish = false,
    timeout,
    signal,
  } = checkOptions(options, "{ serverPath: '/tmp/seqnum_sv', timeout: 5000 }");
  checkWaitOptions({ timeout, signal });
  const deadline = timeout === undefined ? undefined : Date.now() + timeout;
  const left = () => ({ signal, timeout: deadline && Math.max(0, deadline - Date.now()) });
  const clientPath = seqnumClientPath(pid, clientTemplate);
  mkfifo(clientPath, { mode: 0o620, reuse: true });
  try {
    const server = await openFifo(serverPath, "w", left());
    try {
      await server.write(int32s(pid, seqLen), left()); // 8 bytes: one atomic write
    } finally {
      server.close();
    }
    if (vanish) return undefined;
    // O_NONBLOCK: the reader opens at once, with no rendezvous on a waiter
    // thread; the reply is awaited as readiness instead. Before the server's
    // first open the kernel reports nothing (no EOF: no writer was ever
    // there), so the wait ends with the reply, or with the server closing.
    const reply = await openFifo(clientPath, "r", { nonblock: true });
    let bytes: Buffer;
    try {
      await waitFor(reply.fd, "readable", "read", left());
      bytes = await reply.readExactly(INT, left());
    } finally {
      reply.close();
    }
    return seqnumOf(bytes, clientPath);
  } finally {
    if (!vanish) unlink(clientPath);
  }
}

/** The reply's {seqNum}; fewer than 4 bytes means the server closed its end first. */
function seqnumOf(bytes: Buffer, clientPath: string): number {
  if (bytes.length < INT) {
    throw systemError("EPIPE", "read", { path: clientPath }, "the server closed without a reply");
  }
  return int32At(bytes, 0);
}

export interface SeqnumRequestSyncOptions extends SeqnumPaths {
  /** The pid the request names (default this process's). */
  pid?: number;
}

/**
 * seqnumRequest as C's client makes it: mkfifo, a blocking open of the
 * server's FIFO (waits while no server reads it), write {pid, seqLen},
 * close, a blocking open of its own FIFO (waits until the server opens it),
 * read {seqNum}, close, unlink. Blocks this whole process, with no time-out;
 * for programs that are not an event loop (a benchmark, a worker); never a
 * notebook cell.
 */
export function seqnumRequestSync(seqLen = 1, options: SeqnumRequestSyncOptions = {}): number {
  checkInteger("seqLen", seqLen, 0, 2 ** 31 - 1);
  const {
    serverPath = SEQNUM_SERVER_FIFO,
    clientTemplate = SEQNUM_CLIENT_TEMPLATE,
    pid = process.pid,
  } = checkOptions(options, "{ serverPath: '/tmp/seqnum_sv' }");
  const clientPath = seqnumClientPath(pid, clientTemplate);
  mkfifo(clientPath, { mode: 0o620, reuse: true });
  try {
    // Bare descriptors, as C's client has: this call returns or throws only
    // once both are closed again.
    const request = int32s(pid, seqLen);
    const server = openFifoFdSync(serverPath, "w");
    try {
      native.write(server, request, 0, REQUEST); // 8 bytes: one atomic write
    } finally {
      native.close(server);
    }
    const reply = openFifoFdSync(clientPath, "r");
    const bytes = Buffer.allocUnsafe(INT);
    let got: number;
    try {
      got = readFullSync(reply, bytes);
    } finally {
      native.close(reply);
    }
    return seqnumOf(bytes.subarray(0, got), clientPath);
  } finally {
    unlink(clientPath);
  }
}

export interface SeqnumServerOptions extends SeqnumPaths {
  /** The first number handed out (default 0). */
  start?: number;
  /**
   * Keep a writer of the server's own FIFO open (default true), so that its
   * read never sees end of file when the last client closes. Without it the
   * server sees EOF after each quiet moment and must reopen (counted in `eofs`).
   */
  dummyWriter?: boolean;
  /** How long to wait for a client to open its reply FIFO, ms (default 2000): a vanished client costs this. */
  replyTimeout?: number;
  /** Called with one line per event, as the C server prints them. */
  log?: (line: string) => void;
}

/** The iterative sequence-number server; serves until close(). */
export class SeqnumServer {
  readonly serverPath: string;
  readonly clientTemplate: string;
  /** The next number to hand out. */
  seqNum: number;
  /** Requests answered. */
  served = 0;
  /** Clients gone before their reply. */
  gone = 0;
  /** End-of-file seen on the server's FIFO (only without the dummy writer). */
  eofs = 0;
  /** Whether start-up found a stale FIFO (left by a crashed server) and reused it. */
  readonly reusedStale: boolean;
  /** Settles when the server has stopped (rejects if it failed). */
  readonly done: Promise<void>;
  #stop = new AbortController();
  #reader: Fifo | undefined;
  #dummy: Fifo | undefined;

  private constructor(
    paths: Required<SeqnumPaths>,
    start: number,
    reused: boolean,
    reader: Fifo,
    dummy: Fifo | undefined,
    private readonly options: SeqnumServerOptions,
  ) {
    this.serverPath = paths.serverPath;
    this.clientTemplate = paths.clientTemplate;
    this.seqNum = start;
    this.reusedStale = reused;
    this.#reader = reader;
    this.#dummy = dummy;
    this.done = this.#serve();
    this.done.catch(() => {}); // a failure is the caller's to await
  }

  /**
   * Makes the server's FIFO (reusing a stale one, refusing with EBUSY when a
   * live server still reads it), opens it and starts serving.
   */
  static async start(options: SeqnumServerOptions = {}): Promise<SeqnumServer> {
    const {
      serverPath = SEQNUM_SERVER_FIFO,
      clientTemplate = SEQNUM_CLIENT_TEMPLATE,
      start = 0,
      dummyWriter = true,
      replyTimeout = 2000,
    } = checkOptions(options, "{ serverPath: '/tmp/seqnum_sv' }");
    checkTemplate(clientTemplate);
    checkInteger("start", start, -(2 ** 31), 2 ** 31 - 1);
    checkInteger("replyTimeout", replyTimeout, 0, 2 ** 31 - 1);
    const made = mkfifo(serverPath, { mode: 0o620, reuse: true });
    if (!made) {
      // A writer opens without waiting only if someone reads: a live server.
      try {
        (await openFifo(serverPath, "w", { nonblock: true })).close();
        throw systemError("EBUSY", "open", { path: serverPath }, "another server is reading it");
      } catch (error) {
        if ((error as { code?: string }).code !== "ENXIO") throw error;
      }
    }
    const reader = await openFifo(serverPath, "r", { nonblock: true });
    const dummy = dummyWriter ? await openFifo(serverPath, "w") : undefined;
    return new SeqnumServer({ serverPath, clientTemplate }, start, !made, reader, dummy, options);
  }

  #log(line: string): void {
    this.options.log?.(line);
  }

  async #serve(): Promise<void> {
    const signal = this.#stop.signal;
    const replyTimeout = this.options.replyTimeout ?? 2000;
    try {
      while (!signal.aborted) {
        let request: Buffer;
        try {
          request = await this.#reader!.readExactly(REQUEST, { signal });
        } catch (error) {
          if (signal.aborted) return;
          throw error;
        }
        if (request.length === 0) {
          // Every writer closed: only possible without the dummy writer.
          this.eofs++;
          this.#log("EOF: no writer left, reopening");
          this.#reader!.close();
          try {
            this.#reader = await openFifo(this.serverPath, "r", { signal });
          } catch (error) {
            if (signal.aborted) return;
            throw error;
          }
          continue;
        }
        if (request.length < REQUEST) {
          this.#log(`short request (${request.length} bytes), discarded`);
          continue;
        }
        await this.#answer(int32At(request, 0), int32At(request, 1), replyTimeout, signal);
      }
    } finally {
      this.#reader?.close();
      this.#dummy?.close();
      try {
        unlink(this.serverPath);
      } catch {
        // Removed by someone else already.
      }
    }
  }

  async #answer(pid: number, seqLen: number, timeout: number, signal: AbortSignal) {
    let path: string;
    try {
      path = seqnumClientPath(pid, this.clientTemplate);
    } catch {
      this.#log(`bad request: pid ${pid}, discarded`);
      return;
    }
    try {
      const client = await openFifo(path, "w", { timeout, signal });
      try {
        await client.write(int32s(this.seqNum), { timeout, signal });
      } finally {
        client.close();
      }
    } catch (error) {
      if (signal.aborted) return;
      this.gone++;
      const e = error as { syscall?: string; code?: string };
      this.#log(`client pid=${pid} gone: ${e.syscall} ${path}: ${e.code}`);
      return;
    }
    this.served++;
    this.#log(`pid=${pid} seqLen=${seqLen} seqNum=${this.seqNum}`);
    this.seqNum += seqLen;
  }

  /** Stops serving, closes its descriptors and removes its FIFO. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.done.catch(() => {});
  }
}

export interface SeqnumServeSyncOptions extends SeqnumPaths {
  /** The first number handed out (default 0). */
  start?: number;
  /** Keep a writer of the server's own FIFO open (default true), as SeqnumServer does. */
  dummyWriter?: boolean;
  /** How long to wait for a client to open its reply FIFO, ms (default 2000): a vanished client costs this. */
  replyTimeout?: number;
  /** Return after this many requests (answered or gone; default: serve for ever). */
  maxRequests?: number;
  /** Called with one line per event, as the C server prints them ("listening on …" once its FIFO is made). */
  log?: (line: string) => void;
}

/** What serveSeqnumSync did, when it returns. */
export interface SeqnumServeSyncResult {
  seqNum: number;
  served: number;
  gone: number;
  eofs: number;
  reusedStale: boolean;
}

/**
 * The iterative server as native/c/seqnum_server.c is, with blocking calls
 * and no event loop: the same start-up (a stale FIFO reused, a live server
 * refused with EBUSY), a blocking open of its FIFO (until the first client),
 * the dummy writer, then read {pid, seqLen}, a blocking open of the client's
 * FIFO that gives up after `replyTimeout` (a vanished client), write
 * {seqNum}. Blocks this whole process until `maxRequests` requests are
 * done, then removes its FIFO; a signal that ends the process leaves the
 * FIFO behind as a stale one (the next start reuses it). For programs that
 * are not an event loop (a benchmark, a C-like server); never a notebook
 * cell: use SeqnumServer there.
 */
export function serveSeqnumSync(options: SeqnumServeSyncOptions = {}): SeqnumServeSyncResult {
  const {
    serverPath = SEQNUM_SERVER_FIFO,
    clientTemplate = SEQNUM_CLIENT_TEMPLATE,
    start = 0,
    dummyWriter = true,
    replyTimeout = 2000,
    maxRequests = Infinity,
    log,
  } = checkOptions(options, "{ serverPath: '/tmp/seqnum_sv', maxRequests: 10 }");
  checkTemplate(clientTemplate);
  checkInteger("start", start, -(2 ** 31), 2 ** 31 - 1);
  checkInteger("replyTimeout", replyTimeout, 0, 2 ** 31 - 1);
  if (maxRequests !== Infinity) checkInteger("maxRequests", maxRequests, 0, 2 ** 53 - 1);
  const made = mkfifo(serverPath, { mode: 0o620, reuse: true });
  if (!made) {
    // A writer opens without waiting only if someone reads: a live server.
    let live: Fifo | undefined;
    try {
      live = openFifoSync(serverPath, "w", { nonblock: true });
    } catch (error) {
      if ((error as { code?: string }).code !== "ENXIO") throw error;
    }
    if (live) {
      live.close();
      throw systemError("EBUSY", "open", { path: serverPath }, "another server is reading it");
    }
  }
  const result = { seqNum: start, served: 0, gone: 0, eofs: 0, reusedStale: !made };
  // As C's server prints them, once the FIFO is there: this call returns only when done.
  if (!made) log?.(`reusing stale ${serverPath}`);
  log?.(`listening on ${serverPath}`);
  let reader: Fifo | undefined;
  let dummy: Fifo | undefined;
  try {
    reader = openFifoSync(serverPath, "r"); // blocks until the first client
    if (dummyWriter) dummy = openFifoSync(serverPath, "w");
    // One request and one reply buffer for the whole loop, and a bare
    // descriptor for each reply, closed before the next request.
    const request = Buffer.allocUnsafe(REQUEST);
    const reply = Buffer.allocUnsafe(INT);
    while (result.served + result.gone < maxRequests) {
      const got = readFullSync(reader.fd, request);
      if (got === 0) {
        // Every writer closed: only possible without the dummy writer.
        result.eofs++;
        log?.("EOF: no writer left, reopening");
        reader.close();
        reader = openFifoSync(serverPath, "r");
        continue;
      }
      if (got < REQUEST) {
        log?.(`short request (${got} bytes), discarded`);
        continue;
      }
      const pid = int32At(request, 0);
      const seqLen = int32At(request, 1);
      let path: string;
      try {
        path = seqnumClientPath(pid, clientTemplate);
      } catch {
        log?.(`bad request: pid ${pid}, discarded`);
        continue;
      }
      try {
        const client = openFifoFdSync(path, "w", replyTimeout);
        try {
          putInt32(reply, 0, result.seqNum);
          native.write(client, reply, 0, INT);
        } finally {
          native.close(client);
        }
      } catch (error) {
        result.gone++;
        const e = error as { syscall?: string; code?: string };
        log?.(`client pid=${pid} gone: ${e.syscall} ${path}: ${e.code}`);
        continue;
      }
      result.served++;
      log?.(`pid=${pid} seqLen=${seqLen} seqNum=${result.seqNum}`);
      result.seqNum += seqLen;
    }
    return result;
  } finally {
    reader?.close();
    dummy?.close();
    try {
      unlink(serverPath);
    } catch {
      // Removed by someone else already.
    }
  }
}
