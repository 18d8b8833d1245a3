// System V semaphores: semget, semop (awaitable, on its own thread; with a
// time-out it is semtimedop), semctl; SEM_UNDO when a holder dies; the
// initialisation race's fix; across processes with C (sysv_sem), a
// TypeScript peer and Python (ctypes on semop).
import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  GETALL,
  GETNCNT,
  GETPID,
  GETVAL,
  GETZCNT,
  IPC_CREAT,
  IPC_EXCL,
  IPC_NOWAIT,
  IPC_PRIVATE,
  IPC_RMID,
  IPC_STAT,
  SEM_UNDO,
  SETALL,
  SETVAL,
  listSemaphoreSets,
  pendingBlockingWaits,
  semctl,
  semget,
  semgetInitialized,
  semop,
  trySemop,
} from "ipc-lab";
import { binDir, run } from "./fixtures/programs.ts";

const fixtures = path.join(import.meta.dirname, "fixtures");
const sets: number[] = [];
const running: ChildProcess[] = [];

function set(nsems = 1, values?: number[]): number {
  const semid = semget(IPC_PRIVATE, nsems, IPC_CREAT | 0o600);
  sets.push(semid);
  if (values) semctl(semid, 0, SETALL, values);
  return semid;
}

function removed(semid: number): void {
  const at = sets.indexOf(semid);
  if (at >= 0) sets.splice(at, 1);
}

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("close", resolve));
    }
  }
  for (const semid of sets.splice(0)) semctl(semid, 0, IPC_RMID);
  for (let i = 0; i < 2000 && pendingBlockingWaits() > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(pendingBlockingWaits()).toBe(0);
});

const c = (...args: string[]) => run(path.join(binDir, "sysv_sem"), args);
const ts = (...args: string[]) =>
  run(process.execPath, [path.join(fixtures, "sem-peer.mjs"), ...args]);
const py = (...args: string[]) => run("python3", [path.join(fixtures, "sem_peer.py"), ...args]);

function holder(args: string[]) {
  const child = spawn(path.join(binDir, "sysv_sem"), args, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.push(child);
  const ended = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("holding") && resolve());
    child.on("close", (code) => reject(new Error(`sysv_sem ended (${code}) before holding`)));
  });
  return { child, ready, ended };
}

