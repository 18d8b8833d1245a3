// The system-call trace: strace's output decoded (a fixture recorded from
// real strace for chapters 01-02's calls), live traces of this process, and
// every way tracing can be impossible (the step still runs).
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    // wrapper becomes strace and tries to attach) and its withdrawal.
    const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-trace-test-"));
    const log = path.join(dir, "outer.txt");
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
