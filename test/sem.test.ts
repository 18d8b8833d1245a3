// POSIX semaphores, named and unnamed (in shared memory), and through them
// the library's path for waits with no descriptor to poll (lib/blocking.ts,
// native/src/blocking.cc): sem_wait runs on a thread of its own, never
// libuv's pool, and stops on an AbortSignal and SIGINT like every wait; a
// time-out is the kernel's sem_timedwait. Across processes with the C
// programs (native/c), a TypeScript peer and a Python one (ctypes).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { pbkdf2 } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import {
  ALIGNOF_SEM_T,
  pendingBlockingWaits,
  SEM_VALUE_MAX,
  Semaphore,
  SharedMemory,
  SIZEOF_SEM_T,
  UnnamedSemaphore,
} from "ipc-lab";
import { binDir, run } from "./fixtures/programs.ts";

const fixtures = path.join(import.meta.dirname, "fixtures");
const made: Semaphore[] = [];
const objects: SharedMemory[] = [];
const running: ChildProcess[] = [];

const c = (program: string, ...args: string[]) => run(path.join(binDir, program), args);
const ts = (...args: string[]) =>
  run(process.execPath, [path.join(fixtures, "sem-peer.mjs"), ...args]);
const py = (...args: string[]) => run("python3", [path.join(fixtures, "sem_peer.py"), ...args]);

/** Starts a program and resolves once it printed `line` (it keeps running). */
function started(file: string, args: string[], line: string) {
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"] });
  running.push(child);
  const ended = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(line)) resolve();
    });
    child.on("close", (code) => reject(new Error(`${file} ended (${code}) before "${line}"`)));
  });
  return { child, ready, ended };
}

function shmObject(size = 4096): SharedMemory {
  const shm = SharedMemory.create(`/ipc-lab-test-${randomBytes(4).toString("hex")}`, size, {
    exclusive: true,
  });
  objects.push(shm);
  return shm;
}

function semaphore(value = 0): Semaphore {
  const sem = Semaphore.open(`/ipc-lab-test-${randomBytes(4).toString("hex")}`, {
    create: true,
    exclusive: true,
    value,
  });
  made.push(sem);
  return sem;
}

/** Resolves once every waiter thread has returned (they end soon after a cancel). */
async function threadsDone(): Promise<void> {
  for (let i = 0; i < 2000 && pendingBlockingWaits() > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(pendingBlockingWaits()).toBe(0);
}

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("close", resolve));
    }
  }
  for (const sem of made.splice(0)) {
    try {
      sem.unlink();
    } catch {
      // A test unlinked it already.
    }
    sem.close();
  }
  for (const shm of objects.splice(0)) {
    shm.close();
    shm.unlink();
  }
  await threadsDone();
});

test("post and tryWait count; the name is a file in /dev/shm until unlinked", () => {
  const sem = semaphore(1);
  expect(existsSync(`/dev/shm/sem.${sem.name.slice(1)}`)).toBe(true);
  expect(sem.value).toBe(1);
  expect(sem.tryWait()).toBe(true);
  expect(sem.tryWait()).toBe(false);
  sem.post();
  sem.post();
  expect(sem.value).toBe(2);
});

test("wait resolves when another handle posts", async () => {
  const sem = semaphore();
  const other = Semaphore.open(sem.name);
  try {
    const waiting = sem.wait({ timeout: 10_000 });
    expect(pendingBlockingWaits()).toBe(1);
    other.post();
    await waiting;
    expect(sem.value).toBe(0);
  } finally {
    other.close();
  }
});

test("eight pending sem_waits do not starve libuv's four pool threads: fs and crypto still complete", async () => {
  const sem = semaphore();
  const controller = new AbortController();
  const waits = Array.from({ length: 8 }, () => sem.wait({ signal: controller.signal }));
  expect(pendingBlockingWaits()).toBe(8);
  // Work that needs the pool (fs, pbkdf2), more of it than the pool has threads.
  const work = await Promise.all([
    ...Array.from({ length: 6 }, () => readFile(import.meta.filename, "utf8")),
    ...Array.from({ length: 6 }, () => promisify(pbkdf2)("pw", "salt", 1000, 32, "sha256")),
  ]);
  expect(work).toHaveLength(12);
  expect(pendingBlockingWaits()).toBe(8);
  const reason = new Error("stop them all");
  controller.abort(reason);
  for (const wait of waits) await expect(wait).rejects.toBe(reason);
  await threadsDone();
  expect(sem.value).toBe(0); // a cancelled wait took nothing
});