/** Resolves once `count()` is `n` (a waiter has gone to sleep in the kernel). */
async function until(count: () => number, n: number): Promise<void> {
  for (let i = 0; i < 5000 && count() !== n; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(count()).toBe(n);
}

describe("semget and semctl", () => {
  test("a set is in /proc/sysvipc/sem (ipcs -s) until IPC_RMID", () => {
    const semid = set(3);
    const listed = listSemaphoreSets().find((entry) => entry.semid === semid);
    expect(listed).toMatchObject({ key: 0, nsems: 3, permissions: "rw-------" });
    expect(execFileSync("ipcs", ["-s", "-i", String(semid)], { encoding: "utf8" })).toContain(
      `semid=${semid}`,
    );
    semctl(semid, 0, IPC_RMID);
    removed(semid);
    expect(listSemaphoreSets().some((entry) => entry.semid === semid)).toBe(false);
  });

  test("SETVAL and GETVAL, SETALL and GETALL, IPC_STAT", () => {
    const semid = set(3);
    expect(semctl(semid, 0, GETALL)).toEqual([0, 0, 0]); // a new set is all zeros on Linux
    semctl(semid, 1, SETVAL, 7);
    expect(semctl(semid, 1, GETVAL)).toBe(7);
    semctl(semid, 0, SETALL, [1, 2, 3]);
    expect(semctl(semid, 0, GETALL)).toEqual([1, 2, 3]);
    const ds = semctl(semid, 0, IPC_STAT);
    expect(ds).toMatchObject({ nsems: 3, permissions: "rw-------", otime: null });
  });

  test("GETPID names the last process to semop; GETNCNT and GETZCNT count the sleepers", async () => {
    const semid = set(2);
    expect(trySemop(semid, [{ num: 0, op: 1 }])).toBe(true);
    expect(semctl(semid, 0, GETPID)).toBe(process.pid);
    expect(semctl(semid, 0, IPC_STAT).otime).toBeInstanceOf(Date);
    const growing = semop(semid, [{ num: 1, op: -1 }], { timeout: 10_000 });
    const zero = semop(semid, [{ num: 0, op: 0 }], { timeout: 10_000 });
    await until(() => semctl(semid, 1, GETNCNT), 1);
    await until(() => semctl(semid, 0, GETZCNT), 1);
    trySemop(semid, [
      { num: 0, op: -1 },
      { num: 1, op: 1 },
    ]);
    await Promise.all([growing, zero]);
  });
});

describe("semop", () => {
  test("several operations are one: all done, or none", async () => {
    const semid = set(2, [1, 0]);
    // Take 0 and 1 together: 1 is 0, so nothing is taken, not even 0.
    expect(
      trySemop(semid, [
        { num: 0, op: -1 },
        { num: 1, op: -1 },
      ]),
    ).toBe(false);
    expect(semctl(semid, 0, GETALL)).toEqual([1, 0]);
    const both = semop(semid, [
      { num: 0, op: -1 },
      { num: 1, op: -1 },
    ]);
    trySemop(semid, [{ num: 1, op: 1 }]);
    await both;
    expect(semctl(semid, 0, GETALL)).toEqual([0, 0]);
  });

  test("IPC_NOWAIT fails with EAGAIN instead of waiting", async () => {
    const semid = set();
    await expect(semop(semid, [{ num: 0, op: -1, flags: IPC_NOWAIT }])).rejects.toMatchObject({
      code: "EAGAIN",
      syscall: "semop",
      semid,
      message: `semop: EAGAIN (Resource temporarily unavailable) semid ${semid}`,
    });
  });

  test("a time-out is semtimedop's: ETIMEDOUT, and nothing was taken", async () => {
    const semid = set();
    await expect(semop(semid, [{ num: 0, op: -1 }], { timeout: 30 })).rejects.toMatchObject({
      code: "ETIMEDOUT",
      syscall: "semtimedop",
      semid,
      message: `semtimedop: ETIMEDOUT (timed out after 30 ms) semid ${semid}`,
    });
    expect(semctl(semid, 0, GETVAL)).toBe(0);
  });

  test("a set removed under a waiter: EIDRM", async () => {
    const semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600);
    const waiting = semop(semid, [{ num: 0, op: -1 }]);
    await until(() => semctl(semid, 0, GETNCNT), 1);
    semctl(semid, 0, IPC_RMID);
    await expect(waiting).rejects.toMatchObject({ code: "EIDRM", syscall: "semop", semid });
    expect(() => semctl(semid, 0, GETVAL)).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  test("a wait stopped just as the unit arrives gives it back", async () => {
    const semid = set();
    for (let round = 0; round < 20; round++) {
      const controller = new AbortController();
      const waiting = semop(semid, [{ num: 0, op: -1 }], { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, round % 3));
      trySemop(semid, [{ num: 0, op: 1 }]);
      controller.abort(new Error("stop"));
      await expect(waiting).rejects.toThrow("stop");
      for (let i = 0; i < 2000 && pendingBlockingWaits() > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(semctl(semid, 0, GETVAL)).toBe(1);
      semctl(semid, 0, SETVAL, 0);
    }
  });
});

describe("errors and bad input", () => {
  test("the kernel's refusals, each with its errno", () => {
    const semid = set(2);
    expect(() => semget(IPC_PRIVATE, 100_000, IPC_CREAT | 0o600)).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "semget" }),
    );
    expect(() => semget(0x1badcafe, 1, 0o600)).toThrow(
      expect.objectContaining({ code: "ENOENT", syscall: "semget", key: 0x1badcafe }),
    );
    expect(() => semctl(semid, 0, SETVAL, 40_000)).toThrow(
      expect.objectContaining({ code: "ERANGE", syscall: "semctl", semid }),
    );
    expect(() => trySemop(semid, [{ num: 5, op: -1 }])).toThrow(
      expect.objectContaining({ code: "EFBIG", syscall: "semop" }),
    );
    expect(() => semctl(2 ** 30, 0, GETVAL)).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "semctl" }),
    );
  });

  test("EEXIST for IPC_CREAT | IPC_EXCL of a key that has a set", () => {
    const key = 0x5e000000 + (process.pid & 0xffff);
    const semid = semget(key, 1, IPC_CREAT | IPC_EXCL | 0o600);
    sets.push(semid);
    expect(() => semget(key, 1, IPC_CREAT | IPC_EXCL | 0o600)).toThrow(
      expect.objectContaining({ code: "EEXIST", syscall: "semget", key }),
    );
    expect(semget(key, 1, 0o600)).toBe(semid);
  });

  test("bad arguments are refused before any call", () => {
    const semid = set();
    expect(() => semop(semid, [])).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
    );
    expect(() => semop(semid, [{ num: 0, op: 1.5 }])).toThrow(RangeError);
    expect(() => semop(semid, [{ num: 0, op: 1, flags: 0o777 }])).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
    expect(() => semctl(semid, 0, 12345 as never)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
    expect(() => semget(IPC_PRIVATE, 1, 0o7777)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
    expect(() => semctl(semid, 0, SETALL, [1, 2])).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
    expect(pendingBlockingWaits()).toBe(0);
  });
});

