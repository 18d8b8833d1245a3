// Signals (chapter 04): sigqueue with a value, signals read as data from a
// SignalFd (reliable in a multithreaded Node: every thread blocks them),
// standard signals merging and real-time ones queueing, default actions and
// handlers in forked C children, and the errors, across processes in every
// direction (TS↔TS, TS↔C, TS↔Python). Nothing is left behind: every test
// ends with the signals' actions and this thread's mask as they began.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { pbkdf2 } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, expect, test } from "vitest";
import { ensureJupyter } from "../shared/notebook/execute.ts";
import { jupyterEnv, venvBin } from "../shared/jupyter.mjs";
import {
  binDir,
  close,
  defaultAction,
  fork,
  kill,
  pendingSignals,
  pipe,
  read,
  SignalFd,
  signalAction,
  signalMask,
  signalName,
  signalNumberOf,
  signalStatus,
  sigqueue,
  SIGRTMAX,
  SIGRTMIN,
  threadsBlocking,
  waitpid,
  waitpidSync,
  write,
  type Child,
  asleepIn,
  hasEnded,
  waitUntil,
} from "ipc-lab";

import { native } from "./fixtures/internals.ts";

const fixtures = path.join(import.meta.dirname, "fixtures");
const run = promisify(execFile);
const opened: SignalFd[] = [];
const started: ChildProcess[] = [];

function open(signals: string | string[]): SignalFd {
  const fd = SignalFd.open(signals);
  opened.push(fd);
  return fd;
}

afterEach(() => {
  for (const fd of opened.splice(0)) fd.close();
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  // Nothing left behind: the actions and this thread's mask are as they began.
  for (const name of ["SIGUSR2", "SIGRTMIN", "SIGRTMIN+1", "SIGRTMIN+2", "SIGRTMIN+3"]) {
    expect(signalAction(name), name).toBe("default");
  }
  expect(signalMask()).toEqual([]);
  expect(pendingSignals()).toEqual([]);
});

/** A program started with child_process, its stdout collected; resolves `ready` on its "ready PID" line. */
/** sigqueue(SIGRTMIN, value) of each value to a signal-receiver.mjs process, which reports them in order. */
async function queueToReceiver(values: number[], ...mode: string[]): Promise<void> {
  const receiver = start(process.execPath, [
    path.join(fixtures, "signal-receiver.mjs"),
    "SIGRTMIN",
    String(values.length),
    ...mode,
  ]);
  await receiver.ready;
  for (const value of values) sigqueue(receiver.pid, "SIGRTMIN", value);
  const done = await receiver.done;
  expect(done.code).toBe(0);
  expect(lines(done.stdout)).toEqual(
    values.map((v) => `signo=${SIGRTMIN} code=SI_QUEUE pid=${process.pid} value=${v}`),
  );
}

function start(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let stdout = "";
  let stderr = "";
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("ready")) resolve();
    });
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { pid: child.pid!, ready, done };
}

/** A forked C routine with fd 0 and fd 1 as pipes: `go()` writes a byte, `until()` reads its output. */
function forkRoutine(routine: string, args: (string | number)[] = []) {
  const [inRead, inWrite] = pipe();
  const [outRead, outWrite] = pipe();
  const child = fork(routine, { args, fds: { 0: inRead, 1: outWrite }, closeOthers: true });
  close(inRead);
  close(outWrite);
  let text = "";
  return {
    child,
    async until(pattern: RegExp | "eof"): Promise<string> {
      while (pattern === "eof" || !pattern.test(text)) {
        const chunk = await read(outRead, 65536, { timeout: 10_000 });
        if (chunk.length === 0) break;
        text += chunk.toString();
      }
      return text;
    },
    async go(): Promise<void> {
      await write(inWrite, "g");
    },
    async end(): Promise<string> {
      await this.until("eof");
      close(inWrite);
      close(outRead);
      return text;
    },
  };
}

/** Resolves once `pid` sleeps in read(0); rejects if it ends first or takes over 10 s. */
const asleepInRead = (pid: number) =>
  waitUntil(`process ${pid} to sleep in read(0)`, () => asleepIn(pid, "read", 0), {
    gone: () => hasEnded(pid),
    timeout: 10_000,
  });