test("a time-out is sem_timedwait's: ETIMEDOUT naming it and the semaphore", async () => {
  const sem = semaphore();
  await expect(sem.wait({ timeout: 30 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "sem_timedwait",
    path: sem.name,
    message: `sem_timedwait: ETIMEDOUT (timed out after 30 ms) '${sem.name}'`,
  });
  await expect(sem.timedWait(0)).rejects.toMatchObject({ code: "ETIMEDOUT" });
  await threadsDone();
  sem.post(); // the cancelled wait took nothing: this post is still there
  expect(sem.tryWait()).toBe(true);
});

test("waitSync is sem_wait on this thread: it takes a unit, or waits for a post from another thread", async () => {
  const sem = semaphore(2);
  sem.waitSync();
  sem.waitSync({ timeout: 1000 });
  expect(sem.value).toBe(0);
  // A post from another process while this thread blocks (spawn starts it first).
  const peer = ts("named", sem.name, "post");
  sem.waitSync({ timeout: 10_000 });
  expect(await peer).toMatchObject({ code: 0, stdout: "posted\n" });
  expect(sem.value).toBe(0);
  expect(pendingBlockingWaits()).toBe(0); // no waiter thread was used
});

test("waitSync's time-out is sem_timedwait's ETIMEDOUT, and it took nothing", () => {
  const sem = semaphore();
  expect(() => sem.waitSync({ timeout: 20 })).toThrow(
    expect.objectContaining({
      code: "ETIMEDOUT",
      syscall: "sem_timedwait",
      path: sem.name,
      message: `sem_timedwait: ETIMEDOUT (timed out after 20 ms) '${sem.name}'`,
    }),
  );
  expect(() => sem.waitSync({ timeout: 0 })).toThrow(
    expect.objectContaining({ code: "ETIMEDOUT", syscall: "sem_timedwait" }),
  );
  sem.post();
  expect(sem.value).toBe(1); // the timed-out waits took nothing
});

test("waitSync's bad options are refused before any wait; after close it is EINVAL naming the call", () => {
  const sem = semaphore(1);
  for (const bad of [-1, 1.5, 2 ** 31]) {
    expect(() => sem.waitSync({ timeout: bad })).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
    );
  }
  expect(() => sem.waitSync({ timeout: "5" as never })).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  expect(() => sem.waitSync(null as never)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  expect(sem.value).toBe(1);
  sem.close();
  expect(() => sem.waitSync()).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "sem_wait" }),
  );
  expect(() => sem.waitSync({ timeout: 5 })).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "sem_timedwait" }),
  );
});

test("close with a wait pending: the wait is cancelled first, sem_close waits for its thread", async () => {
  const sem = semaphore();
  const controller = new AbortController();
  const waiting = sem.wait({ signal: controller.signal });
  controller.abort(new Error("closing"));
  sem.close();
  await expect(waiting).rejects.toThrow("closing");
  await threadsDone();
  expect(() => sem.post()).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "sem_post" }),
  );
});

test("in a program that handles SIGINT, a pending sem_wait stops with EINTR naming it", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(fixtures, "sem-sigint.mjs")],
    { timeout: 20_000 },
  );
  expect(stdout).toBe(
    [
      "waiting: 1",
      "sem_wait: EINTR (interrupted by SIGINT: the stop button) '/NAME'",
      "after: 0",
      "",
    ].join("\n"),
  );
});

