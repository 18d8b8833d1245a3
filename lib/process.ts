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
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import { constants } from "node:os";
import * as path from "node:path";
import { native, type WaitStatus } from "./native";
import { WCONTINUED, WNOHANG, WUNTRACED } from "./constants";
import {
  checkFd,
  checkInteger,
  checkOptions,
  invalidType,
  invalidValue,
  show,
  systemError,
} from "./errors";
import { adopt } from "./descriptor";
import { close, readAll } from "./fd";
import { pipe } from "./pipe";
import { whenReady } from "./poll";
import { withWaitOptions, type WaitOptions } from "./waiting";

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
export function routines(): { name: string; summary: string; chapter: string }[] {
  return native.listRoutines();
}

/**
 * fork(2): the child is a copy of this process that runs the C routine named
 * `routine` (see routines()) and exits with its status. The parent gets a
 * Child whose pid is the child's.
 */
export function fork(routine: string, options?: ForkOptions): Child {
  if (typeof routine !== "string")
    throw invalidType(`routine must be a string, got ${show(routine)}`);
  if (routine === "") throw invalidValue(`routine must be a routine name, got ""`);
  options = checkOptions(options, "{ fds: { 1: writeEnd }, args: [10] }");
  const given = options.args ?? [];
  if (!Array.isArray(given)) throw invalidType("args must be an array of strings or numbers");
  const args = given.map((arg, i) => {
    if (typeof arg !== "string" && typeof arg !== "number") {
      throw invalidType(`args[${i}] must be a string or a number, got ${show(arg)}`);
    }
    return String(arg);
  });
  const fdMap = toFdMap(options.fds);
  const closeFds = (options.close ?? []).map((fd) => checkFd(fd, "close[]"));
  const pid = native.fork(routine, args, fdMap, closeFds, options.closeOthers ?? false);
  return new Child(pid, routine);
}

/** `{ 0: r, 3: w }` as the addon's [from, to, from, to] list, checked. */
function toFdMap(fds: Record<number, number> | undefined): number[] {
  if (fds === undefined) return [];
  if (typeof fds !== "object" || fds === null) {
    throw invalidType("fds must be an object like { 0: readEnd, 1: writeEnd }");
  }
  const fdMap: number[] = [];
  for (const [childFd, parentFd] of Object.entries(fds)) {
    if (!/^\d+$/.test(childFd))
      throw invalidValue(`fds: child descriptor ${show(childFd)} is not a number`);
    fdMap.push(checkFd(parentFd, `fds[${childFd}]`), checkFd(Number(childFd), "child fd"));
  }
  return fdMap;
}

export interface SpawnOptions {
  /** Descriptors the new program gets: `{ 0: readEnd, 3: writeEnd }` (dup2 before exec). */
  fds?: Record<number, number>;
  /** Environment of the new program (default: this process's). */
  env?: Record<string, string | undefined>;
  /** Working directory of the new program. */
  cwd?: string;
  /**
   * Close every other descriptor >= 3 before exec (default true, as Python's
   * subprocess does): a pipe end the child inherits by accident keeps its
   * reader from ever seeing end of file.
   */
  closeOthers?: boolean;
  /** Collect fds 1 and 2 (unless mapped in `fds`) for output(); default true. */
  capture?: boolean;
}

/** A program started by spawnWithFds; `output()` has what it printed. */
export class SpawnedChild extends Child {
  #output: Promise<{ stdout: string; stderr: string }> | undefined;

  constructor(pid: number, command: string, output?: Promise<{ stdout: string; stderr: string }>) {
    super(pid, command);
    this.#output = output;
    // Rejections surface through output(); never as unhandled ones.
    output?.catch(() => {});
  }

