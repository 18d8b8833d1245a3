import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import {
  fdFlags,
  PAGE_SIZE,
  pipe,
  pipeSize,
  read,
  readSync,
  setNonblocking,
  setPipeSize,
  write,
  writeSync,
} from "ipc-lab";
import { trackDescriptors } from "./fixtures/fds.ts";

const { track, closeTracked } = trackDescriptors();

test("pipe returns a read end and a write end that carry bytes in order", () => {
  const [r, w] = track(pipe());
  expect(fdFlags(r)).toMatchObject({ mode: "r", nonblock: false, cloexec: false });
  expect(fdFlags(w)).toMatchObject({ mode: "w", nonblock: false, cloexec: false });
  writeSync(w, "Greet");
  writeSync(w, Buffer.from("ing"));
  expect(readSync(r, 100).toString()).toBe("Greeting");
});

test("pipe2 flags set O_CLOEXEC and O_NONBLOCK on both ends", () => {
  const [r, w] = track(pipe({ cloexec: true, nonblock: true }));
  expect(fdFlags(r)).toMatchObject({ nonblock: true, cloexec: true });
  expect(fdFlags(w)).toMatchObject({ nonblock: true, cloexec: true });
});

test("read returns an empty buffer at end of file once every write end is closed", async () => {
  const [r, w] = track(pipe());
  writeSync(w, "last words");
  closeTracked(w);
  expect((await read(r, 100, { timeout: 5000 })).toString()).toBe("last words");
  expect((await read(r, 100, { timeout: 5000 })).length).toBe(0);
});

test("a pipe's capacity is F_GETPIPE_SZ: a non-blocking writer fills exactly that many bytes, then EAGAIN", () => {
  const [r, w] = track(pipe({ nonblock: true }));
  const capacity = pipeSize(w);
  expect(capacity).toBe(16 * PAGE_SIZE); // Linux gives a new pipe 16 pages
  const byte = Buffer.from("x");
  let written = 0;
  let error: unknown;
  for (;;) {
    try {
      writeSync(w, byte);
      written++;
    } catch (caught) {
      error = caught;
      break;
    }
  }
  expect(written).toBe(capacity);
  expect(error).toMatchObject({ code: "EAGAIN", syscall: "write", fd: w });
  expect(readSync(r, capacity).length).toBe(capacity);
  expect(() => readSync(r, 1)).toThrow(
    expect.objectContaining({ code: "EAGAIN", syscall: "read" }),
  );
});

test("setNonblocking switches a blocking read end to EAGAIN and back", () => {
  const [r] = track(pipe());
  setNonblocking(r, true);
  expect(fdFlags(r).nonblock).toBe(true);
  expect(() => readSync(r)).toThrow(/^read: EAGAIN \(Resource temporarily unavailable\) fd \d+$/);
  setNonblocking(r, false);
  expect(fdFlags(r).nonblock).toBe(false);
});

test("F_SETPIPE_SZ rounds the capacity up to a power-of-two number of pages", () => {
  const [r, w] = track(pipe());
  // 100 000 bytes is 24.4 pages: rounded up to 32, the next power of two.
  const pages = 2 ** Math.ceil(Math.log2(Math.ceil(100_000 / PAGE_SIZE)));
  expect(setPipeSize(w, 100_000)).toBe(pages * PAGE_SIZE);
  expect(pipeSize(r)).toBe(pages * PAGE_SIZE);
  expect(setPipeSize(w, 1)).toBe(PAGE_SIZE);
});

test("setPipeSize rejects negative and zero sizes before any system call", () => {
  const [, w] = track(pipe());
  expect(() => setPipeSize(w, -1)).toThrow(
    expect.objectContaining({
      code: "ERR_OUT_OF_RANGE",
      message: "size must be between 1 and 2147483647, got -1",
    }),
  );
  expect(() => setPipeSize(w, 0)).toThrow(RangeError);
  expect(() => setPipeSize(w, 1.5)).toThrow(RangeError);
  expect(() => setPipeSize(w, "4096" as never)).toThrow(TypeError);
});

const pipeMaxSize = Number(readFileSync("/proc/sys/fs/pipe-max-size", "utf8"));
// CAP_SYS_RESOURCE lifts pipe-max-size (root in a container may lack it).
const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))![1]!;
const privileged = (BigInt(`0x${capEff}`) & (1n << 24n)) !== 0n;

test.skipIf(privileged)(
  "setPipeSize above pipe-max-size is EPERM for an unprivileged process, named",
  () => {
    const [, w] = track(pipe());
    expect(() => setPipeSize(w, pipeMaxSize * 2)).toThrow(
      expect.objectContaining({ code: "EPERM", syscall: "fcntl", fd: w }),
    );
  },
);

test.runIf(privileged)(
  "as root, setPipeSize may go above pipe-max-size (the limit is for the unprivileged)",
  () => {
    const [, w] = track(pipe());
    expect(setPipeSize(w, pipeMaxSize * 2)).toBeGreaterThanOrEqual(pipeMaxSize * 2);
  },
);

test("shrinking a pipe below the bytes it holds is EBUSY, for root too", () => {
  const [, w] = track(pipe());
  writeSync(w, Buffer.alloc(PAGE_SIZE * 2));
  expect(() => setPipeSize(w, PAGE_SIZE)).toThrow(
    expect.objectContaining({
      code: "EBUSY",
      syscall: "fcntl",
      fd: w,
      message: expect.stringContaining("F_SETPIPE_SZ"),
    }),
  );
});

test("writing with no reader left is EPIPE in Node (which ignores SIGPIPE), sync and awaited", async () => {
  const [r, w] = track(pipe());
  closeTracked(r);
  expect(() => writeSync(w, "anyone?")).toThrow(
    expect.objectContaining({
      code: "EPIPE",
      errno: -32,
      syscall: "write",
      message: `write: EPIPE (Broken pipe) fd ${w}`,
    }),
  );
  await expect(write(w, "anyone?", { timeout: 5000 })).rejects.toMatchObject({
    code: "EPIPE",
    syscall: "write",
  });
});

test("an awaited write that is waiting for room rejects with EPIPE when the reader goes away", async () => {
  const [r, w] = track(pipe());
  const big = Buffer.alloc(pipeSize(w) + PAGE_SIZE, "x"); // more than fits: the write waits
  const pending = write(w, big, { timeout: 10_000 });
  closeTracked(r);
  await expect(pending).rejects.toMatchObject({ code: "EPIPE", syscall: "write" });
});

test("an awaited write larger than the pipe completes as the reader drains it", async () => {
  const [r, w] = track(pipe());
  const big = Buffer.alloc(3 * pipeSize(w) + 5, "y");
  const writing = write(w, big, { timeout: 10_000 });
  let got = 0;
  while (got < big.length) got += (await read(r, 65536, { timeout: 10_000 })).length;
  expect(await writing).toBe(big.length);
  expect(got).toBe(big.length);
});

test("pipe rejects options that are not an object", () => {
  expect(() => pipe(null as never)).toThrow(
    expect.objectContaining({ name: "TypeError", code: "ERR_INVALID_ARG_TYPE" }),
  );
});