test("bad names and options are refused before any call", () => {
  expect(() => Semaphore.open("no-slash")).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
  );
  expect(() => Semaphore.open("/x", { create: true, value: -1 })).toThrow(RangeError);
  expect(() => Semaphore.open("/ipc-lab-missing-semaphore")).toThrow(
    expect.objectContaining({
      code: "ENOENT",
      syscall: "sem_open",
      path: "/ipc-lab-missing-semaphore",
    }),
  );
});

test("a timed wait that is posted before its deadline takes the unit", async () => {
  const sem = semaphore();
  const other = Semaphore.open(sem.name);
  try {
    const waiting = sem.timedWait(10_000);
    other.post();
    await waiting;
    expect(sem.value).toBe(0);
  } finally {
    other.close();
  }
});

test("a spinning wait that finds nothing goes to sleep on its thread, and still takes the post", async () => {
  const sem = semaphore();
  const waiting = sem.wait({ spin: 200, timeout: 10_000 });
  expect(pendingBlockingWaits()).toBe(1);
  sem.post();
  await waiting;
  expect(sem.value).toBe(0);
});

test("an uncontended wait needs no thread (sem_trywait first)", async () => {
  const sem = semaphore(1);
  const waiting = sem.wait();
  expect(pendingBlockingWaits()).toBe(0);
  await waiting;
  expect(sem.value).toBe(0);
});

test("a wait stopped just as a post arrives never loses the post (the unit is given back)", async () => {
  const sem = semaphore();
  const other = Semaphore.open(sem.name);
  try {
    for (let round = 0; round < 20; round++) {
      const controller = new AbortController();
      const waiting = sem.wait({ signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, round % 3));
      other.post(); // the thread may return with the unit ...
      controller.abort(new Error("stop")); // ... after the wait was stopped
      await expect(waiting).rejects.toThrow("stop");
      await threadsDone();
      expect(sem.value).toBe(1); // taken and given back, or never taken
      expect(sem.tryWait()).toBe(true);
    }
  } finally {
    other.close();
  }
});

describe("errors and bad input", () => {
  test("posting past SEM_VALUE_MAX fails with EOVERFLOW", () => {
    const sem = semaphore(SEM_VALUE_MAX);
    expect(sem.value).toBe(SEM_VALUE_MAX);
    expect(() => sem.post()).toThrow(
      expect.objectContaining({
        code: "EOVERFLOW",
        syscall: "sem_post",
        path: sem.name,
        message: `sem_post: EOVERFLOW (Value too large for defined data type) '${sem.name}'`,
      }),
    );
  });

  test("a start value over SEM_VALUE_MAX is refused, naming the limit", () => {
    expect(() => Semaphore.open("/x", { create: true, value: SEM_VALUE_MAX + 1 })).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: expect.stringContaining(`at most SEM_VALUE_MAX (${SEM_VALUE_MAX})`),
      }),
    );
    expect(() => Semaphore.open("/x", { create: true, value: 1.5 })).toThrow(RangeError);
    expect(() => Semaphore.open("/x", "create" as never)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
    );
  });

  test("exclusive create of an existing name: EEXIST; a name with a second slash: refused", () => {
    const sem = semaphore();
    expect(() => Semaphore.open(sem.name, { create: true, exclusive: true })).toThrow(
      expect.objectContaining({ code: "EEXIST", syscall: "sem_open", path: sem.name }),
    );
    expect(() => Semaphore.open("/a/b")).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
    expect(() => Semaphore.unlink("/ipc-lab-missing-semaphore")).toThrow(
      expect.objectContaining({ code: "ENOENT", syscall: "sem_unlink" }),
    );
  });

  test("a semaphore without permission for another user: EACCES (sem_open as nobody)", async () => {
    const sem = semaphore(); // mode 0o600, owned by this user
    const result = await run("setpriv", [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      path.join(binDir, "sem_tool"),
      sem.name,
      "value",
    ]);
    expect(result.stderr).toBe(`sem_open: EACCES (Permission denied) '${sem.name}'\n`);
    expect(result.code).toBe(1);
  });

  test("every call after close fails with EINVAL naming it", () => {
    const sem = semaphore(1);
    sem.close();
    sem.close(); // idempotent
    for (const [call, run] of [
      ["sem_trywait", () => sem.tryWait()],
      ["sem_getvalue", () => sem.value],
      ["sem_wait", () => sem.wait()],
      ["sem_timedwait", () => sem.wait({ timeout: 1 })],
    ] as const) {
      expect(run).toThrow(expect.objectContaining({ code: "EINVAL", syscall: call }));
    }
  });

  test("bad wait options are refused before any wait", () => {
    const sem = semaphore();
    expect(() => sem.wait({ spin: 1001 })).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
    );
    expect(() => sem.wait({ timeout: -1 })).toThrow(RangeError);
    expect(() => sem.wait({ signal: "no" as never })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
    );
    expect(() => sem.timedWait(1.5)).toThrow(RangeError);
    expect(pendingBlockingWaits()).toBe(0);
  });
});

