import { expect, test } from "vitest";
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
    errno: -9,
    syscall,
    path: `fd ${fd}`,
    message: `${syscall}: EBADF (Bad file descriptor) 'fd ${fd}'`,
  });
  expect(() => readSync(fd)).toThrow(expect.objectContaining(shape("read")));
  expect(() => writeSync(fd, "x")).toThrow(expect.objectContaining(shape("write")));
  expect(() => close(fd)).toThrow(expect.objectContaining(shape("close")));
  await expect(read(fd, 10, { timeout: 1000 })).rejects.toMatchObject(shape("read"));
  await expect(write(fd, "x", { timeout: 1000 })).rejects.toMatchObject(shape("write"));
  expect(() => fdFlags(fd)).toThrow(
    expect.objectContaining({ code: "EBADF", syscall: "fcntl(F_GETFL)" }),
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
      code: "ERR_INVALID_ARG_VALUE",
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
    expect.objectContaining({ code: "EBADF", syscall: "dup2", path: `fd ${r} -> 2147483647` }),
  );
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
  await expect(pending).rejects.toMatchObject({ code: "EBADF", syscall: "poll" });
});

test("readAll gathers every chunk until every writer is gone", async () => {
  const [r, w] = track(pipe());
  const all = readAll(r, { timeout: 10_000 });
  for (let i = 0; i < 3; i++) await write(w, `part ${i};`);
  closeTracked(w);
  expect((await all).toString()).toBe("part 0;part 1;part 2;");
});
