/**
 * trace(fn): the system calls this process (and, on request, its children)
 * made while fn ran, as a table. Built on the real tracer, strace, attached
 * only while fn runs:
 *
 *  1. spawn a wrapper (`sh -c 'read _; exec strace ...'`) that waits for a line;
 *  2. under Yama's ptrace_scope = 1 only, prctl(PR_SET_PTRACER, wrapper's pid):
 *     that one process, and no other, may now trace us (exec keeps the pid);
 *     the decision is ptracePolicy's, from the scope read by readPtraceScope;
 *  3. release it; wait for strace's "Process N attached with M threads";
 *  4. a marker call, fn, a marker call; SIGINT makes strace detach and exit;
 *  5. prctl(PR_SET_PTRACER, 0) if granted; read strace's -o file; keep the rows between
 *     the markers.
 *
 * Where tracing is impossible (no strace, Yama scope 2 or 3, no permission,
 * not Linux) it says why in one line and fn still runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import { native } from "./native";
import { tslab } from "./display";
import {
  between,
  cells,
  htmlTable,
  parseStrace,
  relevant,
  roles,
  textTable,
  type Cell,
  type TraceRow,
  type Who,
} from "./strace";

export type { Cell as TraceCell, TraceRow } from "./strace";

/**
 * The calls shown by default: IPC, descriptors, processes, memory mapping,
 * and the names IPC objects live by (shm_unlink is unlink, mkfifo is mknodat).
 */
export const DEFAULT_CALLS = [
  "%ipc",
  "%desc",
  "%process",
  "%memory",
  "unlink",
  "unlinkat",
  "mknodat",
];

export interface TraceOptions {
  /** Also the calls of the children forked meanwhile (default false). */
  children?: boolean;
  /**
   * Also the other threads' calls: libuv's pool (fs, dns), V8's helpers,
   * zeromq's in a kernel (default false: the main thread, where JavaScript
   * and the event loop run).
   */
  threads?: boolean;
  /** Every system call of every thread, noise included (default false). */
  all?: boolean;
  /**
   * The signals delivered meanwhile, as `--- SIGCHLD` rows (default true).
   * false where the row would come and go: a process-directed signal goes
   * to whichever thread does not block it.
   */
  signals?: boolean;
  /** strace's -e trace= list instead of the default classes, e.g. ["openat", "mmap"] or ["%ipc"]. */
  calls?: string[];
  /** The strace program (default: strace found on PATH). */
  strace?: string;
  /** Show the table (default true); false only returns it through `traceCalls`. */
  show?: boolean;
  /** A caption above the table. */
  title?: string;
  /**
   * Where to read Yama's ptrace_scope (default /proc/sys/kernel/yama/ptrace_scope):
   * tests point it at a file of their own to take each policy's path.
   */
  ptraceScopeFile?: string;
}

export interface TraceResult<T> {
  /** fn's value; undefined when it threw (see `error`). */
  value?: T;
  /** What fn threw, if it did: the trace of a failing step is shown too. */
  error?: unknown;
  /** The calls, as shown. Empty when tracing was not possible. */
  calls: Cell[];
  /** The raw rows between the markers, before filtering. */
  rows: TraceRow[];
  /** Why nothing was traced, when it was not. */
  unavailable?: string;
  /** Milliseconds from releasing strace to its "attached" line. */
  attachMs?: number;
  /** The tracer's pid (the wrapper that became strace). */
  tracerPid?: number;
  /** Whether prctl(PR_SET_PTRACER, tracerPid) was called (Yama scope 1). */
  granted?: boolean;
}

function findStrace(option: string | undefined): string | undefined {
  const candidates = option
    ? [option]
    : (process.env.PATH ?? "/usr/bin:/bin")
        .split(":")
        .map((dir) => path.join(dir || ".", "strace"));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  return undefined;
}

function hasCapSysPtrace(): boolean {
  const hex = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "0";
  return (BigInt(`0x${hex}`) >> 19n) & 1n ? true : false;
}

