/**
 * Jupyter interrupts a kernel with SIGINT. tslab catches it and abandons the
 * running cell, but work the cell started would go on waiting; so every
 * blocking wait here also listens to `interruptSignal()`, which aborts on
 * SIGINT. We listen only when someone else already handles SIGINT (tslab, a
 * server): otherwise SIGINT ends the process, and the waits with it.
 */
let controller = new AbortController();
let listening = false;

function onSigint(): void {
  const current = controller;
  controller = new AbortController();
  const error = new Error("Interrupted (SIGINT)");
  (error as Error & { code: string }).code = "EINTR";
  current.abort(error);
}

/**
 * Whether something in this process already handles SIGINT. Inside a tslab
 * cell the count says 0: tslab runs the cell's code with vm's
 * `breakOnSigint`, which takes every SIGINT listener away until the
 * synchronous part of the cell returns (and then puts them back, ours too).
 * So a tslab kernel is recognised by the global its cells run against.
 */
function sigintHandled(): boolean {
  return process.listenerCount("SIGINT") > 0 || "__tslab__" in globalThis;
}

/** An AbortSignal that fires on the next SIGINT, when SIGINT is handled. */
export function interruptSignal(): AbortSignal | undefined {
  if (!listening) {
    if (!sigintHandled()) return undefined;
    listening = true;
    if (process.listenerCount("SIGINT") > 0) process.on("SIGINT", onSigint);
    // Inside breakOnSigint: a listener added now would start a signal
    // handler that vm's watchdog undoes when the cell's synchronous part
    // returns (SIGINT would then kill the kernel). Add it right after.
    else setImmediate(() => process.on("SIGINT", onSigint));
  }
  return controller.signal;
}
