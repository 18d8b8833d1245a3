// POSIX named semaphores, and through them the library's path for waits
// with no descriptor to poll (lib/blocking.ts, native/src/blocking.cc):
// sem_wait runs on a thread of its own, never libuv's pool, and stops on a
// time-out, an AbortSignal and SIGINT like every wait.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { pbkdf2 } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, expect, test } from "vitest";
import { pendingBlockingWaits, Semaphore } from "ipc-lab";

const fixtures = path.join(import.meta.dirname, "fixtures");
const made: Semaphore[] = [];

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
  for (const sem of made.splice(0)) {
    sem.unlink();
    sem.close();
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

test("a time-out rejects with ETIMEDOUT naming sem_wait and the semaphore", async () => {
  const sem = semaphore();
  await expect(sem.wait({ timeout: 30 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "sem_wait",
    path: sem.name,
    message: `sem_wait: ETIMEDOUT (timed out after 30 ms) '${sem.name}'`,
  });
  await threadsDone();
  sem.post(); // the cancelled wait took nothing: this post is still there
  expect(sem.tryWait()).toBe(true);
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
