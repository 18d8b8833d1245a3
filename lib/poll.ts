/**
 * Awaitable readiness of descriptors on Node's event loop. Every wait on a
 * descriptor (a read from an empty pipe, a child's pidfd) is "try without
 * blocking; if it would block, await readiness; try again": no thread is
 * parked, and each wait stops on its time-out, AbortSignal and Jupyter's
 * interrupt (lib/waiting.ts). Waits with no descriptor are lib/blocking.ts's.
 */
import { native } from "./native";
import { UV_READABLE, UV_WRITABLE } from "./constants";
import { checkFd, fromEventLoop, timedOut, type SystemError } from "./errors";
import { countWaitsWith } from "./interrupt";
import { checkWaitOptions, remaining, whenStopped, type WaitOptions } from "./waiting";

export type { WaitOptions } from "./waiting";
export type Readiness = "readable" | "writable";
const EVENT: Record<Readiness, number> = { readable: UV_READABLE, writable: UV_WRITABLE };

interface Waiter {
  events: number;
  settle(error?: unknown): void;
}

/**
 * One record per watched descriptor. libuv allows one poll handle per
 * descriptor, so its waiters share it and the handle watches the union of
 * their events.
 */
interface Watch {
  waiters: Set<Waiter>;
  /** What the handle watches now (0: paused, the handle kept open). */
  armed: number;
  /** Which readiness the last operation had to wait for (a ping-pong waits again). */
  waitedLast: Set<Readiness>;
}

const watches = new Map<number, Watch>();
// Descriptors whose handle pauses at the next check phase unless a new
// waiter comes first.
const idle = new Set<number>();
let idleSweep: NodeJS.Immediate | undefined;

// Errors libuv's poll reported (it stops the handle then). A pipe's write end
// whose readers are gone polls as an error (EPOLLERR, which libuv calls
// EBADF): whenReady retries its attempt once, so the caller gets write's EPIPE.
const pollFailures = new WeakSet<object>();

function watchOf(fd: number): Watch {
  let watch = watches.get(fd);
  if (!watch) watches.set(fd, (watch = { waiters: new Set(), armed: 0, waitedLast: new Set() }));
  return watch;
}

function onReady(fd: number): (errno: number, ready: number) => void {
  return (errno, ready) => {
    const watch = watches.get(fd);
    if (!watch) return;
    if (errno !== 0) watch.armed = 0;
    for (const waiter of [...watch.waiters]) {
      if (errno !== 0) {
        const error = fromEventLoop(native.errnoError(errno, "epoll_wait", { fd }));
        pollFailures.add(error);
        waiter.settle(error);
      } else if (ready & waiter.events) waiter.settle();
    }
  };
}

// The hot path (a loop of `await read()`) wants no system call per wait: a
// handle whose last waiter just left stays armed until the check phase, by
// which time the loop's next read has usually arrived with the same events.
// Pausing later is safe: the poll phase, the only place it could report
// readiness to no one, comes after the check phase.
function sweepIdle(): void {
  idleSweep = undefined;
  for (const fd of idle) {
    const watch = watches.get(fd);
    if (watch && watch.waiters.size === 0 && watch.armed) {
      native.pollStart(fd, 0, onReady(fd)); // uv_poll_stop: the handle stays open
      watch.armed = 0;
    }
  }
  idle.clear();
}

function rearm(fd: number, watch: Watch): void {
  if (watch.waiters.size === 0) {
    idle.add(fd);
    idleSweep ??= setImmediate(sweepIdle);
    return;
  }
  let events = 0;
  for (const waiter of watch.waiters) events |= waiter.events;
  if (watch.armed === events) return;
  native.pollStart(fd, events, onReady(fd));
  watch.armed = events;
}

/** Resolves when `fd` is ready; `what` names the waiting call in errors. */
export function waitFor(
  fd: number,
  readiness: Readiness,
  what: string,
  options: WaitOptions = {},
): Promise<void> {
  checkFd(fd);
  checkWaitOptions(options);
  return new Promise<void>((resolve, reject) => {
    const watch = watchOf(fd);
    const waiter: Waiter = {
      events: EVENT[readiness],
      settle(error?: unknown) {
        if (!watch.waiters.delete(waiter)) return;
        disarm();
        rearm(fd, watch);
        if (error === undefined) resolve();
        else reject(error);
      },
    };
    watch.waiters.add(waiter);
    let disarm = () => {};
    try {
      rearm(fd, watch);
    } catch (error) {
      watch.waiters.delete(waiter);
      reject(error);
      return;
    }
    disarm = whenStopped(what, options, (error) => waiter.settle(error), { fd });
  });
}

/**
 * Runs `attempt` until it returns a value, awaiting readiness of `fd` each
 * time it reports "would block" by returning undefined. The attempt is the
 * mechanism's own non-blocking form of its call. The time-out covers the
 * whole operation, not each wait.
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
  let skip = watches.get(fd)?.waitedLast.has(readiness) ?? false;
  for (let waited = false; ; waited = true) {
    const result = skip ? undefined : attempt();
    skip = false;
    if (result !== undefined) {
      const last = watches.get(fd)?.waitedLast;
      if (waited) (last ?? watchOf(fd).waitedLast).add(readiness);
      else last?.delete(readiness);
      return result;
    }
    try {
      await waitFor(fd, readiness, what, { signal: options.signal, timeout: remaining(deadline) });
    } catch (error) {
      // Report the whole operation's time-out, not the last wait's remainder.
      if ((error as SystemError).code === "ETIMEDOUT")
        throw timedOut(what, options.timeout!, { fd });
      if (pollFailures.has(error as object)) return attempt() ?? Promise.reject(error);
      throw error;
    }
  }
}

/**
 * @internal: `onReady(errno, events)` at every readiness of `fd` for
 * `events` (UV_READABLE | UV_WRITABLE; calling again changes them) until the
 * descriptor is closed (forget): a server's listener and connections, which
 * wait for as long as the server runs. Not a pending wait (no time-out, no
 * interrupt); the descriptor must have no awaited waits of its own.
 */
export function watchReady(
  fd: number,
  events: number,
  onReady: (errno: number, events: number) => void,
): void {
  if (watches.get(fd)?.waiters.size) throw new Error(`fd ${fd} has waits of its own`);
  native.pollStart(checkFd(fd), events, onReady);
}

/**
 * Rejects every wait on `fd` with EBADF (`why`: "closed", "replaced by
 * dup2") and stops watching it. close() and dup2() call this first: the
 * kernel may reuse the number at once.
 */
export function forget(fd: number, why = "closed"): void {
  const watch = watches.get(fd);
  watches.delete(fd);
  idle.delete(fd);
  for (const waiter of [...(watch?.waiters ?? [])]) {
    waiter.settle(
      fromEventLoop(
        native.errnoError(
          native.constants.errno.EBADF,
          "epoll_wait",
          { fd },
          `${why} while waiting`,
        ),
      ),
    );
  }
  native.pollStop(fd);
}

countWaitsWith(() => pendingWaits() > 0);

/** How many descriptors have waits pending (for tests and leak checks). */
export function pendingWaits(): number {
  let count = 0;
  for (const watch of watches.values()) if (watch.waiters.size > 0) count++;
  return count;
}
