import { expect, test } from "vitest";
import { closeSync, openSync } from "node:fs";
import { constants } from "node:os";
import {
  close,
  dup,
  dup2,
  fdFlags,
  openFds,
  pipe,
  read,
  readAll,
  readIntoSync,
  readSync,
  setCloexec,
  write,
  writeSync,
} from "ipc-lab";
import { trackDescriptors } from "./fixtures/fds.ts";

const { track, closeTracked } = trackDescriptors();

/** A descriptor number that is certainly closed: a pipe end we just closed. */
function closedFd(): number {
  const [r, w] = pipe();
  close(w);
  close(r);
  return r;
}

test("read, write and close of a closed descriptor are EBADF naming the call and the fd", async () => {
  const fd = closedFd();
  const shape = (syscall: string) => ({
    code: "EBADF",
    errno: -constants.errno.EBADF,
    syscall,
    fd,
    message: `${syscall}: EBADF (Bad file descriptor) fd ${fd}`,
  });
  expect(() => readSync(fd)).toThrow(expect.objectContaining(shape("read")));
  expect(() => writeSync(fd, "x")).toThrow(expect.objectContaining(shape("write")));
  expect(() => close(fd)).toThrow(expect.objectContaining(shape("close")));
  await expect(read(fd, 10, { timeout: 1000 })).rejects.toMatchObject(shape("read"));
  await expect(write(fd, "x", { timeout: 1000 })).rejects.toMatchObject(shape("write"));
  expect(() => fdFlags(fd)).toThrow(
    expect.objectContaining({ code: "EBADF", syscall: "fcntl", fd }),
  );
});

test("negative, fractional and huge descriptors are refused before any system call", () => {
  expect(() => readSync(-1)).toThrow(
    expect.objectContaining({
      code: "ERR_OUT_OF_RANGE",
      message: "fd must be between 0 and 2147483647, got -1",
    }),
  );
  expect(() => close(1.5)).toThrow(
    expect.objectContaining({
      name: "RangeError",
      code: "ERR_OUT_OF_RANGE",
      message: "fd must be an integer, got 1.5",
    }),
  );
  expect(() => writeSync("3" as never, "x")).toThrow(TypeError);
  expect(() => dup2(2 ** 31, 5)).toThrow(RangeError);
});

test("negative and zero read lengths are a RangeError naming length", async () => {
  const [r] = track(pipe());
  expect(() => readSync(r, -5)).toThrow(
    expect.objectContaining({
      code: "ERR_OUT_OF_RANGE",
      message: "length must be between 1 and 1073741824, got -5",
    }),
  );
  expect(() => read(r, 0)).toThrow(RangeError);
});

test("write refuses data that is neither a string nor bytes", () => {
  const [, w] = track(pipe());
  expect(() => writeSync(w, 42 as never)).toThrow(
    expect.objectContaining({ message: "data must be a string or a Uint8Array" }),
  );
});

test("readIntoSync fills a caller's buffer and reports the count; 0 at end of file", () => {
  const [r, w] = track(pipe());
  const buffer = Buffer.alloc(16);
  writeSync(w, "abc");
  expect(readIntoSync(r, buffer, 2)).toBe(3);
  expect(buffer.subarray(0, 5).toString()).toBe("\0\0abc");
  closeTracked(w);
  expect(readIntoSync(r, buffer)).toBe(0);
  expect(() => readIntoSync(r, buffer, 10, 10)).toThrow(/outside the buffer of 16 bytes/);
});

test("dup2 makes newfd another name for the same pipe; dup's copy is close-on-exec", () => {
  const [r, w] = track(pipe());
  const [, other] = track(pipe());
  expect(dup2(w, other)).toBe(other); // `other` now writes into the first pipe
  writeSync(other, "via dup2");
  expect(readSync(r).toString()).toBe("via dup2");
  const [copy] = track([dup(r)] as [number]);
  expect(fdFlags(copy).cloexec).toBe(true);
  setCloexec(copy, false);
  expect(fdFlags(copy).cloexec).toBe(false);
});

test("dup2 onto an impossible descriptor number is EBADF naming both", () => {
  const [r] = track(pipe());
  expect(() => dup2(r, 2 ** 31 - 1)).toThrow(
    expect.objectContaining({
      code: "EBADF",
      syscall: "dup2",
      fd: r,
      message: `dup2: EBADF (Bad file descriptor) fd ${r}: onto fd 2147483647`,
    }),
  );
});

test("dup2 onto a descriptor with a pending read rejects that read first: it would wait on the wrong file", async () => {
  const [r] = track(pipe());
  const [r2, w2] = track(pipe());
  const pending = read(r, 10);
  dup2(r2, r); // r now reads the second pipe
  await expect(pending).rejects.toMatchObject({
    code: "EBADF",
    fd: r,
    message: expect.stringContaining("replaced by dup2 while waiting"),
  });
  writeSync(w2, "second");
  expect((await read(r, 10, { timeout: 5000 })).toString()).toBe("second");
});

test("Node's own descriptors (libuv's epoll, its sockets) cannot be closed or replaced: EPERM, and Node lives", () => {
  const own = openFds().find((entry) => entry.target === "anon_inode:[eventpoll]");
  expect(own).toBeDefined();
  const refused = expect.objectContaining({
    code: "EPERM",
    fd: own!.fd,
    message: expect.stringContaining("belongs to Node or Jupyter"),
  });
  expect(() => close(own!.fd)).toThrow(refused);
  const [, w] = track(pipe());
  expect(() => dup2(w, own!.fd)).toThrow(refused);
  expect(openFds().find((entry) => entry.fd === own!.fd)?.target).toBe("anon_inode:[eventpoll]");
});

test("read of a file type with neither RWF_NOWAIT nor MSG_DONTWAIT polls first: /dev/null is end of file", async () => {
  const fd = openSync("/dev/null", "r");
  try {
    expect((await read(fd, 10, { timeout: 5000 })).length).toBe(0);
  } finally {
    closeSync(fd);
  }
});

test("openFds lists this process's pipe ends as pipe:[inode], the same inode for both ends", () => {
  const [r, w] = track(pipe());
  const fds = openFds();
  const target = (fd: number) => fds.find((entry) => entry.fd === fd)?.target;
  expect(target(r)).toMatch(/^pipe:\[\d+\]$/);
  expect(target(w)).toBe(target(r));
  expect(() => openFds(-3)).toThrow(RangeError);
});

test("closing a descriptor while a read awaits it rejects the read with EBADF", async () => {
  const [r] = track(pipe());
  const pending = read(r, 10);
  closeTracked(r);
  await expect(pending).rejects.toMatchObject({
    code: "EBADF",
    syscall: "epoll_wait",
    fd: r,
    message: `epoll_wait: EBADF (Bad file descriptor) fd ${r}: closed while waiting`,
  });
});

test("readAll gathers every chunk until every writer is gone", async () => {
  const [r, w] = track(pipe());
  const all = readAll(r, { timeout: 10_000 });
  for (let i = 0; i < 3; i++) await write(w, `part ${i};`);
  closeTracked(w);
  expect((await all).toString()).toBe("part 0;part 1;part 2;");
});
