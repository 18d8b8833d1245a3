/**
 * Waits with no descriptor to poll (sem_wait, sem_timedwait and System V semop now; msgrcv,
 * sigwaitinfo later): the addon runs the call on a thread of its own, never
 * on libuv's pool (native/src/blocking.h), and calls back on the main
 * thread. Here the wait becomes a Promise that stops, like a descriptor
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

/** How many no-descriptor waits have a thread running (for tests and leak checks). */
export function pendingBlockingWaits(): number {
  return native.pendingBlocking();
}

countWaitsWith(() => pendingBlockingWaits() > 0);