function tracerOf(): number {
  return Number(/TracerPid:\s*(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);
}

/** Where Yama keeps its policy; absent when the kernel has no Yama (CONFIG_SECURITY_YAMA). */
export const YAMA_SCOPE_FILE = "/proc/sys/kernel/yama/ptrace_scope";

/**
 * Yama's ptrace_scope as the file says: a number, `undefined` when the file is
 * absent (no Yama), or the text itself when it is not a number.
 */
export function readPtraceScope(file: string = YAMA_SCOPE_FILE): number | string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** What the policy lets the trace do. */
export type PtracePolicy =
  /** Trace; `grant`: call prctl(PR_SET_PTRACER, the tracer's pid) first (scope 1). */
  | { trace: true; grant: boolean }
  /** Do not try; the one line saying why. */
  | { trace: false; reason: string };

/**
 * The decision for a Yama scope (`undefined`: no Yama), for a process that
 * has CAP_SYS_PTRACE or not (the tracer, its child, has the same):
 *  - no Yama, 0: classic ptrace rules, a process of the same user may attach;
 *  - 1: only ancestors may attach, so the tracer (a child) must be named with
 *    PR_SET_PTRACER, that one pid and no other;
 *  - 2: only CAP_SYS_PTRACE; without it, say so;
 *  - 3: nobody, until reboot;
 *  - anything else: a value this helper does not know, so it does not guess.
 */
export function ptracePolicy(
  scope: number | string | undefined,
  capSysPtrace: boolean,
): PtracePolicy {
  if (scope === undefined || scope === 0) return { trace: true, grant: false };
  if (scope === 1) return { trace: true, grant: true };
  if (scope === 2) {
    if (capSysPtrace) return { trace: true, grant: false };
    return {
      trace: false,
      reason: "kernel.yama.ptrace_scope is 2: only root (CAP_SYS_PTRACE) may trace a process",
    };
  }
  if (scope === 3)
    return {
      trace: false,
      reason: "kernel.yama.ptrace_scope is 3: no process may trace another, until reboot",
    };
  return {
    trace: false,
    reason: `kernel.yama.ptrace_scope is ${JSON.stringify(String(scope))}: not a Yama policy this helper knows (0-3)`,
  };
}

/** Why this process cannot be traced, known before trying; undefined when it may be. */
export function whyNotTraceable(
  straceOption?: string,
  scopeFile: string = YAMA_SCOPE_FILE,
): string | undefined {
  return preflight(straceOption, scopeFile).reason;
}

function preflight(
  straceOption: string | undefined,
  scopeFile: string,
): { reason?: string; grant: boolean } {
  if (process.platform !== "linux")
    return { reason: `tracing needs Linux and strace (this is ${process.platform})`, grant: false };
  if (!findStrace(straceOption))
    return {
      reason: straceOption
        ? `${straceOption} is not an executable strace`
        : "strace is not installed (Debian/Ubuntu: apt-get install strace)",
      grant: false,
    };
  const policy = ptracePolicy(readPtraceScope(scopeFile), hasCapSysPtrace());
  return policy.trace ? { grant: policy.grant } : { reason: policy.reason, grant: false };
}

function threadsOf(pid: number): Map<number, string> {
  const threads = new Map<number, string>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let name = "";
    try {
      name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
    } catch {
      // ended
    }
    threads.set(Number(tid), name);
  }
  return threads;
}

function marker(file: string): void {
  try {
    accessSync(file);
  } catch {
    // ENOENT, as intended: the call itself is the marker.
  }
}

/** prctl(PR_SET_PTRACER, pid); EINVAL means no Yama in this kernel: nothing to grant or withdraw. */
function setPtracer(pid: number): void {
  try {
    native.setPtracer(pid);
  } catch (error) {
    if ((error as { code?: string }).code !== "EINVAL") throw error;
  }
}

/**
 * Runs fn and calls `done` the moment it has finished: for a synchronous fn
 * before any await, so that no other queued work of this thread (a test
 * runner's IPC write, a timer's callback) runs inside the trace.
 */
async function settle<T>(
  fn: () => T | Promise<T>,
  done: () => void = () => {},
): Promise<{ value?: T; error?: unknown }> {
  try {
    const result = fn();
    if (!isThenable(result)) {
      done();
      return { value: result };
    }
    const value = await result;
    done();
    return { value };
  } catch (error) {
    done();
    return { error };
  }
}

const isThenable = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as { then?: unknown } | null)?.then === "function";

/**
 * Resolves once strace's stderr (a file, so this process never reads it while
 * traced) says it attached to every thread; rejects with its complaint when
 * it exits first. strace prints the line after it seized and interrupted each
 * thread, so every call from then on is seen.
 */