describe("across processes", () => {
  test("TS -> TS: a TypeScript peer waits, this process posts; and back", async () => {
    const sem = semaphore();
    const peer = ts("named", sem.name, "wait", "10000");
    sem.post();
    expect(await peer).toMatchObject({ code: 0, stdout: "took\n" });
    const waiting = sem.wait({ timeout: 10_000 });
    expect(await ts("named", sem.name, "post")).toMatchObject({ code: 0, stdout: "posted\n" });
    await waiting;
  });

  test("TS <-> C: sem_tool waits for this post, and posts for this wait", async () => {
    const sem = semaphore();
    const peer = c("sem_tool", sem.name, "wait", "10000");
    sem.post();
    expect(await peer).toMatchObject({ code: 0, stdout: "took\n" });
    const waiting = sem.wait({ timeout: 10_000 });
    expect(await c("sem_tool", sem.name, "post")).toMatchObject({ code: 0 });
    await waiting;
    sem.post();
    sem.post();
    expect((await c("sem_tool", sem.name, "value")).stdout).toBe("2\n");
    expect((await c("sem_tool", sem.name, "wait", "20")).stderr).toBe("");
    expect(sem.value).toBe(1);
  });

  test("C's errors read as the library's: sem_timedwait ETIMEDOUT, sem_open ENOENT", async () => {
    const sem = semaphore();
    expect(await c("sem_tool", sem.name, "wait", "20")).toMatchObject({
      code: 1,
      stderr: `sem_timedwait: ETIMEDOUT (Connection timed out) '${sem.name}'\n`,
    });
    expect((await c("sem_tool", "/ipc-lab-missing-semaphore", "post")).stderr).toBe(
      "sem_open: ENOENT (No such file or directory) '/ipc-lab-missing-semaphore'\n",
    );
  });

  test("a semaphore C created is one TypeScript opens, and C unlinks it", async () => {
    const name = `/ipc-lab-test-${randomBytes(4).toString("hex")}`;
    expect(await c("sem_tool", name, "create", "3")).toMatchObject({ code: 0 });
    const sem = Semaphore.open(name);
    try {
      expect(sem.value).toBe(3);
      expect(await c("sem_tool", name, "unlink")).toMatchObject({ code: 0 });
      expect(existsSync(`/dev/shm/sem.${name.slice(1)}`)).toBe(false);
      sem.post(); // still usable: unlink removed the name only
      expect(sem.value).toBe(4);
    } finally {
      sem.close();
    }
  });

  test("TS <-> Python (ctypes on sem_open): Python waits for this post, and posts for this wait", async () => {
    const sem = semaphore();
    const peer = py("named", sem.name, "wait", "10000");
    sem.post();
    expect(await peer).toMatchObject({ code: 0, stdout: "took\n" });
    const waiting = sem.wait({ timeout: 10_000 });
    expect(await py("named", sem.name, "post")).toMatchObject({ code: 0, stdout: "posted\n" });
    await waiting;
    sem.post();
    expect((await py("named", sem.name, "value")).stdout).toBe("1\n");
  });

  test("a holder killed while holding: a named semaphore stays taken (no undo), a wait times out", async () => {
    const sem = semaphore(1);
    const holder = started(path.join(binDir, "sem_tool"), [sem.name, "hold"], "holding");
    await holder.ready;
    expect(sem.value).toBe(0);
    holder.child.kill("SIGKILL");
    await holder.ended;
    await expect(sem.wait({ timeout: 50 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
    expect(sem.value).toBe(0); // nobody will ever post it
  });
});

describe("unnamed semaphores in shared memory (sem_init pshared = 1)", () => {
  test("init puts a sem_t in the object: its count is in the bytes every process maps", () => {
    const shm = shmObject();
    const sem = UnnamedSemaphore.init(shm, 8, { value: 2 });
    try {
      expect(SIZEOF_SEM_T).toBe(32);
      expect(ALIGNOF_SEM_T).toBe(8);
      expect(sem.value).toBe(2);
      // glibc keeps the count in the low 32 bits of the sem_t's first word.
      expect(shm.dataView().getUint32(8, true)).toBe(2);
      expect(sem.tryWait()).toBe(true);
      expect(shm.dataView().getUint32(8, true)).toBe(1);
      const again = UnnamedSemaphore.at(shm, 8);
      expect(again.value).toBe(1);
      again.close();
    } finally {
      sem.close();
    }
  });

  test("a wait in this process, a post in another (TS peer), and the other way", async () => {
    const shm = shmObject();
    using sem = UnnamedSemaphore.init(shm, 64);
    const waiting = sem.wait({ timeout: 10_000 });
    expect(await ts("unnamed", shm.name, "64", "post")).toMatchObject({ stdout: "posted\n" });
    await waiting;
    const peer = ts("unnamed", shm.name, "64", "wait", "10000");
    sem.post();
    expect(await peer).toMatchObject({ code: 0, stdout: "took\n" });
  });

  test("waitSync across processes: C's and a TypeScript peer's posts wake it, and a peer blocked in waitSync takes this post", async () => {
    const shm = shmObject();
    using sem = UnnamedSemaphore.init(shm, 64);
    const named = semaphore();
    const cPeer = c("sem_tool", named.name, "post");
    named.waitSync({ timeout: 10_000 });
    expect(await cPeer).toMatchObject({ code: 0 });
    const tsPeer = ts("unnamed", shm.name, "64", "post");
    sem.waitSync({ timeout: 10_000 });
    expect(await tsPeer).toMatchObject({ code: 0, stdout: "posted\n" });
    // The other way: the peer blocks in sem_timedwait until this post.
    const waiter = started(
      process.execPath,
      [
        path.join(fixtures, "sem-peer.mjs"),
        "unnamed",
        shm.name,
        "64",
        "waitsync",
        "10000",
        "announce",
      ],
      "waiting",
    );
    await waiter.ready;
    sem.post();
    await waiter.ended;
    expect(waiter.child.exitCode).toBe(0);
    expect(sem.value).toBe(0);
  });

  test("TS <-> C: two C counters and one TypeScript counter under one unnamed semaphore lose nothing", async () => {
    const shm = shmObject(64);
    using sem = UnnamedSemaphore.init(shm, 8, { value: 1 });
    const n = 3000;
    const peers = [
      started(path.join(binDir, "sem_counter"), [shm.name, String(n), "unnamed"], "ready"),
      started(path.join(binDir, "sem_counter"), [shm.name, String(n), "unnamed"], "ready"),
      started(
        process.execPath,
        [path.join(fixtures, "sem-peer.mjs"), "count", shm.name, "8", String(n)],
        "ready",
      ),
    ];
    await Promise.all(peers.map((peer) => peer.ready));
    shm.dataView().setInt32(4, 1, true); // go
    await Promise.all(peers.map((peer) => peer.ended));
    expect(shm.dataView().getInt32(0, true)).toBe(3 * n);
    expect(sem.value).toBe(1);
  });

  test("a sem_t C initialised (sem_counter init) is one TypeScript uses where it is", async () => {
    const shm = shmObject(64);
    expect(await c("sem_counter", shm.name, "init")).toMatchObject({ code: 0 });
    using sem = UnnamedSemaphore.at(shm, 8);
    expect(sem.value).toBe(1);
  });

  test("the wait holds its own mapping: closing the SharedMemory under a pending wait is safe", async () => {
    const shm = shmObject();
    const sem = UnnamedSemaphore.init(shm, 0);
    const waiting = sem.wait({ timeout: 10_000 });
    sem.close(); // this handle is done; the pending wait keeps the sem_t mapped
    shm.close(); // the caller's mapping is gone too
    expect(await ts("unnamed", shm.name, "0", "post")).toMatchObject({ stdout: "posted\n" });
    await waiting;
    await threadsDone();
  });

  test("pshared = false across processes: the post changes the count but never wakes the other process", async () => {
    const shm = shmObject();
    using sem = UnnamedSemaphore.init(shm, 0, { pshared: false });
    const peer = started(
      process.execPath,
      [path.join(fixtures, "sem-peer.mjs"), "unnamed", shm.name, "0", "wait", "1000", "announce"],
      "waiting",
    );
    await peer.ready;
    await new Promise((resolve) => setTimeout(resolve, 200)); // it is asleep in sem_timedwait by now
    sem.post();
    let out = "";
    peer.child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
    await peer.ended;
    expect(out).toMatch(/^sem_timedwait: ETIMEDOUT \(timed out after 1000 ms\)/);
    expect(sem.value).toBe(1); // the post is there; nobody was woken by it
  });

  test("bad places for a sem_t: unaligned, past the end, a read-only object, not shared memory", () => {
    const shm = shmObject(64);
    expect(() => UnnamedSemaphore.init(shm, 4)).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: expect.stringContaining("multiple of 8"),
      }),
    );
    expect(() => UnnamedSemaphore.init(shm, 40)).toThrow(RangeError);
    expect(() => UnnamedSemaphore.init({} as never, 0)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
    );
    expect(() => UnnamedSemaphore.init(shm, 0, { value: SEM_VALUE_MAX + 1 })).toThrow(RangeError);
    const readonly = SharedMemory.open(shm.name, { readonly: true });
    try {
      expect(() => UnnamedSemaphore.init(readonly, 0)).toThrow(
        expect.objectContaining({ code: "EACCES", syscall: "mmap", path: `${shm.name}+0` }),
      );
    } finally {
      readonly.close();
    }
  });

  test("destroy, then every call fails with EINVAL", () => {
    const shm = shmObject(64);
    const sem = UnnamedSemaphore.init(shm, 0, { value: 1 });
    sem.destroy();
    expect(sem.closed).toBe(true);
    expect(() => sem.post()).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "sem_post" }),
    );
    expect(() => sem.destroy()).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "sem_destroy" }),
    );
  });
});

