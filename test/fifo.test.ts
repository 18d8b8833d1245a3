// Named pipes: mkfifo/stat/unlink, the open rules (a reader waits for a
// writer and vice versa, O_NONBLOCK, O_RDWR), EOF and EPIPE, PIPE_BUF
// atomicity with several writer processes, and the open that waits on a
// thread of its own (never on libuv's pool) and leaves nothing behind when
// it stops.
import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { readFile, stat as fsStat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  binDir,
  Fifo,
  fdFlags,
  mkfifo,
  NAME_MAX,
  openFifo,
  openFifoSync,
  pendingBlockingWaits,
  releaseBlockingThreads,
  blockingThreads,
  pendingWaits,
  PIPE_BUF,
  readSync,
  stat,
  traceCalls,
  umask,
  unlink,
} from "ipc-lab";

let dir: string;
const opened: Fifo[] = [];
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-fifo-"));
});

afterEach(async () => {
  for (const fifo of opened.splice(0)) fifo.close();
  // Kill and reap each one: one left unreaped would be adopted as a zombie.
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const gone = new Promise((resolve) => child.once("close", resolve));
    child.kill("SIGKILL");
    await gone;
  }
  try {
    await threadsDone();
    expect(pendingWaits()).toBe(0);
    expect(fifoFds()).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Resolves once every waiter thread has returned (they end soon after a cancel). */
async function threadsDone(): Promise<void> {
  for (let i = 0; i < 2000 && pendingBlockingWaits() > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(pendingBlockingWaits()).toBe(0);
}

/** This process's descriptors that refer to a FIFO of this test's folder. */
function fifoFds(): string[] {
  const out: string[] = [];
  for (const name of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${name}`);
      if (target.startsWith(dir)) out.push(`${name} -> ${target}`);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

const threads = () => readdirSync("/proc/self/task").length;

function fifo(name = "f", mode = 0o600): string {
  const p = path.join(dir, name);
  mkfifo(p, { mode });
  return p;
}

async function open(...args: Parameters<typeof openFifo>): Promise<Fifo> {
  const f = await openFifo(...args);
  opened.push(f);
  return f;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts a program on its own (a session of its own, no descriptor shared but its output). */
function start(file: string, args: string[], options: { uid?: number } = {}) {
  const child = spawn(file, args, {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    ...options,
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
}

describe("mkfifo, stat, unlink", () => {
  test("mkfifo makes a file of type FIFO (ls -l: p) with mode less the umask, holding no data", () => {
    const old = umask(0o022);
    try {
      const p = path.join(dir, "f");
      expect(mkfifo(p, { mode: 0o666 })).toBe(true);
      expect(stat(p)).toMatchObject({
        type: "fifo",
        mode: 0o644,
        permissions: "rw-r--r--",
        lsMode: "prw-r--r--",
        size: 0,
        blocks: 0,
        nlink: 1,
      });
      expect(execFileSync("ls", ["-l", p], { encoding: "utf8" })).toMatch(/^prw-r--r-- 1 /);
      umask(0);
      mkfifo(path.join(dir, "g"), { mode: 0o666 });
      expect(stat(path.join(dir, "g")).lsMode).toBe("prw-rw-rw-");
      expect(umask()).toBe(0);
    } finally {
      umask(old);
    }
  });

  test("unlink removes the name; stat then fails with ENOENT", () => {
    const p = fifo();
    unlink(p);
    expect(() => stat(p)).toThrow(
      expect.objectContaining({ code: "ENOENT", syscall: "stat", path: p }),
    );
    expect(() => unlink(p)).toThrow(
      expect.objectContaining({ code: "ENOENT", syscall: "unlink", path: p }),
    );
  });

  test("a FIFO that exists: EEXIST, unless reuse (a stale FIFO is fine), which returns false", () => {
    const p = fifo();
    expect(() => mkfifo(p)).toThrow(
      expect.objectContaining({ code: "EEXIST", syscall: "mkfifo", path: p }),
    );
    expect(mkfifo(p, { reuse: true })).toBe(false);
  });

  test("a path that exists and is not a FIFO: EEXIST naming what it is, even with reuse", () => {
    const file = path.join(dir, "plain");
    writeFileSync(file, "data");
    expect(() => mkfifo(file, { reuse: true })).toThrow(
      `mkfifo: EEXIST (File exists) '${file}': it exists and is a file, not a FIFO`,
    );
    mkdirSync(path.join(dir, "sub"));
    expect(() => mkfifo(path.join(dir, "sub"))).toThrow(/is a directory, not a FIFO/);
  });

  test("a missing directory is ENOENT, a name longer than NAME_MAX ENAMETOOLONG", () => {
    const missing = path.join(dir, "no", "such", "f");
    expect(() => mkfifo(missing)).toThrow(
      expect.objectContaining({ code: "ENOENT", syscall: "mkfifo", path: missing }),
    );
    const long = path.join(dir, "x".repeat(NAME_MAX + 1));
    expect(() => mkfifo(long)).toThrow(
      expect.objectContaining({ code: "ENAMETOOLONG", syscall: "mkfifo" }),
    );
    expect(() => stat(long)).toThrow(expect.objectContaining({ code: "ENAMETOOLONG" }));
  });

  test("bad arguments are TypeErrors and RangeErrors before any call", () => {
    expect(() => mkfifo(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
    );
    expect(() => mkfifo("")).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }));
    expect(() => mkfifo(path.join(dir, "a\0b"))).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
    expect(() => mkfifo(path.join(dir, "m"), { mode: 0o10000 })).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
    );
    expect(() => umask(-1)).toThrow(expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }));
  });
});

describe("open rules", () => {
  test("a reader waits until a writer opens; then bytes flow; EOF when the writer closes", async () => {
    const p = fifo();
    const reading = openFifo(p, "r", { timeout: 10_000 });
    expect(pendingBlockingWaits()).toBe(1);
    const writer = await open(p, "w", { timeout: 10_000 });
    const reader = await reading;
    opened.push(reader);
    // O_NONBLOCK once open: FIFOs take no RWF_NOWAIT, and the loop must never block.
    expect(fdFlags(reader.fd)).toMatchObject({ mode: "r", nonblock: true, cloexec: true });
    expect(fdFlags(writer.fd)).toMatchObject({ mode: "w", nonblock: true, cloexec: true });
    await writer.write("through the name");
    writer.close();
    expect((await reader.readAll({ timeout: 10_000 })).toString()).toBe("through the name");
    expect((await reader.read(10, { timeout: 10_000 })).length).toBe(0);
  });

  test("a writer waits until a reader opens", async () => {
    const p = fifo();
    const writing = openFifo(p, "w", { timeout: 10_000 });
    expect(pendingBlockingWaits()).toBe(1);
    const reader = await open(p, "r", { timeout: 10_000 });
    opened.push(await writing);
    expect(reader.access).toBe("r");
  });

  test("O_NONBLOCK: a reader opens at once; a writer with no reader fails with ENXIO", async () => {
    const p = fifo();
    await expect(openFifo(p, "w", { nonblock: true })).rejects.toMatchObject({
      code: "ENXIO",
      syscall: "open",
      path: p,
      message: `open: ENXIO (No such device or address) '${p}'`,
    });
    const reader = await open(p, "r", { nonblock: true });
    expect(fdFlags(reader.fd).nonblock).toBe(true);
    // A reader exists now: the non-blocking writer opens.
    const writer = await open(p, "w", { nonblock: true });
    await writer.write("x");
    expect((await reader.read(1)).toString()).toBe("x");
    // No writer any more: read(2) reports end of file, not "would block".
    writer.close();
    expect(readSync(reader.fd, 1).length).toBe(0);
    expect(pendingBlockingWaits()).toBe(0); // none of these waited
  });

  test("O_RDWR (Linux only) opens at once and is its own writer: it reads what it wrote, never EOF", async () => {
    const p = fifo();
    const both = await open(p, "rw");
    expect(fdFlags(both.fd).mode).toBe("rw");
    await both.write("echo");
    expect((await both.read(10)).toString()).toBe("echo");
    // A reader that is also a writer never sees EOF: the read waits (here, times out).
    await expect(both.read(10, { timeout: 50 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
  });

  test("EOF only when the last writer closes", async () => {
    const p = fifo();
    const reader = await open(p, "r", { nonblock: true });
    const a = await open(p, "w");
    const b = await open(p, "w");
    await a.write("a");
    a.close();
    expect((await reader.read(10, { timeout: 10_000 })).toString()).toBe("a");
    await expect(reader.read(10, { timeout: 50 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
    await b.write("b");
    b.close();
    expect((await reader.readAll({ timeout: 10_000 })).toString()).toBe("b");
  });

  test("a write with no reader left fails with EPIPE (SIGPIPE does not kill Node)", async () => {
    const p = fifo();
    const reader = await open(p, "r", { nonblock: true });
    const writer = await open(p, "w");
    reader.close();
    await expect(writer.write("anyone?")).rejects.toMatchObject({
      code: "EPIPE",
      syscall: "write",
      fd: writer.fd,
    });
  });

  test("a reader process killed mid-stream: the writer's pending write fails with EPIPE", async () => {
    const p = fifo();
    const cat = start("cat", [p]); // an unrelated process, opening by the name
    const writer = await open(p, "w", { timeout: 10_000 });
    const chunk = Buffer.alloc(1 << 20, "z");
    await writer.write(chunk, { timeout: 10_000 }); // cat is reading
    cat.child.kill("SIGKILL");
    await cat.done;
    await expect(writer.write(chunk, { timeout: 10_000 })).rejects.toMatchObject({
      code: "EPIPE",
    });
  });

  test("a write larger than the FIFO holds waits on the loop, never blocking it (FIFOs take no RWF_NOWAIT)", async () => {
    const p = fifo();
    const reader = await open(p, "r", { nonblock: true });
    const writer = await open(p, "w");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const writing = writer.write(Buffer.alloc(1 << 20, "w"), { timeout: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const seen = ticks;
      expect(seen).toBeGreaterThan(0); // the loop ran while the write waited for room
      const all = await (async () => {
        let n = 0;
        while (n < 1 << 20) n += (await reader.read(65536, { timeout: 10_000 })).length;
        return n;
      })();
      expect(all).toBe(1 << 20);
      expect(await writing).toBe(1 << 20);
    } finally {
      clearInterval(timer);
    }
  });

  test("readInto reads into the caller's buffer (one read(2) per chunk, no allocation): waits, fills at an offset, 0 at EOF", async () => {
    const p = fifo();
    const reader = await open(p, "r", { nonblock: true });
    const writer = await open(p, "w");
    const buffer = Buffer.alloc(8, ".");
    const reading = reader.readInto(buffer, 2, 4, { timeout: 10_000 });
    await writer.write("abcdef"); // more than asked for: the rest stays in the FIFO
    expect(await reading).toBe(4);
    expect(buffer.toString()).toBe("..abcd..");
    expect(await reader.readInto(buffer)).toBe(2);
    expect(buffer.subarray(0, 2).toString()).toBe("ef");
    // 1 MiB through one 64 KiB buffer, while the writer waits for room.
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const writing = writer.write(big, { timeout: 10_000 });
    const into = Buffer.allocUnsafe(65536);
    const got: Buffer[] = [];
    for (let n = 0; n < big.length;) {
      const k = await reader.readInto(into, 0, undefined, { timeout: 10_000 });
      got.push(Buffer.from(into.subarray(0, k)));
      n += k;
    }
    expect(await writing).toBe(big.length);
    expect(Buffer.concat(got).equals(big)).toBe(true);
    writer.close();
    expect(await reader.readInto(into, 0, undefined, { timeout: 10_000 })).toBe(0);
    expect(() => reader.readInto("x" as never)).toThrow(TypeError);
    expect(() => reader.readInto(into, 65536)).toThrow(RangeError);
    expect(() => reader.readInto(into, 0, 65537)).toThrow(RangeError);
    reader.close();
    expect(() => reader.readInto(into)).toThrow(expect.objectContaining({ code: "EBADF" }));
  });

  test("a path that is not a FIFO is refused with EINVAL before open; a missing one is ENOENT", async () => {
    const file = path.join(dir, "plain");
    writeFileSync(file, "data");
    await expect(openFifo(file, "r")).rejects.toThrow(
      `open: EINVAL (Invalid argument) '${file}': it is a file, not a FIFO`,
    );
    await expect(openFifo(dir, "w")).rejects.toThrow(/it is a directory, not a FIFO/);
    const missing = path.join(dir, "nope", "f");
    await expect(openFifo(missing, "r")).rejects.toMatchObject({
      code: "ENOENT",
      syscall: "stat",
      path: missing,
    });
    await expect(openFifo(path.join(dir, "y".repeat(NAME_MAX + 1)))).rejects.toMatchObject({
      code: "ENAMETOOLONG",
    });
    await expect(openFifo(fifo(), "x" as "r")).rejects.toMatchObject({
      code: "ERR_INVALID_ARG_VALUE",
    });
  });

  test("permissions: another user may not open a 0600 FIFO (EACCES)", async () => {
    const p = fifo("private", 0o600);
    // This suite runs as root, whom permissions do not stop: ask as nobody.
    const probe = path.join(dir, "probe.cjs");
    writeFileSync(
      probe,
      `const lib = require(${JSON.stringify(path.resolve("lib/dist/index.js"))});
       lib.openFifo(process.argv[2], "w", { nonblock: true }).then(
         () => console.log("opened"), (e) => console.log(e.code, e.syscall, e.message));`,
    );
    execFileSync("chmod", ["755", dir]);
    const run = await start(process.execPath, [probe, p], { uid: 65534 }).done;
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(`EACCES open open: EACCES (Permission denied) '${p}'`);
  });

  test("a Fifo is closed once: EBADF after, pending reads rejected, closed by `using`", async () => {
    const p = fifo();
    const reader = await open(p, "rw");
    const pending = reader.read(10);
    reader.close();
    await expect(pending).rejects.toMatchObject({ code: "EBADF" });
    expect(() => reader.read()).toThrow(
      expect.objectContaining({ code: "EBADF", syscall: "read" }),
    );
    reader.close(); // idempotent
    let fd = -1;
    {
      using f = await openFifo(p, "rw");
      fd = f.fd;
      expect(fifoFds().length).toBe(1);
    }
    expect(fd).toBeGreaterThan(2);
    expect(fifoFds()).toEqual([]);
  });
});

describe("the open waits on a thread of its own", () => {
  test("eight pending opens do not park libuv's pool: fs still works; abort stops them all, leaving no thread or fd", async () => {
    const p = fifo();
    releaseBlockingThreads(); // earlier tests' idle waiter threads
    const before = threads();
    const controller = new AbortController();
    const opens = Array.from({ length: 8 }, () => openFifo(p, "r", { signal: controller.signal }));
    expect(pendingBlockingWaits()).toBe(8);
    expect(threads()).toBe(before + 8);
    // More pool work than the pool has threads (4): it all completes.
    const work = await Promise.all([
      ...Array.from({ length: 6 }, () => readFile(import.meta.filename, "utf8")),
      ...Array.from({ length: 6 }, () => fsStat(dir)),
    ]);
    expect(work).toHaveLength(12);
    expect(pendingBlockingWaits()).toBe(8);
    const reason = new Error("stop them all");
    controller.abort(reason);
    for (const o of opens) await expect(o).rejects.toBe(reason);
    await threadsDone();
    // The eight threads stay, idle, for the next waits; released, none is left.
    expect(blockingThreads()).toMatchObject({ threads: 8, idle: 8 });
    expect(threads()).toBe(before + 8);
    expect(releaseBlockingThreads()).toBe(8);
    expect(threads()).toBe(before);
    expect(fifoFds()).toEqual([]);
  });

  test("in a program that handles SIGINT (as tslab does), a pending open stops with EINTR, leaving nothing", async () => {
    const run = await start(process.execPath, [
      path.resolve(import.meta.dirname, "fixtures", "fifo-sigint.mjs"),
    ]).done;
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toBe(
      [
        "waiting: 1",
        "open: EINTR (interrupted by SIGINT: the stop button) 'FIFO'",
        "after: 0 waits, 0 descriptors",
        "",
      ].join("\n"),
    );
  });

  test("a time-out rejects with ETIMEDOUT naming open and the path", async () => {
    const p = fifo();
    await expect(openFifo(p, "w", { timeout: 30 })).rejects.toMatchObject({
      code: "ETIMEDOUT",
      syscall: "open",
      path: p,
      message: `open: ETIMEDOUT (timed out after 30 ms) '${p}'`,
    });
    await threadsDone();
  });

  test("stopped just as the other end opens: the descriptor it got is closed, never leaked", async () => {
    const p = fifo();
    for (let i = 0; i < 20; i++) {
      const controller = new AbortController();
      const reading = openFifo(p, "r", { signal: controller.signal });
      // Once its thread is in open(), the blocked reader counts as a reader:
      // a non-blocking writer opens (ENXIO until then), waking it.
      let writer: Fifo | undefined;
      while (!writer) {
        writer = await openFifo(p, "w", { nonblock: true }).catch((error: { code?: string }) => {
          if (error.code !== "ENXIO") throw error;
          return undefined;
        });
      }
      controller.abort(new Error("too late"));
      const outcome = await reading.then(
        (f) => (opened.push(f), "opened"),
        () => "stopped",
      );
      expect(["opened", "stopped"]).toContain(outcome);
      writer.close();
      await threadsDone();
      for (const f of opened.splice(0)) f.close();
      expect(fifoFds()).toEqual([]);
    }
  });

  test("Node's own fs.open on a FIFO parks a pool thread: a fifth pending open starves fs (why openFifo exists)", async () => {
    const p = fifo();
    // In a process of its own: its pool stays stuck until the FIFO's other end opens.
    const script = path.join(dir, "starve.cjs");
    writeFileSync(
      script,
      `const fs = require("fs");
       for (let i = 0; i < 4; i++) fs.open(process.argv[2], "r", () => {});
       let done = false;
       fs.stat(__filename, () => { done = true; console.log("stat done"); });
       setTimeout(() => {
         fs.writeSync(1, done ? "not starved\\n" : "starved\\n");
         process.kill(process.pid, "SIGKILL"); // exit() would wait for the stuck pool threads
       }, 300);`,
    );
    const run = await start(process.execPath, [script, p]).done;
    expect(run).toMatchObject({ stderr: "", stdout: "starved\n", signal: "SIGKILL" });
  });
});

describe("PIPE_BUF atomicity with several writer processes", () => {
  /** Starts `writers` C writers of `count` records of `size` bytes each and reads everything. */
  async function collect(size: number, writers: number, count: number): Promise<Buffer> {
    const p = fifo();
    const reader = await open(p, "r", { nonblock: true });
    const letters = "ABCDEFGH".slice(0, writers);
    const runs = [...letters].map(
      (letter) =>
        start(path.join(binDir, "fifo_writer"), [p, letter, String(size), String(count)]).done,
    );
    // Wait for the first byte, then read to EOF (all writers done).
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = await reader.read(4096, { timeout: 20_000 });
      if (chunk.length === 0) {
        if (chunks.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5)); // no writer has opened yet
        continue;
      }
      chunks.push(Buffer.from(chunk));
    }
    for (const run of await Promise.all(runs)) expect(run).toMatchObject({ code: 0, stderr: "" });
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(size * writers * count);
    return all;
  }

  /** How many runs of one letter are not a whole number of records. */
  function brokenRecords(all: Buffer, size: number): number {
    let broken = 0;
    let runStart = 0;
    for (let i = 1; i <= all.length; i++) {
      if (i === all.length || all[i] !== all[runStart]) {
        if ((i - runStart) % size !== 0) broken++;
        runStart = i;
      }
    }
    return broken;
  }

  test("writes of PIPE_BUF bytes from four processes never interleave", async () => {
    const all = await collect(PIPE_BUF, 4, 200);
    expect(brokenRecords(all, PIPE_BUF)).toBe(0);
  });

  test("writes far above PIPE_BUF (256 KiB, more than the FIFO holds) do interleave", async () => {
    const size = 256 * 1024;
    const all = await collect(size, 4, 8);
    expect(brokenRecords(all, size)).toBeGreaterThan(0);
  });
});

describe("the blocking forms (for programs that are not an event loop)", () => {
  test("openFifoSync blocks until a writer process opens; the descriptor stays blocking; readSync to EOF", () => {
    const fifo = path.join(dir, "f");
    mkfifo(fifo);
    // Started before this process blocks: its open is the other end of ours.
    const child = spawn("sh", ["-c", 'printf hello > "$1"', "sh", fifo], { stdio: "ignore" });
    children.push(child);
    const reader = openFifoSync(fifo, "r", { timeout: 10_000 }); // a bound, should sh not start
    opened.push(reader);
    expect(reader.blocking).toBe(true);
    expect(fdFlags(reader.fd)).toMatchObject({ mode: "r", nonblock: false, cloexec: true });
    expect(reader.readExactlySync(5).toString()).toBe("hello"); // waits for the bytes
    expect(reader.readSync().length).toBe(0); // the writer has gone: EOF
  });

  test("readIntoSync and writeSync move bytes through a blocking Fifo ('rw' never waits)", () => {
    const fifo = path.join(dir, "f");
    mkfifo(fifo);
    const both = openFifoSync(fifo, "rw");
    opened.push(both);
    expect(both.writeSync("abcdef")).toBe(6);
    const buffer = Buffer.alloc(8, "-");
    expect(both.readIntoSync(buffer, 2, 4)).toBe(4);
    expect(buffer.toString()).toBe("--abcd--");
    expect(both.readSync(10).toString()).toBe("ef");
  });

  test("a blocking Fifo refuses the awaitable forms (ERR_FIFO_BLOCKING); openFifo's Fifo fails readSync with EAGAIN", async () => {
    const fifo = path.join(dir, "f");
    mkfifo(fifo);
    const blocking = openFifoSync(fifo, "rw");
    opened.push(blocking);
    expect(() => blocking.read()).toThrow(expect.objectContaining({ code: "ERR_FIFO_BLOCKING" }));
    expect(() => blocking.write("x")).toThrow(/opened by openFifoSync for blocking I\/O/);
    await expect(blocking.readAll()).rejects.toMatchObject({ code: "ERR_FIFO_BLOCKING" });
    const awaitable = await openFifo(fifo, "r", { nonblock: true });
    opened.push(awaitable);
    expect(awaitable.blocking).toBe(false);
    expect(() => awaitable.readSync()).toThrow(
      expect.objectContaining({ code: "EAGAIN", syscall: "read" }),
    );
  });

  test("a timeout: ETIMEDOUT naming open and the path when no one comes, nothing left open; a reader in time opens", () => {
    const fifo = path.join(dir, "f");
    mkfifo(fifo);
    for (const access of ["r", "w"] as const) {
      expect(() => openFifoSync(fifo, access, { timeout: 30 })).toThrow(
        expect.objectContaining({ code: "ETIMEDOUT", syscall: "open", path: fifo }),
      );
    }
    expect(fifoFds()).toEqual([]);
    const child = spawn("sh", ["-c", 'cat "$1" > /dev/null', "sh", fifo], { stdio: "ignore" });
    children.push(child);
    const writer = openFifoSync(fifo, "w", { timeout: 10_000 });
    opened.push(writer);
    expect(fdFlags(writer.fd).nonblock).toBe(false);
    expect(writer.writeSync("bye")).toBe(3);
  });

  test("a timed writer whose reader is there opens with O_NONBLOCK and no timer, made blocking again; with no reader yet it arms the timer and waits", async () => {
    const fifo = path.join(dir, "f");
    mkfifo(fifo);
    const reader = openFifoSync(fifo, "r", { nonblock: true });
    opened.push(reader);
    const calls = (rows: { name: string; args: string; errno?: string }[]) =>
      rows
        .filter((row) => row.args.includes(fifo) || /^(fcntl|timer_settime)$/.test(row.name))
        .map((row) => `${row.name}${row.errno ? ` ${row.errno}` : ""}`);
    const fast = await traceCalls(() => openFifoSync(fifo, "w", { timeout: 10_000 }), {
      all: true,
    });
    if (fast.unavailable) throw new Error(`strace: ${fast.unavailable}`);
    opened.push(fast.value!);
    expect(fdFlags(fast.value!.fd).nonblock).toBe(false);
    // stat before the open (not a FIFO: refused), fstat after (replaced meanwhile).
    expect(calls(fast.rows)).toEqual(["newfstatat", "openat", "fcntl", "newfstatat"]);
    expect(fast.rows.find((row) => row.name === "openat")!.args).toMatch(/O_WRONLY\|O_NONBLOCK/);
    fast.value!.close();
    reader.close();
    // No reader: ENXIO, then the timer's wait, which a reader ends in time.
    const child = spawn("sh", ["-c", 'sleep 0.3; cat "$1" > /dev/null', "sh", fifo], {
      stdio: "ignore",
    });
    children.push(child);
    const slow = await traceCalls(() => openFifoSync(fifo, "w", { timeout: 10_000 }), {
      all: true,
    });
    opened.push(slow.value!);
    expect(fdFlags(slow.value!.fd).nonblock).toBe(false);
    expect(calls(slow.rows)).toEqual([
      "newfstatat",
      "openat ENXIO",
      "timer_settime",
      "openat",
      "timer_settime",
      "newfstatat",
    ]);
  });

  test("nonblock keeps O_NONBLOCK (a writer with no reader: ENXIO); a path that is not a FIFO is EINVAL; bad options", () => {
    const fifo = path.join(dir, "f");
    mkfifo(fifo);
    expect(() => openFifoSync(fifo, "w", { nonblock: true })).toThrow(
      expect.objectContaining({ code: "ENXIO", syscall: "open" }),
    );
    const reader = openFifoSync(fifo, "r", { nonblock: true });
    opened.push(reader);
    expect(reader.blocking).toBe(false);
    expect(fdFlags(reader.fd).nonblock).toBe(true);
    const file = path.join(dir, "plain");
    writeFileSync(file, "x");
    expect(() => openFifoSync(file, "r")).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "open", path: file }),
    );
    expect(() => openFifoSync(fifo, "r", { timeout: -1 })).toThrow(RangeError);
    expect(() => openFifoSync(fifo, "x" as "r")).toThrow(/access must be/);
    expect(() => openFifoSync(fifo, "r", { nonblock: "yes" as unknown as boolean })).toThrow(
      TypeError,
    );
  });
});