function attached(child: ChildProcess, errFile: string, pid: number): Promise<void> {
  const want = new RegExp(`Process ${pid} attached`);
  return new Promise((resolve, reject) => {
    const check = () => {
      const err = readFileSync(errFile, "utf8");
      if (want.test(err)) return resolve();
      if (child.exitCode !== null || child.signalCode !== null) {
        return reject(new Error(err.trim().split("\n").pop() || "strace exited before attaching"));
      }
      setTimeout(check, 1);
    };
    check();
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function explain(reason: string): string {
  if (/Operation not permitted/.test(reason)) {
    const tracer = tracerOf();
    if (tracer) return `${reason}: this process is already traced by pid ${tracer} (a debugger?)`;
    return `${reason}: the tracer lacks permission (a container without CAP_SYS_PTRACE, or a ptrace policy)`;
  }
  return reason;
}

/**
 * Runs fn under strace and returns its value with the calls it made. Never
 * throws for tracing's sake: `unavailable` says why nothing was traced.
 */
export async function traceCalls<T>(
  fn: () => T | Promise<T>,
  options: TraceOptions = {},
): Promise<TraceResult<T>> {
  if (typeof fn !== "function") throw new TypeError("trace: fn must be a function");
  const { reason: why, grant } = preflight(
    options.strace,
    options.ptraceScopeFile ?? YAMA_SCOPE_FILE,
  );
  if (why) return { ...(await settle(fn)), calls: [], rows: [], unavailable: why };
  const strace = findStrace(options.strace)!;
  const nonce = randomBytes(6).toString("hex");
  const begin = `/ipc-lab-trace/${nonce}/begin`;
  const end = `/ipc-lab-trace/${nonce}/end`;
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-trace-"));
  const out = path.join(dir, "strace.txt");
  const classes = options.all
    ? ["all"]
    : [...(options.calls ?? DEFAULT_CALLS), "access", "faccessat", "faccessat2"];
  const args = [
    "-f",
    "-y",
    "-s",
    "64",
    "-o",
    out,
    "-e",
    `trace=${classes.join(",")}`,
    "-p",
    String(process.pid),
  ];
  const errFile = path.join(dir, "stderr.txt");
  const errFd = openSync(errFile, "w");
  let child: ChildProcess;
  try {
    child = spawn("/bin/sh", ["-c", 'read _ && exec "$0" "$@"', strace, ...args], {
      stdio: ["pipe", "ignore", errFd],
    });
  } finally {
    closeSync(errFd);
  }
  let ptracerSet = false;
  let running = false;
  try {
    const tracerPid = await new Promise<number>((resolve, reject) => {
      child.once("spawn", () => resolve(child.pid!));
      child.once("error", reject);
    });
    // Under scope 1 this one pid, and no other, may trace us; exec keeps it.
    if (grant) {
      ptracerSet = true;
      setPtracer(tracerPid);
    }
    const ready = attached(child, errFile, process.pid);
    const released = performance.now();
    child.stdin!.end("\n");
    let attachMs: number;
    try {
      await ready;
      attachMs = performance.now() - released;
    } catch (error) {
      return {
        ...(await settle(fn)),
        calls: [],
        rows: [],
        unavailable: explain((error as Error).message),
      };
    }
    const who: Who = { pid: process.pid, threads: threadsOf(process.pid) };
    running = true;
    marker(begin);
    let outcome: { value?: T; error?: unknown };
    try {
      // settle writes the end marker the moment fn has finished, on every path.
      outcome = await settle(fn, () => marker(end));
    } finally {
      running = false;
      child.kill("SIGINT");
      await exited(child);
    }
    const rows = between(parseStrace(readFileSync(out, "utf8")), begin, end);
    const role = roles(rows, who);
    const calls = cells(relevant(rows, role, { ...options, tracer: tracerPid }), role, who, {
      cwd: process.cwd(),
      home: homedir(),
    });
    return { ...outcome, calls, rows, attachMs, tracerPid, granted: grant };
  } finally {
    if (!running && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited(child);
    }
    if (ptracerSet) setPtracer(0);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Shows a trace: an HTML table in a notebook, aligned text elsewhere. */
export function showTrace(result: TraceResult<unknown>, title?: string): void {
  if (result.unavailable) {
    console.log(`trace: not traced (${result.unavailable}); the step ran untraced.`);
    return;
  }
  const kernel = tslab();
  if (kernel) kernel.display.html(htmlTable(result.calls, title));
  else console.log((title ? `${title}\n` : "") + textTable(result.calls));
}

/**
 * Runs fn (sync or async) under strace, shows the calls it made, and returns
 * fn's value. `await trace(() => shmOpen("/demo", O_CREAT | O_RDWR))`.
 */
export async function trace<T>(fn: () => T | Promise<T>, options: TraceOptions = {}): Promise<T> {
  const result = await traceCalls(fn, options);
  if (options.show !== false) showTrace(result, options.title);
  if ("error" in result) throw result.error;
  return result.value as T;
}

/** Whether strace is on this machine (tests and chapters check before relying on it). */
export function straceInstalled(): boolean {
  return findStrace(undefined) !== undefined;
}
