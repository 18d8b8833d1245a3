import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import {
  pendingWaits,
  pipe,
  pipeSize,
  read,
  readSync,
  setNonblocking,
  write,
  writeSync,
} from "ipc-lab";
import { native, poll } from "./fixtures/internals.ts";

const { whenReady } = poll;
const { POLLIN, POLLOUT } = native.constants;
import { trackDescriptors } from "./fixtures/fds.ts";

const fixtures = path.join(import.meta.dirname, "fixtures");
const { track } = trackDescriptors();

test("a read with a time-out rejects with ETIMEDOUT naming the call and leaves no wait behind", async () => {
  const [r] = track(pipe());
  await expect(read(r, 10, { timeout: 30 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "read",
    message: `read: ETIMEDOUT (timed out after 30 ms) fd ${r}`,
    fd: r,
  });
  expect(pendingWaits()).toBe(0);
});

test("an AbortSignal stops a pending read with the signal's reason", async () => {
  const [r] = track(pipe());
  const controller = new AbortController();
  const pending = read(r, 10, { signal: controller.signal });
  expect(pendingWaits()).toBe(1);
  const reason = new Error("no longer needed");
  controller.abort(reason);
  await expect(pending).rejects.toBe(reason);
  expect(pendingWaits()).toBe(0);
});

test("an already aborted signal rejects at once", async () => {
  const [r] = track(pipe());
  await expect(read(r, 10, { signal: AbortSignal.abort(new Error("early")) })).rejects.toThrow(
    "early",
  );
  expect(pendingWaits()).toBe(0);
});

test("two reads waiting on one pipe share its poll handle; data wakes one, the other keeps waiting", async () => {
  const [r, w] = track(pipe());
  const handles = native.pollHandles();
  const first = read(r, 100, { timeout: 10_000 });
  const second = read(r, 100, { timeout: 10_000 });
  expect(pendingWaits()).toBe(1); // one descriptor
  expect(native.pollHandles()).toBe(handles + 1); // and one uv_poll handle for both
  writeSync(w, "one");
  const winner = await Promise.race([first, second]);
  expect(winner.toString()).toBe("one");
  writeSync(w, "two");
  const both = await Promise.all([first, second]);
  expect(both.map(String).sort()).toEqual(["one", "two"]);
  expect(pendingWaits()).toBe(0);
});

test("a reader and a writer of different pipes wait at the same time", async () => {
  const [r1, w1] = track(pipe());
  const [r2, w2] = track(pipe());
  const capacity = pipeSize(w2);
  writeSync(w2, Buffer.alloc(capacity)); // full: the next write waits
  const reading = read(r1, 10, { timeout: 10_000 });
  const writing = write(w2, "more", { timeout: 10_000 });
  expect(pendingWaits()).toBe(2);
  writeSync(w1, "hi");
  expect((await reading).toString()).toBe("hi");
  let drained = 0;
  while (drained < capacity) drained += (await read(r2, capacity)).length;
  expect(await writing).toBe(4);
});

test("bad wait options are a clear TypeError or RangeError", () => {
  const [r] = track(pipe());
  expect(() => read(r, 10, { timeout: -1 })).toThrow(
    expect.objectContaining({
      code: "ERR_OUT_OF_RANGE",
      message: "timeout must be between 0 and 2147483647, got -1",
    }),
  );
  expect(() => read(r, 10, { signal: "stop" as never })).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_TYPE",
      message: "signal must be an AbortSignal",
    }),
  );
});

for (const mode of ["close", "keep-open"]) {
  test(`a plain Node program exits on its own after timed-out and aborted reads (${mode})`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(fixtures, "pipe-waits.mjs"), mode],
      {
        timeout: 20_000,
      },
    );
    expect(stdout).toBe(
      [
        "ETIMEDOUT read: ETIMEDOUT (timed out after 50 ms) fd R",
        "pending while waiting: 1",
        "aborted: stop waiting",
        "pending after: 0",
        "",
      ].join("\n"),
    );
  });
}

test("a descriptor that had to wait last time waits first: the attempt bound to fail is skipped", async () => {
  const [r, w] = track(pipe());
  let attempts = 0;
  setNonblocking(r, true);
  const tryRead = () => {
    attempts++;
    try {
      return readSync(r, 16).toString();
    } catch (error) {
      if ((error as { code?: string }).code === "EAGAIN") return undefined;
      throw error;
    }
  };
  // 1st: empty pipe, so try (fails), wait, try again: 2 attempts.
  let pending = whenReady(r, "readable", "read", tryRead, { timeout: 5000 });
  setTimeout(() => writeSync(w, "one"), 20);
  expect(await pending).toBe("one");
  expect(attempts).toBe(2);
  // 2nd: it waited last time, so it waits first: 1 attempt, after the data came.
  attempts = 0;
  pending = whenReady(r, "readable", "read", tryRead, { timeout: 5000 });
  setTimeout(() => writeSync(w, "two"), 20);
  expect(await pending).toBe("two");
  expect(attempts).toBe(1);
  // 3rd: data already there still comes (level-triggered readiness reports
  // it at once), with 1 attempt.
  writeSync(w, "three");
  attempts = 0;
  expect(await whenReady(r, "readable", "read", tryRead, { timeout: 5000 })).toBe("three");
  expect(attempts).toBe(1);
});

test("after a read that had to wait, data already in the pipe is still read at once", async () => {
  const [r, w] = track(pipe());
  // First read waits (the pipe is empty): the next read of r skips its first attempt.
  const waiting = read(r, 16);
  writeSync(w, "one");
  expect((await waiting).toString()).toBe("one");
  // Data is there before the read starts: level-triggered readiness reports it.
  writeSync(w, "two");
  expect((await read(r, 16, { timeout: 5000 })).toString()).toBe("two");
  // And a read that did not wait goes back to trying first.
  writeSync(w, "three");
  expect((await read(r, 16, { timeout: 5000 })).toString()).toBe("three");
});

test("pollMany fills each (fd, events, revents) triple as poll(2) does, and refuses a set it cannot read", () => {
  const [r1, w1] = track(pipe());
  const [r2] = track(pipe());
  const set = new Int32Array([r1, POLLIN, -1, r2, POLLIN, -1, w1, POLLOUT, -1]);
  expect(native.pollMany(set, 3, 0)).toBe(1); // only the write end is ready
  expect([set[2], set[5], set[8]]).toEqual([0, 0, POLLOUT]);
  writeSync(w1, "x");
  expect(native.pollMany(set, 2, -1)).toBe(1); // no time-out: returns once one is ready
  expect([set[2], set[5]]).toEqual([POLLIN, 0]);
  expect(() => native.pollMany(set, 4, 0)).toThrow(/count 4 is more than the set's 3 triples/);
  expect(() => native.pollMany([r1, POLLIN, 0] as never, 1, 0)).toThrow(TypeError);
  expect(() => native.pollMany(set, 1, -2)).toThrow(RangeError);
});