// ---- names and numbers --------------------------------------------------

test("signal names and numbers, the real-time range read from glibc", () => {
  expect(signalNumberOf("SIGUSR2")).toBe(12);
  expect(signalNumberOf("USR2")).toBe(12);
  expect(signalNumberOf("SIGRTMIN")).toBe(SIGRTMIN);
  expect(signalNumberOf("SIGRTMIN+3")).toBe(SIGRTMIN + 3);
  expect(signalNumberOf("SIGRTMAX-1")).toBe(SIGRTMAX - 1);
  expect(signalName(SIGRTMIN + 1)).toBe("SIGRTMIN+1");
  expect(signalName(SIGRTMAX)).toBe("SIGRTMAX");
  expect(signalName(9)).toBe("SIGKILL");
  expect(SIGRTMIN).toBe(34); // glibc keeps 32 and 33 for its threads
  expect(defaultAction("SIGTERM")).toBe("terminate");
  expect(defaultAction("SIGQUIT")).toBe("core");
  expect(defaultAction("SIGTSTP")).toBe("stop");
  expect(defaultAction("SIGCONT")).toBe("continue");
  expect(defaultAction("SIGCHLD")).toBe("ignore");
  expect(defaultAction("SIGRTMIN")).toBe("terminate");
  expect(() => signalNumberOf("SIGNOPE")).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE", message: 'unknown signal "SIGNOPE"' }),
  );
  expect(() => signalNumberOf("SIGRTMIN+99")).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
  );
  expect(() => signalNumberOf({} as never)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
});

// ---- SignalFd: merging, queueing, siginfo -------------------------------

test("ten standard signals while pending are one; ten real-time ones queue, in order, with values", () => {
  const fd = open(["SIGUSR2", "SIGRTMIN+1"]);
  for (let i = 0; i < 10; i++) {
    sigqueue(process.pid, "SIGUSR2", i);
    sigqueue(process.pid, "SIGRTMIN+1", 100 + i);
  }
  // What the kernel holds: both pending for the process (ShdPnd), 11 queued.
  const status = signalStatus();
  expect(status.sharedPending).toEqual(["SIGUSR2", "SIGRTMIN+1"]);
  expect(status.blocked).toEqual(expect.arrayContaining(["SIGUSR2", "SIGRTMIN+1"]));
  expect(status.caught).toEqual(expect.arrayContaining(["SIGUSR2", "SIGRTMIN+1"]));
  expect(pendingSignals()).toEqual(["SIGUSR2", "SIGRTMIN+1"]);
  const got = fd.drain();
  expect(got.filter((s) => s.signal === "SIGUSR2")).toHaveLength(1);
  expect(got.filter((s) => s.signal === "SIGRTMIN+1").map((s) => s.value)).toEqual([
    100, 101, 102, 103, 104, 105, 106, 107, 108, 109,
  ]);
  expect(got[0]).toEqual({
    signal: "SIGUSR2",
    signo: 12,
    code: "SI_QUEUE",
    pid: process.pid,
    uid: process.getuid!(),
    value: 0, // the first one's: the other nine merged into it
  });
  expect(fd.drain()).toEqual([]);
  expect(fd.tryReceive()).toBeUndefined();
  // More than one read(2) holds (32 at a time): drain reads them all.
  for (let i = 0; i < 100; i++) sigqueue(process.pid, "SIGRTMIN+1", i);
  expect(fd.drain().map((s) => s.value)).toEqual(Array.from({ length: 100 }, (_, i) => i));
});

test("kill is SI_USER with no value; receive() waits on the event loop", async () => {
  const fd = open("SIGRTMIN");
  const waiting = fd.receive({ timeout: 10_000 });
  setTimeout(() => process.kill(process.pid, SIGRTMIN), 5);
  expect(await waiting).toMatchObject({ signal: "SIGRTMIN", code: "SI_USER", value: 0 });
});

