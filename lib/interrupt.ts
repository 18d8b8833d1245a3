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

/** An AbortSignal that fires on the next SIGINT, when SIGINT is handled. */
export function interruptSignal(): AbortSignal | undefined {
  if (!listening) {
    if (process.listenerCount("SIGINT") === 0) return undefined;
    process.on("SIGINT", onSigint);
    listening = true;
  }
  return controller.signal;
}
