// Errors from system calls look like Node's SystemError: a stable `code`,
// the negated `errno`, the `syscall`, the `path` when there is one, and a
// message `syscall: CODE (description) 'path'`. Bad arguments are caught at
// the boundary with a TypeError or RangeError that names the argument.
import { expect, test } from "vitest";
import { SystemError, close, readSync, pipe } from "ipc-lab";
import { native } from "ipc-lab/dist/native.js";
import { checkInteger } from "ipc-lab/dist/errors.js";

test("an errno becomes a SystemError with Node's shape", () => {
  const error = native.errnoError(2, "shm_open", "/demo");
  expect(error).toBeInstanceOf(SystemError);
  expect(error).toBeInstanceOf(Error);
  expect(error.message).toBe("shm_open: ENOENT (No such file or directory) '/demo'");
  expect(error).toMatchObject({
    name: "SystemError",
    code: "ENOENT",
    errno: -2,
    syscall: "shm_open",
    path: "/demo",
  });
});

test("an error without a path has no path", () => {
  const error = native.errnoError(11, "mq_receive");
  expect(error.message).toBe("mq_receive: EAGAIN (Resource temporarily unavailable)");
  expect(error).not.toHaveProperty("path");
});

test("an errno the C library cannot name keeps its number", () => {
  expect(native.errnoError(4000, "read")).toMatchObject({ code: "E4000", errno: -4000 });
});

test("a failing system call throws the SystemError thrown by the addon", () => {
  const [readEnd, writeEnd] = pipe();
  close(readEnd);
  close(writeEnd);
  expect(() => readSync(readEnd)).toThrow(SystemError);
  expect(() => readSync(readEnd)).toThrow(
    expect.objectContaining({ code: "EBADF", errno: -9, syscall: "read" }),
  );
});

test("bad arguments are caught before any system call, naming the argument", () => {
  expect(() => checkInteger("size", -1, 1, 100)).toThrow(
    expect.objectContaining({
      name: "RangeError",
      code: "ERR_OUT_OF_RANGE",
      message: "size must be between 1 and 100, got -1",
    }),
  );
  expect(() => checkInteger("size", 1.5, 1, 100)).toThrow(
    expect.objectContaining({
      name: "TypeError",
      code: "ERR_INVALID_ARG_VALUE",
      message: "size must be an integer, got 1.5",
    }),
  );
  expect(() => checkInteger("size", "4096", 1, 8192)).toThrow(
    'size must be an integer, got "4096"',
  );
});

test("the addon itself rejects wrong argument types instead of crashing", () => {
  expect(() => native.read("3" as unknown as number, Buffer.alloc(1), 0, 1)).toThrow(
    expect.objectContaining({
      name: "TypeError",
      code: "ERR_INVALID_ARG_TYPE",
      message: "fd must be an integer",
    }),
  );
  expect(() => native.read(0, Buffer.alloc(4), 2, 8)).toThrow(
    expect.objectContaining({ name: "RangeError", code: "ERR_OUT_OF_RANGE" }),
  );
});
