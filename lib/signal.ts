/**
 * Signals (chapter 04): an asynchronous notice of an event, sent by a
 * process (kill, sigqueue) or by the kernel (a fault, a child's end, a
 * timer). Node hands JavaScript only the signal's name (`process.on`), with
 * no sender and no payload, and has no sigqueue. This module gives a
 * program the rest:
 *  - sigqueue(pid, signal, value): a signal that carries an integer;
 *  - SignalFd: signals read as data, with their siginfo (who sent it, how,
 *    what value), from a signalfd descriptor on Node's event loop.
 *
 * A signalfd only sees signals that stay pending, so a signal it reads must
 * be blocked in every thread of the process, and Node has many (V8's,
 * libuv's). JavaScript can change only its own thread's mask; SignalFd.open
 * makes every other thread block the signal too (native/src/signal.cc says
 * how), so no thread takes it first. It refuses the signals Node and this
 * notebook live by: SIGINT (Jupyter's interrupt), SIGUSR1 (the inspector),
 * SIGCHLD (child_process reaps its children on it), SIGPIPE (Node ignores
 * it), SIGRTMAX-1 (this library's waiter threads), and any signal that
 * already has a handler (process.on).
 */
import { readdirSync, readFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { inspect } from "node:util";
import { native } from "./native";
import * as C from "./constants";
import { checkInteger, checkOptions, invalidType, invalidValue, show, systemError } from "./errors";
import { Descriptor } from "./descriptor";
import { whenReady } from "./poll";
import { checkWaitOptions, type WaitOptions } from "./waiting";

const standardNames = new Map<number, string>();
for (const [name, number] of Object.entries(osConstants.signals)) {
  if (!standardNames.has(number) && name !== "SIGIOT" && name !== "SIGPOLL") {
    standardNames.set(number, name);
  }
}

/** The name of signal `signo`: "SIGUSR2", "SIGRTMIN+3", "SIGRTMAX". */
export function signalName(signo: number): string {
  checkInteger("signo", signo, 1, C.NSIG - 1);
  if (signo >= C.SIGRTMIN) {
    const fromMax = C.SIGRTMAX - signo;
    if (fromMax === 0) return "SIGRTMAX";
    const fromMin = signo - C.SIGRTMIN;
    return fromMin === 0
      ? "SIGRTMIN"
      : fromMin <= fromMax
        ? `SIGRTMIN+${fromMin}`
        : `SIGRTMAX-${fromMax}`;
  }
  return standardNames.get(signo) ?? `SIG${signo}`;
}

/**
 * A signal's number from a name ("SIGUSR2", "USR2", "SIGRTMIN+3") or a
 * number. Numbers pass unchecked (the kernel answers EINVAL for one that does
 * not exist); unknown names are ERR_INVALID_ARG_VALUE.
 */
export function signalNumberOf(signal: string | number): number {
  if (typeof signal === "number") return checkInteger("signal", signal, -(2 ** 31), 2 ** 31 - 1);
  if (typeof signal !== "string") {
    throw invalidType(`signal must be a name or a number, got ${show(signal)}`);
  }
  const known = numbersByName.get(signal);
  if (known !== undefined) return known;
  const number = parseSignalName(signal);
  numbersByName.set(signal, number);
  return number;
}

// Names already parsed (a sigqueue in a loop names its signal every time).
const numbersByName = new Map<string, number>();

function parseSignalName(signal: string): number {
  const name = signal.startsWith("SIG") ? signal : `SIG${signal}`;
  const rt = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (rt !== null) {
    const base = rt[1] === "MIN" ? C.SIGRTMIN : C.SIGRTMAX;
    const offset = rt[3] === undefined ? 0 : Number(rt[3]) * (rt[2] === "+" ? 1 : -1);
    const number = base + offset;
    if (number < C.SIGRTMIN || number > C.SIGRTMAX) {
      throw invalidValue(
        `unknown signal ${show(signal)}: real-time signals are SIGRTMIN (${C.SIGRTMIN}) to SIGRTMAX (${C.SIGRTMAX})`,
      );
    }
    return number;
  }
  const number = (osConstants.signals as Record<string, number | undefined>)[name];
  if (number === undefined) throw invalidValue(`unknown signal ${show(signal)}`);
  return number;
}

/** What a signal does to a process that neither handles, blocks nor ignores it (signal(7)). */
export type SignalDefaultAction = "terminate" | "core" | "stop" | "continue" | "ignore";

const CORE = ["SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGSEGV", "SIGSYS"];
const CORE_ALSO = ["SIGXCPU", "SIGXFSZ"];
const STOP = ["SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU"];
const IGNORE = ["SIGCHLD", "SIGURG", "SIGWINCH"];

/** The default action of a signal, as signal(7) lists it. */
export function defaultAction(signal: string | number): SignalDefaultAction {
  const name = signalName(signalNumberOf(signal));
  if (CORE.includes(name) || CORE_ALSO.includes(name)) return "core";
  if (STOP.includes(name)) return "stop";
  if (name === "SIGCONT") return "continue";
  if (IGNORE.includes(name)) return "ignore";
  return "terminate";
}

const RESERVED: Record<string, string> = {
  SIGINT: "SIGINT is how Jupyter interrupts a cell (and Node's Ctrl-C)",
  SIGUSR1: "SIGUSR1 starts Node's inspector",
  SIGCHLD: "SIGCHLD is how Node's child_process learns its children ended",
  SIGPIPE: "Node ignores SIGPIPE so that a write to a closed pipe is an EPIPE error",
};
const FAULTS = ["SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGTRAP", "SIGSYS", "SIGABRT"];

/** Refuses what SignalFd.open may not take, with the reason in words. */
function checkReceivable(signo: number): void {
  if (signo < 1 || signo >= C.NSIG) {
    throw systemError("EINVAL", "sigaction", undefined, `signal ${signo} does not exist`);
  }
  if (signo > 31 && signo < C.SIGRTMIN) {
    throw systemError("EINVAL", "sigaction", undefined, `signal ${signo} is glibc's own`);
  }
  const name = signalName(signo);
  if (name === "SIGKILL" || name === "SIGSTOP") {
    throw systemError(
      "EINVAL",
      "sigaction",
      undefined,
      `${name} cannot be caught, blocked or ignored`,
    );
  }
  if (FAULTS.includes(name)) {
    throw systemError(
      "EINVAL",
      "sigaction",
      undefined,
      `${name} reports a fault of the thread that caused it; it cannot be read from a descriptor`,
    );
  }
  if (signo === C.SIGRTMAX - 1) {
    throw systemError(
      "EBUSY",
      "sigaction",
      undefined,
      "SIGRTMAX-1 is ipc-lab's own (it stops waiter threads)",
    );
  }
  const reason = RESERVED[name];
  if (reason !== undefined) throw systemError("EBUSY", "sigaction", undefined, reason);
}

/**
 * sigqueue(3): sends `signal` to `pid` with an integer `value` (a signed
 * 32-bit si_value). The receiver sees si_code SI_QUEUE, the sender's pid and
 * uid, and the value. A real-time signal queues (each one arrives); a
 * standard one sent while one is pending is merged into it. Fails with ESRCH
 * (no such process), EPERM (not yours to signal), EINVAL (no such signal),
 * EAGAIN (the receiver's owner has RLIMIT_SIGPENDING signals queued).
 */
export function sigqueue(pid: number, signal: string | number, value = 0): void {
  checkInteger("pid", pid, -(2 ** 31), 2 ** 31 - 1);
  const signo = signalNumberOf(signal);
  if (typeof value !== "number") {
    throw invalidType(`value must be an integer (si_value.sival_int), got ${show(value)}`);
  }
  checkInteger("value", value, -(2 ** 31), 2 ** 31 - 1);
  if (signo === C.SIGRTMAX - 1) {
    throw systemError(
      "EBUSY",
      "sigqueue",
      { pid },
      "SIGRTMAX-1 is ipc-lab's own (it stops waiter threads)",
    );
  }
  native.sigqueue(pid, signo, value);
}

/** How the sender sent it (si_code). */
export type SignalCode =
  | "SI_USER"
  | "SI_QUEUE"
  | "SI_TKILL"
  | "SI_KERNEL"
  | "SI_TIMER"
  | "SI_MESGQ"
  | "CLD_EXITED"
  | "CLD_KILLED"
  | "CLD_DUMPED"
  | "CLD_STOPPED"
  | "CLD_CONTINUED"
  | `code ${number}`;

/** One received signal, its siginfo decoded. */
export interface SignalInfo {
  /** "SIGRTMIN+1" */
  signal: string;
  signo: number;
  /** kill/raise: SI_USER; sigqueue: SI_QUEUE (with a value); the kernel: SI_KERNEL. */
  code: SignalCode;
  /** The sender's pid and real uid (0 from the kernel). */
  pid: number;
  uid: number;
  /** The sigqueue value (si_value.sival_int); 0 unless code is SI_QUEUE. */
  value: number;
}

const GENERAL_CODES = new Map<number, SignalCode>([
  [C.SI_USER, "SI_USER"],
  [C.SI_QUEUE, "SI_QUEUE"],
  [C.SI_TKILL, "SI_TKILL"],
  [C.SI_KERNEL, "SI_KERNEL"],
  [C.SI_TIMER, "SI_TIMER"],
  [C.SI_MESGQ, "SI_MESGQ"],
]);
const CHILD_CODES = new Map<number, SignalCode>([
  [C.CLD_EXITED, "CLD_EXITED"],
  [C.CLD_KILLED, "CLD_KILLED"],
  [C.CLD_DUMPED, "CLD_DUMPED"],
  [C.CLD_STOPPED, "CLD_STOPPED"],
  [C.CLD_CONTINUED, "CLD_CONTINUED"],
]);

function codeName(name: string, code: number): SignalCode {
  return (
    GENERAL_CODES.get(code) ??
    (name === "SIGCHLD" ? CHILD_CODES.get(code) : undefined) ??
    `code ${code}`
  );
}

// signalName by number, made once each (decode runs for every signal received).
const namesByNumber: string[] = [];
const nameOf = (signo: number): string => (namesByNumber[signo] ??= signalName(signo));

// Where the addon writes its records (7 int32s each), 64 signals' worth;
// one array for every SignalFd (JavaScript runs one call at a time).
const records = new Int32Array(7 * 64);

/**
 * The addon's answer decoded (its records, 7 int32s each: signo, code, pid,
 * uid, value, status, errno): a count of int32s in `records`, or an array of
 * its own when they did not fit. Returns whether there were any.
 */
function decode(got: number | Int32Array, into: SignalInfo[]): boolean {
  const from = typeof got === "number" ? records : got;
  const length = typeof got === "number" ? got : got.length;
  for (let at = 0; at + 7 <= length; at += 7) {
    const signo = from[at]!;
    const signal = nameOf(signo);
    const code = codeName(signal, from[at + 1]!);
    into.push({
      signal,
      signo,
      code,
      pid: from[at + 2]!,
      uid: from[at + 3]!,
      value: code === "SI_QUEUE" ? from[at + 4]! : 0,
    });
  }
  return length > 0;
}

// A SignalFd dropped without close(): its signals get their old action and
// mask back (Descriptor's own finalizer closes the number).
const restoreDropped = new FinalizationRegistry<number[]>((signals) => {
  try {
    native.signalRestore(signals);
  } catch {
    // Nothing to report to.
  }
});

/**
 * Signals read as data (signalfd(2)): open() takes the signals from their
 * usual delivery (they stay pending, blocked in every thread) and receive()
 * reads each with its siginfo, awaited on Node's event loop like a pipe's
 * read. Standard signals that arrive while one is pending are one; real-time
 * signals queue, in order, each with its value. close() reads away what is
 * still pending (it is dropped), gives the signals back their old action and
 * unblocks them in this thread.
 */
export class SignalFd extends Descriptor {
  /** The signals it reads, by name. */
  readonly signals: readonly string[];
  readonly #queue: SignalInfo[] = [];

  private constructor(fd: number, numbers: number[]) {
    // Closed (here or through close(fd)): the signals are given back, once.
    const restore = { done: false };
    super(fd, `signalfd ${numbers.map(signalName).join(",")}`, () => {
      if (restore.done) return;
      restore.done = true;
      restoreDropped.unregister(restore);
      native.signalRestore(numbers);
    });
    this.signals = numbers.map(signalName);
    restoreDropped.register(this, numbers, restore);
  }

  /** signalfd(2) for `signals` ("SIGUSR2", "SIGRTMIN+1", 10...), SFD_NONBLOCK | SFD_CLOEXEC. */
  static open(signals: string | number | readonly (string | number)[]): SignalFd {
    const list = Array.isArray(signals) ? signals : [signals];
    if (list.length === 0) throw invalidValue("signals must name at least one signal");
    const numbers = [...new Set(list.map((signal) => signalNumberOf(signal)))];
    for (const signo of numbers) checkReceivable(signo);
    return new SignalFd(native.signalfdOpen(numbers), numbers);
  }

  /** Everything pending now, without waiting (may be empty). */
  drain(): SignalInfo[] {
    this.checkOpen("read");
    while (this.#fill());
    return this.#queue.splice(0);
  }

  /** The next signal, or undefined if none is pending (never waits). */
  tryReceive(): SignalInfo | undefined {
    this.checkOpen("read");
    if (this.#queue.length === 0) this.#fill();
    return this.#queue.shift();
  }

  /** The next signal, awaited on the event loop; takes `timeout` and `signal`, stops on Jupyter's interrupt. */
  receive(options: WaitOptions = {}): Promise<SignalInfo> {
    // Not an async function: one promise less per signal on the hot path;
    // bad arguments still reject rather than throw.
    try {
      this.checkOpen("read");
      checkWaitOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const next = this.#queue.shift();
    if (next !== undefined) return Promise.resolve(next);
    return whenReady(this.fd, "readable", "read", this.#next, options);
  }

  /**
   * The next signal, blocking this whole thread until it comes: sigwaitinfo(2)
   * on this thread for the descriptor's signals (they are pending for the
   * process, blocked, as signalfd wants them), or with `timeout` (ms)
   * sigtimedwait(2), ETIMEDOUT when it passes. For programs that are not an
   * event loop (a benchmark, a worker, a C-like server); never in a notebook
   * cell: nothing else runs meanwhile, not even Jupyter's interrupt. A
   * handler that runs meanwhile (EINTR) does not end the wait.
   */
  receiveSync(options: { timeout?: number } = {}): SignalInfo {
    const what = options?.timeout === undefined ? "sigwaitinfo" : "sigtimedwait";
    this.checkOpen(what);
    const { timeout } = checkOptions(options, "{ timeout: 1000 }");
    const ms = timeout === undefined ? -1 : checkInteger("timeout", timeout, 0, 2 ** 31 - 1);
    const next = this.#queue.shift();
    if (next !== undefined) return next;
    decode(native.sigtimedwait(this.fd, ms, records), this.#queue);
    return this.#queue.shift()!;
  }

  /** whenReady's attempt: one read, and the next signal if it brought any. */
  readonly #next = (): SignalInfo | undefined => {
    if (this.#queue.length === 0) this.#fill();
    return this.#queue.shift();
  };

  /** One read(2) of the descriptor (at most 32 signals); false when nothing was pending. */
  #fill(): boolean {
    return decode(native.signalfdRead(this.fd, records), this.#queue);
  }

  override [inspect.custom](): string {
    return `SignalFd { ${this.signals.join(", ")}, ${this.closed ? "closed" : `fd ${this.fd}`} }`;
  }
}

/** The calling (JavaScript) thread's blocked signals (pthread_sigmask), by name. */
export function signalMask(): string[] {
  return native.sigprocmaskGet().map(signalName);
}

/** Signals pending for this thread or the process (sigpending), by name. */
export function pendingSignals(): string[] {
  return native.sigpending().map(signalName);
}

/** What this process does on `signal` now: its default, ignore, a handler, or ipc-lab's (a SignalFd). */
export function signalAction(
  signal: string | number,
): "default" | "ignore" | "ipc-lab" | "handler" {
  return native.signalDisposition(signalNumberOf(signal));
}

/** The signal lines of /proc/PID/status, decoded. */
export interface SignalStatus {
  pid: number;
  /** The process's state line: "S (sleeping)", "T (stopped)"... */
  state: string;
  /** SigQ: signals queued for this process's real uid / RLIMIT_SIGPENDING. */
  queued: number;
  limit: number;
  /** SigPnd: pending for the thread; ShdPnd: pending for the whole process. */
  pending: string[];
  sharedPending: string[];
  /** SigBlk, SigIgn, SigCgt: blocked, ignored, caught (has a handler). */
  blocked: string[];
  ignored: string[];
  caught: string[];
  /** The raw hex masks, as the kernel prints them. */
  raw: Record<"SigPnd" | "ShdPnd" | "SigBlk" | "SigIgn" | "SigCgt", string>;
}

function maskNames(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  const names: string[] = [];
  for (let signo = 1; signo < C.NSIG; signo++) {
    if ((mask >> BigInt(signo - 1)) & 1n) {
      names.push(signo > 31 && signo < C.SIGRTMIN ? `SIG${signo}` : signalName(signo));
    }
  }
  return names;
}

/** Decodes /proc/PID/status's signal lines (or a thread's: /proc/PID/task/TID/status). */
export function signalStatus(pid: number | "self" = "self", tid?: number): SignalStatus {
  if (pid !== "self") checkInteger("pid", pid, 1, 2 ** 31 - 1);
  if (tid !== undefined) checkInteger("tid", tid, 1, 2 ** 31 - 1);
  const file = tid === undefined ? `/proc/${pid}/status` : `/proc/${pid}/task/${tid}/status`;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw systemError("ESRCH", "open", { path: file }, "no such process");
  }
  const field = (key: string): string => new RegExp(`^${key}:\\s*(.*)$`, "m").exec(text)?.[1] ?? "";
  const [queued, limit] = field("SigQ").split("/").map(Number);
  const raw = {
    SigPnd: field("SigPnd"),
    ShdPnd: field("ShdPnd"),
    SigBlk: field("SigBlk"),
    SigIgn: field("SigIgn"),
    SigCgt: field("SigCgt"),
  };
  return {
    pid: Number(field("Pid")),
    state: field("State"),
    queued: queued ?? 0,
    limit: limit ?? 0,
    pending: maskNames(raw.SigPnd),
    sharedPending: maskNames(raw.ShdPnd),
    blocked: maskNames(raw.SigBlk),
    ignored: maskNames(raw.SigIgn),
    caught: maskNames(raw.SigCgt),
    raw,
  };
}

/** Every thread of a process and whether it blocks `signal` (what SignalFd.open must make true). */
export function threadsBlocking(
  signal: string | number,
  pid: number | "self" = "self",
): { tid: number; name: string; blocks: boolean }[] {
  const name = signalName(signalNumberOf(signal));
  return readdirSync(`/proc/${pid}/task`).flatMap((entry) => {
    const tid = Number(entry);
    try {
      const status = signalStatus(pid, tid);
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      return [{ tid, name: comm, blocks: status.blocked.includes(name) }];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}
