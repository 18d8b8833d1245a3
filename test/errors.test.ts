// Errors from system calls look like Node's SystemError: a stable `code`,
// the negated `errno`, the real `syscall`, and the object the call was about
// in a property of its own (`fd`, `pid`, `key`, `shmid`; `path` only for
// paths), with a message `syscall: CODE (reason) subject: detail`. Bad
// arguments are caught at the boundary, as Node does: a wrong type is a
// TypeError (ERR_INVALID_ARG_TYPE), a number out of range a RangeError
// (ERR_OUT_OF_RANGE), and lib/ and the addon agree.
import { expect, test } from "vitest";
import { constants } from "node:os";
import { SystemError, close, readSync, pipe } from "ipc-lab";
import { errors, native } from "./fixtures/internals.ts";

const { checkInteger, interrupted, systemError, timedOut } = errors;

test("an errno becomes a SystemError with Node's shape; a path is shown quoted", () => {
  const error = native.errnoError(constants.errno.ENOENT, "shm_open", { path: "/demo" });
  expect(error).toBeInstanceOf(SystemError);
  expect(error).toBeInstanceOf(Error);
  expect(error.message).toBe("shm_open: ENOENT (No such file or directory) '/demo'");
  expect(error).toMatchObject({
    name: "SystemError",
    code: "ENOENT",
    errno: -constants.errno.ENOENT,
    syscall: "shm_open",
    path: "/demo",
  });
});

test("descriptors, pids and keys are properties of their own, never a path", () => {
  const byFd = native.errnoError(constants.errno.EBADF, "read", { fd: 7 });
  expect(byFd.message).toBe("read: EBADF (Bad file descriptor) fd 7");
  expect(byFd).toMatchObject({ fd: 7 });
  expect(byFd).not.toHaveProperty("path");
  expect(native.errnoError(constants.errno.ESRCH, "kill", { pid: 42 })).toMatchObject({
    pid: 42,
    message: "kill: ESRCH (No such process) pid 42",
  });
  expect(native.errnoError(constants.errno.ENOENT, "shmget", { key: 0x41000029 })).toMatchObject({
    key: 0x41000029,
    message: "shmget: ENOENT (No such file or directory) key 0x41000029",
  });
});

test("an error without a subject has none; a detail follows the subject", () => {
  const error = native.errnoError(constants.errno.EAGAIN, "mq_receive");
  expect(error.message).toBe("mq_receive: EAGAIN (Resource temporarily unavailable)");
  expect(error).not.toHaveProperty("path");
  expect(native.errnoError(constants.errno.EBADF, "dup2", { fd: 3 }, "onto fd 9").message).toBe(
    "dup2: EBADF (Bad file descriptor) fd 3: onto fd 9",
  );
});

test("an errno the C library cannot name keeps its number", () => {
  expect(native.errnoError(4000, "read")).toMatchObject({ code: "E4000", errno: -4000 });
});

test("lib's errors are built by the same builder, with the kernel's errno values", () => {
  expect(systemError("ENOSPC", "fallocate", { path: "/x" }, "too big")).toMatchObject({
    code: "ENOSPC",
    errno: -constants.errno.ENOSPC,
    syscall: "fallocate",
    path: "/x",
    message: "fallocate: ENOSPC (No space left on device) '/x': too big",
  });
});

test("a time-out and an interrupt are siblings: the same shape, naming the waiting call", () => {
  const late = timedOut("read", 1000, { fd: 5 });
  const stopped = interrupted("read", { fd: 5 });
  for (const error of [late, stopped]) {
    expect(error).toBeInstanceOf(SystemError);
    expect(error).toMatchObject({ syscall: "read", fd: 5 });
    // Raised from the event loop: the stack is the message, no library frames.
    expect(error.stack).toBe(`SystemError: ${error.message}`);
  }
  expect(late).toMatchObject({
    code: "ETIMEDOUT",
    errno: -constants.errno.ETIMEDOUT,
    message: "read: ETIMEDOUT (timed out after 1000 ms) fd 5",
  });
  expect(stopped).toMatchObject({ code: "EINTR", errno: -constants.errno.EINTR });
  expect(stopped.message).toMatch(/^read: EINTR \(interrupted by SIGINT: the stop button\) fd 5$/);
});

test("a failing system call throws the SystemError thrown by the addon", () => {
  const [readEnd, writeEnd] = pipe();
  close(readEnd);
  close(writeEnd);
  expect(() => readSync(readEnd)).toThrow(SystemError);
  expect(() => readSync(readEnd)).toThrow(
    expect.objectContaining({
      code: "EBADF",
      errno: -constants.errno.EBADF,
      syscall: "read",
      fd: readEnd,
    }),
  );
});

test("bad arguments are caught before any system call, naming the argument, as Node does", () => {
  expect(() => checkInteger("size", -1, 1, 100)).toThrow(
    expect.objectContaining({
      name: "RangeError",
      code: "ERR_OUT_OF_RANGE",
      message: "size must be between 1 and 100, got -1",
    }),
  );
  expect(() => checkInteger("size", 1.5, 1, 100)).toThrow(
    expect.objectContaining({
      name: "RangeError",
      code: "ERR_OUT_OF_RANGE",
      message: "size must be an integer, got 1.5",
    }),
  );
  expect(() => checkInteger("size", "4096", 1, 8192)).toThrow(
    expect.objectContaining({
      name: "TypeError",
      code: "ERR_INVALID_ARG_TYPE",
      message: 'size must be a number, got "4096"',
    }),
  );
});

test("the addon agrees: a wrong type is a TypeError, 1.5 or -1 a RangeError, nothing crashes", () => {
  expect(() => native.read("3" as unknown as number, Buffer.alloc(1), 0, 1)).toThrow(
    expect.objectContaining({
      name: "TypeError",
      code: "ERR_INVALID_ARG_TYPE",
      message: "fd must be a number",
    }),
  );
  for (const fd of [1.5, -1]) {
    expect(() => native.close(fd)).toThrow(
      expect.objectContaining({ name: "RangeError", code: "ERR_OUT_OF_RANGE" }),
    );
  }
  expect(() => native.read(0, Buffer.alloc(4), 2, 8)).toThrow(
    expect.objectContaining({ name: "RangeError", code: "ERR_OUT_OF_RANGE" }),
  );
  // Arrays are checked element by element, never truncated or coerced.
  expect(() => native.fork("exit", ["0"], [1.5, 3], [], false)).toThrow(
    expect.objectContaining({ name: "RangeError", message: expect.stringContaining("fdMap[0]") }),
  );
  expect(() => native.fork("exit", [0 as unknown as string], [], [], false)).toThrow(
    expect.objectContaining({ name: "TypeError", message: "args[0] must be a string" }),
  );
  expect(() =>
    native.spawn("/bin/true", ["true"], [], [], [], true, 5 as unknown as string),
  ).toThrow(expect.objectContaining({ name: "TypeError", message: "cwd must be a string" }));
});
