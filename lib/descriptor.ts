/**
 * Who owns a descriptor. Two rules every mechanism follows:
 *  - Descriptors that belong to Node or Jupyter may not be closed or
 *    replaced: closing libuv's own (its epoll, eventfd, signalfd) kills the
 *    notebook process with SIGABRT, closing Jupyter's sockets cuts the
 *    notebook off. close() and dup2() refuse them with EPERM. They are the
 *    descriptors already open when this library loaded that are event
 *    objects or sockets, and, in a notebook, 0-2 (the kernel's stdio). Pipes
 *    and files a program was started with (a spawned child's fd 3) are its
 *    own to close.
 *  - A mechanism that hands out an object (a FIFO, a queue, a socket)
 *    extends Descriptor: close() and `using` close it once, any use after
 *    throws EBADF naming the call, pending waits on it are cancelled first,
 *    and one dropped without close() is closed when it is collected. Raw
 *    numbers (pipe(), for chapter 02) stay available; closing such a number
 *    with close(fd) closes its owner too, so nothing closes a number twice.
 */
import { readdirSync, readlinkSync } from "node:fs";
import { inspect } from "node:util";
import { native } from "./native";
import { checkFd, systemError, type SystemError } from "./errors";
import { forget } from "./poll";

function belongsToNode(fd: number): boolean {
  if (fd <= 2) return "__tslab__" in globalThis;
  try {
    return /^(anon_inode:|socket:)/.test(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false; // closed meanwhile (the folder's own descriptor)
  }
}

/** Node's and Jupyter's descriptors, as found when this library loaded. */
const foreign = new Set<number>(
  readdirSync("/proc/self/fd")
    .map(Number)
    .filter((fd) => Number.isInteger(fd) && belongsToNode(fd)),
);

/** Marks a descriptor this library just made as the caller's (the kernel may reuse a foreign number Node closed). */
export function adopt(fd: number): number {
  foreign.delete(fd);
  return fd;
}

/** EPERM if `fd` belongs to Node or Jupyter; `what` names the refused call. */
export function checkOwn(fd: number, what: string): number {
  if (foreign.has(fd)) {
    throw systemError(
      "EPERM",
      what,
      { fd },
      "it belongs to Node or Jupyter (libuv's event loop or a socket, open before " +
        "ipc-lab loaded); closing or replacing it would break this process",
      "not yours to close",
    );
  }
  return fd;
}

// Live owners by number, so that close(n) and dup2(x, n) close the owner too.
// The map holds each Descriptor's state, never the Descriptor: a WeakRef to
// it would keep it alive until the event loop's next turn (the spec's
// KeepDuringJob), that is forever in a blocking loop (serveSeqnumSync's
// Fifos piled up, one per request, and each WeakRef cost a hash-set insert).
interface Ownership {
  readonly fd: number;
  closed: boolean;
  /** What the owner must undo once its number is closed (SignalFd: give the signals back). */
  readonly onClosed: (() => void) | undefined;
}
const owners = new Map<number, Ownership>();

// A Descriptor dropped without close(): its number is closed when collected,
// unless something closed that number first (then it is unregistered).
const dropped = new FinalizationRegistry<Ownership>((owner) => {
  if (owners.get(owner.fd) === owner) owners.delete(owner.fd);
  try {
    forget(owner.fd);
    native.close(owner.fd);
  } catch {
    // Nothing to report to: the owner is gone.
  }
});

function release(owner: Ownership): void {
  if (owner.closed) return;
  owner.closed = true;
  dropped.unregister(owner);
  owner.onClosed?.();
}

/** Forgets `fd`'s owner, which no longer owns it (closed, or replaced by dup2). */
export function disown(fd: number): void {
  const owner = owners.get(fd);
  owners.delete(fd);
  if (owner) release(owner);
}

/** Closes `fd`: waits on it are rejected first, its owner (if any) is marked closed. */
export function closeFd(fd: number, what = "close"): void {
  checkOwn(fd, what);
  forget(fd);
  disown(fd);
  native.close(fd);
}

/** The base of every object that owns one descriptor. */
export class Descriptor {
  readonly #owner: Ownership;
  /** What errors and inspect() call it: a path, "pipe", "queue /jobs"… */
  readonly label: string;

  /**
   * Takes ownership of `fd`, which this library just opened. `onClosed`
   * runs once when the number is closed, by close() or by close(fd)/dup2 on
   * the number; it must not refer to this object (that would keep it alive).
   */
  constructor(fd: number, label: string, onClosed?: () => void) {
    const owner: Ownership = { fd: adopt(checkFd(fd)), closed: false, onClosed };
    this.#owner = owner;
    this.label = label;
    owners.set(fd, owner);
    dropped.register(this, owner, owner);
  }

  /** The number, for the calls that take one; EBADF once closed. */
  get fd(): number {
    this.checkOpen("fd");
    return this.#owner.fd;
  }

  get closed(): boolean {
    return this.#owner.closed;
  }

  /** EBADF naming `what` once closed: every method of a subclass starts with this. */
  protected checkOpen(what: string): void {
    if (this.#owner.closed) throw closedError(what, this.label);
  }

  /** close(2) once; pending waits reject with EBADF first. Idempotent. */
  close(): void {
    if (this.#owner.closed) return;
    closeFd(this.#owner.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [inspect.custom](): string {
    const state = this.#owner.closed ? "closed" : `fd ${this.#owner.fd}`;
    return `${this.constructor.name} { ${this.label}, ${state} }`;
  }
}

/** The error any use of a closed owner throws: EBADF, naming the call and the object. */
export function closedError(what: string, label: string): SystemError {
  return systemError("EBADF", what, undefined, `'${label}' is closed`);
}