test("delivery is reliable: every thread blocks the signal, and 500 queued from another process all arrive", async () => {
  // Wake libuv's pool so its threads exist before open (they did not block it).
  await promisify(pbkdf2)("x", "y", 1, 8, "sha256");
  expect(threadsBlocking("SIGRTMIN+2").some((t) => !t.blocks)).toBe(true);
  const fd = open("SIGRTMIN+2");
  expect(threadsBlocking("SIGRTMIN+2").filter((t) => !t.blocks)).toEqual([]);
  // Threads made while it is open inherit the mask: work that keeps the pool busy.
  const busy = Promise.all(
    Array.from({ length: 8 }, () => promisify(pbkdf2)("x", "y", 2000, 8, "sha256")),
  );
  const sender = start(path.join(binDir, "signal_sender"), [
    String(process.pid),
    "SIGRTMIN+2",
    "500",
    "1",
  ]);
  const values: number[] = [];
  while (values.length < 500) values.push((await fd.receive({ timeout: 10_000 })).value);
  await busy;
  expect(values).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  expect((await sender.done).stdout).toBe("sent 500\n");
  expect(threadsBlocking("SIGRTMIN+2").filter((t) => !t.blocks)).toEqual([]);
});

test("a signal that reaches a thread which does not block it is not lost: the catcher spills it to the SignalFd", async () => {
  const fd = open("SIGRTMIN+3");
  // A thread that does not block it, as one made before open() would not.
  native.signalStrayThread(SIGRTMIN + 3, 3000);
  for (let i = 0; i < 500 && !threadsBlocking("SIGRTMIN+3").some((t) => !t.blocks); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(threadsBlocking("SIGRTMIN+3").filter((t) => !t.blocks)).toHaveLength(1);
  // The first one can only go to that thread: its catcher spills it (and makes
  // the thread block the signal from then on). This thread reads nothing yet.
  sigqueue(process.pid, "SIGRTMIN+3", 60);
  for (let i = 0; i < 1000 && threadsBlocking("SIGRTMIN+3").some((t) => !t.blocks); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(threadsBlocking("SIGRTMIN+3").filter((t) => !t.blocks)).toEqual([]);
  for (let i = 1; i < 5; i++) sigqueue(process.pid, "SIGRTMIN+3", 60 + i);
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await fd.receive({ timeout: 10_000 }));
  // None lost, each with its siginfo; the spilled one first (its wake-up is
  // pending for this very thread, which signalfd reads before the process's).
  expect(got.map((s) => [s.code, s.pid, s.value])).toEqual(
    [60, 61, 62, 63, 64].map((v) => ["SI_QUEUE", process.pid, v]),
  );
});

test("close gives the signal back: pending ones are dropped, the action and the mask restored", () => {
  const fd = SignalFd.open(["SIGUSR2", "SIGRTMIN"]);
  expect(signalAction("SIGUSR2")).toBe("ipc-lab");
  expect(signalMask()).toEqual(["SIGUSR2", "SIGRTMIN"]);
  sigqueue(process.pid, "SIGUSR2", 1); // unread: its default action would end this process
  sigqueue(process.pid, "SIGRTMIN", 1);
  fd.close();
  fd.close(); // once
  expect(signalAction("SIGUSR2")).toBe("default");
  expect(signalMask()).toEqual([]);
  expect(pendingSignals()).toEqual([]);
  expect(() => fd.drain()).toThrow(expect.objectContaining({ code: "EBADF", syscall: "read" }));
  // And the same signal can be opened again.
  SignalFd.open("SIGUSR2").close();
});

test("a SignalFd dropped without close() gives its signal back when collected", async () => {
  const { stdout } = await run(
    process.execPath,
    ["--expose-gc", path.join(fixtures, "signal-gc.mjs")],
    {
      timeout: 20_000,
    },
  );
  expect(stdout).toBe("open: ipc-lab\ncollected: default, blocked: false\n");
});

test("a pending receive is rejected with EBADF on close, ETIMEDOUT on its time-out, and on an abort", async () => {
  const fd = open("SIGRTMIN");
  const pending = fd.receive();
  fd.close();
  await expect(pending).rejects.toMatchObject({ code: "EBADF" });
  const other = open("SIGRTMIN+1");
  await expect(other.receive({ timeout: 20 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "read",
  });
  const controller = new AbortController();
  const aborted = other.receive({ signal: controller.signal });
  controller.abort();
  await expect(aborted).rejects.toMatchObject({ name: "AbortError" });
});

test("receiveSync blocks this thread in sigwaitinfo: queued signals in order, with values", () => {
  const fd = open(["SIGRTMIN", "SIGUSR2"]);
  sigqueue(process.pid, "SIGRTMIN", 5);
  sigqueue(process.pid, "SIGRTMIN", 6);
  process.kill(process.pid, "SIGUSR2");
  // sigwaitinfo takes the lowest signal first, as a read of the descriptor does.
  expect(fd.receiveSync()).toMatchObject({ signal: "SIGUSR2", code: "SI_USER" });
  expect(fd.receiveSync()).toMatchObject({ signal: "SIGRTMIN", code: "SI_QUEUE", value: 5 });
  expect(fd.receiveSync({ timeout: 1000 })).toMatchObject({
    signal: "SIGRTMIN",
    pid: process.pid,
    value: 6,
  });
  // What a read already took comes first; the two forms share one queue.
  sigqueue(process.pid, "SIGRTMIN", 7);
  sigqueue(process.pid, "SIGRTMIN", 8);
  expect(fd.tryReceive()).toMatchObject({ value: 7 });
  expect(fd.receiveSync({ timeout: 0 })).toMatchObject({ value: 8 });
});

test("receiveSync: ETIMEDOUT naming sigtimedwait, EBADF once closed, bad options refused", () => {
  const fd = open("SIGRTMIN+1");
  expect(() => fd.receiveSync({ timeout: 20 })).toThrow(
    expect.objectContaining({
      code: "ETIMEDOUT",
      syscall: "sigtimedwait",
      message: `sigtimedwait: ETIMEDOUT (timed out after 20 ms) fd ${fd.fd}`,
    }),
  );
  expect(() => fd.receiveSync({ timeout: 0 })).toThrow(
    expect.objectContaining({ code: "ETIMEDOUT", syscall: "sigtimedwait" }),
  );
  expect(() => fd.receiveSync({ timeout: -1 })).toThrow(
    expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
  );
  expect(() => fd.receiveSync({ timeout: 1.5 })).toThrow(
    expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
  );
  expect(() => fd.receiveSync({ timeout: "5" as unknown as number })).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  expect(() => fd.receiveSync(null as unknown as {})).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  fd.close();
  expect(() => fd.receiveSync()).toThrow(
    expect.objectContaining({ code: "EBADF", syscall: "sigwaitinfo" }),
  );
  expect(() => native.sigtimedwait(0, 0, new Int32Array(7))).toThrow(
    expect.objectContaining({ code: "EBADF", syscall: "sigtimedwait" }),
  );
});

test("receiveSync takes what the catcher spilled from a thread that did not block the signal", async () => {
  const fd = open("SIGRTMIN+3");
  native.signalStrayThread(SIGRTMIN + 3, 3000);
  for (let i = 0; i < 500 && !threadsBlocking("SIGRTMIN+3").some((t) => !t.blocks); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(threadsBlocking("SIGRTMIN+3").filter((t) => !t.blocks)).toHaveLength(1);
  sigqueue(process.pid, "SIGRTMIN+3", 90); // only the stray thread takes it: spilled
  // Once its catcher ran, the thread blocks the signal (and the siginfo is in the pipe).
  for (let i = 0; i < 1000 && threadsBlocking("SIGRTMIN+3").some((t) => !t.blocks); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(threadsBlocking("SIGRTMIN+3").filter((t) => !t.blocks)).toEqual([]);
  expect(pendingSignals()).toEqual(["SIGRTMIN+3"]); // the wake-up, for this thread
  // The catcher's wake-up is this thread's SI_TKILL: receiveSync returns the
  // spilled siginfo, not the wake-up.
  expect(fd.receiveSync({ timeout: 10_000 })).toMatchObject({
    code: "SI_QUEUE",
    pid: process.pid,
    value: 90,
  });
  expect(fd.drain()).toEqual([]);
});

test("receiveSync across processes: a C and a Node sender into this thread, and a Node peer blocking in it", async () => {
  const fd = open("SIGRTMIN+2");
  // spawn() starts the sender before receiveSync blocks this thread.
  const c = start(path.join(binDir, "signal_sender"), [
    String(process.pid),
    "SIGRTMIN+2",
    "3",
    "20",
  ]);
  const got = [0, 1, 2].map(() => fd.receiveSync({ timeout: 10_000 }));
  expect(got.map((s) => [s.code, s.pid, s.value])).toEqual(
    [20, 21, 22].map((v) => ["SI_QUEUE", c.pid, v]),
  );
  expect((await c.done).stdout).toBe("sent 3\n");
  const node = start(process.execPath, [
    path.join(fixtures, "signal-sender.mjs"),
    String(process.pid),
    "SIGRTMIN+2",
    "2",
    "30",
  ]);
  expect([fd.receiveSync({ timeout: 10_000 }), fd.receiveSync({ timeout: 10_000 })]).toEqual([
    expect.objectContaining({ pid: node.pid, value: 30 }),
    expect.objectContaining({ pid: node.pid, value: 31 }),
  ]);
  expect((await node.done).code).toBe(0);
  await queueToReceiver([40, 41, 42], "sync"); // a Node process blocked in receiveSync
});

test("a signal Node already handles (process.on) is refused with EBUSY, and Node's handler is left alone", () => {
  const listener = () => {};
  process.on("SIGUSR2", listener);
  try {
    expect(() => SignalFd.open("SIGUSR2")).toThrow(
      expect.objectContaining({ code: "EBUSY", syscall: "sigaction" }),
    );
    expect(signalAction("SIGUSR2")).toBe("handler");
  } finally {
    process.off("SIGUSR2", listener);
  }
});

test("open refuses what it must: uncatchable, faults, Node's and the library's signals, twice the same", () => {
  const refused = (signal: string | number, code: string, message: RegExp) =>
    expect(() => SignalFd.open(signal)).toThrow(
      expect.objectContaining({
        code,
        syscall: "sigaction",
        message: expect.stringMatching(message),
      }),
    );
  refused("SIGKILL", "EINVAL", /SIGKILL cannot be caught, blocked or ignored/);
  refused("SIGSTOP", "EINVAL", /SIGSTOP cannot be caught/);
  refused("SIGSEGV", "EINVAL", /fault of the thread/);
  refused("SIGINT", "EBUSY", /Jupyter interrupts/);
  refused("SIGUSR1", "EBUSY", /inspector/);
  refused("SIGCHLD", "EBUSY", /child_process/);
  refused("SIGPIPE", "EBUSY", /EPIPE/);
  refused(SIGRTMAX - 1, "EBUSY", /ipc-lab's own/);
  refused(32, "EINVAL", /glibc's own/);
  refused(65, "EINVAL", /does not exist/);
  expect(() => SignalFd.open([])).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
  );
  open("SIGRTMIN");
  expect(() => SignalFd.open(["SIGRTMIN+1", "SIGRTMIN"])).toThrow(
    expect.objectContaining({ code: "EBUSY", syscall: "signalfd" }),
  );
  // The failed open left SIGRTMIN+1 as it was.
  expect(signalAction("SIGRTMIN+1")).toBe("default");
});

// ---- sigqueue's errors --------------------------------------------------

test("sigqueue: ESRCH for no such process, EINVAL for no such signal, bad payloads", async () => {
  const gone = fork("exit", { args: [0] });
  await gone.wait();
  expect(() => sigqueue(gone.pid, "SIGRTMIN", 1)).toThrow(
    expect.objectContaining({ code: "ESRCH", syscall: "sigqueue", pid: gone.pid }),
  );
  expect(() => sigqueue(process.pid, 99, 1)).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "sigqueue" }),
  );
  expect(() => sigqueue(process.pid, "SIGRTMIN", 1.5)).toThrow(
    expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
  );
  expect(() => sigqueue(process.pid, "SIGRTMIN", 2 ** 31)).toThrow(
    expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
  );
  expect(() => sigqueue(process.pid, "SIGRTMIN", "7" as never)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  expect(() => sigqueue(process.pid, SIGRTMAX - 1, 0)).toThrow(
    expect.objectContaining({ code: "EBUSY", syscall: "sigqueue" }),
  );
});

test("sigqueue: EPERM when the sender may not signal the receiver (another user)", async () => {
  if (process.getuid!() !== 0) {
    // Not root: PID 1 (root's init) is another user's. Signal 0 only checks.
    expect(() => sigqueue(1, 0, 0)).toThrow(
      expect.objectContaining({ code: "EPERM", syscall: "sigqueue", pid: 1 }),
    );
    return;
  }
  // Root may signal anyone: a sender that is not root and not the receiver's owner, uid 65534.
  const { stdout } = await run("setpriv", [
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    process.execPath,
    "--input-type=module",
    "-e",
    `import { sigqueue } from "${path.resolve(import.meta.dirname, "..", "lib", "dist", "index.js")}";
     try { sigqueue(${process.pid}, "SIGRTMIN", 1); console.log("sent"); }
     catch (e) { console.log(e.code, e.syscall, e.pid); }`,
  ]);
  expect(stdout.trim()).toBe(`EPERM sigqueue ${process.pid}`);
});

test("sigqueue: EAGAIN once the receiver's RLIMIT_SIGPENDING is reached", async () => {
  const receiver = forkRoutine("sig-block-pending", [SIGRTMIN, 4]);
  await receiver.until(/ready/);
  let sent = 0;
  let failure: unknown;
  try {
    for (; sent < 200; sent++) sigqueue(receiver.child.pid, "SIGRTMIN", sent);
  } catch (error) {
    failure = error;
  }
  expect(failure).toMatchObject({ code: "EAGAIN", syscall: "sigqueue", pid: receiver.child.pid });
  // The limit counts every signal queued for this user, so fewer than 4 may fit.
  expect(sent).toBeLessThanOrEqual(4);
  await receiver.go();
  expect(await receiver.end()).toContain(`pending: ${sent}`);
  expect(await receiver.child.wait()).toMatchObject({ kind: "exited", code: 0 });
});

// ---- in forked C children: masks, handlers, default actions -------------

test("a C child that blocks: ten SIGUSR2 are one pending, ten SIGRTMIN are ten, with sender and values", async () => {
  for (const [signal, expected] of [
    ["SIGUSR2", 1],
    ["SIGRTMIN", 10],
  ] as const) {
    const receiver = forkRoutine("sig-block-pending", [signalNumberOf(signal)]);
    await receiver.until(/ready/);
    for (let i = 0; i < 10; i++) sigqueue(receiver.child.pid, signal, i);
    const status = signalStatus(receiver.child.pid);
    expect(status.blocked).toEqual([signal]);
    expect(status.sharedPending).toEqual([signal]);
    await receiver.go();
    const text = await receiver.end();
    expect(text).toContain(`pending: ${expected}\n`);
    const values = [...text.matchAll(/value=(\d+)/g)].map((m) => Number(m[1]));
    expect(values).toEqual(Array.from({ length: expected }, (_, i) => i));
    expect(text).toContain(`code=SI_QUEUE pid=${process.pid}`);
    await receiver.child.wait();
  }
});

test("a C child's SA_SIGINFO handler gets each real-time signal's siginfo", async () => {
  const receiver = forkRoutine("sig-handler", [SIGRTMIN + 1, 5]);
  await receiver.until(/ready/);
  for (let i = 0; i < 5; i++) sigqueue(receiver.child.pid, "SIGRTMIN+1", 40 + i);
  const text = await receiver.end();
  expect(text).toContain("handled: 5\n");
  expect([...text.matchAll(/value=(\d+)/g)].map((m) => Number(m[1]))).toEqual([40, 41, 42, 43, 44]);
  expect(await receiver.child.wait()).toMatchObject({ kind: "exited", code: 0 });
});

test("default actions on real children: terminate, core, stop, continue, ignore, waitpid decoded", async () => {
  const paused = async (): Promise<Child> => {
    const r = forkRoutine("sig-pause");
    await r.until(/ready/);
    return r.child;
  };
  const term = await paused();
  term.kill("SIGTERM");
  expect(await term.wait()).toMatchObject({ kind: "killed", signal: "SIGTERM", coreDumped: false });
  // SIGQUIT's action is "core"; RLIMIT_CORE is 0 here, so no core file is written.
  const quit = await paused();
  quit.kill("SIGQUIT");
  expect(await quit.wait()).toMatchObject({ kind: "killed", signal: "SIGQUIT" });
  const stop = await paused();
  stop.kill("SIGSTOP");
  expect(waitpidSync(stop.pid, { untraced: true })).toMatchObject({
    kind: "stopped",
    signal: "SIGSTOP",
  });
  expect(signalStatus(stop.pid).state).toMatch(/^T/);
  stop.kill("SIGCONT");
  expect(waitpidSync(stop.pid, { continued: true })).toMatchObject({ kind: "continued" });
  stop.kill("SIGKILL");
  expect(await stop.wait()).toMatchObject({ kind: "killed", signal: "SIGKILL" });
  // raise() of an ignored-by-default signal: the child goes on.
  const urg = forkRoutine("sig-raise", [signalNumberOf("SIGURG")]);
  expect(await urg.end()).toBe("still running after raise\n");
  expect(await urg.child.wait()).toMatchObject({ kind: "exited", code: 0 });
});

test("signals from the kernel: division by zero is SIGFPE, a timer is SIGALRM", async () => {
  expect(await fork("sig-divide").wait()).toMatchObject({ kind: "killed", signal: "SIGFPE" });
  expect(await fork("sig-alarm", { args: [20] }).wait()).toMatchObject({
    kind: "killed",
    signal: "SIGALRM",
  });
});

test("EINTR without SA_RESTART, a restarted read with it", async () => {
  // The routine has no timer: SIGALRM comes from here, once it sleeps in read.
  const plain = forkRoutine("sig-eintr", [0]);
  await asleepInRead(plain.child.pid);
  kill(plain.child.pid, "SIGALRM");
  expect(await plain.end()).toBe("handler: SIGALRM\nread: -1 EINTR (interrupted by the handler)\n");
  await plain.child.wait();
  const restarted = forkRoutine("sig-eintr", [1]);
  await asleepInRead(restarted.child.pid);
  kill(restarted.child.pid, "SIGALRM");
  await restarted.until(/handler/);
  await restarted.go();
  expect(await restarted.end()).toBe(
    "handler: SIGALRM\nread: 1 byte (restarted after the handler)\n",
  );
  await restarted.child.wait();
});

test("SIGCHLD: a handler that reaps in a loop reaps every child, however many signals merged", async () => {
  const parent = forkRoutine("sig-chld", [8]);
  const text = await parent.end();
  const match = /children: 8, reaped: 8, handler runs: (\d+)/.exec(text);
  expect(match).not.toBeNull();
  expect(Number(match![1])).toBeGreaterThanOrEqual(1);
  expect(Number(match![1])).toBeLessThanOrEqual(8);
  await parent.child.wait();
});

// ---- Node's own signal handling stays intact ----------------------------

test("Jupyter's interrupt (SIGINT) still stops a pending receive, and child_process still reaps", async () => {
  const { stdout } = await run(process.execPath, [path.join(fixtures, "signal-sigint.mjs")], {
    timeout: 20_000,
  });
  expect(stdout.replace(/fd \d+/, "fd FD")).toBe(
    "while open: child ok\n" +
      "receive: EINTR read: EINTR (interrupted by SIGINT: the stop button) fd FD\n" +
      "after close: child ok\n",
  );
});

test("in a real tslab kernel, after the chapter's kind of cells, Jupyter's interrupt stops a waiting receive and child_process still reaps", async () => {
  await ensureJupyter();
  const { stdout } = await run(
    venvBin("python"),
    [path.join(fixtures, "signal-interrupt-kernel.py")],
    {
      env: jupyterEnv(),
      timeout: 150_000,
    },
  );
  const report = JSON.parse(stdout) as Record<
    string,
    { status: string; outputs: { name: string; text: string }[]; interrupted?: boolean }
  >;
  expect(report.setup).toEqual({ status: "ok", outputs: [{ name: "stdout", text: "read 3\n" }] });
  expect(report.wait!.interrupted).toBe(true);
  expect(report.wait!.status).toBe("error");
  expect(report.wait!.outputs.map((o) => o.text).join("")).toMatch(
    /^waiting: 1\n\[SystemError: read: EINTR \(interrupted by SIGINT: the stop button\) fd \d+\]/,
  );
  // (execFileSync passes the child's empty stderr through: an empty stderr output)
  const after = report.after!;
  expect({ ...after, outputs: after.outputs.filter((o) => o.text !== "") }).toEqual({
    status: "ok",
    outputs: [
      { name: "stdout", text: "the receive: EINTR\n" },
      { name: "stdout", text: "after: 0\n" },
      { name: "stdout", text: "sync child reaped\n" },
      { name: "stdout", text: "async child reaped\n" },
    ],
  });
}, 180_000);

// ---- across processes: TS↔TS, TS↔C, TS↔Python ---------------------------

const lines = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("signo="));

test("TS → TS and TS → TS back: sigqueue from one Node process, a SignalFd in the other", async () => {
  await queueToReceiver([7, 8, 9]);
  const fd = open("SIGRTMIN+1");
  const sender = start(process.execPath, [
    path.join(fixtures, "signal-sender.mjs"),
    String(process.pid),
    "SIGRTMIN+1",
    "3",
    "70",
  ]);
  const values = [];
  for (let i = 0; i < 3; i++) {
    const info = await fd.receive({ timeout: 10_000 });
    expect(info).toMatchObject({ code: "SI_QUEUE", pid: sender.pid });
    values.push(info.value);
  }
  expect(values).toEqual([70, 71, 72]);
});

test("TS ↔ C: the C sender's sigqueue into a SignalFd, and TS's sigqueue into C's sigwaitinfo and handler", async () => {
  const fd = open("SIGRTMIN");
  const sender = start(path.join(binDir, "signal_sender"), [
    String(process.pid),
    "SIGRTMIN",
    "4",
    "10",
  ]);
  const got = [];
  for (let i = 0; i < 4; i++) got.push(await fd.receive({ timeout: 10_000 }));
  expect(got.map((s) => [s.code, s.pid, s.value])).toEqual(
    [10, 11, 12, 13].map((v) => ["SI_QUEUE", sender.pid, v]),
  );
  for (const mode of [[], ["--handler"]]) {
    const receiver = start(path.join(binDir, "signal_receiver"), [...mode, "SIGRTMIN+1", "4"]);
    await receiver.ready;
    for (let i = 0; i < 4; i++) sigqueue(receiver.pid, "SIGRTMIN+1", -i);
    const done = await receiver.done;
    expect(done.code).toBe(0);
    expect(lines(done.stdout)).toEqual(
      [0, -1, -2, -3].map(
        (v) => `signo=${SIGRTMIN + 1} code=SI_QUEUE pid=${process.pid} value=${v}`,
      ),
    );
  }
});

test("TS ↔ Python: sigqueue into Python's sigwaitinfo; Python's os.kill into a SignalFd", async () => {
  const receiver = start("python3", [path.join(fixtures, "signal-receiver.py"), "SIGRTMIN+1", "3"]);
  await receiver.ready;
  for (let i = 0; i < 3; i++) sigqueue(receiver.pid, "SIGRTMIN+1", i);
  const done = await receiver.done;
  expect(done.stderr).toBe("");
  expect(lines(done.stdout)).toEqual(
    Array(3).fill(`signo=${SIGRTMIN + 1} code=SI_QUEUE pid=${process.pid}`),
  );
  const fd = open("SIGUSR2");
  const python = await run("python3", [
    "-c",
    `import os, signal; os.kill(${process.pid}, signal.SIGUSR2); print(os.getpid())`,
  ]);
  const info = await fd.receive({ timeout: 10_000 });
  expect(info).toMatchObject({ signal: "SIGUSR2", code: "SI_USER", pid: Number(python.stdout) });
});

test("a Child waited for through waitpid after a SignalFd: pidfd waits are unaffected", async () => {
  // (vitest's worker handles SIGTERM itself: a real-time signal here)
  const fd = open("SIGRTMIN+3");
  const child = fork("exit", { args: [3] });
  expect(await waitpid(child.pid)).toMatchObject({ kind: "exited", code: 3 });
  fd.close();
});
