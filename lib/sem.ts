/**
 * POSIX semaphores (세마포어): a counter that processes share. post() adds
 * one; wait() takes one, waiting while the count is 0.
 *  - Semaphore: a named one, shared by name ("/name", a file sem.name in
 *    /dev/shm): sem_open, sem_close, sem_unlink.
 *  - UnnamedSemaphore: a sem_t inside a shared-memory object
 *    (sem_init(pshared = 1)); every process that maps the object uses it.
 * The wait has no descriptor to poll, so it runs on a thread of its own
 * (lib/blocking.ts) and stops on an AbortSignal and Jupyter's interrupt like
 * every wait here; a time-out is sem_timedwait's own, decided by the kernel.
 * A wait stopped just after the kernel gave it the unit gives the unit back
 * (sem_post), so a stopped wait never takes anything.
 */
import { inspect } from "node:util";
import { native, type Subject } from "./native";
import { ALIGNOF_SEM_T, O_CREAT, O_EXCL, SEM_VALUE_MAX, SIZEOF_SEM_T } from "./constants";
import {
  checkInteger,
  checkOptions,
  invalidType,
  outOfRange,
  systemError,
  timedOut,
  type SystemError,
} from "./errors";
import { blockingWait } from "./blocking";
import { checkPosixName } from "./names";
import { checkWaitOptions, type WaitOptions } from "./waiting";
import { SharedMemory } from "./shm";

/**
 * A blocking wait whose success, if it comes after the wait was stopped (a
 * signal, an interrupt), is undone by `giveBack`: nothing is lost. The
 * kernel's time-out (`timeoutCode` from `timeoutCall`) becomes the
 * library's ETIMEDOUT, "timed out after N ms".
 */
export function waitGivingBack(
  what: string,
  start: (callback: (error: SystemError | null, result: unknown) => void) => number,
  giveBack: () => void,
  options: WaitOptions,
  subject: Subject,
  timeoutCode?: string,
): Promise<void> {
  let stopped = false;
  const waiting = blockingWait<unknown>(
    what,
    (callback) =>
      start((error, result) => {
        if (!error && stopped) {
          try {
            giveBack();
          } catch {
            // The object is gone: nobody is left to give it to.
          }
        }
        callback(error, result);
      }),
    // The time-out is the kernel's (sem_timedwait, semtimedop), not a timer.
    { signal: options.signal },
    subject,
  ).then(
    () => undefined,
    (error: unknown) => {
      const code = (error as { code?: string }).code;
      const syscall = (error as { syscall?: string }).syscall;
      if (options.timeout !== undefined && code === timeoutCode && syscall === what) {
        throw timedOut(what, options.timeout, subject);
      }
      throw error;
    },
  );
  // The stop rejects at once; the thread's late result comes on a later turn.
  waiting.catch(() => {
    stopped = true;
  });
  return waiting;
}

// A semaphore dropped without close() is closed (a named one) or unmapped
// (an unnamed one) when collected.
const dropped = new FinalizationRegistry<unknown>((handle) => {
  try {
    native.semClose(handle);
  } catch {
    // Already closed.
  }
});

/** What named and unnamed semaphores share: post, tryWait, wait, value. */
export abstract class SemaphoreBase {
  #handle: unknown;
  #closed = false;

  protected constructor(handle: unknown) {
    this.#handle = handle;
    dropped.register(this, handle, this);
  }

  /** What errors name: { path: "/name" } or the object and offset. */
  protected abstract get subject(): { path: string };

  get closed(): boolean {
    return this.#closed;
  }

  /** sem_post(3): adds one, waking one waiter; EOVERFLOW past SEM_VALUE_MAX. */
  post(): void {
    native.semPost(this.handle("sem_post"));
  }

  /** sem_trywait(3): takes one if the count is above 0; false (EAGAIN) if not. */
  tryWait(): boolean {
    return native.semTrywait(this.handle("sem_trywait"));
  }

  /**
   * sem_wait(3), awaitable: takes one, waiting while the count is 0. With
   * `timeout` it is sem_timedwait(3): the kernel gives up after that many
   * milliseconds (ETIMEDOUT) and took nothing.
   */
  wait(options: SemaphoreWaitOptions = {}): Promise<void> {
    checkWaitOptions(options);
    const spin = options.spin === undefined ? 0 : checkInteger("spin", options.spin, 0, 1000);
    const timed = options.timeout !== undefined;
    const handle = this.handle(timed ? "sem_timedwait" : "sem_wait");
    // The uncontended case needs no thread: sem_trywait takes it now (or
    // within `spin` microseconds).
    if (!options.signal?.aborted) {
      if (native.semTrywait(handle)) return Promise.resolve();
      if (spin > 0 && native.semTrywaitYielding(handle, spin)) return Promise.resolve();
    }
    return waitGivingBack(
      timed ? "sem_timedwait" : "sem_wait",
      (callback) =>
        timed
          ? native.semTimedwait(handle, options.timeout as number, callback)
          : native.semWait(handle, callback),
      () => native.semPost(handle),
      options,
      this.subject,
      "ETIMEDOUT",
    );
  }

