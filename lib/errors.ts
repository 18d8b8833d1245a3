/**
 * Errors shaped like Node's own SystemError: `code` ('ENOENT') is the stable
 * way to tell errors apart, `errno` is negated as in Node, `syscall` names the
 * call and `path` the object, when there is one. The addon builds these from
 * the errno it saved right after the failing call.
 */
export class SystemError extends Error {
  declare code: string;
  declare errno: number;
  declare syscall: string;
  declare path?: string;

  constructor(message: string) {
    super(message);
    this.name = "SystemError";
  }
}

/** A bad argument, caught before any system call was made. */
export function invalidArgument(message: string): TypeError & { code: string } {
  return Object.assign(new TypeError(message), { code: "ERR_INVALID_ARG_VALUE" });
}

/** A value of the right type but outside what the call accepts. */
export function outOfRange(message: string): RangeError & { code: string } {
  return Object.assign(new RangeError(message), { code: "ERR_OUT_OF_RANGE" });
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
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalidArgument(`${name} must be an integer, got ${show(value)}`);
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

/** The error an operation rejects with when its time-out passes. */
export function timedOut(what: string, ms: number): SystemError {
  const error = new SystemError(`${what}: ETIMEDOUT (timed out after ${ms} ms)`);
  error.code = "ETIMEDOUT";
  error.errno = -110;
  error.syscall = what;
  return error;
}
