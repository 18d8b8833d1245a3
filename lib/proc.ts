/**
 * What /proc says of a running process, for a lesson that must wait until a
 * peer has reached a state instead of sleeping and hoping it has: whether a
 * process has ended, which system call one of its threads sleeps in, and
 * waitUntil, a bounded wait on such a condition. On a loaded machine a fixed
 * sleep is too short exactly when it matters.
 */
import { readdirSync, readFileSync } from "node:fs";
import { checkInteger, invalidType, invalidValue } from "./errors";

/** System calls a thread can be found asleep in, by their numbers in /proc/PID/task/TID/syscall. */
const SYSCALLS = {
  x64: {
    read: 0,
    write: 1,
    openat: 257,
    wait4: 61,
    futex: 202,
    msgsnd: 69,
    msgrcv: 70,
    semtimedop: 220,
    mq_timedsend: 242,
    mq_timedreceive: 243,
    rt_sigtimedwait: 128,
    accept4: 288,
  },
  arm64: {
    read: 63,
    write: 64,
    openat: 56,
    wait4: 260,
    futex: 98,
    msgsnd: 189,
    msgrcv: 188,
    semtimedop: 192,
    mq_timedsend: 182,
    mq_timedreceive: 183,
    rt_sigtimedwait: 137,
    accept4: 242,
  },
} as const;

export type SleepingSyscall = keyof (typeof SYSCALLS)["x64"];

const numbers: Record<string, number> = process.arch === "arm64" ? SYSCALLS.arm64 : SYSCALLS.x64;

/** Whether process `pid` has ended: gone from /proc, or a zombie (state Z) not yet reaped. */
export function hasEnded(pid: number): boolean {
  checkInteger("pid", pid, 1, 2 ** 22);
  try {
    return stateOf(`/proc/${pid}/stat`) === "Z";
  } catch {
    return true;
  }
}

/**
 * Whether a thread of process `pid` sleeps (state S) in system call
 * `syscall`, with `arg0` as its first argument if given (a descriptor, a
 * queue id, a futex's address). The state is read after the call: a thread
 * about to enter it, or stopped by a tracer, does not count.
 */
export function asleepIn(
  pid: number | "self",
  syscall: SleepingSyscall,
  arg0?: number | bigint,
): boolean {
  if (pid !== "self") checkInteger("pid", pid, 1, 2 ** 22);
  const nr = numbers[syscall];
  if (nr === undefined) {
    throw invalidValue(
      `syscall must be one of ${Object.keys(numbers).join(", ")}, got ${String(syscall)}`,
    );
  }
  if (arg0 !== undefined && typeof arg0 !== "number" && typeof arg0 !== "bigint") {
    throw invalidType("arg0 must be a number or a bigint");
  }
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false; // the process has ended
  }
  return tids.some((tid) => {
    try {
      const [number, first] = readFileSync(`/proc/${pid}/task/${tid}/syscall`, "utf8").split(" ");
      return (
        number === String(nr) &&
        (arg0 === undefined || BigInt(first!) === BigInt(arg0)) &&
        stateOf(`/proc/${pid}/task/${tid}/stat`) === "S"
      );
    } catch {
      return false; // the thread has ended
    }
  });
}

/** The state letter of a /proc stat file (after the parenthesised name, which may hold spaces). */
function stateOf(statFile: string): string {
  const stat = readFileSync(statFile, "utf8");
  return stat[stat.lastIndexOf(")") + 2]!;
}

export interface WaitUntilOptions {
  /** Give up once this says the process that should make `done` true has ended. */
  gone?: () => boolean;
  /** Give up after this many milliseconds (default 5000). */
  timeout?: number;
}

/**
 * Resolves once `done()` holds, looking every 5 ms. Rejects with an Error
 * naming `what`: code ETIMEDOUT after `timeout` ms, or ESRCH once `gone()`
 * says the process that should do it has ended (asked before `done()`: a
 * process that did it and then ended did it).
 */
export async function waitUntil(
  what: string,
  done: () => boolean,
  options: WaitUntilOptions = {},
): Promise<void> {
  if (typeof what !== "string") throw invalidType("what must be a string naming the condition");
  if (typeof done !== "function") throw invalidType("done must be a function");
  const { gone = () => false, timeout = 5000 } = options;
  checkInteger("timeout", timeout, 0, 2 ** 31 - 1);
  const deadline = Date.now() + timeout;
  for (;;) {
    const ended = gone();
    if (done()) return;
    if (ended) throw gaveUp(what, "ESRCH", "the process that should do it has ended");
    if (Date.now() > deadline) throw gaveUp(what, "ETIMEDOUT", `not within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function gaveUp(what: string, code: string, why: string): Error {
  return Object.assign(new Error(`gave up waiting for ${what}: ${why}`), { code });
}
