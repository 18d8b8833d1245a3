// The system-call trace: strace's output decoded (a fixture recorded from
// real strace for chapters 01-02's calls), live traces of this process, and
// every way tracing can be impossible (the step still runs).
import { execFile, spawn } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  close,
  fork,
  pipe,
  read,
  shmOpen,
  shmUnlink,
  trace,
  traceCalls,
  writeSync,
  type TraceRow,
} from "ipc-lab";
import {
  between,
  cells,
  parseStrace,
  relevant,
  roles,
  textTable,
  type Who,
} from "../lib/strace.ts";
import { ptracePolicy, readPtraceScope } from "../lib/trace.ts";

const fixtures = path.join(import.meta.dirname, "fixtures", "trace");
const traced = path.join(fixtures, "traced.mjs");
const recorded = parseStrace(readFileSync(path.join(fixtures, "chapters.strace"), "utf8"));
// The recording's process: the one that made the marker calls.
const recordedPid = recorded.find((row) => row.args.includes("/ipc-lab-trace/"))!.tid;
const who: Who = { pid: recordedPid, threads: new Map([[recordedPid, "node"]]) };
const step = (name: string) =>
  between(recorded, `/ipc-lab-trace/${name}/begin`, `/ipc-lab-trace/${name}/end`);
const names = (rows: TraceRow[]) => rows.map((row) => row.name);

const O_CREAT_RDWR = 0o100 | 0o2;
let shmName: string | undefined;
afterEach(() => {
  if (shmName && existsSync(`/dev/shm${shmName}`)) shmUnlink(shmName);
  shmName = undefined;
  vi.restoreAllMocks();
});