  /**
   * sem_wait(3) itself, blocking this whole thread while the count is 0, or
   * with `timeout` (ms) sem_timedwait(3): ETIMEDOUT when it passes, having
   * taken nothing. For programs that are not an event loop (a benchmark, a
   * worker, a C-like server); never in a notebook cell: nothing else runs
   * meanwhile, not even Jupyter's interrupt. A signal handler that runs
   * meanwhile (EINTR) does not end the wait.
   */
  waitSync(options: { timeout?: number } = {}): void {
    const { timeout } = checkOptions(options, "{ timeout: 1000 }");
    if (timeout === undefined) return native.semWaitSync(this.handle("sem_wait"));
    const ms = checkInteger("timeout", timeout, 0, 2 ** 31 - 1);
    native.semTimedwaitSync(this.handle("sem_timedwait"), ms);
  }

  /** sem_timedwait(3): wait() with a time-out of `ms` milliseconds. */
  timedWait(ms: number, options: Omit<SemaphoreWaitOptions, "timeout"> = {}): Promise<void> {
    checkInteger("ms", ms, 0, 2 ** 31 - 1);
    return this.wait({ ...options, timeout: ms });
  }

  /** sem_getvalue(3): the count now (Linux never reports waiters as a negative count). */
  get value(): number {
    return native.semGetvalue(this.handle("sem_getvalue"));
  }

  /** Releases this process's hold (idempotent); a pending wait keeps it until it ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    dropped.unregister(this);
    native.semClose(this.#handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  protected handle(what: string): unknown {
    if (this.#closed) throw systemError("EINVAL", what, this.subject, "the semaphore is closed");
    return this.#handle;
  }

  /** For destroy(): marks it closed without sem_close. */
  protected markClosed(): void {
    this.#closed = true;
    dropped.unregister(this);
  }
}

export { SEM_VALUE_MAX, SIZEOF_SEM_T, ALIGNOF_SEM_T };

export interface SemaphoreOpenOptions {
  /** O_CREAT: make it if it does not exist, with `value` (default 0). */
  create?: boolean;
  /** With create, O_EXCL: fail with EEXIST if it exists. */
  exclusive?: boolean;
  /** Permission bits for a new one (default 0o600, less the umask). */
  mode?: number;
  /** The count a new one starts with (default 0). */
  value?: number;
}

/** A POSIX named semaphore: sem_open(3) by name, shared by every process that opens it. */
export class Semaphore extends SemaphoreBase {
  readonly name: string;

  private constructor(name: string, handle: unknown) {
    super(handle);
    this.name = name;
  }

  protected get subject(): { path: string } {
    return { path: this.name };
  }

  /** sem_open(3). */
  static open(name: string, options?: SemaphoreOpenOptions): Semaphore {
    checkPosixName(name);
    const {
      create,
      exclusive,
      mode = 0o600,
      value = 0,
    } = checkOptions(options, "{ create: true, value: 1 }");
    checkInteger("mode", mode, 0, 0o777);
    checkSemValue(value);
    const flags = (create ? O_CREAT : 0) | (create && exclusive ? O_EXCL : 0);
    return new Semaphore(name, native.semOpen(name, flags, mode, value));
  }

  /** sem_unlink(3): removes the name; processes that have it open keep it. */
  static unlink(name: string): void {
    native.semUnlink(checkPosixName(name));
  }

  /** sem_close(3). Idempotent; a wait still pending keeps the semaphore open until it ends. */
  override close(): void {
    super.close();
  }

  /** sem_unlink of this semaphore's name. */
  unlink(): void {
    Semaphore.unlink(this.name);
  }

  [inspect.custom](): string {
    return `Semaphore { name: '${this.name}', ${this.closed ? "closed" : "open"} }`;
  }
}

