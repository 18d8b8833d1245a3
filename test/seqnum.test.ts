// The classic client–server design over FIFOs: the sequence-number server
// and client, in C (native/c/seqnum_*.c) and TypeScript (lib/seqnum.ts, and
// lib/dist/seqnum-cli.js as a program), each serving the other. Clients are
// separate programs started on their own, finding the server by its FIFO's
// name only.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  binDir,
  mkfifo,
  openFds,
  pendingBlockingWaits,
  pendingWaits,
  seqnumClientPath,
  seqnumRequest,
  seqnumRequestSync,
  SeqnumServer,
  serveSeqnumSync,
  stat,
} from "ipc-lab";

const cli = path.resolve("lib/dist/seqnum-cli.js");
let dir: string;
let serverPath: string;
let clientTemplate: string;
const children: ChildProcess[] = [];
const servers: SeqnumServer[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-seqnum-"));
  serverPath = path.join(dir, "seqnum_sv");
  clientTemplate = path.join(dir, "seqnum_cl.%ld");
});

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  // Kill and reap each one: one left unreaped would be adopted as a zombie.
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const gone = new Promise((resolve) => child.once("close", resolve));
    child.kill("SIGKILL");
    await gone;
  }
  try {
    for (let i = 0; i < 2000 && pendingBlockingWaits() > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(pendingBlockingWaits()).toBe(0);
    expect(pendingWaits()).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts a program on its own: its own session, no descriptor shared but its output. */
function start(file: string, args: string[]) {
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.push(child);
  let stdout = "";
  let stderr = "";
  const lines: ((text: string) => void)[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    lines.forEach((check) => check(stdout));
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  /** Resolves when the output so far matches `pattern` (waits on output, not on time). */
  const output = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = (text: string) => pattern.test(text) && resolve(text);
      lines.push(check);
      check(stdout);
      void done.then((run) =>
        pattern.test(run.stdout) ? resolve(run.stdout) : reject(new Error(JSON.stringify(run))),
      );
    });
  /**
   * Resolves once the kernel counts the program as the FIFO's reader: it
   * holds `file` open, or waits in its open for a writer (wchan
   * wait_for_partner: fifo_open has counted the reader by then). A server
   * prints "listening on" just before that open; a second server started
   * before it is in the open would find no reader and take the FIFO for a
   * stale one.
   */
  const reading = async (file: string) => {
    const proc = `/proc/${child.pid}`;
    for (let i = 0; i < 10_000 && child.exitCode === null; i++) {
      if (readFileSync(`${proc}/wchan`, "utf8") === "wait_for_partner") return;
      if (openFds(child.pid!).some((open) => open.target === file)) return;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw new Error(`${child.spawnfile} never opened ${file}`);
  };
  return { child, done, output, reading };
}

const paths = () => ["-s", serverPath, "-c", clientTemplate];
const cServer = (...args: string[]) =>
  start(path.join(binDir, "seqnum_server"), [...paths(), ...args]);
const tsServer = (...args: string[]) =>
  start(process.execPath, [cli, "server", ...paths(), ...args]);
const cClient = (...args: string[]) =>
  start(path.join(binDir, "seqnum_client"), [...paths(), ...args]).done;
const tsClient = (...args: string[]) =>
  start(process.execPath, [cli, "client", ...paths(), ...args]).done;

async function libServer(options: Parameters<typeof SeqnumServer.start>[0] = {}) {
  const lines: string[] = [];
  const server = await SeqnumServer.start({
    serverPath,
    clientTemplate,
    log: (line) => lines.push(line),
    ...options,
  });
  servers.push(server);
  return { server, lines };
}

/** The numbers handed out are disjoint ranges that tile [start, start + Σ seqLen). */
function expectTiling(replies: { seqLen: number; seqNum: number }[], start = 0) {
  const sorted = [...replies].sort((a, b) => a.seqNum - b.seqNum);
  let next = start;
  for (const reply of sorted) {
    expect(reply.seqNum).toBe(next);
    next += reply.seqLen;
  }
}

async function clients(kinds: ("c" | "ts")[]) {
  const runs = await Promise.all(
    kinds.map((kind, i) => (kind === "c" ? cClient : tsClient)(String(i + 1))),
  );
  return runs.map((run, i) => {
    expect(run, `client ${i}`).toMatchObject({ code: 0, stderr: "" });
    return { seqLen: i + 1, seqNum: Number(run.stdout.trim()) };
  });
}

describe("the TypeScript server", () => {
  test("serves C and TypeScript client programs, several at once, with disjoint numbers", async () => {
    const { server, lines } = await libServer({ start: 100 });
    expect(stat(serverPath).lsMode).toMatch(/^p/);
    const replies = await clients(["c", "ts", "c", "ts", "c", "ts"]);
    expectTiling(replies, 100);
    expect(server.seqNum).toBe(100 + 21);
    expect(server.served).toBe(6);
    expect(lines.filter((l) => l.startsWith("pid="))).toHaveLength(6);
    // Each client removed its own FIFO.
    expect(readdirSync(dir)).toEqual(["seqnum_sv"]);
  });

  test("a client that vanishes before reading its reply costs a time-out; the server serves the next", async () => {
    const { server, lines } = await libServer({ replyTimeout: 200 });
    const gone = await cClient("-x", "5");
    expect(gone.code).toBe(0);
    const [reply] = await clients(["ts"]);
    expect(reply!.seqNum).toBe(0); // the vanished client's numbers were never handed out
    expect(server.gone).toBe(1);
    expect(lines.find((l) => l.includes("gone"))).toMatch(
      /^client pid=\d+ gone: open .*: ETIMEDOUT$/,
    );
    // The vanished client left its FIFO behind, as a crashed process does.
    expect(readdirSync(dir).filter((f) => f.startsWith("seqnum_cl."))).toHaveLength(1);
  });

  test("a stale FIFO left by a crashed server is reused; a live server's FIFO is refused (EBUSY)", async () => {
    mkfifo(serverPath, { mode: 0o620 }); // what a SIGKILLed server leaves behind
    const { server } = await libServer();
    expect(server.reusedStale).toBe(true);
    await expect(SeqnumServer.start({ serverPath, clientTemplate })).rejects.toMatchObject({
      code: "EBUSY",
      syscall: "open",
      path: serverPath,
      message: `open: EBUSY (Device or resource busy) '${serverPath}': another server is reading it`,
    });
    const [reply] = await clients(["c"]);
    expect(reply!.seqNum).toBe(0);
  });

  test("a path that exists and is not a FIFO stops the start-up with EEXIST", async () => {
    writeFileSync(serverPath, "not a fifo");
    await expect(SeqnumServer.start({ serverPath, clientTemplate })).rejects.toThrow(
      /mkfifo: EEXIST .*it exists and is a file, not a FIFO/,
    );
  });

  test("close() stops it and removes its FIFO", async () => {
    const { server } = await libServer();
    await server.close();
    expect(existsSync(serverPath)).toBe(false);
  });

  test("broken, then fixed: without the dummy writer the server reads EOF after each client", async () => {
    const broken = await libServer({ dummyWriter: false });
    // No client yet: it sees EOF at once and reopens (a client racing that reopen can lose its request).
    while (broken.server.eofs === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await clients(["c"]);
    await clients(["ts"]);
    expect(broken.server.served).toBe(2);
    expect(broken.server.eofs).toBeGreaterThanOrEqual(1);
    expect(broken.lines).toContain("EOF: no writer left, reopening");
    await broken.server.close();
    const fixed = await libServer();
    await clients(["c"]);
    await clients(["ts"]);
    expect(fixed.server.eofs).toBe(0);
  });

  test("bad options are refused before anything is made", async () => {
    await expect(
      SeqnumServer.start({ serverPath, clientTemplate: "/tmp/no-pid" }),
    ).rejects.toMatchObject({ code: "ERR_INVALID_ARG_VALUE" });
    expect(() => seqnumClientPath(42, "/tmp/%s.%ld")).toThrow(/one "%ld"/);
    expect(seqnumClientPath(42)).toBe("/tmp/seqnum_cl.42");
    expect(existsSync(serverPath)).toBe(false);
  });
});

describe("the C server", () => {
  test("serves TypeScript clients (this process and client programs) and C clients at once", async () => {
    const server = cServer("-n", "7");
    await server.output(/listening on/);
    const here = seqnumRequest(10, { serverPath, clientTemplate, timeout: 10_000 });
    const replies = await clients(["ts", "c", "ts", "c"]);
    replies.push({ seqLen: 10, seqNum: (await here)! });
    expectTiling(replies, 7);
    server.child.kill("SIGTERM");
    const run = await server.done;
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout.match(/^pid=/gm)).toHaveLength(5);
    expect(existsSync(serverPath)).toBe(false); // removed on SIGTERM
  });

  test("survives a client that vanishes before reading its reply", async () => {
    const server = cServer("-t", "1");
    await server.output(/listening on/);
    expect((await tsClient("-x", "3")).code).toBe(0);
    const [reply] = await clients(["c"]);
    expect(reply!.seqNum).toBe(0);
    await server.output(/^client pid=\d+ gone: open .*: timed out$/m);
    server.child.kill("SIGTERM");
    expect((await server.done).code).toBe(0);
  });

  test("reuses a stale FIFO and refuses to start beside a live server", async () => {
    mkfifo(serverPath, { mode: 0o620 });
    const server = cServer();
    await server.output(/reusing stale .*\nlistening on/);
    await server.reading(serverPath);
    const second = await cServer().done;
    expect(second).toMatchObject({ code: 1 });
    expect(second.stderr).toMatch(/another server is reading/);
    const [reply] = await clients(["ts"]);
    expect(reply!.seqNum).toBe(0);
    server.child.kill("SIGTERM");
    await server.done;
  });
});

describe("unrelated processes", () => {
  test("a server program and client programs started separately find each other by the name only", async () => {
    const server = tsServer("-n", "1000");
    await server.output(/listening on/);
    const replies = await clients(["c", "ts", "c"]);
    expectTiling(replies, 1000);
    server.child.kill("SIGTERM");
    const run = await server.done;
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(existsSync(serverPath)).toBe(false);
  });

  test("a TypeScript client with no server and a time-out fails with ETIMEDOUT and removes its FIFO", async () => {
    mkfifo(serverPath);
    await expect(
      seqnumRequest(1, { serverPath, clientTemplate, timeout: 50 }),
    ).rejects.toMatchObject({ code: "ETIMEDOUT", syscall: "open", path: serverPath });
    expect(existsSync(seqnumClientPath(process.pid, clientTemplate))).toBe(false);
  });
});

describe("the blocking forms (for programs that are not an event loop)", () => {
  test("serveSeqnumSync (seqnum-cli -b) serves C's client and seqnumRequestSync, a vanished client costing its time-out", async () => {
    const server = tsServer("-b", "-m", "4", "-t", "1");
    await server.output(/listening/);
    // This process blocks in each request while the server program answers.
    const c = await cClient("3");
    expect(c).toMatchObject({ code: 0, stderr: "" });
    const first = Number(c.stdout.trim());
    expect(seqnumRequestSync(2, { serverPath, clientTemplate })).toBe(first + 3);
    expect((await cClient("-x", "1")).code).toBe(0); // vanishes: the server times out on it
    const last = await tsClient("-b", "5");
    expect(last).toMatchObject({ code: 0, stderr: "" });
    expect(Number(last.stdout.trim())).toBe(first + 5);
    const run = await server.done;
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/client pid=\d+ gone: open .*: ETIMEDOUT/);
    expect(existsSync(serverPath)).toBe(false); // removed after its -m requests
    expect(readdirSync(dir).filter((name) => name.startsWith("seqnum_cl."))).toHaveLength(1); // the vanished client's
  });

  test("seqnumRequestSync against the C server removes its FIFO; serveSeqnumSync refuses a live server's FIFO (EBUSY)", async () => {
    const server = cServer();
    await server.output(/listening/);
    expect(seqnumRequestSync(4, { serverPath, clientTemplate })).toBe(0);
    expect(seqnumRequestSync(1, { serverPath, clientTemplate })).toBe(4);
    expect(existsSync(seqnumClientPath(process.pid, clientTemplate))).toBe(false);
    expect(() => serveSeqnumSync({ serverPath, clientTemplate })).toThrow(
      expect.objectContaining({ code: "EBUSY", syscall: "open", path: serverPath }),
    );
  });

  test("a request that fails, before or after its opens, leaves no descriptor open and removes its FIFO", async () => {
    const before = readdirSync("/proc/self/fd").length;
    writeFileSync(serverPath, "not a FIFO");
    expect(() => seqnumRequestSync(1, { serverPath, clientTemplate })).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "open", path: serverPath }),
    );
    rmSync(serverPath);
    // A server (Python's) that opens the client's FIFO and closes it without a reply.
    mkfifo(serverPath);
    const rude = start("python3", [
      "-c",
      "import os, struct, sys\n" +
        "r = os.open(sys.argv[1], os.O_RDONLY)\n" +
        "pid, _ = struct.unpack('=ii', os.read(r, 8))\n" +
        "os.close(os.open(sys.argv[2] % pid, os.O_WRONLY))",
      serverPath,
      clientTemplate.replace("%ld", "%d"),
    ]);
    expect(() => seqnumRequestSync(1, { serverPath, clientTemplate })).toThrow(
      /the server closed without a reply/,
    );
    expect(await rude.done).toMatchObject({ code: 0, stderr: "" });
    expect(existsSync(seqnumClientPath(process.pid, clientTemplate))).toBe(false);
    expect(readdirSync("/proc/self/fd").length).toBe(before);
  });

  test("bad arguments are refused before anything is made", () => {
    expect(() => seqnumRequestSync(-1, { serverPath, clientTemplate })).toThrow(RangeError);
    expect(() => seqnumRequestSync(1, { serverPath, clientTemplate: "/tmp/x" })).toThrow(
      /clientTemplate must hold one "%ld"/,
    );
    expect(() => serveSeqnumSync({ serverPath, maxRequests: -1 })).toThrow(RangeError);
    expect(() => serveSeqnumSync({ serverPath, replyTimeout: 1.5 })).toThrow(RangeError);
    expect(readdirSync(dir)).toEqual([]);
  });
});