describe("decoding strace's output", () => {
  test("shm_open is openat of /dev/shm with O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC", () => {
    const rows = step("shm_open");
    const open = rows.find((row) => row.name === "openat")!;
    expect(open.args).toMatch(
      /^AT_FDCWD<[^>]*>, "\/dev\/shm\/demo-[0-9a-f]+", O_RDWR\|O_CREAT\|O_NOFOLLOW\|O_CLOEXEC, 0600$/,
    );
    expect(open.result).toMatch(/^\d+<\/dev\/shm\/demo-[0-9a-f]+>$/);
    expect(open.errno).toBeUndefined();
  });

  test("a failed call keeps its errno name and strace's words", () => {
    const failed = step("shm_open_exists").find((row) => row.errno)!;
    expect(failed).toMatchObject({
      name: "openat",
      result: "-1",
      errno: "EEXIST",
      errnoText: "File exists",
    });
    expect(failed.args).toContain("O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC");
  });

  test("the mapping of the shm object is kept, V8's anonymous memory calls are left out", () => {
    const rows = step("shm_open");
    const role = roles(rows, who);
    const kept = relevant(rows, role);
    const mmap = kept.find((row) => row.name === "mmap")!;
    expect(mmap.args).toMatch(/^NULL, 4096, PROT_READ\|PROT_WRITE, MAP_SHARED, \d+<\/dev\/shm\//);
    expect(kept.find((row) => row.name === "munmap")?.args).toBe(`${mmap.result}, 4096`);
    expect(kept.filter((row) => /MAP_ANONYMOUS/.test(row.args))).toEqual([]);
    expect(names(kept)).not.toContain("access");
    // The loop's eventfd wake-up (a task V8 posted) is in the raw rows, not in the table.
    const wakeUp = (row: { name: string; args: string }) =>
      row.name === "write" && row.args.includes("<anon_inode:[eventfd]>");
    expect(rows.some(wakeUp)).toBe(true);
    expect(kept.some(wakeUp)).toBe(false);
    expect(relevant(rows, role, { all: true }).some(wakeUp)).toBe(true);
  });

  test("pipe() is pipe2 and fork() is clone, whose result is the child's pid", () => {
    const rows = step("pipe_fork");
    expect(rows.find((row) => row.name === "pipe2")?.args).toMatch(
      /^\[(\d+)<pipe:\[(\d+)\]>, (\d+)<pipe:\[\2\]>\], 0$/,
    );
    const clone = rows.find((row) => row.name === "clone")!;
    expect(clone.args).toContain("SIGCHLD");
    const child = Number(clone.result);
    const role = roles(rows, who);
    expect(role.get(child)).toBe("child");
    expect(rows.some((row) => row.tid === child && row.name === "read")).toBe(true);
    // By default only this process's calls; the child's on request.
    expect(relevant(rows, role).some((row) => row.tid === child)).toBe(false);
    const withChildren = relevant(rows, role, { children: true });
    expect(withChildren.find((row) => row.tid === child && row.kind === "exit")?.args).toBe(
      "exited with 0",
    );
    expect(withChildren.find((row) => row.kind === "signal")).toMatchObject({
      tid: recordedPid,
      name: "SIGCHLD",
      args: `CLD_EXITED, from pid ${child}, status 0`,
    });
    // signals: false leaves the delivered signals out, and only them.
    const quiet = relevant(rows, role, { children: true, signals: false });
    expect(quiet.some((row) => row.kind === "signal")).toBe(false);
    expect(quiet).toEqual(withChildren.filter((row) => row.kind !== "signal"));
  });

  test("an unfinished call is joined with its resumed half, in the order it started", () => {
    const rows = parseStrace(
      "7 wait4(9,  <unfinished ...>\n" +
        "9 exit_group(0)                     = ?\n" +
        "7 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 9\n",
    );
    expect(rows).toEqual([
      {
        tid: 7,
        kind: "call",
        name: "wait4",
        args: "9, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL",
        result: "9",
      },
      { tid: 9, kind: "call", name: "exit_group", args: "0", result: "?" },
    ]);
  });

  test("an awaited read is read, EAGAIN, epoll_wait, read", () => {
    const rows = step("awaited_read");
    const first = rows.findIndex((row) => row.name === "preadv2" && row.errno === "EAGAIN");
    const wait = rows.findIndex((row, i) => i > first && row.name === "epoll_pwait");
    const again = rows.findIndex((row, i) => i > wait && row.name === "preadv2" && !row.errno);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(wait).toBeGreaterThan(first);
    expect(again).toBeGreaterThan(wait);
    expect(rows[again]!.args).toContain('"late"');
  });

  test("sigqueue's target and the siginfo's sender are written 'pid N' too (chapter 04)", () => {
    const rows = parseStrace(
      "7 rt_sigqueueinfo(9, SIGRT_5, {si_signo=SIGRT_5, si_code=SI_QUEUE, si_pid=7, si_uid=0, si_int=5, si_ptr=0x5}) = 0\n" +
        "7 rt_tgsigqueueinfo(7, 8, SIGRT_5, {si_signo=SIGRT_5, si_code=SI_QUEUE, si_pid=7, si_uid=0}) = 0\n",
    );
    const me: Who = { pid: 7, threads: new Map([[7, "node"]]) };
    const [queue, threadQueue] = cells(rows, roles(rows, me), me);
    expect(queue!.args).toBe(
      "pid 9, SIGRT_5, {si_signo=SIGRT_5, si_code=SI_QUEUE, si_pid=pid 7, si_uid=0, si_int=5, si_ptr=0x5}",
    );
    expect(threadQueue!.args).toMatch(/^pid 7, pid 8, SIGRT_5, \{.*si_pid=pid 7,/);
  });

  test("pids are written 'pid N' and the working directory is left out, so stored outputs mask them", () => {
    const rows = step("pipe_fork");
    const table = cells(relevant(rows, roles(rows, who)), roles(rows, who), who, {
      cwd: "/work/wt-trace",
    });
    const clone = table.find((cell) => cell.call === "clone")!;
    expect(clone.result).toMatch(/^pid \d+$/);
    expect(table.find((cell) => cell.call === "wait4")?.args).toMatch(/^pid \d+, /);
    expect(textTable(table)).not.toContain("/work/wt-trace");
  });
});

describe("tracing this process", () => {
  test("a synchronous step: shm_open's openat, shm_unlink's unlink, and fn's value returned", async () => {
    shmName = `/test-${process.pid.toString(16)}${Date.now().toString(16)}`;
    const result = await traceCalls(() => {
      const fd = shmOpen(shmName!, O_CREAT_RDWR, 0o600);
      close(fd);
      shmUnlink(shmName!);
      return "done";
    });
    expect(result.unavailable).toBeUndefined();
    expect(result.value).toBe("done");
    const open = result.calls.find((cell) => cell.call === "openat")!;
    expect(open.args).toBe(
      `AT_FDCWD, "/dev/shm${shmName}", O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC, 0600`,
    );
    expect(result.calls.map((cell) => cell.call)).toEqual(["openat", "close", "unlink"]);
    expect(result.calls[2]!.args).toBe(`"/dev/shm${shmName}"`);
  });

  test("a synchronous step ends the trace before this thread's queued work runs", async () => {
    // Work queued meanwhile (here a microtask's write; in a test runner, its
    // IPC) runs after fn returns: it is not fn's, and must not be in the table.
    shmName = `/test-${process.pid.toString(16)}${Date.now().toString(16)}q`;
    const devNull = openSync("/dev/null", "w");
    try {
      const result = await traceCalls(() => {
        queueMicrotask(() => writeSync(devNull, "queued, not fn's"));
        close(shmOpen(shmName!, O_CREAT_RDWR, 0o600));
        shmUnlink(shmName!);
      });
      expect(result.unavailable).toBeUndefined();
      expect(result.calls.map((cell) => cell.call)).toEqual(["openat", "close", "unlink"]);
    } finally {
      closeSync(devNull);
    }
  });

  test("an asynchronous step: the awaited read waits in epoll_wait", async () => {
    const [r, w] = pipe();
    try {
      const result = await traceCalls(async () => {
        const pending = read(r, 16);
        setTimeout(() => writeSync(w, "late"), 10);
        return (await pending).toString();
      });
      expect(result.value).toBe("late");
      const calls = result.calls.map((cell) => `${cell.call}${cell.failed ? " failed" : ""}`);
      const eagain = calls.indexOf("preadv2 failed");
      expect(eagain).toBeGreaterThanOrEqual(0);
      expect(calls.indexOf("epoll_pwait", eagain)).toBeGreaterThan(eagain);
      expect(calls.lastIndexOf("preadv2")).toBeGreaterThan(calls.indexOf("epoll_pwait", eagain));
    } finally {
      close(r);
      close(w);
    }
  });

  test("children: true also shows the forked child's calls", async () => {
    const result = await traceCalls(
      async () => {
        const child = fork("exit", { args: [3] });
        return (await child.wait()).code;
      },
      { children: true },
    );
    expect(result.value).toBe(3);
    const clone = result.calls.find((cell) => cell.call === "clone")!;
    const child = clone.result; // "pid N"
    expect(
      result.calls.find((cell) => cell.who === `child ${child}` && cell.call === "+++")?.args,
    ).toBe("exited with 3");
  });

  test("Node's wait4 of the tracer itself (libuv, on every SIGCHLD) is left out; the step's own is kept", async () => {
    const result = await traceCalls(
      async () => {
        const child = fork("exit", { args: [0] });
        const status = await child.wait();
        // Time for libuv to see the SIGCHLD and ask after its own child, strace.
        await new Promise((resolve) => setTimeout(resolve, 100));
        return status.code;
      },
      { calls: ["wait4"], signals: false },
    );
    expect(result.value).toBe(0);
    const ofTracer = (row: TraceRow) =>
      row.name === "wait4" && row.args.startsWith(`${result.tracerPid},`);
    expect(result.rows.filter(ofTracer).length).toBeGreaterThan(0);
    const waits = result.calls.filter((cell) => cell.call === "wait4");
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.filter((cell) => cell.args.startsWith(`pid ${result.tracerPid},`))).toEqual([]);
  });

  test("strace detaches afterwards and the ptracer grant is withdrawn", async () => {
    const result = await traceCalls(() => 1);
    expect(result.tracerPid).toBeGreaterThan(0);
    expect(readFileSync("/proc/self/status", "utf8")).toMatch(/TracerPid:\s*0\n/);
    expect(existsSync(`/proc/${result.tracerPid}`)).toBe(false);
    expect(result.attachMs).toBeGreaterThan(0);
  });

  test("trace() shows the table, returns the value, and rethrows what fn threw", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    expect(await trace(() => pipe().map(close).length)).toBe(2);
    expect(log.mock.calls[0]![0]).toMatch(
      /^main {2}pipe2\(\[\d+<pipe:\[\d+\]>, \d+<pipe:\[\d+\]>\], 0\) = 0$/m,
    );
    await expect(trace(() => shmOpen("/test-no-such-object-here", 0))).rejects.toMatchObject({
      code: "ENOENT",
      syscall: "shm_open",
    });
    expect(log.mock.calls[1]![0]).toMatch(/openat\(.*\) = -1 ENOENT \(No such file or directory\)/);
  });
});

