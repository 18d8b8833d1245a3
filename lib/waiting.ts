/**
 * What every wait of the library shares, whether it waits on a descriptor
 * (lib/poll.ts) or on a thread of its own (lib/blocking.ts): the options
 * (time-out, AbortSignal) and one helper that ends a wait for any of the
 * three reasons a wait ends early, with the errors they all use.
 */
import { checkInteger, interrupted, invalidType, timedOut, type Subject } from "./errors";
import { INTERRUPT, interruptSignal } from "./interrupt";

/** Options every awaitable call of the library takes. */
export interface WaitOptions {
  /** Give up after this many milliseconds, rejecting with code ETIMEDOUT. */
  timeout?: number;
  /** Give up when this signal aborts, rejecting with its reason. */
  signal?: AbortSignal;
}

export function checkWaitOptions(options: WaitOptions): WaitOptions {
  if (typeof options !== "object" || options === null) {
    throw invalidType("options must be an object like { timeout: 1000, signal }");
  }
  if (options.timeout !== undefined) {
    checkInteger("timeout", options.timeout, 0, 2 ** 31 - 1);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalidType("signal must be an AbortSignal");
  }
  return options;
}

/** Why a wait stopped early: the caller's reason, or timedOut()/interrupted(). */
function reasonOf(signal: AbortSignal, what: string, subject?: Subject): unknown {
  return signal.reason === INTERRUPT ? interrupted(what, subject) : signal.reason;
}

/**
 * Calls `stop(error)` at most once, when the wait named `what` must end
 * early: its time-out passes (timedOut), its AbortSignal aborts (the
 * signal's reason) or Jupyter interrupts (interrupted). Returns the function
 * that disarms all three, for when the wait ends by itself. If a signal has
 * aborted already, `stop` is called before this returns.
 */
export function whenStopped(
  what: string,
  options: WaitOptions,
  stop: (error: unknown) => void,
  subject?: Subject,
): () => void {
  checkWaitOptions(options);
  const signals = [options.signal, interruptSignal()].filter((s): s is AbortSignal => !!s);
  let timer: NodeJS.Timeout | undefined;
  let armed = true;
  const disarm = () => {
    armed = false;
    clearTimeout(timer);
    for (const signal of signals) signal.removeEventListener("abort", onAbort);
  };
  const end = (error: unknown) => {
    if (!armed) return;
    disarm();
    stop(error);
  };
  const onAbort = (event: Event) => end(reasonOf(event.target as AbortSignal, what, subject));
  const already = signals.find((signal) => signal.aborted);
  if (already) {
    end(reasonOf(already, what, subject));
    return disarm;
  }
  for (const signal of signals) signal.addEventListener("abort", onAbort, { once: true });
  if (options.timeout !== undefined) {
    const ms = options.timeout;
    timer = setTimeout(() => end(timedOut(what, ms, subject)), ms);
  }
  return disarm;
}

/** The time left of a deadline (Date.now() based), for a loop of waits under one time-out. */
export function remaining(deadline: number | undefined): number | undefined {
  return deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
}

/**
 * `promise`, but rejecting on the options' time-out, AbortSignal or
 * Jupyter's interrupt, as `what`; the work behind it goes on.
 */
export function withWaitOptions<T>(
  promise: Promise<T>,
  what: string,
  options: WaitOptions = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const disarm = whenStopped(what, options, reject);
    promise.then(
      (value) => (disarm(), resolve(value)),
      (error: unknown) => (disarm(), reject(error)),
    );
  });
}
