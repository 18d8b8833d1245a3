/**
 * POSIX named semaphores: a counter in the kernel's care that processes
 * share by name ("/name", a file sem.name in /dev/shm). post() adds one;
 * wait() takes one, waiting while the count is 0. The wait has no descriptor
 * to poll, so it runs on a thread of its own (lib/blocking.ts) and stops on a
 * time-out, an AbortSignal and Jupyter's interrupt like every wait here.
 * Chapter 06 builds on this; chapter 01's shared memory is what it guards.
 */
import { inspect } from "node:util";
import { native } from "./native";
import { O_CREAT, O_EXCL, SEM_VALUE_MAX } from "./constants";
import { checkInteger, checkOptions, systemError } from "./errors";
import { blockingWait } from "./blocking";
import { checkPosixName } from "./names";
import { checkWaitOptions, type WaitOptions } from "./waiting";

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

// A Semaphore dropped without close() is closed when collected.
const dropped = new FinalizationRegistry<unknown>((handle) => {
  try {
    native.semClose(handle);
  } catch {
    // Already closed.
  }
});

export class Semaphore {
  readonly name: string;
  #handle: unknown;
  #closed = false;

  private constructor(name: string, handle: unknown) {
    this.name = name;
    this.#handle = handle;
    dropped.register(this, handle, this);
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
    checkInteger("value", value, 0, SEM_VALUE_MAX);
    const flags = (create ? O_CREAT : 0) | (create && exclusive ? O_EXCL : 0);
    return new Semaphore(name, native.semOpen(name, flags, mode, value));
  }

  /** sem_unlink(3): removes the name; processes that have it open keep it. */
  static unlink(name: string): void {
    native.semUnlink(checkPosixName(name));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** sem_post(3): adds one, waking one waiter. */
  post(): void {
    native.semPost(this.#open("sem_post"));
  }

  /** sem_trywait(3): takes one if the count is above 0; false (EAGAIN) if not. */
  tryWait(): boolean {
    return native.semTrywait(this.#open("sem_trywait"));
  }

  /** sem_wait(3), awaitable: takes one, waiting while the count is 0. */
  wait(options: WaitOptions = {}): Promise<void> {
    const handle = this.#open("sem_wait");
    checkWaitOptions(options);
    return blockingWait("sem_wait", (callback) => native.semWait(handle, callback), options, {
      path: this.name,
    });
  }

  /** sem_getvalue(3): the count now (Linux never reports waiters as a negative count). */
  get value(): number {
    return native.semGetvalue(this.#open("sem_getvalue"));
  }

  /** sem_close(3). Idempotent; a wait still pending keeps the semaphore open until it ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    dropped.unregister(this);
    native.semClose(this.#handle);
  }

  /** sem_unlink of this semaphore's name. */
  unlink(): void {
    Semaphore.unlink(this.name);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [inspect.custom](): string {
    return `Semaphore { name: '${this.name}', ${this.#closed ? "closed" : "open"} }`;
  }

  #open(what: string): unknown {
    if (this.#closed)
      throw systemError("EINVAL", what, { path: this.name }, "the semaphore is closed");
    return this.#handle;
  }
}
