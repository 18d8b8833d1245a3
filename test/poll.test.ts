import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { pendingWaits, pipe, read, write, writeSync } from "ipc-lab";
import { trackDescriptors } from "./fixtures/fds.ts";

const fixtures = path.join(import.meta.dirname, "fixtures");
const { track } = trackDescriptors();

test("a read with a time-out rejects with ETIMEDOUT naming the call and leaves no wait behind", async () => {
  const [r] = track(pipe());
  await expect(read(r, 10, { timeout: 30 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "read",
    message: "read: ETIMEDOUT (timed out after 30 ms)",
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
  const first = read(r, 100, { timeout: 10_000 });
  const second = read(r, 100, { timeout: 10_000 });
  expect(pendingWaits()).toBe(1); // one descriptor
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
  writeSync(w2, Buffer.alloc(65536)); // full: the next write waits
  const reading = read(r1, 10, { timeout: 10_000 });
  const writing = write(w2, "more", { timeout: 10_000 });
  expect(pendingWaits()).toBe(2);
  writeSync(w1, "hi");
  expect((await reading).toString()).toBe("hi");
  let drained = 0;
  while (drained < 65536) drained += (await read(r2, 65536)).length;
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
      code: "ERR_INVALID_ARG_VALUE",
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
        "ETIMEDOUT read: ETIMEDOUT (timed out after 50 ms)",
        "pending while waiting: 1",
        "aborted: stop waiting",
        "pending after: 0",
        "",
      ].join("\n"),
    );
  });
}

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