function checkSemValue(value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value > SEM_VALUE_MAX) {
    throw outOfRange(
      `value must be at most SEM_VALUE_MAX (${SEM_VALUE_MAX}), got ${value}; ` +
        `sem_open and sem_init would fail with EINVAL`,
    );
  }
  return checkInteger("value", value, 0, SEM_VALUE_MAX);
}

/** wait()'s options: a wait's time-out and signal, and an optional spin. */
export interface SemaphoreWaitOptions extends WaitOptions {
  /**
   * Microseconds to keep retrying sem_trywait on this thread before the wait
   * goes to sleep on a thread of its own (default 0, at most 1000), giving
   * the CPU up between tries (sched_yield) so that a poster on the same CPU
   * can run. A post expected within microseconds (a ping-pong) is then taken
   * without handing the wait to a thread; this JavaScript thread is busy
   * meanwhile, so spin only for very short waits.
   */
  spin?: number;
}

export interface UnnamedSemaphoreOptions {
  /** The count it starts with (default 0). */
  value?: number;
  /**
   * sem_init's pshared (default true): shared between processes. With false
   * it is for the threads of one process only: another process that maps
   * the same memory may see the count change but is never woken.
   */
  pshared?: boolean;
}

/**
 * An unnamed POSIX semaphore: a sem_t (SIZEOF_SEM_T bytes, at an offset
 * that is a multiple of ALIGNOF_SEM_T) inside a shared-memory object. One
 * process sem_inits it (`init`), the others use it where it is (`at`). It
 * holds a mapping of its own of those pages, so a wait in progress never
 * touches unmapped memory, even if the SharedMemory is closed meanwhile.
 */
export class UnnamedSemaphore extends SemaphoreBase {
  /** The shared-memory object's name and where in it the sem_t is. */
  readonly object: string;
  readonly offset: number;
  readonly pshared: boolean;

  private constructor(object: string, offset: number, pshared: boolean, handle: unknown) {
    super(handle);
    this.object = object;
    this.offset = offset;
    this.pshared = pshared;
  }

  protected get subject(): { path: string } {
    return { path: `${this.object}+${this.offset}` };
  }

  /** sem_init(3) of the sem_t at `offset` in `shm` (pshared = 1 unless told). */
  static init(
    shm: SharedMemory,
    offset: number,
    options?: UnnamedSemaphoreOptions,
  ): UnnamedSemaphore {
    const { value = 0, pshared = true } = checkOptions(options, "{ value: 1 }");
    checkSemValue(value);
    if (typeof pshared !== "boolean") throw invalidType("pshared must be a boolean");
    return UnnamedSemaphore.#map(shm, offset, pshared, value, true);
  }

  /** The sem_t at `offset` in `shm` that another process (or this one) sem_inited. */
  static at(shm: SharedMemory, offset: number): UnnamedSemaphore {
    return UnnamedSemaphore.#map(shm, offset, true, 0, false);
  }

  static #map(
    shm: SharedMemory,
    offset: number,
    pshared: boolean,
    value: number,
    init: boolean,
  ): UnnamedSemaphore {
    if (!(shm instanceof SharedMemory)) {
      throw invalidType("shm must be a SharedMemory (SharedMemory.create or .open)");
    }
    checkInteger("offset", offset, 0, Math.max(0, shm.size - SIZEOF_SEM_T));
    if (offset % ALIGNOF_SEM_T !== 0) {
      throw outOfRange(
        `offset must be a multiple of ${ALIGNOF_SEM_T} (a sem_t's alignment), got ${offset}`,
      );
    }
    if (shm.size < SIZEOF_SEM_T) {
      throw outOfRange(
        `'${shm.name}' is ${shm.size} bytes, too small for a sem_t (${SIZEOF_SEM_T})`,
      );
    }
    const label = `${shm.name}+${offset}`;
    if (!shm.writable) {
      // A semaphore is written by every wait and post: mmap would refuse.
      throw systemError("EACCES", "mmap", { path: label }, "the object was opened read-only");
    }
    const handle = native.semInit(shm.fd, offset, pshared, value, init, label);
    return new UnnamedSemaphore(shm.name, offset, pshared, handle);
  }

  /** Unmaps this process's view of the sem_t (the semaphore itself stays). Idempotent. */
  override close(): void {
    super.close();
  }

  /** sem_destroy(3), then close(): only when nobody waits on it or will use it again. */
  destroy(): void {
    native.semDestroy(this.handle("sem_destroy"));
    this.markClosed();
  }

  [inspect.custom](): string {
    return `UnnamedSemaphore { at: '${this.object}' + ${this.offset}, ${
      this.closed ? "closed" : "open"
    } }`;
  }
}
