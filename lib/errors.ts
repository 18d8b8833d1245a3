/**
 * How the library fails, one way, as Node does:
 *  - a failed call (or a wait that timed out, was interrupted, or a check
 *    that stands in for the kernel's) is a SystemError, built by the addon
 *    from an errno the addon read from the C headers: systemError();
 *  - a bad argument, caught before any call: a wrong type is a TypeError with
 *    code ERR_INVALID_ARG_TYPE (invalidType), a number out of range (1.5 for
 *    an integer, -1 for a size) a RangeError with ERR_OUT_OF_RANGE
 *    (outOfRange), any other bad value a TypeError with ERR_INVALID_ARG_VALUE
 *    (invalidValue).
 */
import { native, type Subject } from "./native";
import { errno, type ErrnoCode } from "./constants";
import { SystemError } from "./system-error";

export { SystemError };
export type { Subject };

/**
 * `syscall: CODE (reason) subject: detail`, with `code`, `errno`, `syscall`
 * and the subject's own property (`fd`, `pid`, `key`, `shmid`, `msqid`, `path`).
 * The reason is strerror's unless given.
 */
export function systemError(
  code: ErrnoCode,
  syscall: string,
  subject?: Subject,
  detail?: string,
  reason?: string,
): SystemError {
  return native.errnoError(errno[code], syscall, subject, detail, reason);
}

/**
 * An error that reaches the caller through a callback of the event loop (a
 * timer, a poll, a signal): its stack is the library's own frames, which say
 * nothing to the reader, so it keeps the message line only.
 */
export function fromEventLoop<E extends Error>(error: E): E {
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/** The error a wait rejects with when its time-out passes. */
export function timedOut(syscall: string, ms: number, subject?: Subject): SystemError {
  return fromEventLoop(
    systemError("ETIMEDOUT", syscall, subject, undefined, `timed out after ${ms} ms`),
  );
}

/** The error a wait rejects with on Jupyter's interrupt (SIGINT): timedOut's sibling. */
export function interrupted(syscall: string, subject?: Subject): SystemError {
  return fromEventLoop(
    systemError("EINTR", syscall, subject, undefined, "interrupted by SIGINT: the stop button"),
  );
}

function argumentError<E extends Error>(error: E, code: string): E & { code: string } {
  return Object.assign(error, { code });
}

/** A wrong type: TypeError, ERR_INVALID_ARG_TYPE. */
export function invalidType(message: string): TypeError & { code: string } {
  return argumentError(new TypeError(message), "ERR_INVALID_ARG_TYPE");
}

/** The right type, a bad value (a name without "/", an unknown signal): ERR_INVALID_ARG_VALUE. */
export function invalidValue(message: string): TypeError & { code: string } {
  return argumentError(new TypeError(message), "ERR_INVALID_ARG_VALUE");
}

/** A number outside what the call accepts: RangeError, ERR_OUT_OF_RANGE. */
export function outOfRange(message: string): RangeError & { code: string } {
  return argumentError(new RangeError(message), "ERR_OUT_OF_RANGE");
}

/** Shows a value in an error message the way a reader would type it. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === null || typeof value !== "object") return String(value);
  return Object.prototype.toString.call(value);
}

/** `value` must be an integer in [min, max]; `name` is how the caller calls it. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number") {
    throw invalidType(`${name} must be a number, got ${show(value)}`);
  }
  if (!Number.isInteger(value)) {
    throw outOfRange(`${name} must be an integer, got ${value}`);
  }
  if (value < min || value > max) {
    throw outOfRange(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** A descriptor: a non-negative int. */
export function checkFd(value: unknown, name = "fd"): number {
  return checkInteger(name, value, 0, 2 ** 31 - 1);
}

/** An options argument: undefined (none) or a plain object. */
export function checkOptions<T extends object>(value: T | undefined, example: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== "object" || value === null) {
    throw invalidType(`options must be an object like ${example}, got ${show(value)}`);
  }
  return value;
}