describe("the chapter's C programs", () => {
  test("the bounded buffer: one producer, two consumers, four slots: every item exactly once", async () => {
    const name = `/ipc-lab-test-${randomBytes(4).toString("hex")}`;
    expect(await c("bounded_buffer", name, "init", "4")).toMatchObject({ code: 0 });
    try {
      const [produced, first, second] = await Promise.all([
        c("bounded_buffer", name, "produce", "0", "4000"),
        c("bounded_buffer", name, "consume", "2000"),
        c("bounded_buffer", name, "consume", "2000"),
      ]);
      expect([produced.code, first.code, second.code]).toEqual([0, 0, 0]);
      const items = (first.stdout + second.stdout).trim().split("\n").map(Number);
      expect(items.sort((x, y) => x - y)).toEqual(Array.from({ length: 4000 }, (_, i) => i));
    } finally {
      await c("bounded_buffer", name, "unlink");
    }
  });

  test("two semaphores in one global order: no deadlock", async () => {
    const [a, b] = [semaphore(1), semaphore(1)];
    const results = await Promise.all([
      c("sem_deadlock", a.name, b.name, "--ordered"),
      c("sem_deadlock", b.name, a.name, "--ordered"),
    ]);
    for (const result of results) expect(result.stdout).toMatch(/holds both\n$/);
    expect([a.value, b.value]).toEqual([1, 1]);
  });
});