describe("across processes", () => {
  test("TS <-> C: sysv_sem posts for this wait; this post ends its wait", async () => {
    const semid = set();
    const waiting = semop(semid, [{ num: 0, op: -1 }], { timeout: 10_000 });
    expect(await c("op", String(semid), "0", "1")).toMatchObject({ code: 0, stdout: "done\n" });
    await waiting;
    const peer = c("op", String(semid), "0", "-1");
    await until(() => semctl(semid, 0, GETNCNT), 1);
    trySemop(semid, [{ num: 0, op: 1 }]);
    expect(await peer).toMatchObject({ code: 0 });
    expect((await c("get", String(semid), "0")).stdout).toBe("0\n");
  });

  test("TS -> TS and TS <-> Python (ctypes on semop)", async () => {
    const semid = set();
    const tsPeer = ts("sysv", String(semid), "0", "-1");
    await until(() => semctl(semid, 0, GETNCNT), 1);
    trySemop(semid, [{ num: 0, op: 1 }]);
    expect(await tsPeer).toMatchObject({ code: 0, stdout: "done\n" });
    const pyPeer = py("sysv", String(semid), "0", "-1");
    await until(() => semctl(semid, 0, GETNCNT), 1);
    trySemop(semid, [{ num: 0, op: 1 }]);
    expect(await pyPeer).toMatchObject({ code: 0, stdout: "done\n" });
    const waiting = semop(semid, [{ num: 0, op: -2 }], { timeout: 10_000 });
    expect(await py("sysv", String(semid), "0", "1")).toMatchObject({ stdout: "done\n" });
    expect(await ts("sysv", String(semid), "0", "1")).toMatchObject({ stdout: "done\n" });
    await waiting;
  });

  test("a holder killed while holding: with SEM_UNDO the kernel gives the unit back", async () => {
    const semid = set(1, [1]);
    const held = holder(["hold", String(semid), "0", "undo"]);
    await held.ready;
    expect(semctl(semid, 0, GETVAL)).toBe(0);
    held.child.kill("SIGKILL");
    await held.ended;
    expect(semctl(semid, 0, GETVAL)).toBe(1);
    await semop(semid, [{ num: 0, op: -1 }], { timeout: 1000 });
  });

  test("... and without SEM_UNDO it stays taken: the next wait times out", async () => {
    const semid = set(1, [1]);
    const held = holder(["hold", String(semid), "0"]);
    await held.ready;
    held.child.kill("SIGKILL");
    await held.ended;
    expect(semctl(semid, 0, GETVAL)).toBe(0);
    await expect(semop(semid, [{ num: 0, op: -1 }], { timeout: 50 })).rejects.toMatchObject({
      code: "ETIMEDOUT",
    });
  });

  test("SEM_UNDO from TypeScript: a TS peer that exits holding gives it back too", async () => {
    const semid = set(1, [1]);
    expect(await ts("sysv", String(semid), "0", "-1", "undo")).toMatchObject({ code: 0 });
    expect(semctl(semid, 0, GETVAL)).toBe(1); // its exit undid the -1
    expect(await ts("sysv", String(semid), "0", "-1")).toMatchObject({ code: 0 });
    expect(semctl(semid, 0, GETVAL)).toBe(0);
  });
});

describe("the initialisation race", () => {
  test("semget then SETVAL is two steps: a second process can see the set before its value", () => {
    const key = 0x5e100000 + (process.pid & 0xffff);
    const semid = semget(key, 1, IPC_CREAT | IPC_EXCL | 0o600);
    sets.push(semid);
    // Between these two steps another process finds the set with value 0 ...
    expect(semctl(semget(key, 1, 0o600), 0, GETVAL)).toBe(0);
    expect(semctl(semid, 0, IPC_STAT).otime).toBeNull(); // ... and nothing says "not ready"
  });

  test("the fix: the creator's first semop sets sem_otime; the others wait for it", async () => {
    const key = 0x5e200000 + (process.pid & 0xffff);
    const [first, second] = await Promise.all([
      semgetInitialized(key, [1, 5]),
      semgetInitialized(key, [1, 5]),
    ]);
    sets.push(first.semid);
    expect(second.semid).toBe(first.semid);
    expect([first.created, second.created].sort()).toEqual([false, true]);
    expect(semctl(first.semid, 0, GETALL)).toEqual([1, 5]);
    expect(semctl(first.semid, 0, IPC_STAT).otime).toBeInstanceOf(Date);
  });

  test("a set whose creator never initialised it: the others give up, clearly", async () => {
    const key = 0x5e300000 + (process.pid & 0xffff);
    sets.push(semget(key, 1, IPC_CREAT | IPC_EXCL | 0o600));
    await expect(semgetInitialized(key, [1], { timeout: 20 })).rejects.toThrow(
      "was never initialised by its creator",
    );
  });
});

test("SEM_UNDO and IPC_NOWAIT are the kernel's values", () => {
  expect(SEM_UNDO).toBe(0x1000);
  expect(IPC_NOWAIT).toBe(0o4000);
});
