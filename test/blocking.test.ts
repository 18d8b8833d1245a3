// The waiter-thread pool behind every wait with no descriptor to poll
// (lib/blocking.ts, native/src/blocking.cc): threads are reused from one wait
// to the next, a late cancel signal never cancels the next wait its thread
// runs, an idle pool does not keep Node alive, and released threads are gone
// from /proc/self/task. Real semaphores and System V queues, real signals
// (tgkill from a Python process).
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import {
  blockingThreads,
  IPC_CREAT,
  IPC_PRIVATE,
  IPC_RMID,
  msgctl,
  msgget,
  msgrcv,
  msgsnd,
  pendingBlockingWaits,
  releaseBlockingThreads,
  Semaphore,
} from "ipc-lab";

const made: Semaphore[] = [];

function semaphore(): Semaphore {
  const sem = Semaphore.open(`/ipc-lab-test-perf-${randomBytes(4).toString("hex")}`, {
    create: true,
    exclusive: true,
  });
  made.push(sem);
  return sem;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Resolves once every wait has reported back (a cancelled call returns soon after). */
async function waitsDone(): Promise<void> {
  for (let i = 0; i < 2000 && pendingBlockingWaits() > 0; i++) await tick();
  expect(pendingBlockingWaits()).toBe(0);
}

const tasks = () => readdirSync("/proc/self/task");
/** The thread ids of the pool's threads (named "ipc-lab-wait"). */
function waiterTids(): number[] {
  return tasks()
    .filter((tid) => {
      try {
        return readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim() === "ipc-lab-wait";
      } catch {
        return false; // ended meanwhile
      }
    })
    .map(Number);
}

afterEach(async () => {
  try {
    await waitsDone();
  } finally {
    for (const sem of made.splice(0)) {
      sem.unlink();
      sem.close();
    }
  }
});

test("a thousand waits one after another start one thread: /proc/self/task stays flat", async () => {
  const sem = semaphore();
  releaseBlockingThreads();
  const before = tasks().length;
  const started = blockingThreads().started;
  for (let i = 0; i < 1000; i++) {
    const waiting = sem.wait(); // the count is 0: no sem_trywait success, a waiter thread's sem_wait
    expect(pendingBlockingWaits()).toBe(1);
    sem.post();
    await waiting;
    expect(tasks().length).toBe(before + 1);
  }
  expect(blockingThreads()).toMatchObject({ threads: 1, idle: 1, started: started + 1 });
  expect(waiterTids()).toHaveLength(1);
  expect(releaseBlockingThreads()).toBe(1);
  expect(tasks().length).toBe(before);
  expect(waiterTids()).toEqual([]);
});

test("n waits at once keep n threads, reused by the next n", async () => {
  const sem = semaphore();
  releaseBlockingThreads();
  const started = blockingThreads().started;
  for (let round = 0; round < 5; round++) {
    const waits = Array.from({ length: 4 }, () => sem.wait());
    expect(pendingBlockingWaits()).toBe(4);
    for (let i = 0; i < 4; i++) sem.post();
    await Promise.all(waits);
  }
  expect(blockingThreads()).toMatchObject({ threads: 4, idle: 4, started: started + 4 });
  expect(releaseBlockingThreads()).toBe(4);
  expect(waiterTids()).toEqual([]);
});

test("a cancel signal that is not the wait's own (tgkill from another process) does not cancel it", async () => {
  const sem = semaphore();
  releaseBlockingThreads();
  const waiting = sem.wait();
  let settled = false;
  void waiting.then(() => (settled = true));
  const tids = waiterTids();
  if (tids.length !== 1) sem.post(); // let the wait end before failing
  expect(tids).toHaveLength(1);
  const tid = tids[0]!;
  const stale = blockingThreads().stale;
  // The library's cancel signal (SIGRTMAX - 1), sent to the waiter thread
  // itself: exactly what a late re-send of an earlier wait's cancel is.
  const sigrtmax = Number(execFileSync("python3", ["-c", "import signal; print(signal.SIGRTMAX)"]));
  execFileSync("python3", [
    "-c",
    "import ctypes, os, sys; libc = ctypes.CDLL(None, use_errno=True); " +
      "rc = libc.syscall(234, os.getppid(), int(sys.argv[1]), int(sys.argv[2])); " +
      "sys.exit(0 if rc == 0 else ctypes.get_errno())", // 234: SYS_tgkill on x86-64
    String(tid),
    String(sigrtmax - 1),
  ]);
  // The thread's sem_wait returned EINTR and ran again: the wait is still pending.
  for (let i = 0; i < 2000 && blockingThreads().stale === stale; i++) await tick();
  expect(blockingThreads().stale).toBe(stale + 1);
  expect(settled).toBe(false);
  expect(pendingBlockingWaits()).toBe(1);
  sem.post();
  await waiting;
  expect(sem.value).toBe(0);
});

test("cancelling a wait and at once starting the next on the same thread: the next one is never cancelled", async () => {
  const sem = semaphore();
  releaseBlockingThreads();
  for (let i = 0; i < 200; i++) {
    const controller = new AbortController();
    const first = sem.wait({ signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(first).rejects.toThrow("stop");
    // The first wait's thread may still be in sem_wait, with its cancel being
    // re-sent every millisecond; the second gets a thread (that one, once it
    // returned, or a new one) and must only ever end by the post.
    const second = sem.wait();
    await tick();
    sem.post();
    await second;
  }
  await waitsDone();
  expect(sem.value).toBe(0);
  // A few threads at most (a cancelled call may take a moment to return), not one per wait.
  expect(blockingThreads().threads).toBeLessThan(10);
});

test("System V msgrcv reuses the threads too, and its stopped waits take nothing", async () => {
  const id = msgget(IPC_PRIVATE, IPC_CREAT | 0o600);
  try {
    releaseBlockingThreads();
    for (let i = 0; i < 100; i++) {
      const controller = new AbortController();
      const stopped = msgrcv(id, 8, 2, 0, { signal: controller.signal });
      controller.abort(new Error("stop"));
      await expect(stopped).rejects.toThrow("stop");
      const got = msgrcv(id, 8, 1);
      await msgsnd(id, 1, Buffer.from([i]));
      expect((await got).data).toEqual(Buffer.from([i]));
    }
    await waitsDone();
    expect(blockingThreads().threads).toBeLessThan(10);
  } finally {
    msgctl(id, IPC_RMID);
  }
});

test("an idle pool does not keep Node alive; a pending wait does", async () => {
  const script = `
    import { randomBytes } from "node:crypto";
    import { blockingThreads, Semaphore } from "ipc-lab";
    const sem = Semaphore.open("/ipc-lab-test-perf-" + randomBytes(4).toString("hex"), { create: true, exclusive: true });
    sem.unlink();
    for (let i = 0; i < 10; i++) { const w = sem.wait(); sem.post(); await w; }
    const pending = sem.wait();
    setTimeout(() => sem.post(), 20).unref(); // only the pending wait keeps the process up
    await pending;
    console.log(JSON.stringify(blockingThreads()));
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: import.meta.dirname,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise((resolve) => child.on("close", resolve));
  expect(code).toBe(0);
  expect(JSON.parse(out)).toMatchObject({ threads: 1, idle: 1, started: 1 });
});
