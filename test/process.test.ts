import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { constants } from "node:os";
import {
  Child,
  close,
  fork,
  kill,
  openFds,
  pipe,
  read,
  readAll,
  routines,
  spawnWithFds,
  waitpid,
  waitpidSync,
  writeSync,
} from "ipc-lab";
import { trackDescriptors } from "./fixtures/fds.ts";

const fixtures = path.join(import.meta.dirname, "fixtures");
const { track, closeTracked: closeOne } = trackDescriptors();
const children: Child[] = [];

function closeTracked(...fds: number[]): void {
  fds.forEach(closeOne);
}
function child<T extends Child>(made: T): T {
  children.push(made);
  return made;
}

// Kill and reap whatever a failed test left running: no zombies. (Registered
// after trackDescriptors' hook, so it runs first: children go before their pipes.)
afterEach(async () => {
  for (const made of children.splice(0)) await made[Symbol.asyncDispose]();
});

test("the lecture's example: the parent writes Greeting, the forked child reads and prints it", async () => {
  const [r, w] = track(pipe());
  const [outR, outW] = track(pipe());
  // The child closes the write end it does not use, as in the lecture.
  const reader = child(fork("reader", { fds: { 0: r, 1: outW }, close: [w, outR] }));
  closeTracked(r, outW);
  writeSync(w, "Greeting");
  closeTracked(w);
  expect((await readAll(outR, { timeout: 10_000 })).toString()).toBe("read Greeting\n");
  expect(await reader.wait({ timeout: 10_000 })).toEqual({
    pid: reader.pid,
    raw: 0,
    kind: "exited",
    code: 0,
  });
});

test("the child really inherits the pipe: its /proc/PID/fd shows the parent's pipe inode at fd 0", async () => {
  const [r, w] = track(pipe());
  const [outR, outW] = track(pipe());
  const echo = child(fork("echo", { fds: { 0: r, 1: outW }, closeOthers: true }));
  const inode = openFds().find((entry) => entry.fd === r)!.target;
  // Once the child echoes a byte it runs its routine: the dup2s are done.
  writeSync(w, "x");
  expect((await read(outR, 1, { timeout: 10_000 })).toString()).toBe("x");
  const childFds = openFds(echo.pid);
  expect(childFds.find((entry) => entry.fd === 0)?.target).toBe(inode);
  expect(childFds.map((entry) => entry.fd)).toEqual([0, 1, 2]);
  closeTracked(r, outW, w);
  expect((await readAll(outR, { timeout: 10_000 })).length).toBe(0);
  expect((await echo.wait({ timeout: 10_000 })).kind).toBe("exited");
});