  /** What the program wrote on fds 1 and 2 (captured), once both are closed. */
  output(options: WaitOptions = {}): Promise<{ stdout: string; stderr: string }> {
    if (this.#output === undefined) {
      return Promise.reject(invalidValue("output(): this child was spawned with capture: false"));
    }
    // A time-out or abort ends this wait only; the collection (reads of the pipes) goes on.
    return withWaitOptions(this.#output, "read", options);
  }

  override async [Symbol.asyncDispose](): Promise<void> {
    await super[Symbol.asyncDispose]();
    await this.#output?.catch(() => {});
  }
}

/** The file execve would run for `command`, looked up in PATH like execvp. */
function resolveCommand(command: string, PATH: string | undefined): string {
  if (command.includes("/")) return command;
  for (const dir of (PATH ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const candidate = path.join(dir || ".", command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here: try the next folder.
    }
  }
  // What execvp would say after trying every folder of PATH.
  throw systemError("ENOENT", "execve", { path: command }, "not found in PATH");
}

/**
 * Starts `command` with `args` as a new program whose descriptors are the
 * ones you choose, as a shell does for `ls | wc -l`: fork, dup2 each
 * `fds` entry into place, close the rest, execve. Use it to run a
 * TypeScript/JavaScript child (`process.execPath`, ["child.mjs"]) that
 * talks over pipes made here. Throws execve's error (ENOENT, EACCES) here.
 */
export function spawnWithFds(
  command: string,
  args: string[] = [],
  options?: SpawnOptions,
): SpawnedChild {
  if (typeof command !== "string")
    throw invalidType(`command must be a string, got ${show(command)}`);
  if (command === "") throw invalidValue(`command must not be empty`);
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== "string")) {
    throw invalidType("args must be an array of strings");
  }
  options = checkOptions(options, "{ fds: { 0: readEnd }, cwd: '/tmp' }");
  if (options.cwd !== undefined && typeof options.cwd !== "string") {
    throw invalidType(`cwd must be a string, got ${show(options.cwd)}`);
  }
  const env = options.env ?? process.env;
  const envp = Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${value}`);
  const file = resolveCommand(command, env.PATH);
  const fds = { ...(options.fds ?? {}) };
  const fdMap = toFdMap(fds);
  // Captured outputs: a close-on-exec pipe per unmapped fd 1 and 2.
  const captured = new Map<number, [number, number]>();
  if (options.capture ?? true) {
    for (const target of [1, 2]) {
      if (fds[target] !== undefined) continue;
      const ends = pipe({ cloexec: true });
      captured.set(target, ends);
      fdMap.push(ends[1], target);
    }
  }
  let pid: number;
  try {
    pid = native.spawn(
      file,
      [command, ...args],
      envp,
      fdMap,
      [],
      options.closeOthers ?? true,
      options.cwd,
    );
  } catch (error) {
    for (const [r, w] of captured.values()) (close(r), close(w));
    throw error;
  }
  for (const [, w] of captured.values()) close(w);
  const collect = async (target: number): Promise<string> => {
    const ends = captured.get(target);
    if (ends === undefined) return "";
    try {
      return (await readAll(ends[0])).toString("utf8");
    } finally {
      close(ends[0]);
    }
  };
  const output =
    captured.size === 0
      ? undefined
      : Promise.all([collect(1), collect(2)]).then(([stdout, stderr]) => ({ stdout, stderr }));
  return new SpawnedChild(pid, command, output);
}

/** Maps "SIGTERM" or 15 to a signal number, checking it exists. */
export function signalNumber(signal: string | number): number {
  if (typeof signal === "number") return checkInteger("signal", signal, 0, 64);
  if (typeof signal !== "string")
    throw invalidType(`signal must be a name or a number, got ${show(signal)}`);
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  if (number === undefined) throw invalidValue(`unknown signal ${show(signal)}`);
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
  const pidfd = adopt(native.pidfdOpen(pid));
  try {
    return await whenReady(
      pidfd,
      "readable",
      "waitpid",
      () => native.waitpid(pid, WNOHANG) ?? undefined,
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
  const flags =
    (options.noHang ? WNOHANG : 0) |
    (options.untraced ? WUNTRACED : 0) |
    (options.continued ? WCONTINUED : 0);
  return native.waitpid(checkInteger("pid", pid, -1, 2 ** 31 - 1), flags);
}

/**
 * prctl(PR_SET_CHILD_SUBREAPER): descendants orphaned by their parent are
 * re-parented to this process instead of init, so it can find and reap them.
 */
export function setChildSubreaper(on = true): void {
  native.setChildSubreaper(on === true);
}

/**
 * sched_yield(2): lets another runnable process have this CPU now. For a
 * loop that spins on a flag in shared memory: after a few thousand turns it
 * should yield, as C's does, or it holds the CPU its partner needs to set
 * the flag (on a busy machine, for a whole time slice per turn).
 */
export function schedYield(): void {
  native.schedYield();
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
