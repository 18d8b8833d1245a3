/**
 * Waits with no descriptor to poll (sem_wait, sem_timedwait, System V semop
 * and msgrcv, a FIFO's blocking open): the addon runs the call on a waiter
 * thread of its own pool, never on libuv's (native/src/blocking.h), and
 * calls back on the main thread. The pool starts a thread when every one it
 * has is busy and keeps it for the next wait: a loop of waits starts none. Here the wait becomes a Promise that stops, like a descriptor
 * wait, on its time-out, AbortSignal and Jupyter's interrupt: stopping
 * cancels the call (its thread returns) and rejects at once.
 */
import { native, type BlockingCallback, type Subject } from "./native";
import type { SystemError } from "./system-error";
import { countWaitsWith } from "./interrupt";
import { whenStopped, type WaitOptions } from "./waiting";

/**
 * Starts a blocking call with `start(callback)` (which returns the addon's
 * wait id) and resolves with its result.
 */
export function blockingWait<T>(
  what: string,
  start: (callback: BlockingCallback<T>) => number,
  options: WaitOptions = {},
  subject?: Subject,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let id: number | undefined;
    let settled = false;
    const disarm = whenStopped(
      what,
      options,
      (error) => {
        settled = true;
        if (id !== undefined) native.cancelWait(id);
        reject(error);
      },
      subject,
    );
    if (settled) return; // aborted before it started: nothing to cancel
    id = start((error: SystemError | null, result: T) => {
      disarm();
      if (settled) return; // cancelled: its ECANCELED goes nowhere
      settled = true;
      if (error) reject(error);
      else resolve(result);
    });
  });
}

/** How many no-descriptor waits have not ended yet (for tests and leak checks). */
export function pendingBlockingWaits(): number {
  return native.pendingBlocking();
}

countWaitsWith(() => pendingBlockingWaits() > 0);

/**
 * The waiter threads of the pool: alive now, idle among them (waiting for
 * the next wait), started since the process began, and `stale`: calls a
 * signal interrupted that was not their own cancel (a late cancel of the
 * thread's previous wait, say), which were run again. A loop of waits one at
 * a time starts one thread, once; n waits at a time keep n threads. The
 * threads are named "ipc-lab-wait" (/proc/self/task/TID/comm).
 */
export function blockingThreads(): {
  threads: number;
  idle: number;
  started: number;
  stale: number;
} {
  return native.blockingPool();
}

/**
 * Ends (and joins) every idle waiter thread; returns how many. Threads that
 * run a wait are left alone. The next wait starts a thread again. For tests
 * that count the process's threads; the end of the process does it itself.
 */
export function releaseBlockingThreads(): number {
  return native.releaseBlockingThreads();
}
