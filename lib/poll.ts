/**
 * Awaitable readiness of descriptors on Node's event loop. Every blocking
 * call of the library (a read from an empty pipe, mq_receive, waitpid via a
 * pidfd) is "try without blocking; if it would block, await readiness; try
 * again". No thread is parked, and each wait takes a time-out, an AbortSignal,
 * and stops on Jupyter's interrupt.
 */
import { native } from "./native";
import { checkFd, checkInteger, invalidArgument, timedOut } from "./errors";
import { interruptSignal } from "./interrupt";

/** Options every awaitable call of the library takes. */
export interface WaitOptions {
  /** Give up after this many milliseconds, rejecting with code ETIMEDOUT. */
  timeout?: number;
  /** Give up when this signal aborts, rejecting with its reason. */
  signal?: AbortSignal;
}

export type Readiness = "readable" | "writable";
const EVENT: Record<Readiness, number> = { readable: 1, writable: 2 };

interface Waiter {
  events: number;
  settle(error?: unknown): void;
}

// libuv allows one poll handle per descriptor: all waiters of a descriptor
// share it, and the handle watches the union of their events.
const waiting = new Map<number, Set<Waiter>>();
// What each descriptor's handle watches now (0: stopped, handle kept open).
const armed = new Map<number, number>();
// Descriptors whose handle stops at the next check phase unless a new
// waiter comes first.
const idle = new Set<number>();
let idleSweep: NodeJS.Immediate | undefined;

// Errors libuv's poll reported (it stops the handle then). A pipe's write end
// whose readers are gone polls as an error (EPOLLERR, which libuv calls
// EBADF): whenReady retries its attempt once, so the caller gets write's EPIPE.
const pollFailures = new WeakSet<object>();

// Descriptors (readable: fd, writable: -1 - fd) whose last operation waited.
const waitedLast = new Set<number>();

function onReady(fd: number): (errno: number, ready: number) => void {
  return (errno, ready) => {
    if (errno !== 0) armed.set(fd, 0);
    for (const waiter of [...(waiting.get(fd) ?? [])]) {
      if (errno !== 0) {
        const error = native.errnoError(errno, "poll", `fd ${fd}`);
        pollFailures.add(error);
        waiter.settle(error);
      } else if (ready & waiter.events) waiter.settle();
    }
  };
}

// The hot path (a loop of `await read()`) wants no system call per wait: a
// handle whose last waiter just left stays armed until the check phase, by
// which time the loop's next read has usually arrived with the same events.
// Stopping later is safe: the poll phase, the only place it could report
// readiness to no one, comes after the check phase.
function sweepIdle(): void {
  idleSweep = undefined;
  for (const fd of idle) {
    if (!waiting.has(fd) && armed.get(fd)) {
      native.pollStart(fd, 0, onReady(fd)); // uv_poll_stop: the handle stays open
      armed.set(fd, 0);
    }
  }
  idle.clear();
}

function rearm(fd: number): void {
  const waiters = waiting.get(fd);
  if (!waiters || waiters.size === 0) {
    waiting.delete(fd);
    idle.add(fd);
    idleSweep ??= setImmediate(sweepIdle);
    return;
  }
  let events = 0;
  for (const waiter of waiters) events |= waiter.events;
  if (armed.get(fd) === events) return;
  native.pollStart(fd, events, onReady(fd));
  armed.set(fd, events);
}

export function checkWaitOptions(options: WaitOptions): void {
  if (options.timeout !== undefined) {
    checkInteger("timeout", options.timeout, 0, 2 ** 31 - 1);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalidArgument("signal must be an AbortSignal");
  }
}

/** What stops a wait: the caller's AbortSignal and Jupyter's interrupt (checked options). */
function stopSignals(options: WaitOptions): AbortSignal[] {
  checkWaitOptions(options);
  return [options.signal, interruptSignal()].filter((s): s is AbortSignal => !!s);
}

