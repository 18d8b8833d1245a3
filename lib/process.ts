/**
 * Processes: who am I (getpid/getppid), a real fork() whose child runs a C
 * routine until _exit, waitpid with the status decoded, and kill.
 *
 * Why the child runs C and not JavaScript: Node is multithreaded (V8's
 * compiler and garbage-collector threads, libuv's pool). fork() copies only
 * the calling thread, so in the child the other threads are gone, perhaps in
 * the middle of holding a lock; JavaScript cannot safely go on there. A C
 * routine that uses only async-signal-safe calls, then _exit, can.
 */
import { constants } from "node:os";
import { native, type WaitStatus } from "./native";
import { checkFd, checkInteger, invalidArgument } from "./errors";
import { close } from "./fd";
import { whenReady, type WaitOptions } from "./poll";

export type { WaitStatus } from "./native";

/** This process's id. */
export function getpid(): number {
  return native.getpid();
}

/** The parent's id. */
export function getppid(): number {
  return native.getppid();
}

export interface ForkOptions {
  /** Arguments for the routine (at most 8), passed as strings. */
  args?: (string | number)[];
  /** Descriptors the child gets: `{ 1: writeEnd }` makes the child's fd 1 a copy of writeEnd. */
  fds?: Record<number, number>;
  /** Descriptors the child closes before running the routine. */
  close?: number[];
  /** Close every inherited descriptor except 0, 1, 2 and those in `fds`. */
  closeOthers?: boolean;
}

/** A child made by fork(); `wait()` reaps it, so it never stays a zombie. */
export class Child {
  #status: WaitStatus | undefined;

  constructor(
    readonly pid: number,
    readonly routine: string,
  ) {}

  /** waitpid(pid), awaitable; resolves with the decoded status. */
  async wait(options: WaitOptions = {}): Promise<WaitStatus> {
    this.#status ??= await waitpid(this.pid, options);
    return this.#status;
  }

  /** Sends a signal (default SIGTERM) unless the child was already reaped. */
  kill(signal: string | number = "SIGTERM"): void {
    if (this.#status === undefined) kill(this.pid, signal);
  }

  /** Kills (SIGKILL) and reaps the child if it still runs. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#status !== undefined) return;
    try {
      kill(this.pid, "SIGKILL");
    } catch {
      // Already exited: waiting below reaps it.
    }
    await this.wait();
  }
}

/** The C routines a forked child can run: name and what it does. */
export function routines(): { name: string; summary: string }[] {
  return native.listRoutines();
}

/**
 * fork(2): the child is a copy of this process that runs the C routine named
 * `routine` (see routines()) and exits with its status. The parent gets a
 * Child whose pid is the child's.
 */
export function fork(routine: string, options: ForkOptions = {}): Child {
  if (typeof routine !== "string" || routine === "") {
    throw invalidArgument(`routine must be a routine name, got ${String(routine)}`);
  }
  const args = (options.args ?? []).map((arg) => String(arg));
  const fdMap: number[] = [];
  for (const [childFd, parentFd] of Object.entries(options.fds ?? {})) {
    fdMap.push(checkFd(parentFd, `fds[${childFd}]`), checkFd(Number(childFd), "child fd"));
  }
  const closeFds = (options.close ?? []).map((fd) => checkFd(fd, "close[]"));
  const pid = native.fork(routine, args, fdMap, closeFds, options.closeOthers ?? false);
  return new Child(pid, routine);
}

/** Maps "SIGTERM" or 15 to a signal number, checking it exists. */
export function signalNumber(signal: string | number): number {
  if (typeof signal === "number") return checkInteger("signal", signal, 0, 64);
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  if (number === undefined) throw invalidArgument(`unknown signal ${JSON.stringify(signal)}`);
  return number;
}

/** kill(2). */
export function kill(pid: number, signal: string | number = "SIGTERM"): void {
  native.kill(checkInteger("pid", pid, -(2 ** 31), 2 ** 31 - 1), signalNumber(signal));
}

/**
 * waitpid(2) for one child, awaited on the event loop through a pidfd:
 * resolves with how the child ended ("exited" with a code, or "killed" by a
 * signal). Never blocks the process.
 */
export async function waitpid(pid: number, options: WaitOptions = {}): Promise<WaitStatus> {
  checkInteger("pid", pid, 1, 2 ** 31 - 1);
  const pidfd = native.pidfdOpen(pid);
  try {
    return await whenReady(
      pidfd,
      "readable",
      "waitpid",
      () => native.waitpid(pid, 1) ?? undefined,
      options,
    );
  } finally {
    close(pidfd);
  }
}

export interface WaitSyncOptions {
  /** WNOHANG: return null at once if the child has not changed state. */
  noHang?: boolean;
  /** WUNTRACED: also report a child stopped by a signal. */
  untraced?: boolean;
  /** WCONTINUED: also report a stopped child that was continued. */
  continued?: boolean;
}

/** waitpid(2) as C calls it: blocks the process unless `noHang`. */
export function waitpidSync(pid: number, options: WaitSyncOptions = {}): WaitStatus | null {
  const flags = (options.noHang ? 1 : 0) | (options.untraced ? 2 : 0) | (options.continued ? 4 : 0);
  return native.waitpid(checkInteger("pid", pid, -1, 2 ** 31 - 1), flags);
}

/** The C global the "add" routine changes: the same variable, in two address spaces. */
export const demoGlobal = {
  get value(): number {
    return native.getDemoValue();
  },
  set value(value: number) {
    native.setDemoValue(checkInteger("value", value, -(2 ** 31), 2 ** 31 - 1));
  },
};
