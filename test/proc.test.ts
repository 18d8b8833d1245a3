// lib/proc.ts against real processes: a child asleep in read(0) on a pipe,
// one that has ended (a zombie, then reaped), this process's own threads.
import { spawn } from "node:child_process";
import { expect, test } from "vitest";
import { asleepIn, hasEnded, waitUntil } from "ipc-lab";

const exited = (child: ReturnType<typeof spawn>) =>
  new Promise<void>((resolve) => child.once("exit", () => resolve()));

test("asleepIn sees a child asleep in read(0), not in write, and not on another descriptor", async () => {
  const child = spawn("cat", [], { stdio: ["pipe", "ignore", "ignore"] });
  try {
    await waitUntil("cat to sleep in read(0)", () => asleepIn(child.pid!, "read", 0), {
      gone: () => hasEnded(child.pid!),
    });
    expect(asleepIn(child.pid!, "read")).toBe(true);
    expect(asleepIn(child.pid!, "read", 5)).toBe(false);
    expect(asleepIn(child.pid!, "write")).toBe(false);
    expect(hasEnded(child.pid!)).toBe(false);
  } finally {
    child.stdin!.end();
    await exited(child);
  }
});

test("hasEnded: a zombie has ended, a reaped pid too; asleepIn of a gone process is false", async () => {
  const child = spawn("true");
  const pid = child.pid!;
  await exited(child);
  expect(hasEnded(pid)).toBe(true);
  expect(asleepIn(pid, "read")).toBe(false);
  expect(hasEnded(process.pid)).toBe(false);
});

test("this process has threads asleep in futex (Node's idle workers)", () => {
  expect(asleepIn("self", "futex")).toBe(true);
});

test("waitUntil: resolves when the condition holds, names what it waited for when it gives up", async () => {
  let n = 0;
  await waitUntil("three turns", () => ++n >= 3);
  expect(n).toBe(3);
  await expect(
    waitUntil("a thing that never happens", () => false, { timeout: 30 }),
  ).rejects.toMatchObject({
    code: "ETIMEDOUT",
    message: "gave up waiting for a thing that never happens: not within 30 ms",
  });
  await expect(
    waitUntil("a peer's answer", () => false, { gone: () => true }),
  ).rejects.toMatchObject({
    code: "ESRCH",
    message: "gave up waiting for a peer's answer: the process that should do it has ended",
  });
  // A peer that did it and then ended did it.
  await waitUntil("a peer that is done", () => true, { gone: () => true });
});

test("bad input is named", async () => {
  expect(() => asleepIn(-1, "read")).toThrow(expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }));
  expect(() => asleepIn("self", "nap" as "read")).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_VALUE",
      message: expect.stringContaining("syscall must be one of read, write"),
    }),
  );
  expect(() => asleepIn("self", "read", "0" as unknown as number)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  expect(() => hasEnded(1.5)).toThrow(expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }));
  await expect(waitUntil("x", "no" as unknown as () => boolean)).rejects.toMatchObject({
    code: "ERR_INVALID_ARG_TYPE",
  });
  await expect(waitUntil("x", () => true, { timeout: -1 })).rejects.toMatchObject({
    code: "ERR_OUT_OF_RANGE",
  });
});