/** Resolves when `fd` is ready; `what` names the waiting call in errors. */
export function waitFor(
  fd: number,
  readiness: Readiness,
  what: string,
  options: WaitOptions = {},
): Promise<void> {
  checkFd(fd);
  const stops = stopSignals(options);
  const already = stops.find((s) => s.aborted);
  if (already) return Promise.reject(already.reason);
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (event: Event) => waiter.settle((event.target as AbortSignal).reason);
    const waiter: Waiter = {
      events: EVENT[readiness],
      settle(error?: unknown) {
        const waiters = waiting.get(fd);
        if (!waiters?.delete(waiter)) return;
        clearTimeout(timer);
        for (const stop of stops) stop.removeEventListener("abort", onAbort);
        rearm(fd);
        if (error === undefined) resolve();
        else reject(error);
      },
    };
    let waiters = waiting.get(fd);
    if (!waiters) waiting.set(fd, (waiters = new Set()));
    waiters.add(waiter);
    try {
      rearm(fd);
    } catch (error) {
      waiters.delete(waiter);
      if (waiters.size === 0) waiting.delete(fd);
      reject(error);
      return;
    }
    for (const stop of stops) stop.addEventListener("abort", onAbort, { once: true });
    if (options.timeout !== undefined) {
      timer = setTimeout(() => waiter.settle(timedOut(what, options.timeout!)), options.timeout);
    }
  });
}

/**
 * Runs `attempt` until it returns a value, awaiting readiness of `fd` each
 * time it reports "would block" by returning undefined. The time-out covers
 * the whole operation, not each wait.
 */
export async function whenReady<T>(
  fd: number,
  readiness: Readiness,
  what: string,
  attempt: () => T | undefined,
  options: WaitOptions = {},
): Promise<T> {
  checkWaitOptions(options);
  const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
  // A descriptor that had to be waited for last time (a ping-pong) is
  // likely to again: wait first and skip an attempt bound to fail. Readiness
  // is level-triggered, so data that is already there is reported at once.
  const key = readiness === "readable" ? fd : -1 - fd;
  let skip = waitedLast.has(key);
  for (let waited = false; ; waited = true) {
    const result = skip ? undefined : attempt();
    skip = false;
    if (result !== undefined) {
      if (waited) waitedLast.add(key);
      else waitedLast.delete(key);
      return result;
    }
    const timeout = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
    try {
      await waitFor(fd, readiness, what, { signal: options.signal, timeout });
    } catch (error) {
      // Report the whole operation's time-out, not the last wait's remainder.
      if ((error as { code?: string }).code === "ETIMEDOUT") throw timedOut(what, options.timeout!);
      if (pollFailures.has(error as object)) return attempt() ?? Promise.reject(error);
      throw error;
    }
  }
}

/**
 * `promise`, but rejecting on the options' time-out (ETIMEDOUT naming
 * `what`), AbortSignal, or Jupyter's interrupt; the work behind it goes on.
 */
export function withWaitOptions<T>(
  promise: Promise<T>,
  what: string,
  options: WaitOptions = {},
): Promise<T> {
  const stops = stopSignals(options);
  const already = stops.find((s) => s.aborted);
  if (already) return Promise.reject(already.reason);
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (event: Event) => done(() => reject((event.target as AbortSignal).reason));
    const done = (settle: () => void) => {
      clearTimeout(timer);
      for (const stop of stops) stop.removeEventListener("abort", onAbort);
      settle();
    };
    for (const stop of stops) stop.addEventListener("abort", onAbort, { once: true });
    if (options.timeout !== undefined) {
      timer = setTimeout(
        () => done(() => reject(timedOut(what, options.timeout!))),
        options.timeout,
      );
    }
    promise.then(
      (value) => done(() => resolve(value)),
      (error: unknown) => done(() => reject(error)),
    );
  });
}

/**
 * Rejects every wait on `fd` (with EBADF) and stops watching it. close()
 * calls this first: the kernel may reuse the number at once.
 */
export function forget(fd: number): void {
  for (const waiter of [...(waiting.get(fd) ?? [])]) {
    waiter.settle(native.errnoError(9, "poll", `fd ${fd} closed while waiting`));
  }
  idle.delete(fd);
  armed.delete(fd);
  waitedLast.delete(fd);
  waitedLast.delete(-1 - fd);
  native.pollStop(fd);
}

/** How many descriptors have waits pending (for tests and leak checks). */
export function pendingWaits(): number {
  return waiting.size;
}