test("a reader never sees end of file while its own inherited copy of the write end is open", async () => {
  const [r, w] = track(pipe());
  const [outR, outW] = track(pipe());
  const echo = child(fork("echo", { fds: { 0: r, 1: outW } })); // forgets to close w
  closeTracked(r, outW);
  writeSync(w, "hello");
  closeTracked(w); // the parent's copy is closed, the child's is not
  expect((await read(outR, 100, { timeout: 10_000 })).toString()).toBe("hello");
  await expect(read(outR, 100, { timeout: 200 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
  expect(waitpidSync(echo.pid, { noHang: true })).toBeNull(); // still blocked in read
});

test("full duplex with two pipes: the reply routine answers each message on the second pipe", async () => {
  const [downR, downW] = track(pipe());
  const [upR, upW] = track(pipe());
  const replier = child(fork("reply", { fds: { 0: downR, 1: upW }, closeOthers: true }));
  closeTracked(downR, upW);
  writeSync(downW, "ping");
  expect((await read(upR, 100, { timeout: 10_000 })).toString()).toBe("child got 4 bytes: ping");
  writeSync(downW, "second");
  expect((await read(upR, 100, { timeout: 10_000 })).toString()).toBe("child got 6 bytes: second");
  closeTracked(downW);
  expect(await replier.wait({ timeout: 10_000 })).toMatchObject({ kind: "exited", code: 0 });
});

test("uppercase relays through a child until end of file", async () => {
  const [downR, downW] = track(pipe());
  const [upR, upW] = track(pipe());
  const upper = child(fork("uppercase", { fds: { 0: downR, 1: upW }, closeOthers: true }));
  closeTracked(downR, upW);
  writeSync(downW, "quiet words");
  closeTracked(downW);
  expect((await readAll(upR, { timeout: 10_000 })).toString()).toBe("QUIET WORDS");
  expect((await upper.wait({ timeout: 10_000 })).code).toBe(0);
});

test("a C child writing into a pipe with no reader is killed by SIGPIPE", async () => {
  const [r, w] = track(pipe());
  closeTracked(r);
  const writer = child(fork("writer", { fds: { 1: w }, closeOthers: true }));
  closeTracked(w);
  expect(await writer.wait({ timeout: 10_000 })).toMatchObject({
    kind: "killed",
    signal: "SIGPIPE",
    signalNumber: 13,
  });
});

test("a writer blocks when the pipe is full and finishes once the parent reads", async () => {
  const [r, w] = track(pipe());
  const writer = child(fork("writer", { args: [200_000], fds: { 1: w }, closeOthers: true }));
  closeTracked(w);
  expect((await readAll(r, { timeout: 10_000 })).length).toBe(200_000);
  expect(await writer.wait({ timeout: 10_000 })).toMatchObject({ kind: "exited", code: 0 });
});

test("a child that crashes is reported as killed by SIGSEGV", async () => {
  const crasher = child(fork("crash"));
  const status = await crasher.wait({ timeout: 10_000 });
  expect(status).toMatchObject({ kind: "killed", signal: "SIGSEGV", signalNumber: 11 });
  expect(status.code).toBeUndefined();
});

test("exit codes come back decoded, and waiting twice returns the same status", async () => {
  const exiter = child(fork("exit", { args: [42] }));
  expect(await exiter.wait({ timeout: 10_000 })).toMatchObject({
    kind: "exited",
    code: 42,
    raw: 42 << 8,
  });
  expect((await exiter.wait()).code).toBe(42);
});

test("waitpidSync reports stopped (SIGSTOP) and continued (SIGCONT), then killed", () => {
  const [r, w] = track(pipe());
  const echo = child(fork("echo", { fds: { 0: r }, closeOthers: true }));
  kill(echo.pid, "SIGSTOP");
  expect(waitpidSync(echo.pid, { untraced: true })).toMatchObject({
    pid: echo.pid,
    kind: "stopped",
    signal: "SIGSTOP",
    signalNumber: 19,
  });
  kill(echo.pid, "SIGCONT");
  expect(waitpidSync(echo.pid, { continued: true })).toMatchObject({
    pid: echo.pid,
    kind: "continued",
  });
  expect(waitpidSync(echo.pid, { noHang: true })).toBeNull();
  kill(echo.pid, "SIGTERM");
  expect(waitpidSync(echo.pid)).toMatchObject({ kind: "killed", signal: "SIGTERM" });
  closeTracked(r, w);
  children.pop(); // reaped above
});

test("Child.kill and asyncDispose leave no zombie behind", async () => {
  const [r, w] = track(pipe());
  const echo = fork("echo", { fds: { 0: r }, closeOthers: true });
  echo.kill("SIGKILL");
  expect(await echo.wait({ timeout: 10_000 })).toMatchObject({ kind: "killed", signal: "SIGKILL" });
  echo.kill(); // already reaped: nothing to do, no ESRCH
  {
    await using other = fork("echo", { fds: { 0: r }, closeOthers: true });
    expect(other.pid).toBeGreaterThan(0);
  }
  const zombies = execFileSync("ps", ["-o", "stat=,pid=", "--ppid", String(process.pid)], {
    encoding: "utf8",
  });
  expect(zombies.split("\n").filter((line) => line.trim().startsWith("Z"))).toEqual([]);
  closeTracked(r, w);
});

test("an unknown routine name is an error listing the known ones, and nothing is forked", () => {
  const before = openFds().length;
  let error: unknown;
  try {
    fork("no-such-routine");
  } catch (caught) {
    error = caught;
  }
  expect(error).toMatchObject({ name: "TypeError", code: "ERR_INVALID_ARG_VALUE" });
  expect((error as Error).message).toMatch(
    /^fork: unknown child routine 'no-such-routine' \(known: add, exit, crash, echo, uppercase, reader, reply, writer(, [a-z-]+)*\)$/,
  );
  expect(openFds().length).toBe(before);
  expect(() => fork("")).toThrow(TypeError);
  expect(routines().map((routine) => routine.name)).toEqual(
    expect.arrayContaining(["reader", "reply", "writer", "echo"]),
  );
});

test("fork refuses a closed descriptor in fds with EBADF naming it", () => {
  const [r, w] = pipe();
  close(r);
  close(w);
  expect(() => fork("echo", { fds: { 0: r } })).toThrow(
    expect.objectContaining({ code: "EBADF", syscall: "fork", fd: r }),
  );
  expect(() => fork("echo", { fds: { 0: -1 } })).toThrow(RangeError);
  expect(() => fork("echo", { fds: { x: 3 } as never })).toThrow(
    /child descriptor "x" is not a number/,
  );
});

test("a child that fails before its routine runs is the parent's SystemError, and leaves no child", () => {
  const [, w] = track(pipe());
  // Beyond RLIMIT_NOFILE: the child's dup2 fails with EBADF, before the routine.
  const tooHigh = 2 ** 30;
  expect(() => fork("exit", { fds: { [tooHigh]: w } })).toThrow(
    expect.objectContaining({
      name: "SystemError",
      code: "EBADF",
      errno: -constants.errno.EBADF,
      syscall: "fork",
      fd: tooHigh,
      message: `fork: EBADF (Bad file descriptor) fd ${tooHigh}: the child could not dup2 onto it`,
    }),
  );
  // It was reaped: no child of ours is left to wait for.
  expect(() => waitpidSync(-1, { noHang: true })).toThrow(
    expect.objectContaining({ code: "ECHILD" }),
  );
});

test("waitpid of a pid that is not our child is ECHILD; bad pids are a RangeError", async () => {
  await expect(waitpid(1)).rejects.toMatchObject({
    code: "ECHILD",
    syscall: "waitpid",
    pid: 1,
  });
  await expect(waitpid(0)).rejects.toThrow(RangeError);
  expect(() => kill(123, "SIGNOPE")).toThrow(/unknown signal "SIGNOPE"/);
});

test("spawnWithFds: both ends in JavaScript, the child gets the pipes at fd 0 and fd 3 and nothing else", async () => {
  const [downR, downW] = track(pipe());
  const [upR, upW] = track(pipe());
  const js = child(
    spawnWithFds(process.execPath, [path.join(fixtures, "pipe-answer.mjs")], {
      fds: { 0: downR, 3: upW },
    }),
  );
  const target = (fd: number) => openFds().find((entry) => entry.fd === fd)!.target;
  const [downInode, upInode] = [target(downR), target(upR)];
  closeTracked(downR, upW);
  writeSync(downW, "are you there?");
  closeTracked(downW);
  expect((await readAll(upR, { timeout: 20_000 })).toString()).toBe(
    `answer from pid ${js.pid}: ARE YOU THERE?`,
  );
  expect(await js.wait({ timeout: 20_000 })).toMatchObject({ kind: "exited", code: 0 });
  // Its descriptors (printed on its captured stdout): fd 0 is the parent's
  // down pipe and fd 3 the up pipe; no other copy of either leaked in.
  const { stdout, stderr } = await js.output({ timeout: 20_000 });
  expect(stderr).toBe("");
  const fds = JSON.parse(stdout) as { fd: number; target: string }[];
  const holders = (target: string) =>
    fds.filter((entry) => entry.target === target).map((entry) => entry.fd);
  expect(holders(downInode)).toEqual([0]);
  expect(holders(upInode)).toEqual([3]);
});

test("spawnWithFds builds `ls | wc -l` from pipe, fork, dup2 and exec, as a shell does", async () => {
  const [r, w] = track(pipe());
  const ls = child(spawnWithFds("ls", ["-1", "/"], { fds: { 1: w } }));
  const wc = child(spawnWithFds("wc", ["-l"], { fds: { 0: r } }));
  closeTracked(r, w); // or wc would wait for end of file forever
  const expected = execFileSync("sh", ["-c", "ls -1 / | wc -l"], { encoding: "utf8" });
  expect((await wc.output({ timeout: 10_000 })).stdout).toBe(expected);
  expect((await ls.wait({ timeout: 10_000 })).code).toBe(0);
  expect((await wc.wait({ timeout: 10_000 })).code).toBe(0);
});

test("output() that times out names the call it waited for (read of the pipes), and the collection goes on", async () => {
  const sleeper = child(spawnWithFds("sh", ["-c", "sleep 0.3; echo done"]));
  await expect(sleeper.output({ timeout: 20 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "read",
  });
  expect((await sleeper.output({ timeout: 10_000 })).stdout).toBe("done\n");
  expect((await sleeper.wait({ timeout: 10_000 })).code).toBe(0);
});

test("spawnWithFds reports a missing program, a non-executable file and a bad cwd in the parent", () => {
  const before = openFds().length;
  expect(() => spawnWithFds("no-such-program-ipc-lab")).toThrow(
    expect.objectContaining({
      code: "ENOENT",
      syscall: "execve",
      path: "no-such-program-ipc-lab",
      message:
        "execve: ENOENT (No such file or directory) 'no-such-program-ipc-lab': not found in PATH",
    }),
  );
  const notExecutable = path.join(tmpdir(), `ipc-lab-${randomBytes(4).toString("hex")}.txt`);
  writeFileSync(notExecutable, "just text\n", { mode: 0o644 });
  try {
    expect(() => spawnWithFds(notExecutable)).toThrow(
      expect.objectContaining({
        code: "EACCES",
        syscall: "execve",
        message: `execve: EACCES (Permission denied) '${notExecutable}'`,
      }),
    );
  } finally {
    unlinkSync(notExecutable);
  }
  expect(() => spawnWithFds("ls", [], { cwd: "/no/such/dir" })).toThrow(
    expect.objectContaining({ code: "ENOENT", syscall: "chdir" }),
  );
  expect(() => spawnWithFds("ls", ["ok", 3 as never])).toThrow(TypeError);
  expect(openFds().length).toBe(before); // the capture pipes were closed again
});

test("a JavaScript child that throws is reported as exited with code 1 and its stderr captured", async () => {
  const js = child(spawnWithFds(process.execPath, ["-e", "throw new Error('boom')"]));
  expect(await js.wait({ timeout: 20_000 })).toMatchObject({ kind: "exited", code: 1 });
  expect((await js.output()).stderr).toContain("Error: boom");
});
