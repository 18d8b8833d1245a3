/**
 * Jupyter interrupts a kernel with SIGINT. tslab catches it and abandons the
 * running cell, but work the cell started would go on waiting; so every wait
 * of the library also stops on `interruptSignal()`, which aborts on SIGINT.
 * We listen only when someone else already handles SIGINT (tslab, a server):
 * otherwise SIGINT ends the process, and the waits with it.
 *
 * In tslab, the cell's promise races tslab's own "Interrupted asynchronously"
 * rejection, which would win and hide which call was waiting. So when a wait
 * of ours is pending, tslab's listener runs one turn of the event loop after
 * ours: by then the cell has rejected with our error, naming the call.
 */
import { setMaxListeners } from "node:events";

// Every pending wait listens on the signal (a server with 1000 clients has
// 1000 reads waiting): no "possible memory leak" warning at Node's 10.
function freshController(): AbortController {
  const fresh = new AbortController();
  setMaxListeners(0, fresh.signal);
  return fresh;
}

let controller = freshController();
let listening = false;
/** The abort reason of an interrupt; waits turn it into interrupted(call). */
export const INTERRUPT: unique symbol = Symbol("ipc-lab interrupt");
let deferred: ((...args: unknown[]) => void)[] = [];

function onSigint(...args: unknown[]): void {
  const current = controller;
  controller = freshController();
  const waiting = waitsPending();
  current.abort(INTERRUPT);
  if (deferred.length === 0) return;
  if (waiting) setImmediate(() => deferred.forEach((listener) => listener(...args)));
  else deferred.forEach((listener) => listener(...args));
}

// Each module that waits says whether it has waits pending (so that this
// module imports none of them).
const pendingCounters: (() => boolean)[] = [];
export function countWaitsWith(pending: () => boolean): void {
  pendingCounters.push(pending);
}
function waitsPending(): boolean {
  return pendingCounters.some((pending) => pending());
}

/**
 * Whether something in this process already handles SIGINT. Inside a tslab
 * cell the count says 0: tslab runs the cell's code with vm's
 * `breakOnSigint`, which takes every SIGINT listener away until the
 * synchronous part of the cell returns (and then puts them back, ours too).
 * So a tslab kernel is recognised by the global its cells run against.
 */
function inTslab(): boolean {
  return "__tslab__" in globalThis;
}

function listen(): void {
  if (inTslab()) {
    // Ours first, tslab's (the cell's interrupt) after it, deferred as above.
    deferred = process.listeners("SIGINT") as typeof deferred;
    process.removeAllListeners("SIGINT");
  }
  process.on("SIGINT", onSigint);
}

/** An AbortSignal that fires on the next SIGINT, when SIGINT is handled. */
export function interruptSignal(): AbortSignal | undefined {
  if (!listening) {
    if (process.listenerCount("SIGINT") === 0 && !inTslab()) return undefined;
    listening = true;
    // Inside breakOnSigint: a listener added now would start a signal
    // handler that vm's watchdog undoes when the cell's synchronous part
    // returns (SIGINT would then kill the kernel), and tslab's own listener
    // is not there to be seen. Both are back right after.
    if (process.listenerCount("SIGINT") > 0) listen();
    else setImmediate(listen);
  }
  return controller.signal;
}