describe("where tracing is impossible the step still runs", () => {
  test("no strace: one line saying why, and the value", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    expect(await trace(() => 42, { strace: "/nonexistent/strace" })).toBe(42);
    expect(log.mock.calls).toEqual([
      [
        "trace: not traced (/nonexistent/strace is not an executable strace); the step ran untraced.",
      ],
    ]);
  });

  test("a process that already has a tracer: strace is refused, and the grant went to that tracer only", async () => {
    // An outer strace follows the notebook-like process and everything it
    // starts: it sees the grant (prctl with the wrapper's pid, before the
    // wrapper becomes strace and tries to attach) and its withdrawal. The
    // process reads Yama's scope as 1 from a file of the test's.
    const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-trace-test-"));
    const log = path.join(dir, "outer.txt");
    const scope = path.join(dir, "ptrace_scope");
    writeFileSync(scope, "1\n");
    try {
      const { stdout } = await promisify(execFile)("strace", [
        "-f",
        "-qq",
        "-o",
        log,
        "-e",
        "trace=prctl,ptrace,execve",
        process.execPath,
        traced,
        "pipe",
        scope,
      ]);
      const report = JSON.parse(stdout.trim()) as {
        value: string;
        unavailable: string;
        pid: number;
      };
      expect(report.value).toBe("step value");
      expect(report.unavailable).toMatch(
        /Operation not permitted: this process is already traced by pid \d+/,
      );
      const lines = readFileSync(log, "utf8").split("\n");
      const grant = lines.findIndex((line) => /prctl\(PR_SET_PTRACER, [1-9]\d*/.test(line));
      expect(grant).toBeGreaterThanOrEqual(0);
      const wrapper = /PR_SET_PTRACER, (\d+)/.exec(lines[grant]!)![1];
      const exec = lines.findIndex((line) =>
        new RegExp(`^${wrapper} +execve\\("[^"]*strace"`).test(line),
      );
      const attach = lines.findIndex((line) =>
        new RegExp(`^${wrapper} +ptrace\\(PTRACE_(SEIZE|ATTACH), ${report.pid}\\b`).test(line),
      );
      const withdraw = lines.findIndex((line) => /prctl\(PR_SET_PTRACER, 0/.test(line));
      expect(exec).toBeGreaterThan(grant);
      expect(attach).toBeGreaterThan(exec);
      expect(lines[attach]).toMatch(/EPERM/);
      expect(withdraw).toBeGreaterThan(attach);
      expect(
        lines.some((line) => /PR_SET_PTRACER, (-1|0xffffffff|PR_SET_PTRACER_ANY)/.test(line)),
      ).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Yama's policy, decided from a scope read from an injectable file: this
// machine may have no Yama at all (no /proc/sys/kernel/yama/ptrace_scope),
// so each scope's path is taken deliberately, not by accident.
describe("Yama's ptrace_scope, every value", () => {
  test("the decision for each scope: 0 and no Yama trace, 1 traces with the grant, 2 only with CAP_SYS_PTRACE, 3 never", () => {
    for (const cap of [false, true]) {
      expect(ptracePolicy(undefined, cap)).toEqual({ trace: true, grant: false });
      expect(ptracePolicy(0, cap)).toEqual({ trace: true, grant: false });
      expect(ptracePolicy(1, cap)).toEqual({ trace: true, grant: true });
      expect(ptracePolicy(3, cap)).toEqual({
        trace: false,
        reason: "kernel.yama.ptrace_scope is 3: no process may trace another, until reboot",
      });
      for (const odd of [4, 42, "one", ""])
        expect(ptracePolicy(odd, cap)).toEqual({
          trace: false,
          reason: `kernel.yama.ptrace_scope is "${odd}": not a Yama policy this helper knows (0-3)`,
        });
    }
    expect(ptracePolicy(2, false)).toEqual({
      trace: false,
      reason: "kernel.yama.ptrace_scope is 2: only root (CAP_SYS_PTRACE) may trace a process",
    });
    expect(ptracePolicy(2, true)).toEqual({ trace: true, grant: false });
  });

  test("the scope as the file says: a number, absent (no Yama), or text that is not one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-trace-scope-"));
    try {
      const file = path.join(dir, "ptrace_scope");
      expect(readPtraceScope(file)).toBeUndefined();
      for (const [text, scope] of [
        ["0\n", 0],
        ["1\n", 1],
        ["2", 2],
        ["3\n", 3],
        ["x\n", "x"],
        ["-1\n", "-1"],
      ] as const) {
        writeFileSync(file, text);
        expect(readPtraceScope(file)).toBe(scope);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("each scope, live: 0 and 1 trace (1 with the grant), 2 traces root only, 3 says why and the step runs", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-trace-scope-"));
    const file = path.join(dir, "ptrace_scope");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      for (const scope of ["0", "1", "2"]) {
        writeFileSync(file, `${scope}\n`);
        const result = await traceCalls(() => pipe().map(close).length, {
          ptraceScopeFile: file,
        });
        expect(result.unavailable, `scope ${scope}`).toBeUndefined();
        expect(result.value).toBe(2);
        expect(result.granted, `scope ${scope}`).toBe(scope === "1");
        expect(result.calls.map((cell) => cell.call)).toEqual(["pipe2", "close", "close"]);
      }
      writeFileSync(file, "3\n");
      expect(await trace(() => "ran", { ptraceScopeFile: file })).toBe("ran");
      expect(log.mock.calls).toEqual([
        [
          "trace: not traced (kernel.yama.ptrace_scope is 3: no process may trace another, until reboot); the step ran untraced.",
        ],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("scope 1: the process calls prctl(PR_SET_PTRACER, the strace pid) before that strace attaches, and it attaches", async () => {
    // A second tracer (grant-watch.py) follows the main thread of a
    // notebook-like process with ptrace until its prctl(PR_SET_PTRACER, N)
    // returns, then detaches. While it is attached no other tracer can be, so
    // the grant came before strace's attach; the step then reports strace's
    // pid as its tracer: N, exactly.
    const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-trace-grant-"));
    const scope = path.join(dir, "ptrace_scope");
    writeFileSync(scope, "1\n");
    const child = spawn(process.execPath, [traced, "watched", scope], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let watcher: ReturnType<typeof spawn> | undefined;
    try {
      const lines = (stream: NodeJS.ReadableStream) => {
        const seen: string[] = [];
        let rest = "";
        stream.on("data", (chunk: Buffer) => {
          const parts = (rest + chunk.toString()).split("\n");
          rest = parts.pop()!;
          seen.push(...parts);
        });
        return seen;
      };
      const ended = (p: ReturnType<typeof spawn>) =>
        p.exitCode !== null || p.signalCode !== null
          ? Promise.resolve()
          : new Promise<void>((resolve) => p.once("close", () => resolve()));
      const out = lines(child.stdout!);
      await vi.waitFor(() => expect(out[0]).toMatch(/^waiting \d+$/), { timeout: 20_000 });
      const pid = Number(out[0]!.split(" ")[1]);
      watcher = spawn("python3", [path.join(fixtures, "grant-watch.py"), String(pid)], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let watchErr = "";
      watcher.stderr!.on("data", (chunk: Buffer) => (watchErr += chunk.toString()));
      const watched = lines(watcher.stdout!);
      await vi.waitFor(() => expect(watched[0], watchErr).toBe("attached"), { timeout: 20_000 });
      child.stdin!.end("go\n");
      await Promise.all([ended(child), ended(watcher)]);
      expect(watcher.exitCode, watchErr).toBe(0);
      const grant = JSON.parse(watched[1]!) as {
        granted: number;
        tracerAtGrant: number;
        watcher: number;
        grantedIs: string;
        result: number;
      };
      const report = JSON.parse(out.at(-1)!) as {
        unavailable?: string;
        tracerPid: number;
        granted: boolean;
        tracerDuring: number;
        tracerAfter: number;
        calls: string[];
      };
      // The grant named the pid of the process that traced the step, and no other.
      expect(report.unavailable).toBeUndefined();
      expect(report.granted).toBe(true);
      expect(grant.granted).toBe(report.tracerPid);
      expect(report.tracerDuring).toBe(report.tracerPid);
      expect(report.calls).toEqual(["pipe2", "close", "close"]);
      // At the grant, the wrapper had not become strace yet, and the only
      // tracer of the main thread was the watcher: strace attached after it.
      expect(grant.grantedIs).toBe("sh");
      expect(grant.tracerAtGrant).toBe(grant.watcher);
      // The kernel's answer: 0 under Yama; EINVAL where there is no Yama (the
      // helper goes on, nothing to grant).
      expect(grant.result).toBe(yama ? 0 : -22);
      expect(report.tracerAfter).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      if (watcher && watcher.exitCode === null && watcher.signalCode === null)
        watcher.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("scope 0: no prctl(PR_SET_PTRACER) at all (a second tracer sees none), and the step is traced", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-trace-grant-"));
    const scope = path.join(dir, "ptrace_scope");
    const log = path.join(dir, "outer.txt");
    writeFileSync(scope, "0\n");
    try {
      // Followed by an outer strace, the inner one cannot attach (one tracer
      // per thread): the report says so, and the outer trace has no grant.
      const { stdout } = await promisify(execFile)("strace", [
        "-f",
        "-qq",
        "-o",
        log,
        "-e",
        "trace=prctl",
        process.execPath,
        traced,
        "pipe",
        scope,
      ]);
      const report = JSON.parse(stdout.trim()) as { value: string; granted?: boolean };
      expect(report.value).toBe("step value");
      expect(readFileSync(log, "utf8")).not.toMatch(/PR_SET_PTRACER/);
      // Untraced from outside, scope 0 traces with no grant.
      const { stdout: plain } = await promisify(execFile)(process.execPath, [
        traced,
        "pipe",
        scope,
      ]);
      expect(JSON.parse(plain.trim())).toMatchObject({
        granted: false,
        calls: ["pipe2", "close", "close"],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const root = process.getuid?.() === 0;
const yama = existsSync("/proc/sys/kernel/yama/ptrace_scope");
const NOBODY = 65534;

function runAs(
  uid: number,
  args: string[],
  onLine?: (line: string, stdin: NodeJS.WritableStream) => void,
) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const child = spawn(process.execPath, [traced, ...args], { uid, gid: uid, cwd: tmpdir() });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      for (const line of out.split("\n").slice(0, -1))
        if (!line.startsWith("{")) onLine?.(line, child.stdin);
    });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{"))
        return reject(new Error(`traced.mjs: ${code} ${err}`));
      resolve(JSON.parse(last) as Record<string, unknown>);
    });
  });
}

describe.skipIf(!root)("without root", () => {
  test("a process of an ordinary user traces its own step", async () => {
    const report = await runAs(NOBODY, ["pipe"]);
    expect(report).toMatchObject({ uid: NOBODY, value: "step value", tracerAfter: 0 });
    expect(report.unavailable).toBeUndefined();
    expect(report.calls).toEqual(["pipe2", "close", "close"]);
  });

  test("scope 2 (from a file), an ordinary user without CAP_SYS_PTRACE: one line why, and the step runs", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-trace-scope-"));
    try {
      chmodSync(dir, 0o755);
      const scope = path.join(dir, "ptrace_scope");
      writeFileSync(scope, "2\n");
      chmodSync(scope, 0o644);
      const report = await runAs(NOBODY, ["pipe", scope]);
      expect(report).toMatchObject({
        uid: NOBODY,
        value: "step value",
        unavailable:
          "kernel.yama.ptrace_scope is 2: only root (CAP_SYS_PTRACE) may trace a process",
        calls: [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Yama is not in every kernel (CONFIG_SECURITY_YAMA): where it is, the test
// sets the policy, as a desktop distribution does, and puts it back.
describe.skipIf(!root || !yama)("Yama's ptrace_scope", () => {
  const scopeFile = "/proc/sys/kernel/yama/ptrace_scope";
  async function withScope<T>(scope: number, fn: () => Promise<T>): Promise<T> {
    const before = readFileSync(scopeFile, "utf8").trim();
    writeFileSync(scopeFile, String(scope));
    try {
      return await fn();
    } finally {
      writeFileSync(scopeFile, before);
    }
  }

  test("scope 1: the granted strace traces an ordinary user's process; once withdrawn, another may not", async () => {
    await withScope(1, async () => {
      let refused = "";
      const report = await runAs(NOBODY, ["hold"], (line, stdin) => {
        const pid = /^holding (\d+)$/.exec(line)?.[1];
        if (!pid) return;
        // Another process of the same user, not an ancestor, after the grant
        // was withdrawn: Yama refuses it (without Yama it would attach).
        const other = spawn("strace", ["-p", pid, "-e", "trace=none"], {
          uid: NOBODY,
          gid: NOBODY,
        });
        other.stderr.on("data", (chunk: Buffer) => (refused += chunk.toString()));
        other.on("exit", () => stdin.write("go\n"));
      });
      expect(refused).toMatch(/Operation not permitted/);
      expect(report).toMatchObject({ value: "step value", tracerAfter: 0 });
      expect(report.unavailable).toBeUndefined();
      expect(report.calls).toEqual(["pipe2", "close", "close"]);
    });
  });

  test("scope 2: an ordinary user is told why, and the step runs", async () => {
    await withScope(2, async () => {
      const report = await runAs(NOBODY, ["pipe"]);
      expect(report.value).toBe("step value");
      expect(report.unavailable).toMatch(/ptrace_scope is 2/);
    });
  });
});

describe("stored outputs", () => {
  test("the harness masks the descriptor numbers of a trace table and of the panel", async () => {
    const { mask } = await import("../shared/notebook/mask.ts");
    expect(mask("<td>40&lt;/dev/shm/demo-0a1b2c&gt;</td><td>[41&lt;pipe:[123456]&gt;")).toBe(
      "<td><FD>&lt;/dev/shm/demo-<ID>&gt;</td><td>[<FD>&lt;pipe:[<INODE>]&gt;",
    );
    expect(mask('<text x="36" y="88">fd <tspan class="fd">40</tspan> shm rw</text>')).toBe(
      '<text x="36" y="88">fd <tspan class="fd"><FD></tspan> shm rw</text>',
    );
    // A number in an ordinary table cell is left alone.
    expect(mask("<td>42</td>")).toBe("<td>42</td>");
  });
});
